import Foundation
import KubeCore
import Testing
import TestSupport

@Suite("Fault injection")
struct FaultInjectionTests {
    @Test("--fault-error-rate 1 answers API requests 503 with Retry-After; the admin endpoint turns faults off")
    func errorRate() async throws {
        try await withDevCluster(["--fault-error-rate", "1", "--fault-error-codes", "503", "--fault-retry-after", "2"]) { cluster in
            let faulted = try await cluster.request("GET", "/api/v1/namespaces/default/configmaps")
            #expect(faulted.status == 503)
            #expect(faulted.headers["retry-after"] == "2")
            #expect(faulted.json?["reason"] == "ServiceUnavailable")
            #expect(faulted.json?[path: ["details", "retryAfterSeconds"]] == 2)
            let health = try await cluster.request("GET", "/healthz")
            #expect(health.status == 200)
            let off = try await cluster.request("DELETE", "/admin/faults")
            #expect(off.status == 200)
            let ok = try await cluster.request("GET", "/api/v1/namespaces/default/configmaps")
            #expect(ok.status == 200)
            #expect(cluster.log().contains("injected fault: error 503"))
        }
    }

    @Test("an armed conflict answers the next update of that object 409 Conflict, once")
    func conflictOnNextUpdate() async throws {
        try await withDevCluster { cluster in
            let created = try await cluster.request("POST", "/api/v1/namespaces/default/configmaps", body: #"{"metadata":{"name":"c"}}"#)
            let body = try #require(created.json).jsonString
            let armed = try await cluster.request("POST", "/admin/faults", body: #"{"conflict":{"resource":"configmaps","namespace":"default","name":"c"}}"#)
            #expect(armed.json?["armedConflicts"] == ["configmaps/default/c"])
            let first = try await cluster.request("PUT", "/api/v1/namespaces/default/configmaps/c", body: body)
            #expect(first.status == 409 && first.json?["reason"] == "Conflict")
            let second = try await cluster.request("PUT", "/api/v1/namespaces/default/configmaps/c", body: body)
            #expect(second.status == 200)
        }
    }

    @Test("watch streams are cut after the configured number of events")
    func watchCut() async throws {
        try await withDevCluster { cluster in
            for name in ["a", "b", "c"] {
                _ = try await cluster.request("POST", "/api/v1/namespaces/default/configmaps", body: "{\"metadata\":{\"name\":\"\(name)\"}}")
            }
            _ = try await cluster.request("POST", "/admin/faults", body: #"{"watchEventLimit":2}"#)
            let response = try await cluster.request("GET", "/api/v1/namespaces/default/configmaps?watch=true&timeoutSeconds=5")
            #expect(watchEvents(response).count == 2)
        }
    }
}
