import Foundation
import KubeCore
import Testing
import TestSupport

@Suite("Delete options from the query string")
struct ServerDeleteOptionsTests {
    static func pod(_ name: String) -> String {
        #"{"metadata":{"name":"\#(name)","annotations":{"dev.sextant.dev/simulate":"{\"seconds\":600}"}},"spec":{"containers":[{"name":"main","image":"busybox"}]}}"#
    }

    @Test("?gracePeriodSeconds=0 removes a running pod at once; without it the pod is only marked for graceful deletion")
    func gracePeriodFromQuery() async throws {
        try await withDevCluster(["--no-controller"]) { cluster in
            for name in ["graceful", "immediate"] {
                let created = try await cluster.request("POST", "/api/v1/namespaces/default/pods", body: Self.pod(name))
                #expect(created.status == 201, "\(created.body)")
            }
            try await eventually("both pods Running") {
                let list = try await cluster.request("GET", "/api/v1/namespaces/default/pods")
                let phases = list.json?["items"]?.arrayValue?.compactMap { $0[path: ["status", "phase"]]?.stringValue } ?? []
                return phases == ["Running", "Running"]
            }
            let graceful = try await cluster.request("DELETE", "/api/v1/namespaces/default/pods/graceful")
            #expect(graceful.status == 200)
            #expect(graceful.json?[path: ["metadata", "deletionTimestamp"]] != nil)
            #expect(graceful.json?[path: ["metadata", "deletionGracePeriodSeconds"]] == 30)

            let immediate = try await cluster.request("DELETE", "/api/v1/namespaces/default/pods/immediate?gracePeriodSeconds=0")
            #expect(immediate.status == 200)
            let gone = try await cluster.request("GET", "/api/v1/namespaces/default/pods/immediate")
            #expect(gone.status == 404)
        }
    }
}
