import Foundation
import KubeCore
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// Every `null` in a JSON document, as paths (a real server omits empty optional fields).
func nullPaths(_ value: JSONValue, _ path: String = "") -> [String] {
    switch value {
    case .null: return [path]
    case .object(let fields): return fields.flatMap { nullPaths($0.value, "\(path).\($0.key)") }
    case .array(let items): return items.enumerated().flatMap { nullPaths($0.element, "\(path)[\($0.offset)]") }
    default: return []
    }
}

@Suite("Built-in API defaults, generation, null-free objects and graceful pod deletion through stock kubectl")
struct WorkloadAPIKubectlTests {
    static let minimal = """
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web}
    spec:
      selector: {matchLabels: {app: web}}
      template:
        metadata: {labels: {app: web}}
        spec: {containers: [{name: web, image: nginx, ports: [{containerPort: 80}]}]}
    ---
    apiVersion: batch/v1
    kind: Job
    metadata: {name: train, annotations: {dev.sextant.dev/simulate: '{"seconds":0.2}'}}
    spec:
      template:
        spec: {restartPolicy: Never, containers: [{name: main, image: "python:3.12"}]}
    ---
    apiVersion: v1
    kind: Service
    metadata: {name: web}
    spec:
      selector: {app: web}
      ports: [{port: 80}]
    """

    @Test("kubectl create of a minimal Deployment, Job and Service answers with the API defaults already applied")
    func defaultsOnCreate() async throws {
        try await withDevCluster { cluster in
            var items: [JSONValue] = []
            for document in Self.minimal.components(separatedBy: "---\n") {
                let created = try await cluster.kubectl.run(["create", "-f", "-", "-o", "json"], stdin: document)
                try #require(created.succeeded, "\(created.stderr)")
                items.append(try JSONValue.parse(Data(created.stdout.utf8)))
            }
            try #require(items.count == 3)
            let deployment = items[0], job = items[1], service = items[2]
            #expect(deployment[path: ["spec", "replicas"]] == 1)
            #expect(deployment[path: ["spec", "strategy", "rollingUpdate", "maxSurge"]] == "25%")
            #expect(deployment[path: ["spec", "strategy", "rollingUpdate", "maxUnavailable"]] == "25%")
            #expect(deployment[path: ["spec", "revisionHistoryLimit"]] == 10 && deployment[path: ["spec", "progressDeadlineSeconds"]] == 600)
            let podSpec = deployment[path: ["spec", "template", "spec"]] ?? .null
            #expect(podSpec["restartPolicy"] == "Always" && podSpec["dnsPolicy"] == "ClusterFirst")
            #expect(podSpec["schedulerName"] == "default-scheduler" && podSpec["terminationGracePeriodSeconds"] == 30)
            #expect(podSpec["securityContext"] == .emptyObject)
            let container = podSpec["containers"]?[0] ?? .null
            #expect(container["imagePullPolicy"] == "Always" && container["terminationMessagePath"] == "/dev/termination-log")
            #expect(container["terminationMessagePolicy"] == "File" && container["ports"]?[0]?["protocol"] == "TCP")

            let uid = try #require(job[path: ["metadata", "uid"]]?.stringValue)
            let jobSpec = job["spec"] ?? .null
            #expect(jobSpec["backoffLimit"] == 6 && jobSpec["completions"] == 1 && jobSpec["parallelism"] == 1)
            #expect(jobSpec["completionMode"] == "NonIndexed" && jobSpec["suspend"] == false)
            #expect(jobSpec["podReplacementPolicy"] == "TerminatingOrFailed" && jobSpec["manualSelector"] == nil)
            #expect(jobSpec[path: ["selector", "matchLabels", "batch.kubernetes.io/controller-uid"]] == .string(uid))
            #expect(jobSpec[path: ["template", "metadata", "labels", "batch.kubernetes.io/job-name"]] == "train")
            #expect(jobSpec[path: ["template", "spec", "containers"]]?[0]?["imagePullPolicy"] == "IfNotPresent")

            let serviceSpec = service["spec"] ?? .null
            #expect(serviceSpec["type"] == "ClusterIP" && serviceSpec["sessionAffinity"] == "None")
            #expect(serviceSpec["ipFamilies"] == ["IPv4"] && serviceSpec["ipFamilyPolicy"] == "SingleStack")
            #expect(serviceSpec["ports"]?[0]?["targetPort"] == 80 && serviceSpec["ports"]?[0]?["protocol"] == "TCP")
            let ip = try #require(serviceSpec["clusterIP"]?.stringValue)
            #expect(ip.hasPrefix("10.") && serviceSpec["clusterIPs"] == [.string(ip)])

            // A server-side dry run shows the same defaults without storing anything.
            let dry = try await cluster.kubectl.run(["create", "--dry-run=server", "-f", "-", "-o", "jsonpath={.spec.backoffLimit}"], stdin: """
                apiVersion: batch/v1
                kind: Job
                metadata: {name: dry}
                spec: {template: {spec: {restartPolicy: Never, containers: [{name: c, image: busybox}]}}}
                """)
            #expect(dry.succeeded && dry.stdout == "6", "\(dry.stderr)")
        }
    }

    @Test("controllers write only status: generation stays 1 (observedGeneration 1) after they run and after a label change; no object shows null")
    func generationAndNulls() async throws {
        try await withDevCluster { cluster in
            let kubectl = cluster.kubectl
            let applied = try await kubectl.run(["apply", "-f", "-"], stdin: Self.minimal)
            #expect(applied.succeeded, "\(applied.stderr)")
            let available = try await kubectl.run(["wait", "--for=condition=available", "deployment/web", "--timeout=60s"], timeout: 90)
            #expect(available.succeeded, "\(available.stderr)")
            let complete = try await kubectl.run(["wait", "--for=condition=complete", "job/train", "--timeout=60s"], timeout: 90)
            #expect(complete.succeeded, "\(complete.stderr)")
            _ = try await kubectlEventually(kubectl, ["get", "deployment", "web", "-o", "jsonpath={.status.readyReplicas}"]) { $0 == "1" }
            let generations = try await kubectl.run(["get", "deployment/web", "job/train", "-o", "jsonpath={range .items[*]}{.metadata.generation} {end}{.items[0].status.observedGeneration}"])
            #expect(generations.stdout == "1 1 1", "\(generations.stdout)")

            #expect(try await kubectl.run(["label", "deployment/web", "job/train", "team=ml"]).succeeded)
            #expect(try await kubectl.run(["annotate", "deployment/web", "note=x"]).succeeded)
            try await Task.sleep(for: .milliseconds(500))
            let after = try await kubectl.run(["get", "deployment/web", "job/train", "-o", "jsonpath={range .items[*]}{.metadata.generation} {end}{.items[0].status.observedGeneration}"])
            #expect(after.stdout == "1 1 1", "\(after.stdout)")

            // A spec change moves generation, and the controller observes it.
            let scaled = try await kubectl.run(["patch", "deployment/web", "-p", #"{"spec":{"replicas":2}}"#])
            #expect(scaled.succeeded, "\(scaled.stderr)")
            _ = try await kubectlEventually(kubectl, ["get", "deployment", "web", "-o", "jsonpath={.metadata.generation}/{.status.observedGeneration}"]) { $0 == "2/2" }

            for resource in ["deployments", "jobs", "pods", "services", "endpoints"] {
                let listed = try await kubectl.run(["get", resource, "-o", "json"])
                #expect(listed.succeeded, "\(listed.stderr)")
                let nulls = nullPaths(try JSONValue.parse(Data(listed.stdout.utf8)))
                #expect(nulls.isEmpty, "\(resource): null at \(nulls)")
            }
        }
    }

    @Test("pod deletion is graceful: deletionTimestamp and grace period set, SIGTERM, SIGKILL after the grace period, then the pod goes; --grace-period=0 --force removes at once")
    func gracefulPodDeletion() async throws {
        let marks = FileManager.default.temporaryDirectory.appendingPathComponent("grace-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: marks, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: marks) }
        try await withDevCluster(["--executor", "local"]) { cluster in
            let kubectl = cluster.kubectl
            func pod(_ name: String, grace: Int, script: String) -> String {
                """
                apiVersion: v1
                kind: Pod
                metadata: {name: \(name)}
                spec:
                  restartPolicy: Never
                  terminationGracePeriodSeconds: \(grace)
                  containers: [{name: main, image: ignored, command: [sh, -c, '\(script)']}]
                """
            }
            // Handles SIGTERM: writes a mark, then exits after two seconds.
            let polite = "trap \"echo term > \(marks.path)/polite; sleep 2; exit 0\" TERM; echo $$; while true; do sleep 0.1; done"
            // Ignores SIGTERM: only SIGKILL after the 2 s grace period stops it.
            let stubborn = "trap \"\" TERM; echo $$; while true; do sleep 0.1; done"
            #expect(try await kubectl.run(["apply", "-f", "-"], stdin: pod("polite", grace: 30, script: polite)).succeeded)
            #expect(try await kubectl.run(["apply", "-f", "-"], stdin: pod("stubborn", grace: 2, script: stubborn)).succeeded)
            #expect(try await kubectl.run(["apply", "-f", "-"], stdin: pod("forced", grace: 30, script: stubborn)).succeeded)
            var pids: [String: Int32] = [:]
            for name in ["polite", "stubborn", "forced"] {
                let text = try await kubectlEventually(kubectl, ["logs", name]) { Int32($0) != nil }
                pids[name] = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
            }

            // The DELETE answers with the pod still there, marked (timing-independent check).
            let politeDelete = try await cluster.request("DELETE", "/api/v1/namespaces/default/pods/polite")
            #expect(politeDelete.status == 200, "\(politeDelete.body)")
            #expect(politeDelete.json?[path: ["metadata", "deletionGracePeriodSeconds"]] == 30)
            #expect(politeDelete.json?[path: ["metadata", "deletionTimestamp"]]?.stringValue != nil)
            let stubbornDelete = try await cluster.request("DELETE", "/api/v1/namespaces/default/pods/stubborn")
            #expect(stubbornDelete.json?[path: ["metadata", "deletionGracePeriodSeconds"]] == 2, "\(stubbornDelete.body)")
            // kubectl's default delete waits until the kubelet has stopped the containers and removed the pod.
            let waited = try await kubectl.run(["delete", "pod", "stubborn", "--timeout=60s"], timeout: 90)
            #expect(waited.succeeded || waited.stderr.contains("NotFound"), "\(waited.stderr)")

            let forced = try await kubectl.run(["delete", "pod", "forced", "--grace-period=0", "--force"])
            #expect(forced.succeeded, "\(forced.stderr)")
            let gone = try await kubectl.run(["get", "pod", "forced"])
            #expect(!gone.succeeded && gone.stderr.contains("NotFound"), "a forced delete removes the pod at once")

            for name in ["polite", "stubborn"] {
                _ = try await kubectlEventually(kubectl, ["get", "pods", "-o", "jsonpath={.items[*].metadata.name}"]) { !$0.split(separator: " ").contains(Substring(name)) }
            }
            #expect(FileManager.default.fileExists(atPath: marks.appendingPathComponent("polite").path), "the polite pod got SIGTERM")
            for (name, pid) in pids {
                let end = Date().addingTimeInterval(40)
                while Glibc.kill(pid, 0) == 0 && Date() < end { try await Task.sleep(for: .milliseconds(100)) }
                #expect(Glibc.kill(pid, 0) == -1, "the process of \(name) (pid \(pid)) is gone")
            }
        }
    }
}
