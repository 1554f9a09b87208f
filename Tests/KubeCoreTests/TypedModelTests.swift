import Foundation
import KubeCore
import Testing

@Suite("Typed models")
struct TypedModelTests {
    @Test("a Pod status with a terminated container decodes its termination message")
    func podTerminatedState() throws {
        let json = #"""
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"ml","uid":"u1","resourceVersion":"7",
         "ownerReferences":[{"apiVersion":"batch/v1","kind":"Job","name":"j","uid":"j1","controller":true}]},
         "spec":{"restartPolicy":"Never","containers":[{"name":"main","image":"python:3","command":["python"],
           "env":[{"name":"A","value":"1"},{"name":"S","valueFrom":{"secretKeyRef":{"name":"s","key":"k"}}}],
           "resources":{"limits":{"cpu":"500m","memory":"1Gi"}},"terminationMessagePath":"/dev/termination-log",
           "terminationMessagePolicy":"FallbackToLogsOnError","unknownField":true}]},
         "status":{"phase":"Succeeded","containerStatuses":[{"name":"main","ready":false,"restartCount":0,
           "state":{"terminated":{"exitCode":0,"reason":"Completed","message":"{\"metrics\":{\"auc\":0.9}}","finishedAt":"2026-11-26T23:00:00Z"}}}]}}
        """#
        let pod = try JSONDecoder().decode(Pod.self, from: Data(json.utf8))
        #expect(pod.metadata.controllerReference?.kind == "Job")
        #expect(pod.spec?.containers.first?.resources?.limits?["cpu"]?.milliValue == 500)
        #expect(pod.spec?.containers.first?.env?[1].valueFrom?[path: ["secretKeyRef", "key"]] == "k")
        let terminated = try #require(pod.status?.containerStatuses?.first?.state?.terminated)
        #expect(terminated.exitCode == 0)
        #expect(terminated.message == #"{"metrics":{"auc":0.9}}"#)
        #expect(Pod.groupVersionResource.description == "v1/pods")
    }

    @Test("a Job encodes apiVersion and kind and knows its collection")
    func jobEncodes() throws {
        let job = Job(metadata: ObjectMeta(name: "train", namespace: "ml"),
                      spec: JobSpec(template: PodTemplateSpec(spec: PodSpec(containers: [Container(name: "main", image: "x")], restartPolicy: "Never")), backoffLimit: 0))
        let v = try JSONValue(encoding: job)
        #expect(v["apiVersion"] == "batch/v1")
        #expect(v["kind"] == "Job")
        #expect(v[path: ["spec", "backoffLimit"]] == 0)
        #expect(Job.groupVersionResource == GroupVersionResource(group: "batch", version: "v1", resource: "jobs"))
        #expect(job.objectKey.description == "ml/train")
    }

    @Test("ownerReference of an object points back at it as controller")
    func ownerReference() {
        var d = Deployment(metadata: ObjectMeta(name: "web", namespace: "ns"),
                           spec: DeploymentSpec(replicas: 1, selector: ["matchLabels": ["app": "web"]], template: PodTemplateSpec()))
        d.metadata.uid = "abc"
        let ref = d.ownerReference()
        #expect(ref == OwnerReference(apiVersion: "apps/v1", kind: "Deployment", name: "web", uid: "abc", controller: true, blockOwnerDeletion: true))
    }

    @Test("Lease, Event, CRD and lists decode the wire format")
    func otherKinds() throws {
        let lease = try JSONDecoder().decode(Lease.self, from: Data(#"{"metadata":{"name":"l"},"spec":{"holderIdentity":"a","leaseDurationSeconds":15,"renewTime":"2026-11-26T23:00:00.123456Z","leaseTransitions":3}}"#.utf8))
        #expect(lease.spec?.leaseTransitions == 3)
        let event = try JSONDecoder().decode(Event.self, from: Data(#"{"metadata":{"name":"e"},"reason":"Created","series":{"count":2,"lastObservedTime":"2026-11-26T23:00:00.000000Z"},"regarding":{"kind":"Job","name":"j"}}"#.utf8))
        #expect(event.series?.count == 2)
        let crd = try JSONDecoder().decode(CustomResourceDefinition.self, from: Data(#"{"metadata":{"name":"a.b"},"spec":{"group":"b","scope":"Namespaced","names":{"plural":"as","kind":"A"},"versions":[{"name":"v1","served":true,"storage":true,"schema":{"openAPIV3Schema":{"type":"object"}}}]},"status":{"conditions":[{"type":"Established","status":"True"}]}}"#.utf8))
        #expect(crd.isEstablished)
        let list = try JSONDecoder().decode(ResourceList<ConfigMap>.self, from: Data(#"{"kind":"ConfigMapList","metadata":{"resourceVersion":"9","continue":"abc"},"items":[{"metadata":{"name":"c"},"data":{"k":"v"}}]}"#.utf8))
        #expect(list.items.first?.data?["k"] == "v")
        #expect(list.metadata.continue == "abc")
    }

    @Test("Job and Deployment conditions share one type and round-trip their wire JSON unchanged")
    func workloadConditionsRoundTrip() throws {
        let jobStatus = #"{"conditions":[{"lastProbeTime":"2026-11-26T23:00:00Z","lastTransitionTime":"2026-11-26T23:00:00Z","message":"done","reason":"Completed","status":"True","type":"Complete"}],"succeeded":1}"#
        let deploymentStatus = #"{"conditions":[{"lastTransitionTime":"2026-11-26T23:00:00Z","lastUpdateTime":"2026-11-26T23:00:01Z","reason":"NewReplicaSetAvailable","status":"True","type":"Progressing"}],"replicas":1}"#
        let job = try JSONDecoder().decode(JobStatus.self, from: Data(jobStatus.utf8))
        let deployment = try JSONDecoder().decode(DeploymentStatus.self, from: Data(deploymentStatus.utf8))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        #expect(String(decoding: try encoder.encode(job), as: UTF8.self) == jobStatus)
        #expect(String(decoding: try encoder.encode(deployment), as: UTF8.self) == deploymentStatus)
        // A condition built in code carries no timestamps it was not given.
        let built = try JSONValue(encoding: JobCondition(type: "Failed", status: ConditionStatus.true, reason: "BackoffLimitExceeded"))
        #expect(built == ["type": "Failed", "status": "True", "reason": "BackoffLimitExceeded"])
        let shared: [WorkloadCondition] = (job.conditions ?? []) + (deployment.conditions ?? [])
        #expect(shared.map(\.type) == ["Complete", "Progressing"])
    }
}
