import Foundation
import KubeCore
import SextantAPI

/// The SageMaker Model Registry request bodies of a ModelVersion mirror (pure).
///
/// Versioned model packages take no tags (SageMaker's Model Registry FAQ), so the uid is kept in
/// `CustomerMetadataProperties["sextant.uid"]` and in the package description, which
/// ListModelPackages returns: a restart finds the package by listing the group, never creating a second.
enum SageMakerMirrorRequests {
    /// The most `CustomerMetadataProperties` entries SageMaker accepts.
    static let metadataLimit = 50
    /// The longest metadata value.
    static let valueLimit = 256

    /// `sextant.uid=<uid>`: the marker in the description.
    static func uidMarker(_ uid: String) -> String { "\(MirrorSubject.uidTag)=\(uid)" }

    static func description(_ s: MirrorSubject) -> String {
        "Sextant ModelVersion \(s.namespace)/\(s.name) (model \(s.model) version \(s.version)); \(uidMarker(s.uid))"
    }

    /// Only letters, digits, spaces and `_.:/=+-@` are legal in metadata keys.
    static func key(_ raw: String) -> String {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: " _.:/=+-@"))
        let cleaned = String(String.UnicodeScalarView(raw.unicodeScalars.map { allowed.contains($0) ? $0 : "_" }))
        return String(cleaned.prefix(128))
    }

    /// `CustomerMetadataProperties`: who the package mirrors, its stage, artifact and metrics
    /// (`metric.<name>`), at most 50 entries (metrics beyond that are left out, in name order).
    static func metadata(_ s: MirrorSubject) -> [String: String] {
        var m: [String: String] = [
            MirrorSubject.uidTag: s.uid, "sextant.namespace": s.namespace, "sextant.name": s.name,
            "sextant.model": s.model, "sextant.version": String(s.version), "sextant.stage": s.stage,
            "sextant.artifact": String(s.artifactURI.prefix(valueLimit)),
        ]
        if let d = s.digest { m["sextant.digest"] = String(d.prefix(valueLimit)) }
        if let f = s.framework, !f.isEmpty { m["sextant.framework"] = String(f.prefix(valueLimit)) }
        if let p = s.pipeline { m["sextant.pipeline"] = String(p.prefix(valueLimit)) }
        for (name, value) in s.metrics.sorted(by: { $0.key < $1.key }) where m.count < metadataLimit {
            m[key("metric.\(name)")] = MirrorSubject.metricText(value)
        }
        return m
    }

    static func object(_ m: [String: String]) -> JSONValue { .object(m.mapValues { .string($0) }) }

    static func describeGroup(_ group: String) -> JSONValue { ["ModelPackageGroupName": .string(group)] }

    static func createGroup(_ group: String, model: String) -> JSONValue {
        [
            "ModelPackageGroupName": .string(group),
            "ModelPackageGroupDescription": .string("Versions of model \(model), mirrored by Sextant"),
            "Tags": [["Key": "sextant.managed-by", "Value": "sextant"]],
        ]
    }

    static func listPackages(_ group: String, nextToken: String?) -> JSONValue {
        var body: JSONValue = ["ModelPackageGroupName": .string(group), "MaxResults": 100, "SortBy": "CreationTime", "SortOrder": "Descending"]
        if let nextToken { body["NextToken"] = .string(nextToken) }
        return body
    }

    /// CreateModelPackage in the group: description and metadata holding the uid, the approval status
    /// of the effective stage, `SourceUri` = the artifact, and `ClientToken` = the uid (SageMaker's own
    /// idempotency for a retried create).
    static func createPackage(_ s: MirrorSubject, group: String) -> JSONValue {
        var body: JSONValue = [
            "ModelPackageGroupName": .string(group),
            "ModelPackageDescription": .string(description(s)),
            "ModelApprovalStatus": .string(MirrorStages.sageMakerApproval(s.stage)),
            "CustomerMetadataProperties": object(metadata(s)),
            "ClientToken": .string(String(s.uid.prefix(36))),
            "SourceUri": .string(String(s.artifactURI.prefix(1024))),
        ]
        if let p = s.pipeline {
            body["MetadataProperties"] = ["GeneratedBy": .string(String("sextant \(s.namespace)/\(p)".prefix(1024)))]
        }
        return body
    }

    /// UpdateModelPackage to the subject's stage and metadata, or nil when the package already shows them.
    /// Keys Sextant wrote before and no longer wants (a metric removed) are removed.
    static func updatePackage(_ s: MirrorSubject, arn: String, described: JSONValue) -> JSONValue? {
        let approval = MirrorStages.sageMakerApproval(s.stage)
        let wanted = metadata(s)
        let current = (described["CustomerMetadataProperties"]?.objectValue ?? [:]).compactMapValues(\.stringValue)
        if described["ModelApprovalStatus"]?.stringValue == approval && current == wanted { return nil }
        var body: JSONValue = [
            "ModelPackageArn": .string(arn),
            "ModelApprovalStatus": .string(approval),
            "ApprovalDescription": .string("Sextant: effective stage \(s.stage) of \(s.namespace)/\(s.name)"),
            "CustomerMetadataProperties": object(wanted),
        ]
        let stale = current.keys.filter { wanted[$0] == nil && ($0.hasPrefix("sextant.") || $0.hasPrefix("metric.")) }.sorted()
        if !stale.isEmpty { body["CustomerMetadataPropertiesToRemove"] = .array(stale.map { .string($0) }) }
        return body
    }

    /// True when a described package mirrors `uid`.
    static func holds(_ described: JSONValue, uid: String) -> Bool {
        described[path: ["CustomerMetadataProperties", MirrorSubject.uidTag]]?.stringValue == uid
    }

    /// True when an ARN is a package of `group` (`arn:...:model-package/<group>/<version>`).
    static func isInGroup(_ arn: String, group: String) -> Bool {
        arn.lowercased().contains(":model-package/\(group.lowercased())/")
    }

    /// The SageMaker console page of a package version (format not verified against the live console).
    static func consoleURL(region: String, group: String, arn: String) -> String {
        let version = arn.split(separator: "/").last.map(String.init) ?? ""
        return "https://\(region).console.aws.amazon.com/sagemaker/home?region=\(region)#/model-registry/model-package-groups/\(group)/versions/\(version)"
    }
}
