import Foundation
import KubeCore
import Testing
@testable import DevCluster

@Suite("API defaults of built-in kinds and graceful pod deletion, without I/O")
struct WorkloadDefaultsTests {
    let container: JSONValue = ["name": "main", "image": "python:3.12", "ports": [["containerPort": 8080]]]

    @Test("a minimal Deployment gets replicas 1, RollingUpdate 25%/25%, history 10, deadline 600 and pod template defaults")
    func deploymentDefaults() {
        var d: JSONValue = ["metadata": ["name": "web", "uid": "u"],
                            "spec": ["selector": ["matchLabels": ["app": "web"]],
                                     "template": ["metadata": ["labels": ["app": "web"]], "spec": ["containers": [container]]]]]
        BuiltinDefaults.apply(to: &d, resource: BuiltinDefaults.deployments)
        #expect(d[path: ["spec", "replicas"]] == 1)
        #expect(d[path: ["spec", "strategy"]] == ["type": "RollingUpdate", "rollingUpdate": ["maxSurge": "25%", "maxUnavailable": "25%"]])
        #expect(d[path: ["spec", "revisionHistoryLimit"]] == 10)
        #expect(d[path: ["spec", "progressDeadlineSeconds"]] == 600)
        let pod = d[path: ["spec", "template", "spec"]] ?? .null
        #expect(pod["restartPolicy"] == "Always" && pod["dnsPolicy"] == "ClusterFirst" && pod["schedulerName"] == "default-scheduler")
        #expect(pod["terminationGracePeriodSeconds"] == 30 && pod["securityContext"] == .emptyObject)
        #expect(pod["enableServiceLinks"] == nil, "enableServiceLinks is a Pod default, not a template one")
        let c = pod["containers"]?[0] ?? .null
        #expect(c["terminationMessagePath"] == "/dev/termination-log" && c["terminationMessagePolicy"] == "File")
        #expect(c["imagePullPolicy"] == "IfNotPresent" && c["resources"] == .emptyObject)
        #expect(c["ports"]?[0]?["protocol"] == "TCP")
        // Recreate gets no rollingUpdate; explicit values stay.
        var r: JSONValue = ["spec": ["replicas": 0, "strategy": ["type": "Recreate"]]]
        BuiltinDefaults.apply(to: &r, resource: BuiltinDefaults.deployments)
        #expect(r[path: ["spec", "strategy"]] == ["type": "Recreate"] && r[path: ["spec", "replicas"]] == 0)
        var again = d
        BuiltinDefaults.apply(to: &again, resource: BuiltinDefaults.deployments)
        #expect(again == d)
    }

    @Test("a minimal Job gets 1.32's defaults, a generated selector and controller-uid/job-name labels")
    func jobDefaults() {
        var job: JSONValue = ["metadata": ["name": "train", "uid": "u-1"], "spec": ["template": ["spec": ["containers": [container]]]]]
        BuiltinDefaults.apply(to: &job, resource: BuiltinDefaults.jobs)
        let spec = job["spec"] ?? .null
        #expect(spec["backoffLimit"] == 6 && spec["completions"] == 1 && spec["parallelism"] == 1)
        #expect(spec["completionMode"] == "NonIndexed" && spec["suspend"] == false && spec["podReplacementPolicy"] == "TerminatingOrFailed")
        #expect(spec["manualSelector"] == nil)
        #expect(spec["selector"] == ["matchLabels": ["batch.kubernetes.io/controller-uid": "u-1"]])
        let labels: JSONValue = ["batch.kubernetes.io/controller-uid": "u-1", "controller-uid": "u-1", "batch.kubernetes.io/job-name": "train", "job-name": "train"]
        #expect(spec[path: ["template", "metadata", "labels"]] == labels)
        #expect(job[path: ["metadata", "labels"]] == labels)
        #expect(spec[path: ["template", "spec", "restartPolicy"]] == "Never")
        // parallelism alone leaves completions unset; a podFailurePolicy means Failed replacement.
        var parallel: JSONValue = ["metadata": ["name": "p", "uid": "u-2"], "spec": ["parallelism": 3, "podFailurePolicy": ["rules": []], "template": .emptyObject]]
        BuiltinDefaults.apply(to: &parallel, resource: BuiltinDefaults.jobs)
        #expect(parallel[path: ["spec", "completions"]] == nil && parallel[path: ["spec", "parallelism"]] == 3)
        #expect(parallel[path: ["spec", "podReplacementPolicy"]] == "Failed")
    }

    @Test("imagePullPolicy follows the tag rule: latest or untagged Always, other tags and digests IfNotPresent")
    func pullPolicy() {
        #expect(PodDefaults.pullPolicy(image: "busybox") == "Always")
        #expect(PodDefaults.pullPolicy(image: "busybox:latest") == "Always")
        #expect(PodDefaults.pullPolicy(image: "busybox:1.36") == "IfNotPresent")
        #expect(PodDefaults.pullPolicy(image: "localhost:5000/team/model") == "Always")
        #expect(PodDefaults.pullPolicy(image: "localhost:5000/team/model:v2") == "IfNotPresent")
        #expect(PodDefaults.pullPolicy(image: "busybox@sha256:abcd") == "IfNotPresent")
        var pod: JSONValue = ["spec": ["containers": [["name": "c", "image": "busybox", "env": [["name": "N", "valueFrom": ["fieldRef": ["fieldPath": "metadata.name"]]]]]]]]
        BuiltinDefaults.apply(to: &pod, resource: BuiltinDefaults.pods)
        #expect(pod[path: ["spec", "enableServiceLinks"]] == true)
        #expect(pod[path: ["spec", "containers"]]?[0]?["env"]?[0]?[path: ["valueFrom", "fieldRef", "apiVersion"]] == "v1")
    }

    @Test("Service defaults and ClusterIP allocation at creation; an update without clusterIP keeps it")
    func serviceDefaults() throws {
        var svc: JSONValue = ["metadata": ["name": "s", "namespace": "default"], "spec": ["selector": ["app": "web"], "ports": [["port": 80]]]]
        try BuiltinDefaults.prepareCreate(&svc, resource: BuiltinDefaults.services) { [] }
        let spec = svc["spec"] ?? .null
        #expect(spec["type"] == "ClusterIP" && spec["sessionAffinity"] == "None" && spec["internalTrafficPolicy"] == "Cluster")
        #expect(spec["ipFamilies"] == ["IPv4"] && spec["ipFamilyPolicy"] == "SingleStack")
        #expect(spec["ports"] == [["port": 80, "targetPort": 80, "protocol": "TCP"]])
        let ip = try #require(spec["clusterIP"]?.stringValue)
        #expect(spec["clusterIPs"] == [.string(ip)])
        var update = svc
        update[path: ["spec", "clusterIP"]] = nil
        update[path: ["spec", "clusterIPs"]] = nil
        BuiltinDefaults.prepareUpdate(&update, old: svc, resource: BuiltinDefaults.services)
        #expect(update[path: ["spec", "clusterIP"]] == .string(ip))
    }

    @Test("null fields of built-in kinds are dropped at any depth; other resources are untouched")
    func nullsDropped() {
        var job: JSONValue = ["metadata": ["name": "j", "uid": "u", "annotations": .null],
                              "spec": ["template": ["spec": ["containers": [["name": "c", "image": "i", "args": .null]]]]],
                              "status": ["conditions": .null, "active": .null]]
        BuiltinDefaults.apply(to: &job, resource: BuiltinDefaults.jobs)
        #expect(!job.jsonString.contains("null"))
        #expect(job["status"] == .emptyObject)
        var config: JSONValue = ["data": ["k": .null]]
        BuiltinDefaults.apply(to: &config, resource: GroupVersionResource(group: "", version: "v1", resource: "configmaps"))
        #expect(config[path: ["data", "k"]] == .null)
    }

    @Test("Job and Deployment statuses written by the controllers never hold null")
    func statusesWithoutNull() {
        var job: JSONValue = ["metadata": ["name": "j", "namespace": "ns", "uid": "u", "generation": 1], "spec": ["template": ["spec": ["containers": [container]]]]]
        BuiltinDefaults.apply(to: &job, resource: BuiltinDefaults.jobs)
        let plan = JobLogic.desiredPlan(for: job, pods: [], now: Date())
        #expect(!plan.status.jsonString.contains("null"), "\(plan.status.jsonString)")
        #expect(plan.status["conditions"] == nil && plan.status["active"] == nil)
        var d: JSONValue = ["metadata": ["name": "d", "uid": "u", "generation": 1], "spec": ["template": ["spec": ["containers": [container]]]]]
        BuiltinDefaults.apply(to: &d, resource: BuiltinDefaults.deployments)
        let dplan = DeploymentLogic.desiredPlan(for: d, pods: [], now: Date())
        #expect(!dplan.status.jsonString.contains("null"), "\(dplan.status.jsonString)")
        #expect(dplan.status["replicas"] == nil && dplan.status["observedGeneration"] == 1)
    }

    @Test("a delete of a running, bound pod marks it with the grace period; unbound or finished pods and grace 0 go at once; a second delete only shortens")
    func gracefulPodDeletion() throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let pod: JSONValue = ["metadata": ["name": "p", "uid": "u"], "spec": ["nodeName": "sextant-dev", "terminationGracePeriodSeconds": 20], "status": ["phase": "Running"]]
        let marked = try #require(PodGracefulDeletion.marked(pod, requested: nil, now: now))
        #expect(marked[path: ["metadata", "deletionGracePeriodSeconds"]] == 20)
        #expect(marked[path: ["metadata", "deletionTimestamp"]] == .string(KubeTime.format(now.addingTimeInterval(20))))
        #expect(PodGracefulDeletion.marked(pod, requested: 0, now: now) == nil)
        var unbound = pod
        unbound[path: ["spec", "nodeName"]] = nil
        #expect(PodGracefulDeletion.marked(unbound, requested: nil, now: now) == nil)
        var finished = pod
        finished[path: ["status", "phase"]] = "Succeeded"
        #expect(PodGracefulDeletion.marked(finished, requested: nil, now: now) == nil)
        #expect(PodGracefulDeletion.marked(marked, requested: 60, now: now) == marked)
        let shorter = try #require(PodGracefulDeletion.marked(marked, requested: 5, now: now))
        #expect(shorter[path: ["metadata", "deletionGracePeriodSeconds"]] == 5)
        #expect(PodGracefulDeletion.marked(marked, requested: 0, now: now) == nil)
    }
}
