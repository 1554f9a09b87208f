import Foundation
import KubeCore
import Testing
import TestSupport

@Suite("Request options, media types and caching as kube-apiserver validates them")
struct ServerRequestOptionsTests {
    static func cm(_ name: String, _ value: String = "v") -> String {
        #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"\#(name)"},"data":{"k":"\#(value)"}}"#
    }

    @Test("list options: resourceVersionMatch needs resourceVersion (422), sendInitialEvents is forbidden for list, Exact lists the past, a future resourceVersion is 504")
    func listOptions() async throws {
        try await withDevCluster(["--no-controller"]) { cluster in
            let base = "/api/v1/namespaces/default/configmaps"
            let noRV = try await cluster.request("GET", base + "?resourceVersionMatch=NotOlderThan")
            #expect(noRV.status == 422)
            #expect(noRV.json?["message"] == "ListOptions.meta.k8s.io \"\" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided")
            let badMatch = try await cluster.request("GET", base + "?resourceVersion=1&resourceVersionMatch=Newest")
            #expect(badMatch.json?[path: ["details", "causes"]]?[0]?["message"] == "Unsupported value: \"Newest\": supported values: \"Exact\", \"NotOlderThan\", \"\"")
            let exactZero = try await cluster.request("GET", base + "?resourceVersion=0&resourceVersionMatch=Exact")
            #expect(exactZero.status == 422)
            let initial = try await cluster.request("GET", base + "?sendInitialEvents=true")
            #expect(initial.status == 422 && initial.json?["message"]?.stringValue?.contains("sendInitialEvents: Forbidden: sendInitialEvents is forbidden for list") == true)

            let first = try await cluster.request("POST", base, body: Self.cm("snap", "old"))
            let rv = try #require(first.json?[path: ["metadata", "resourceVersion"]]?.stringValue)
            _ = try await cluster.request("PUT", base + "/snap", body: Self.cm("snap", "new"))
            let exact = try await cluster.request("GET", base + "?resourceVersion=\(rv)&resourceVersionMatch=Exact")
            #expect(exact.status == 200)
            #expect(exact.json?[path: ["metadata", "resourceVersion"]]?.stringValue == rv)
            #expect(exact.json?["items"]?[0]?[path: ["data", "k"]] == "old", "\(exact.body)")
            let notOlder = try await cluster.request("GET", base + "?resourceVersion=\(rv)&resourceVersionMatch=NotOlderThan")
            #expect(notOlder.json?["items"]?[0]?[path: ["data", "k"]] == "new")
            let future = try await cluster.request("GET", base + "?resourceVersion=99999999")
            #expect(future.status == 504)
            #expect(future.json?["reason"] == "Timeout" && future.json?["message"]?.stringValue?.hasPrefix("Timeout: Too large resource version: 99999999, current: ") == true)
            #expect(future.json?[path: ["details", "causes"]]?[0]?["reason"] == "ResourceVersionTooLarge")
            let getFuture = try await cluster.request("GET", base + "/snap?resourceVersion=99999999")
            #expect(getFuture.status == 504)
        }
    }

    @Test("an Exact list older than the kept history is 410 Expired")
    func exactListTooOld() async throws {
        try await withDevCluster(["--no-controller", "--watch-history", "3"]) { cluster in
            for i in 0..<6 { _ = try await cluster.request("POST", "/api/v1/namespaces/default/configmaps", body: Self.cm("h\(i)")) }
            let old = try await cluster.request("GET", "/api/v1/namespaces/default/configmaps?resourceVersion=2&resourceVersionMatch=Exact")
            #expect(old.status == 410)
            #expect(old.json?["reason"] == "Expired" && old.json?["message"] == "The resourceVersion for the provided list is too old.")
        }
    }

    @Test("watch options: sendInitialEvents needs resourceVersionMatch=NotOlderThan, resourceVersionMatch needs sendInitialEvents (422); a watch older than the history is 410 and the Python client raises it")
    func watchOptions() async throws {
        try await withDevCluster(["--no-controller", "--watch-history", "3"]) { cluster in
            let base = "/api/v1/namespaces/default/configmaps?watch=true&timeoutSeconds=1"
            let noMatch = try await cluster.request("GET", base + "&sendInitialEvents=true&allowWatchBookmarks=true")
            #expect(noMatch.status == 422)
            #expect(noMatch.json?["message"] == "ListOptions.meta.k8s.io \"\" is invalid: resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan")
            let noInitial = try await cluster.request("GET", base + "&resourceVersionMatch=NotOlderThan")
            #expect(noInitial.json?["message"] == "ListOptions.meta.k8s.io \"\" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided")
            let ok = try await cluster.request("GET", base + "&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true")
            #expect(ok.status == 200 && ok.body.contains("k8s.io/initial-events-end"), "\(ok.body)")
            let python = try await cluster.python.run(script: "apiserver_client.py", ["expired"])
            #expect(python.succeeded, "\(python.stderr)")
            let result = try JSONValue.parse(python.stdout)
            #expect(result["raised"] == 410, "\(python.stdout)")
            #expect(result["reason"]?.stringValue?.contains("Expired: too old resource version: 1") == true, "\(python.stdout)")
        }
    }

    @Test("patch options: force only with apply (422), apply needs a fieldManager (422); kubectl patch still works")
    func patchOptions() async throws {
        try await withDevCluster(["--no-controller"]) { cluster in
            _ = try await cluster.request("POST", "/api/v1/namespaces/default/configmaps", body: Self.cm("p"))
            let forced = try await cluster.request("PATCH", "/api/v1/namespaces/default/configmaps/p?force=true",
                                                   body: #"{"data":{"k":"x"}}"#, contentType: "application/merge-patch+json")
            #expect(forced.status == 422)
            #expect(forced.json?["message"] == "PatchOptions.meta.k8s.io \"\" is invalid: force: Forbidden: may not be specified for non-apply patch")
            let apply = try await cluster.request("PATCH", "/api/v1/namespaces/default/configmaps/p",
                                                  body: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: p}\n", contentType: "application/apply-patch+yaml")
            #expect(apply.status == 422 && apply.json?["message"]?.stringValue?.contains("fieldManager: Required value: is required for apply patch") == true)
            let kubectl = try await cluster.kubectl.run(["patch", "configmap", "p", "--type", "merge", "-p", #"{"data":{"k":"y"}}"#])
            #expect(kubectl.succeeded, "\(kubectl.stderr)")
            let serverSide = try await cluster.kubectl.run(["apply", "--server-side", "--force-conflicts", "-f", "-"],
                                                           stdin: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: p, namespace: default}\ndata: {k: z}\n")
            #expect(serverSide.succeeded, "\(serverSide.stderr)")
        }
    }

    @Test("create/update with an unsupported body media type is 415 UnsupportedMediaType naming the accepted types")
    func unsupportedMediaType() async throws {
        try await withDevCluster(["--no-controller"]) { cluster in
            let text = try await cluster.request("POST", "/api/v1/namespaces/default/configmaps", body: Self.cm("t"), contentType: "text/plain")
            #expect(text.status == 415)
            #expect(text.json?["reason"] == "UnsupportedMediaType")
            #expect(text.json?["message"] == "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf")
            let form = try await cluster.request("PUT", "/api/v1/namespaces/default/configmaps/t", body: Self.cm("t"), contentType: "application/x-www-form-urlencoded")
            #expect(form.status == 415)
            let yaml = try await cluster.request("POST", "/api/v1/namespaces/default/configmaps",
                                                 body: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: y}\n", contentType: "application/yaml")
            #expect(yaml.status == 201)
        }
    }

    @Test("aggregated discovery carries an ETag; If-None-Match with it is 304 Not Modified; a new CRD changes it")
    func discoveryETag() async throws {
        try await withDevCluster(["--no-controller"]) { cluster in
            let accept = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
            let first = try await cluster.request("GET", "/apis", headers: ["Accept": accept])
            let etag = try #require(first.headers["etag"])
            #expect(etag.hasPrefix("\"") && etag.count == 130, "\(etag)")
            #expect(first.headers["vary"] == "Accept")
            let cached = try await cluster.request("GET", "/apis", headers: ["Accept": accept, "If-None-Match": etag])
            #expect(cached.status == 304 && cached.body.isEmpty)
            let core = try await cluster.request("GET", "/api", headers: ["Accept": accept])
            #expect(core.headers["etag"] != nil && core.headers["etag"] != etag)
            _ = try await cluster.request("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", body: widgetCRD())
            let changed = try await cluster.request("GET", "/apis", headers: ["Accept": accept, "If-None-Match": etag])
            #expect(changed.status == 200 && changed.headers["etag"] != etag)
        }
    }
}

@Suite("Custom resources: defaults on read, date columns, accepted names")
struct ServerCRDEdgeTests {
    @Test("a default added to the CRD after an object was stored shows when the object is read (get, list, watch, kubectl)")
    func defaultsOnRead() async throws {
        try await withDevCluster(["--no-controller"]) { cluster in
            let crd = try await cluster.request("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", body: widgetCRD())
            let rv = try #require(crd.json?[path: ["metadata", "resourceVersion"]]?.stringValue)
            _ = try await cluster.request("POST", "/apis/example.com/v1/namespaces/default/widgets",
                                          body: #"{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w"},"spec":{}}"#)
            var updated = try JSONValue.parse(widgetCRD(sizeDefault: 3))
            updated[path: ["metadata", "resourceVersion"]] = .string(rv)
            let put = try await cluster.request("PUT", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com", body: updated.jsonString)
            try #require(put.status == 200, "\(put.body)")
            let got = try await cluster.request("GET", "/apis/example.com/v1/namespaces/default/widgets/w")
            #expect(got.json?[path: ["spec", "size"]] == 3, "\(got.body)")
            let list = try await cluster.request("GET", "/apis/example.com/v1/namespaces/default/widgets")
            #expect(list.json?["items"]?[0]?[path: ["spec", "size"]] == 3)
            let watch = try await cluster.request("GET", "/apis/example.com/v1/namespaces/default/widgets?watch=true&timeoutSeconds=1")
            #expect(watch.body.contains("\"size\":3"), "\(watch.body)")
            let kubectl = try await cluster.kubectl.run(["get", "widget", "w", "-o", "jsonpath={.spec.size}"])
            #expect(kubectl.stdout == "3", "\(kubectl.stderr)")
        }
    }

    @Test("Tables: a CRD without printer columns has Age typed date; date columns render ages, non-timestamps <invalid>")
    func dateColumns() async throws {
        try await withDevCluster(["--no-controller"]) { cluster in
            let table = "application/json;as=Table;v=v1;g=meta.k8s.io"
            _ = try await cluster.request("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", body: widgetCRD())
            _ = try await cluster.request("POST", "/apis/example.com/v1/namespaces/default/widgets", body: #"{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w"}}"#)
            let plain = try await cluster.request("GET", "/apis/example.com/v1/namespaces/default/widgets", headers: ["Accept": table])
            #expect(plain.json?["columnDefinitions"]?.arrayValue?.count == 2)
            #expect(plain.json?["columnDefinitions"]?[1]?["name"] == "Age" && plain.json?["columnDefinitions"]?[1]?["type"] == "date", "\(plain.body)")
            let columns: [JSONValue] = [["name": "At", "type": "date", "jsonPath": ".status.at"]]
            _ = try await cluster.request("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
                                          body: widgetCRD(plural: "gadgets", kind: "Gadget", columns: columns))
            _ = try await cluster.request("POST", "/apis/example.com/v1/namespaces/default/gadgets",
                                          body: #"{"apiVersion":"example.com/v1","kind":"Gadget","metadata":{"name":"bad"},"status":{"at":"yesterday"}}"#)
            let rendered = try await cluster.request("GET", "/apis/example.com/v1/namespaces/default/gadgets", headers: ["Accept": table])
            #expect(rendered.json?["columnDefinitions"]?[1]?["type"] == "date")
            #expect(rendered.json?["rows"]?[0]?["cells"]?[1] == "<invalid>", "\(rendered.body)")
            let kubectl = try await cluster.kubectl.run(["get", "widgets"])
            #expect(kubectl.succeeded && kubectl.stdout.contains("AGE"), "\(kubectl.stderr)")
        }
    }

    @Test("a shortName another CRD of the group holds is not accepted: NamesAccepted=False ShortNamesConflict; other groups may reuse it")
    func conflictingShortNames() async throws {
        try await withDevCluster(["--no-controller"]) { cluster in
            let first = try await cluster.request("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", body: widgetCRD(shortNames: ["wd"]))
            try #require(first.status == 201)
            let second = try await cluster.request("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
                                                   body: widgetCRD(plural: "wodgets", kind: "Wodget", shortNames: ["wd", "wo"]))
            #expect(second.status == 201)
            let conditions = second.json?[path: ["status", "conditions"]]?.arrayValue ?? []
            let accepted = conditions.first { $0["type"] == "NamesAccepted" }
            #expect(accepted?["status"] == "False" && accepted?["reason"] == "ShortNamesConflict", "\(second.body)")
            #expect(accepted?["message"] == "\"wd\" is already in use")
            let established = conditions.first { $0["type"] == "Established" }
            #expect(established?["status"] == "False" && established?["reason"] == "NotAccepted")
            #expect(second.json?[path: ["status", "acceptedNames", "shortNames"]] == nil, "\(second.body)")
            let elsewhere = try await cluster.request("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
                                                      body: widgetCRD(group: "other.example.com", shortNames: ["wd"]))
            let otherAccepted = (elsewhere.json?[path: ["status", "conditions"]]?.arrayValue ?? []).first { $0["type"] == "NamesAccepted" }
            #expect(otherAccepted?["status"] == "True", "\(elsewhere.body)")
            let resolved = try await cluster.kubectl.run(["get", "wd", "-A"])
            #expect(resolved.succeeded, "\(resolved.stderr)")
        }
    }
}
