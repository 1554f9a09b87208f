import Crypto
import Foundation
import KubeCore
import SextantAPI

/// The Deployment and Services that serve model versions.
enum ServingResources {
    /// Annotation with the hash of what the controller asked for, so it updates only on a real change.
    static let specHashAnnotation = "ml.sextant.dev/spec-hash"
    static let defaultPort = 8080
    static let containerName = "server"

    /// Labels selecting the pods of one version.
    static func selector(model: String, version: String) -> [String: String] {
        [SextantLabels.model: model, SextantLabels.modelVersion: version]
    }

    static func labels(model: String, version: String) -> [String: String] {
        selector(model: model, version: version).merging([SextantLabels.managedBy: SextantLabels.managedByValue]) { a, _ in a }
    }

    static func port(_ serving: ServingSpec) -> Int { serving.port ?? defaultPort }

    /// `http://<service>.<namespace>.svc:<port>`.
    static func endpoint(service: String, namespace: String, port: Int) -> String {
        "http://\(service).\(namespace).svc:\(port)"
    }

    /// The Deployment named after the version.
    static func deployment(for mv: ModelVersion, serving: ServingSpec) -> Deployment {
        let name = mv.name
        let port = port(serving)
        var env: [KubeCore.EnvVar] = [
            KubeCore.EnvVar(name: "MODEL_URI", value: mv.spec.artifact.uri),
            KubeCore.EnvVar(name: "MODEL_NAME", value: mv.spec.model),
            KubeCore.EnvVar(name: "MODEL_VERSION", value: String(mv.spec.version)),
        ]
        env += convert(serving.env, to: [KubeCore.EnvVar].self) ?? []
        var container = KubeCore.Container(
            name: containerName, image: serving.image, env: env,
            resources: convert(serving.resources, to: KubeCore.ResourceRequirements.self),
            ports: [KubeCore.ContainerPort(name: "http", containerPort: Int32(port), protocol: "TCP")])
        container.command = serving.command
        container.args = serving.args
        let probe: JSONValue = ["tcpSocket": ["port": .int(Int64(port))], "periodSeconds": 5, "failureThreshold": 3]
        container.readinessProbe = probe
        container.livenessProbe = ["tcpSocket": ["port": .int(Int64(port))], "initialDelaySeconds": 10, "periodSeconds": 10]
        let labels = labels(model: mv.spec.model, version: name)
        let sel = selector(model: mv.spec.model, version: name)
        var podSpec = KubeCore.PodSpec(containers: [container])
        podSpec.topologySpreadConstraints = ServingScaling.topologySpreadConstraints(model: mv.spec.model, version: name, serving: serving)
        let template = KubeCore.PodTemplateSpec(metadata: ObjectMeta(labels: labels), spec: podSpec)
        var spec = KubeCore.DeploymentSpec(
            replicas: ServingScaling.ownsReplicas(serving) ? Int32(serving.replicas ?? 1) : nil,
            selector: ["matchLabels": JSONValue.object(sel.mapValues { .string($0) })],
            template: template)
        spec.revisionHistoryLimit = 3
        var meta = ObjectMeta(name: name, namespace: mv.namespace, labels: labels, ownerReferences: [mv.ownerReference()])
        // With an HPA the hash leaves replicas out (the HPA changes them), and they are set only at creation.
        meta.annotations = [specHashAnnotation: hash(spec)]
        spec.replicas = ServingScaling.initialReplicas(serving)
        return Deployment(metadata: meta, spec: spec)
    }

    /// The Service named after the version.
    static func service(for mv: ModelVersion, serving: ServingSpec) -> KubeService {
        let port = Int32(port(serving))
        let spec = ServiceSpec(
            selector: selector(model: mv.spec.model, version: mv.name),
            ports: [ServicePort(name: "http", port: port, targetPort: .int(Int64(port)), protocol: "TCP")],
            type: "ClusterIP")
        var meta = ObjectMeta(
            name: mv.name, namespace: mv.namespace, labels: labels(model: mv.spec.model, version: mv.name),
            ownerReferences: [mv.ownerReference()])
        meta.annotations = [specHashAnnotation: hash(spec)]
        return KubeService(metadata: meta, spec: spec)
    }

    /// The stable Service named after the model, selecting `target`'s pods.
    static func stableService(model: String, namespace: String, target: ModelVersion, port: Int, owners: [OwnerReference]) -> KubeService {
        let p = Int32(port)
        let spec = ServiceSpec(
            selector: selector(model: model, version: target.name),
            ports: [ServicePort(name: "http", port: p, targetPort: .int(Int64(p)), protocol: "TCP")],
            type: "ClusterIP")
        var labels = [SextantLabels.model: model, SextantLabels.managedBy: SextantLabels.managedByValue]
        labels["ml.sextant.dev/stable"] = "true"
        var meta = ObjectMeta(name: model, namespace: namespace, labels: labels, ownerReferences: owners)
        meta.annotations = [specHashAnnotation: hash(spec)]
        return KubeService(metadata: meta, spec: spec)
    }

    /// A Deployment is available when its `Available` condition is True or enough replicas are available.
    static func isAvailable(_ d: Deployment?) -> Bool {
        guard let d else { return false }
        if let available = d.status?.conditions?.first(where: { $0.type == "Available" }) {
            return available.status == "True" && (d.status?.availableReplicas ?? 0) >= 1
        }
        return (d.status?.availableReplicas ?? 0) >= max(1, d.spec?.replicas ?? 1)
    }

    /// Re-encodes a value as another Codable type with the same JSON shape (API type -> KubeCore type).
    static func convert<A: Encodable, B: Decodable>(_ value: A?, to type: B.Type) -> B? {
        guard let value, let json = try? JSONValue(encoding: value) else { return nil }
        return try? json.decode(as: B.self)
    }

    /// First 16 hex digits of the SHA-256 of the value's JSON (sorted keys).
    static func hash<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(value)) ?? Data()
        return SHA256.hash(data: data).prefix(8).map { String(format: "%02x", $0) }.joined()
    }
}
