import Foundation
import KubeCore
import Testing
import TestSupport
@testable import DevCluster

@Suite("Protobuf request bodies (kubectl create generators)")
struct ServerProtobufTests {
    @Test("kubectl create deployment/job/cronjob/service/role/rolebinding/clusterrole/pdb/priorityclass/ingress and expose store the fields kubectl set")
    func kubectlCreateGenerators() async throws {
        try await withDevCluster(["--no-controller"]) { cluster in
            let k = cluster.kubectl
            for args in [
                ["create", "deployment", "web", "--image=nginx", "--port=80", "--replicas=2"],
                ["create", "job", "j", "--image=busybox", "--", "echo", "hi"],
                ["create", "cronjob", "cj", "--image=busybox", "--schedule=*/5 * * * *"],
                ["create", "service", "clusterip", "svc", "--tcp=80:8080"],
                ["create", "service", "nodeport", "np", "--tcp=80:http"],
                ["expose", "deployment", "web", "--port=81", "--name=webx"],
                ["create", "role", "r", "--verb=get,list", "--resource=pods,deployments.apps", "--resource-name=x"],
                ["create", "rolebinding", "rb", "--role=r", "--user=bob", "--serviceaccount=default:sa"],
                ["create", "clusterrole", "agg", "--aggregation-rule=a=b"],
                ["create", "clusterrolebinding", "crb", "--clusterrole=agg", "--group=g"],
                ["create", "pdb", "pdb", "--selector=app=x", "--max-unavailable=50%"],
                ["create", "priorityclass", "pc", "--value=10", "--description=hi"],
                ["create", "ingress", "ing", "--rule=a.com/=svc:80"],
            ] {
                let result = try await k.run(args)
                #expect(result.succeeded, "kubectl \(args.joined(separator: " ")): \(result.stderr)")
            }
            func get(_ args: String...) async throws -> JSONValue {
                let result = try await k.run(["get"] + args + ["-o", "json"])
                return try JSONValue.parse(result.stdout)
            }
            let deploy = try await get("deployment", "web")
            #expect(deploy[path: ["spec", "replicas"]] == 2)
            #expect(deploy[path: ["spec", "selector", "matchLabels"]] == ["app": "web"])
            #expect(deploy[path: ["spec", "template", "metadata", "labels"]] == ["app": "web"])
            let container = deploy[path: ["spec", "template", "spec", "containers"]]?[0]
            #expect(container?["name"] == "nginx" && container?["image"] == "nginx")
            #expect(container?["ports"]?[0]?["containerPort"] == 80)

            let job = try await get("job", "j")
            #expect(job[path: ["spec", "template", "spec", "restartPolicy"]] == "Never")
            #expect(job[path: ["spec", "template", "spec", "containers"]]?[0]?["command"] == ["echo", "hi"])
            let cronJob = try await get("cronjob", "cj")
            #expect(cronJob[path: ["spec", "schedule"]] == "*/5 * * * *")
            #expect(cronJob[path: ["spec", "jobTemplate", "spec", "template", "spec", "containers"]]?[0]?["image"] == "busybox")

            let svc = try await get("service", "svc")
            #expect(svc[path: ["spec", "type"]] == "ClusterIP")
            #expect(svc[path: ["spec", "ports"]]?[0]?["port"] == 80)
            #expect(svc[path: ["spec", "ports"]]?[0]?["targetPort"] == 8080)
            #expect(svc[path: ["spec", "selector"]] == ["app": "svc"])
            let nodePort = try await get("service", "np")
            #expect(nodePort[path: ["spec", "type"]] == "NodePort")
            #expect(nodePort[path: ["spec", "ports"]]?[0]?["targetPort"] == "http")
            let exposed = try await get("service", "webx")
            #expect(exposed[path: ["spec", "selector"]] == ["app": "web"])
            #expect(exposed[path: ["spec", "ports"]]?[0]?["port"] == 81)

            let role = try await get("role", "r")
            #expect(role["rules"]?[1]?["apiGroups"] == ["apps"])
            #expect(role["rules"]?[0]?["verbs"] == ["get", "list"])
            #expect(role["rules"]?[0]?["resourceNames"] == ["x"])
            let binding = try await get("rolebinding", "rb")
            #expect(binding["roleRef"] == ["apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "r"])
            #expect(binding["subjects"]?[1] == ["kind": "ServiceAccount", "name": "sa", "namespace": "default"])
            let aggregated = try await get("clusterrole", "agg")
            #expect(aggregated[path: ["aggregationRule", "clusterRoleSelectors"]]?[0]?["matchLabels"] == ["a": "b"])
            let clusterBinding = try await get("clusterrolebinding", "crb")
            #expect(clusterBinding["subjects"]?[0]?["name"] == "g")
            let pdb = try await get("pdb", "pdb")
            #expect(pdb[path: ["spec", "maxUnavailable"]] == "50%")
            #expect(pdb[path: ["spec", "selector", "matchLabels"]] == ["app": "x"])
            let priorityClass = try await get("priorityclass", "pc")
            #expect(priorityClass["value"] == 10 && priorityClass["description"] == "hi")
            let ingress = try await get("ingress", "ing")
            let path = ingress[path: ["spec", "rules"]]?[0]?[path: ["http", "paths"]]?[0]
            #expect(ingress[path: ["spec", "rules"]]?[0]?["host"] == "a.com")
            #expect(path?[path: ["backend", "service", "name"]] == "svc")
            #expect(path?[path: ["backend", "service", "port", "number"]] == 80)
        }
    }

    static func envelope(_ raw: [UInt8]) -> Data {
        // k8s\0 + runtime.Unknown{typeMeta{apiVersion "v1", kind "Pod"}, raw}
        let typeMeta: [UInt8] = [0x0a, 2] + Array("v1".utf8) + [0x12, 3] + Array("Pod".utf8)
        return Data([0x6b, 0x38, 0x73, 0x00, 0x0a, UInt8(typeMeta.count)] + typeMeta + [0x12, UInt8(raw.count)] + raw)
    }

    static let pods = ResourceInfo(group: "", version: "v1", resource: "pods", kind: "Pod", namespaced: true)

    @Test("unknown protobuf fields are skipped; truncated or mistyped wire data is a 400, never a crash")
    func malformedProtobuf() throws {
        // Pod{metadata{name "p"}, spec{containers[{name "c", image "i"}]}, field 99 (unknown) = varint 7}
        let container: [UInt8] = [0x0a, 1, 0x63, 0x12, 1, 0x69]
        let spec: [UInt8] = [0x12, UInt8(container.count)] + container
        let meta: [UInt8] = [0x0a, 1, 0x70]
        let pod: [UInt8] = [0x0a, UInt8(meta.count)] + meta + [0x12, UInt8(spec.count)] + spec + [0x98, 0x06, 0x07]
        let decoded = try ProtobufDecoding.decode(Self.envelope(pod), info: Self.pods)
        #expect(decoded[path: ["metadata", "name"]] == "p")
        #expect(decoded[path: ["spec", "containers"]]?[0] == ["name": "c", "image": "i"])
        #expect(decoded["kind"] == "Pod")

        // A length running past the end of the message.
        #expect(throws: Status.self) { try ProtobufDecoding.decode(Self.envelope([0x0a, 0x50, 0x01]), info: Self.pods) }
        // metadata (a message) sent as a varint.
        do {
            _ = try ProtobufDecoding.decode(Self.envelope([0x08, 0x01]), info: Self.pods)
            Issue.record("a varint for a message field must be rejected")
        } catch let status as Status {
            #expect(status.code == 400)
        }
        // Not the k8s envelope at all.
        #expect(throws: Status.self) { try ProtobufDecoding.decode(Data([1, 2, 3, 4, 5]), info: Self.pods) }
        // A kind without a descriptor answers 415.
        let leases = ResourceInfo(group: "coordination.k8s.io", version: "v1", resource: "leases", kind: "Lease", namespaced: true)
        do {
            _ = try ProtobufDecoding.decode(Self.envelope([]), info: leases)
            Issue.record("leases have no protobuf descriptor")
        } catch let status as Status {
            #expect(status.code == 415)
        }
    }
}
