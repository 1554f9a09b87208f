import Foundation
import KubeCore
import Testing
import TestSupport

/// Well-known projects' CRDs (Tests/harness/crds) on one `sextant dev`, through stock kubectl:
/// they install and become Established, their valid objects are accepted, and objects a real
/// server refuses are refused with the rule's message as the real server words it.
@Suite("Third-party CRDs: Gateway API, Prometheus Operator, cert-manager, Kueue, Argo CD, KEDA")
struct ThirdPartyCRDTests {
    static let projects = ["gateway-api", "prometheus-operator", "cert-manager", "kueue", "argo-cd", "keda"]

    static func harness(_ path: String) -> String {
        ProcessRunner.packageRoot.appendingPathComponent("Tests/harness/crds/\(path)").path
    }

    /// The CRD documents of a file (the Gateway API install also holds the safe-upgrades
    /// ValidatingAdmissionPolicy and its binding, applied separately when that kind is served).
    static func documents(_ path: String, keepingKinds kinds: Set<String>) throws -> String {
        let text = try String(contentsOfFile: harness(path), encoding: .utf8)
        return text.components(separatedBy: "\n---\n").filter { doc in
            kinds.contains { doc.contains("\nkind: \($0)\n") || doc.hasPrefix("kind: \($0)\n") }
        }.joined(separator: "\n---\n")
    }

    /// `kind "name" is invalid: <field>: <message>` lines kubectl prints for each refused object.
    static let refusals: [String] = [
        #"HTTPRoute.gateway.networking.k8s.io "bad-timeouts" is invalid: spec.rules[0].timeouts: Invalid value: "object": backendRequest timeout cannot be longer than request timeout"#,
        #"HTTPRoute.gateway.networking.k8s.io "bad-path" is invalid: spec.rules[0].matches[0].path: Invalid value: "object": value must be an absolute path and start with '/' when type one of ['Exact', 'PathPrefix']"#,
        #"HTTPRoute.gateway.networking.k8s.io "bad-port" is invalid: spec.rules[0].backendRefs[0]: Invalid value: "object": Must have port for Service reference"#,
        #"HTTPRoute.gateway.networking.k8s.io "bad-redirect" is invalid: spec.rules[0]: Invalid value: "object": RequestRedirect filter must not be used together with backendRefs"#,
        #"HTTPRoute.gateway.networking.k8s.io "bad-parents" is invalid: spec.parentRefs: Invalid value: "array": sectionName must be specified when parentRefs includes 2 or more references to the same parent"#,
        #"spec.listeners: Invalid value: "array": Listener name must be unique within the Gateway"#,
        #"spec.listeners: Invalid value: "array": tls must not be specified for protocols ['HTTP', 'TCP', 'UDP']"#,
        #"Gateway.gateway.networking.k8s.io "bad-addresses" is invalid: spec.addresses: Invalid value: "array": IPAddress values must be unique"#,
        #"TLSRoute.gateway.networking.k8s.io "bad-hostnames" is invalid: spec.hostnames: Invalid value: "array": Hostnames cannot contain an IP"#,
        #"GRPCRoute.gateway.networking.k8s.io "bad-grpc" is invalid: spec.rules[0].matches[0].method: Invalid value: "object": service must only contain valid characters (matching ^(?i)\.?[a-z_][a-z_0-9]*(\.[a-z_][a-z_0-9]*)*$)"#,
        #"spec.endpoints[0].interval: Invalid value: "30 seconds": spec.endpoints[0].interval in body should match '^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$'"#,
        #"spec.endpoints[0].scheme: Unsupported value: "ftp": supported values: "http", "https", "HTTP", "HTTPS""#,
        #"PrometheusRule.monitoring.coreos.com "bad-rule" is invalid: spec.groups[0].rules[0].expr: Required value"#,
        #"Issuer.cert-manager.io "bad-venafi" is invalid: spec.venafi: Invalid value: "object": exactly one of tpp, cloud, or ngts must be configured"#,
        #"spec.privateKey.algorithm: Unsupported value: "DSA": supported values: "RSA", "ECDSA", "Ed25519""#,
        #"spec.tolerations: Invalid value: "array": operator must be Exists when 'key' is empty, which means 'match all values and all keys'"#,
        #"spec.tolerations: Invalid value: "array": effect must be 'NoExecute' when 'tolerationSeconds' is set"#,
        #"spec: Invalid value: "object": borrowingLimit must be nil when cohort is empty"#,
        #"spec.resourceGroups[0]: Invalid value: "object": flavors must have the same number of resources as the coveredResources"#,
        #"Application.argoproj.io "bad-application" is invalid: spec.destination: Required value"#,
        #"ScaledObject.keda.sh "bad-replicas" is invalid: spec: Invalid value: "object": minReplicaCount must be less than or equal to maxReplicaCount"#,
        #"ScaledObject.keda.sh "bad-default-max" is invalid: spec: Invalid value: "object": minReplicaCount must be less than or equal to maxReplicaCount"#,
    ]

    @Test("each project's CRDs install with stock kubectl and are Established; valid objects are accepted; invalid ones are refused with the real server's messages; transition rules hold on update")
    func installAndValidate() async throws {
        try await withDevCluster(["--no-controller"]) { cluster in
            let kubectl = cluster.kubectl
            let resources = try await kubectl.run(["api-resources", "--api-group=admissionregistration.k8s.io", "-o", "name"])
            let vapServed = resources.stdout.contains("validatingadmissionpolicies")

            // Install: server-side apply as the projects document it, then wait for Established.
            for project in Self.projects {
                let path = project == "gateway-api" ? "gateway-api/standard-install.yaml" : "\(project)/crds.yaml"
                let crds = try Self.documents(path, keepingKinds: ["CustomResourceDefinition"])
                let applied = try await kubectl.run(["apply", "--server-side", "-f", "-"], stdin: crds)
                #expect(applied.succeeded, "\(project): \(applied.stderr)")
                let established = try await kubectl.run(["wait", "--for", "condition=Established", "--timeout", "20s", "-f", "-"], stdin: crds)
                #expect(established.succeeded && established.stdout.contains("condition met"), "\(project): \(established.stderr)")
            }
            if vapServed {
                let policy = try Self.documents("gateway-api/standard-install.yaml", keepingKinds: ["ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding"])
                let applied = try await kubectl.run(["apply", "--server-side", "-f", "-"], stdin: policy)
                #expect(applied.succeeded, "safe-upgrades policy: \(applied.stderr)")
            }

            // Valid objects of every project.
            for project in Self.projects {
                let result = try await kubectl.run(["apply", "-f", Self.harness("\(project)/objects.yaml")])
                #expect(result.succeeded, "\(project): \(result.stderr)")
            }
            let route = try await kubectl.run(["get", "httproute", "canary", "-o", "jsonpath={.spec.rules[0].backendRefs[1].weight} {.spec.parentRefs[0].kind}"])
            #expect(route.stdout == "10 Gateway", "defaults and weights kept: \(route.stdout) \(route.stderr)")

            // Invalid objects: every one refused, each with its message.
            let invalid = try await kubectl.run(["create", "-f", Self.harness("invalid-objects.yaml")])
            #expect(!invalid.succeeded)
            #expect(!invalid.stdout.contains("created"), "an invalid object was accepted: \(invalid.stdout)")
            for message in Self.refusals {
                #expect(invalid.stderr.contains(message), "missing refusal: \(message)\n\(invalid.stderr)")
            }

            // Transition rules (oldSelf) on update.
            let gatewayClass = try await kubectl.run(["patch", "gatewayclass", "sextant-test", "--type", "merge", "-p", #"{"spec":{"controllerName":"example.com/other"}}"#])
            #expect(gatewayClass.stderr.contains(#"The GatewayClass "sextant-test" is invalid: spec.controllerName: Invalid value: "string": Value is immutable"#), "\(gatewayClass.stderr)")
            let localQueue = try await kubectl.run(["patch", "localqueue", "team-a", "--type", "merge", "-p", #"{"spec":{"clusterQueue":"other"}}"#])
            #expect(localQueue.stderr.contains(#"spec.clusterQueue: Invalid value: "string": field is immutable"#), "\(localQueue.stderr)")
            let sameQueue = try await kubectl.run(["patch", "localqueue", "team-a", "--type", "merge", "-p", #"{"metadata":{"labels":{"team":"a"}}}"#])
            #expect(sameQueue.succeeded, "an update that keeps clusterQueue passes: \(sameQueue.stderr)")
            let flavor = try await kubectl.run(["apply", "-f", "-"], stdin: """
            apiVersion: kueue.x-k8s.io/v1beta2
            kind: ResourceFlavor
            metadata: {name: tas}
            spec:
              nodeLabels: {pool: tas}
              topologyName: default
            """)
            #expect(flavor.succeeded, "\(flavor.stderr)")
            let moved = try await kubectl.run(["patch", "resourceflavor", "tas", "--type", "merge", "-p", #"{"spec":{"topologyName":"other"}}"#])
            #expect(moved.stderr.contains(#"spec: Invalid value: "object": topologyName is immutable when topologyName is set"#), "\(moved.stderr)")
            let timeouts = try await kubectl.run(["patch", "httproute", "canary", "--type", "json", "-p", #"[{"op":"replace","path":"/spec/rules/0/timeouts/backendRequest","value":"30s"}]"#])
            #expect(timeouts.stderr.contains(#"spec.rules[0].timeouts: Invalid value: "object": backendRequest timeout cannot be longer than request timeout"#), "\(timeouts.stderr)")
        }
    }
}
