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
          "conditions":[{"type":"\(condition)","status":"True","reason":"\(condition == "Failed" ? "BackoffLimitExceeded" : "")",
            "message":"m","lastTransitionTime":"2026-01-01T00:10:00Z"}]}}
        """
    }

    static func pod(exitCode: Int, message: String) -> String {
        """
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"run-a-0-xyz","namespace":"ml","uid":"pod-uid","resourceVersion":"40",
          "labels":{"sextant.dev/pipeline":"run"},
          "ownerReferences":[{"apiVersion":"batch/v1","kind":"Job","name":"run-a-0","uid":"job-uid","controller":true}]},
         "spec":{"containers":[{"name":"a","image":"busybox:1.36"}],"tolerations":[{"key":"k","operator":"Exists"}]},
         "status":{"phase":"\(exitCode == 0 ? "Succeeded" : "Failed")","conditions":[{"type":"Ready","status":"False"}],
          "containerStatuses":[{"name":"a","ready":false,"restartCount":0,"image":"busybox:1.36",
            "state":{"terminated":{"exitCode":\(exitCode),"reason":"Completed","message":\(message),"finishedAt":"2026-01-01T00:09:59Z"}}}]}}
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
            #expect(podView.metadata.labels?["sextant.dev/pipeline"] == "run")
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
}
