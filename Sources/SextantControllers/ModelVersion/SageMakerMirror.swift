import CloudAWS
import Foundation
import KubeCore
import SextantAPI

/// `spec.registries.sagemaker`: one versioned model package per ModelVersion in the model package
/// group (created when missing), `ModelApprovalStatus` Approved for Production, Rejected for
/// Archived, PendingManualApproval otherwise, metrics and the uid as `CustomerMetadataProperties`.
/// Found again by the recorded ARN, else by the uid in the group's package descriptions.
public struct SageMakerMirror: RegistryMirror {
    public let registry = MirrorStages.sagemaker
    let aws: AWSJobCalls

    /// A mirror calling AWS through `client` (the namespace's `ml.sextant.dev/aws-role-arn` is assumed when set).
    public init(client: AWSClient) {
        aws = AWSJobCalls(client: client)
    }

    struct Target {
        var region: String
        var group: String
    }

    func target(_ s: MirrorSubject) throws -> Target {
        guard let cfg = s.registries.sagemaker else {
            throw CloudBackendError(.invalidRequest, "spec.registries.sagemaker is not set")
        }
        return Target(region: cfg.region, group: cfg.modelPackageGroup)
    }

    public func ensure(_ s: MirrorSubject, context: CloudCallContext) async throws -> MirrorRecord {
        try await AWSJobCalls.mapping {
            let t = try target(s)
            if let arn = try await find(s, t, context: context) {
                return MirrorRecord(id: arn, url: SageMakerMirrorRequests.consoleURL(region: t.region, group: t.group, arn: arn))
            }
            try await ensureGroup(s, t, context: context)
            let created = try await aws.call(.createModelPackage, region: t.region, input: SageMakerMirrorRequests.createPackage(s, group: t.group),
                                             context: context)
            guard let arn = created["ModelPackageArn"]?.stringValue else {
                throw CloudBackendError(.unavailable, "CreateModelPackage answered no ModelPackageArn")
            }
            context.logger.info("created model package", metadata: ["arn": "\(arn)"])
            return MirrorRecord(id: arn, url: SageMakerMirrorRequests.consoleURL(region: t.region, group: t.group, arn: arn), created: true)
        }
    }

    public func sync(_ s: MirrorSubject, record: MirrorRecord, context: CloudCallContext) async throws -> String {
        try await AWSJobCalls.mapping {
            let t = try target(s)
            guard let described = try await describe(record.id, t, context: context) else {
                throw CloudBackendError(.unavailable, "model package \(record.id) disappeared; it is looked up again on the next try")
            }
            if let body = SageMakerMirrorRequests.updatePackage(s, arn: record.id, described: described) {
                _ = try await aws.call(.updateModelPackage, region: t.region, input: body, context: context)
            }
            return MirrorStages.sageMakerApproval(s.stage)
        }
    }

    public func delete(_ s: MirrorSubject, context: CloudCallContext) async throws {
        try await AWSJobCalls.mapping {
            let t = try target(s)
            guard let arn = try await find(s, t, context: context) else { return }
            do {
                _ = try await aws.call(.deleteModelPackage, region: t.region, input: ["ModelPackageName": .string(arn)], context: context)
                context.logger.info("deleted model package", metadata: ["arn": "\(arn)"])
            } catch let e as AWSError where AWSJobCalls.isMissing(e) {
                return
            }
        }
    }

    /// The package of `s`: the recorded ARN when it still holds the uid, else the package of the group
    /// whose description carries the uid (confirmed by its metadata).
    func find(_ s: MirrorSubject, _ t: Target, context: CloudCallContext) async throws -> String? {
        if let arn = s.recordedID, SageMakerMirrorRequests.isInGroup(arn, group: t.group),
           let d = try await describe(arn, t, context: context), SageMakerMirrorRequests.holds(d, uid: s.uid) {
            return arn
        }
        let marker = SageMakerMirrorRequests.uidMarker(s.uid)
        var token: String?
        repeat {
            let page: JSONValue
            do {
                page = try await aws.call(.listModelPackages, region: t.region, input: SageMakerMirrorRequests.listPackages(t.group, nextToken: token),
                                          context: context)
            } catch let e as AWSError where AWSJobCalls.isMissing(e) {
                return nil
            }
            for summary in page["ModelPackageSummaryList"]?.arrayValue ?? [] {
                guard summary["ModelPackageDescription"]?.stringValue?.contains(marker) == true,
                      let arn = summary["ModelPackageArn"]?.stringValue else { continue }
                if let d = try await describe(arn, t, context: context), SageMakerMirrorRequests.holds(d, uid: s.uid) { return arn }
            }
            token = page["NextToken"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        } while token != nil
        return nil
    }

    func describe(_ arn: String, _ t: Target, context: CloudCallContext) async throws -> JSONValue? {
        do {
            return try await aws.call(.describeModelPackage, region: t.region, input: ["ModelPackageName": .string(arn)], context: context)
        } catch let e as AWSError where AWSJobCalls.isMissing(e) {
            return nil
        }
    }

    func ensureGroup(_ s: MirrorSubject, _ t: Target, context: CloudCallContext) async throws {
        do {
            _ = try await aws.call(.describeModelPackageGroup, region: t.region, input: SageMakerMirrorRequests.describeGroup(t.group), context: context)
            return
        } catch let e as AWSError where AWSJobCalls.isMissing(e) {}
        do {
            _ = try await aws.call(.createModelPackageGroup, region: t.region, input: SageMakerMirrorRequests.createGroup(t.group, model: s.model),
                                   context: context)
            context.logger.info("created model package group", metadata: ["group": "\(t.group)"])
        } catch let e as AWSError where e.kind == .conflict || (e.code == "ValidationException" && e.message.lowercased().contains("already exists")) {
            // Made meanwhile by another version of the model.
        }
    }
}
