import Foundation
import KubeCore
import Testing
import TestSupport

@Suite("Validation of built-in kinds (unknown fields, types, 422 rules)")
struct ServerValidationTests {
    static let bogusDeployment = """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: bogus}
        spec:
          selector: {matchLabels: {app: bogus}}
          template:
            metadata: {labels: {app: bogus}}
            spec:
              containers:
              - {name: c, image: nginx, bogus: 1}
        """

    @Test("kubectl apply (strict) rejects an unknown field with the decoder's message; --validate=false stores the object without it; warn prints the Warning")
    func unknownFieldsWithKubectl() async throws {
        try await withDevCluster(["--no-controller"]) { cluster in
            let k = cluster.kubectl
            let strict = try await k.run(["apply", "-f", "-"], stdin: Self.bogusDeployment)
            #expect(!strict.succeeded)
            #expect(strict.stderr.contains("strict decoding error: unknown field \"spec.template.spec.containers[0].bogus\""), "\(strict.stderr)")
            #expect(try await k.run(["get", "deployment", "bogus"]).succeeded == false)

            let lax = try await k.run(["apply", "--validate=false", "-f", "-"], stdin: Self.bogusDeployment)
            #expect(lax.succeeded, "\(lax.stderr)")
            let stored = try JSONValue.parse(try await k.run(["get", "deployment", "bogus", "-o", "json"]).stdout)
            let container = stored[path: ["spec", "template", "spec", "containers"]]?[0]
            #expect(container?["image"] == "nginx")
            #expect(container?["bogus"] == nil)

            let warn = try await k.run(["apply", "--validate=warn", "-f", "-"], stdin: Self.bogusDeployment.replacingOccurrences(of: "name: bogus}", with: "name: warned}"))
            #expect(warn.succeeded, "\(warn.stderr)")
            #expect(warn.stderr.contains("Warning: unknown field \"spec.template.spec.containers[0].bogus\""), "\(warn.stderr)")
        }
    }

    @Test("over HTTP: Warn answers a 299 Warning header and drops the field, Ignore drops it silently, a wrong type is the JSON decoder's 400")
    func fieldValidationModesAndTypes() async throws {
        try await withDevCluster(["--no-controller"]) { cluster in
            let body: (String, String) -> String = { name, extra in
                #"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"\#(name)"},"spec":{"containers":[{"name":"c","image":"busybox"\#(extra)}]}}"#
            }
            let warn = try await cluster.request("POST", "/api/v1/namespaces/default/pods?fieldValidation=Warn", body: body("w", #","extra":true"#))
            #expect(warn.status == 201)
            #expect(warn.headers["warning"] == #"299 - "unknown field \"spec.containers[0].extra\"""#)
            #expect(warn.json?[path: ["spec", "containers"]]?[0]?["extra"] == nil)
            let ignore = try await cluster.request("POST", "/api/v1/namespaces/default/pods?fieldValidation=Ignore", body: body("i", #","extra":true"#))
            #expect(ignore.status == 201 && ignore.headers["warning"] == nil)
            #expect(ignore.json?[path: ["spec", "containers"]]?[0]?["extra"] == nil)
            let strict = try await cluster.request("POST", "/api/v1/namespaces/default/pods?fieldValidation=Strict", body: body("s", #","extra":true,"more":1"#))
            #expect(strict.status == 400 && strict.json?["reason"] == "BadRequest")
            #expect(strict.json?["message"] == #"strict decoding error: unknown field "spec.containers[0].extra", unknown field "spec.containers[0].more""#)

            let typed = try await cluster.request("POST", "/apis/apps/v1/namespaces/default/deployments",
                                                  body: #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"t"},"spec":{"replicas":"two"}}"#)
            #expect(typed.status == 400)
            #expect(typed.json?["message"] == #"Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32"#)
        }
    }

    @Test("422 Invalid with the apiserver's field paths: containers, names, images, selector/labels, Job restartPolicy, Service ports")
    func invalidBuiltins() async throws {
        try await withDevCluster(["--no-controller"]) { cluster in
            func create(_ path: String, _ body: String) async throws -> JSONValue? {
                let result = try await cluster.request("POST", path, body: body)
                #expect(result.status == 422, "\(path): \(result.body)")
                return result.json
            }
            let noContainers = try await create("/api/v1/namespaces/default/pods", #"{"metadata":{"name":"p"},"spec":{"containers":[]}}"#)
            #expect(noContainers?["message"] == #"Pod "p" is invalid: spec.containers: Required value"#)
            let badContainer = try await create("/api/v1/namespaces/default/pods", #"{"metadata":{"name":"p"},"spec":{"containers":[{"name":"Bad_Name"},{"image":"x"}]}}"#)
            let fields = badContainer?[path: ["details", "causes"]]?.arrayValue?.compactMap { $0["field"]?.stringValue } ?? []
            #expect(fields == ["spec.containers[0].name", "spec.containers[0].image", "spec.containers[1].name"])

            let mismatch = try await create("/apis/apps/v1/namespaces/default/deployments",
                                            #"{"metadata":{"name":"d"},"spec":{"selector":{"matchLabels":{"app":"a"}},"template":{"metadata":{"labels":{"app":"b"}},"spec":{"containers":[{"name":"c","image":"i"}]}}}}"#)
            #expect(mismatch?["message"] == #"Deployment.apps "d" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{"app":"b"}: `selector` does not match template `labels`"#)
            let noSelector = try await create("/apis/apps/v1/namespaces/default/deployments",
                                              #"{"metadata":{"name":"d"},"spec":{"template":{"metadata":{"labels":{"app":"b"}},"spec":{"containers":[{"name":"c","image":"i"}]}}}}"#)
            #expect(noSelector?[path: ["details", "causes"]]?[0]?["field"] == "spec.selector")

            let job = try await create("/apis/batch/v1/namespaces/default/jobs",
                                       #"{"metadata":{"name":"j"},"spec":{"template":{"spec":{"restartPolicy":"Always","containers":[{"name":"c","image":"i"}]}}}}"#)
            #expect(job?["message"] == #"Job.batch "j" is invalid: spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never""#)
            #expect(job?[path: ["details", "causes"]]?[0]?["reason"] == "FieldValueNotSupported")

            let service = try await create("/api/v1/namespaces/default/services", #"{"metadata":{"name":"s"},"spec":{"selector":{"app":"a"}}}"#)
            #expect(service?["message"] == #"Service "s" is invalid: spec.ports: Required value"#)
            let badPort = try await create("/api/v1/namespaces/default/services", #"{"metadata":{"name":"s"},"spec":{"ports":[{"port":70000}]}}"#)
            #expect(badPort?[path: ["details", "causes"]]?[0]?["message"] == "Invalid value: 70000: must be between 1 and 65535, inclusive")
        }
    }

    @Test("the Python client sees the strict 400, the default Warn dropping the field, and the 422s for selector and restartPolicy")
    func pythonValidation() async throws {
        try await withDevCluster(["--no-controller"]) { cluster in
            let result = try await cluster.python.run(script: "apiserver_client.py", ["validation"])
            #expect(result.succeeded, "\(result.stderr)")
            let json = try JSONValue.parse(result.stdout)
            #expect(json[path: ["strict", "status"]] == 400)
            #expect(json[path: ["strict", "message"]] == #"strict decoding error: unknown field "spec.template.spec.containers[0].bogus""#)
            #expect(json["warn_created"] == "warn")
            #expect(json[path: ["warn_container", "bogus"]] == nil)
            #expect(json[path: ["warn_container", "image"]] == "nginx")
            #expect(json[path: ["mismatch", "status"]] == 422)
            #expect(json[path: ["mismatch", "causes"]]?[0]?["field"] == "spec.template.metadata.labels")
            #expect(json[path: ["job", "status"]] == 422)
            #expect(json[path: ["job", "causes"]]?[0]?["field"] == "spec.template.spec.restartPolicy")
        }
    }
}
