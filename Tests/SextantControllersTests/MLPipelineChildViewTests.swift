import Foundation
import KubeClient
import KubeCore
import SextantControllers
import Testing

@Suite("MLPipeline child views")
struct MLPipelineChildViewTests {
    static func job(condition: String) -> String {
        """
        {"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"run-a-0","namespace":"ml","uid":"job-uid","resourceVersion":"41",
          "labels":{"app.kubernetes.io/managed-by":"sextant"},"annotations":{"note":"x"},
          "ownerReferences":[{"apiVersion":"ml.sextant.dev/v1alpha1","kind":"MLPipeline","name":"run","uid":"run-uid","controller":true}],
          "managedFields":[{"manager":"sextant","fieldsV1":{"f:spec":{}}}]},
         "spec":{"backoffLimit":0,"selector":{"matchLabels":{"batch.kubernetes.io/controller-uid":"job-uid"}},
          "template":{"metadata":{"annotations":{"dev.sextant.dev/simulate":"{}"}},"spec":{"restartPolicy":"Never",
            "volumes":[{"name":"v","emptyDir":{}}],
            "containers":[{"name":"a","image":"busybox:1.36","command":["true"],"env":[{"name":"SEXTANT_STEP","value":"a"}],
              "resources":{"requests":{"cpu":"500m","memory":"1Gi","nvidia.com/gpu":"1"}}}]}}},
         "status":{"startTime":"2026-01-01T00:00:00Z","completionTime":"2026-01-01T00:10:00Z","succeeded":1,
          "conditions":[{"type":"SuccessCriteriaMet","status":"True","reason":"CompletionsReached","message":"m"},
            {"type":"\(condition)","status":"True","reason":"\(condition == "Failed" ? "BackoffLimitExceeded" : "")",
            "message":"m","lastTransitionTime":"2026-01-01T00:10:00Z"}]}}
        """
    }

    static func pod(exitCode: Int, message: String) -> String {
        """
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"run-a-0-xyz","namespace":"ml","uid":"pod-uid","resourceVersion":"40",
          "labels":{"ml.sextant.dev/pipeline":"run","ml.sextant.dev/step":"a","controller-uid":"job-uid","job-name":"run-a-0"},
          "annotations":{"dev.sextant.dev/simulate":"{}"},"generateName":"run-a-0-","creationTimestamp":"2026-01-01T00:00:00Z",
          "ownerReferences":[{"apiVersion":"batch/v1","kind":"Job","name":"run-a-0","uid":"job-uid","controller":true}]},
         "spec":{"containers":[{"name":"a","image":"busybox:1.36"}],"tolerations":[{"key":"k","operator":"Exists"}]},
         "status":{"phase":"\(exitCode == 0 ? "Succeeded" : "Failed")","conditions":[{"type":"Ready","status":"False"}],
          "containerStatuses":[{"name":"a","ready":false,"restartCount":0,"image":"busybox:1.36",
            "state":{"terminated":{"exitCode":\(exitCode),"reason":"Completed","message":\(message),"finishedAt":"2026-01-01T00:09:59Z",
              "containerID":"containerd://abc"}}}]}}
        """
    }

    func decode<T: Decodable>(_ type: T.Type, _ json: String) throws -> T {
        try KubeClient.decoder().decode(T.self, from: Data(json.utf8))
    }

    @Test("a Job and its ended pod read through the cached views give the same observation as the whole objects")
    func viewsObserveTheSame() throws {
        for (condition, exitCode, message) in [("Complete", 0, #""{\"metrics\":{\"auc\":0.9}}""#), ("Failed", 2, #""boom""#)] {
            let job = try decode(Job.self, Self.job(condition: condition))
            let pod = try decode(Pod.self, Self.pod(exitCode: exitCode, message: message))
            let jobView = try decode(JobView.self, Self.job(condition: condition))
            let podView = try decode(PodView.self, Self.pod(exitCode: exitCode, message: message))
            let whole = JobObservation(job: job, pods: [pod])
            let viewed = JobObservation(job: jobView.job, pods: [podView.pod])
            #expect(viewed == whole)
            #expect(viewed.resources?.cpuCores == 0.5)
            #expect(viewed.resources?.gpus == ["nvidia.com/gpu": 1])
            #expect(viewed.terminationMessage == (exitCode == 0 ? #"{"metrics":{"auc":0.9}}"# : "boom"))
            #expect(jobView.metadata.controllerReference?.uid == "run-uid")
            #expect(podView.metadata.ownerReferences?.first?.uid == "job-uid")
            #expect(podView.metadata.labels?["ml.sextant.dev/pipeline"] == "run")
            // Built from a whole object, a view is what decoding gives.
            #expect(JobView(job) == jobView)
            #expect(PodView(pod) == podView)
        }
        let failed = JobObservation(job: try decode(JobView.self, Self.job(condition: "Failed")).job,
                                    pods: [try decode(PodView.self, Self.pod(exitCode: 2, message: #""boom""#)).pod])
        #expect(failed.outcome == .failed)
        #expect(failed.reason == "Error")
        #expect(failed.message == "container exited with code 2: boom")
    }

    @Test("a cached view keeps what the controller reads and drops the rest")
    func viewsKeepOnlyWhatIsRead() throws {
        let job = try decode(JobView.self, Self.job(condition: "Complete"))
        let pod = try decode(PodView.self, Self.pod(exitCode: 0, message: #""{}""#))
        // Read: names, uids, resourceVersion, owner references, our labels, the finished condition, the termination message.
        #expect(job.metadata.name == "run-a-0" && job.metadata.uid == "job-uid" && job.metadata.resourceVersion == "41")
        #expect(job.metadata.controllerReference?.name == "run" && job.metadata.controllerReference?.kind == "MLPipeline")
        #expect(job.job.finishedCondition?.type == "Complete")
        #expect(pod.metadata.labels == ["ml.sextant.dev/pipeline": "run", "ml.sextant.dev/step": "a"])
        #expect(pod.status?.containerStatuses?.first?.state?.terminated?.message == "{}")
        #expect(pod.status?.containerStatuses?.first?.state?.terminated?.reason == "Completed")
        // Not read, not kept.
        #expect(job.metadata.labels == nil && job.metadata.annotations == nil && job.metadata.managedFields == nil)
        #expect(job.status?.conditions?.map(\.type) == ["Complete"])
        #expect(pod.metadata.annotations == nil && pod.metadata.generateName == nil && pod.metadata.creationTimestamp == nil)
        #expect(pod.status?.containerStatuses?.first?.state?.terminated?.containerID == nil)
        #expect(pod.status?.containerStatuses?.first?.state?.terminated?.finishedAt == nil)
    }
}
