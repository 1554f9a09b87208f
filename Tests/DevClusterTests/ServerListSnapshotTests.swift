import Foundation
import KubeCore
import Testing
import TestSupport

@Suite("Paginated lists (limit/continue)")
struct ServerListSnapshotTests {
    @Test("later pages are served at the first page's resourceVersion; after a compaction the token is 410 Expired with a continue token for an inconsistent remainder")
    func continueSnapshot() async throws {
        try await withDevCluster(["--no-controller"]) { cluster in
            let base = "/api/v1/namespaces/default/configmaps"
            for i in 1...5 {
                let created = try await cluster.request("POST", base, body: #"{"metadata":{"name":"cm-\#(i)"},"data":{"v":"old"}}"#)
                #expect(created.status == 201)
            }
            let first = try await cluster.request("GET", base + "?limit=2")
            let firstRV = first.json?[path: ["metadata", "resourceVersion"]]?.stringValue
            #expect(first.json?["items"]?.arrayValue?.compactMap { $0[path: ["metadata", "name"]]?.stringValue } == ["cm-1", "cm-2"])
            let token = try #require(first.json?[path: ["metadata", "continue"]]?.stringValue)

            // Changes after the first page: one object deleted, one modified, one added.
            #expect(try await cluster.request("DELETE", base + "/cm-4").status == 200)
            #expect(try await cluster.request("PATCH", base + "/cm-3", body: #"{"data":{"v":"new"}}"#, contentType: "application/merge-patch+json").status == 200)
            #expect(try await cluster.request("POST", base, body: #"{"metadata":{"name":"cm-35"}}"#).status == 201)

            let encoded = token.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? token
            let second = try await cluster.request("GET", base + "?limit=10&continue=\(encoded)")
            #expect(second.status == 200)
            let items = second.json?["items"]?.arrayValue ?? []
            #expect(items.compactMap { $0[path: ["metadata", "name"]]?.stringValue } == ["cm-3", "cm-4", "cm-5"])
            #expect(items.first?[path: ["data", "v"]] == "old")
            #expect(second.json?[path: ["metadata", "resourceVersion"]]?.stringValue == firstRV)

            #expect(try await cluster.request("POST", "/admin/faults", body: #"{"compact":true}"#).status == 200)
            let expired = try await cluster.request("GET", base + "?limit=10&continue=\(encoded)")
            #expect(expired.status == 410)
            #expect(expired.json?["reason"] == "Expired")
            #expect(expired.json?["message"]?.stringValue?.hasPrefix("The provided continue parameter is too old to display a consistent list result.") == true)
            let inconsistent = try #require(expired.json?[path: ["metadata", "continue"]]?.stringValue)
            let rest = try await cluster.request("GET", base + "?limit=10&continue=\(inconsistent.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? inconsistent)")
            #expect(rest.status == 200)
            #expect(rest.json?["items"]?.arrayValue?.compactMap { $0[path: ["metadata", "name"]]?.stringValue } == ["cm-3", "cm-35", "cm-5"])
        }
    }
}
