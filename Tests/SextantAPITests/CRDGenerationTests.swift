import Foundation
import KubeCore
import SextantAPI
import Testing

@Suite("Generated CRDs")
struct CRDGenerationTests {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test("committed crds/ and charts/sextant/crds/ equal what the types generate (run `sextant crds` to refresh)",
          arguments: ["crds", "charts/sextant/crds"])
    func committedFilesAreCurrent(dir: String) throws {
        for file in try SextantCRDs.files() {
            let url = Self.repoRoot.appendingPathComponent(dir).appendingPathComponent(file.name)
            let committed = try String(contentsOf: url, encoding: .utf8)
            #expect(committed == file.yaml, "\(dir)/\(file.name) is stale: run `swift run sextant crds` at the repository root")
        }
    }

    @Test("the YAML files parse back to exactly the CRD objects")
    func yamlRoundTrip() throws {
        let files = try SextantCRDs.files()
        let crds = SextantCRDs.all()
        #expect(files.map(\.name) == ["ml.sextant.dev_mlpipelines.yaml", "ml.sextant.dev_modelversions.yaml", "ml.sextant.dev_retrainpolicies.yaml"])
        for (file, crd) in zip(files, crds) {
            let back = try YAMLReader.documents(file.yaml)
            #expect(back.count == 1)
            #expect(diffPaths(back.first ?? .null, crd) == [], "\(file.name)")
        }
    }

    @Test("each CRD has its short name, the sextant category, a status subresource and printer columns")
    func namesAndColumns() throws {
        let crds = SextantCRDs.all()
        let shortNames = crds.map { $0[path: ["spec", "names", "shortNames"]]?[0]?.stringValue }
        #expect(shortNames == ["mlp", "mv", "rp"])
        for crd in crds {
            #expect(crd[path: ["spec", "names", "categories"]] == ["sextant"])
            #expect(crd[path: ["spec", "scope"]] == "Namespaced")
            let version = try #require(crd[path: ["spec", "versions"]]?[0])
            #expect(version["subresources"] == ["status": .emptyObject])
            #expect(version[path: ["schema", "openAPIV3Schema", "properties", "spec", "description"]]?.stringValue?.isEmpty == false)
        }
        let columns = crds.map { crd in
            (crd[path: ["spec", "versions"]]?[0]?["additionalPrinterColumns"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
        }
        #expect(columns[0] == ["Phase", "Steps", "Model Version", "Age"])
        #expect(columns[1] == ["Model", "Version", "Stage", "Ready", "Age"])
        #expect(columns[2] == ["Schedule", "Suspend", "Active", "Last Trigger", "Next", "Age"])
    }

    @Test("MLPipeline carries the CEL rules for unique names, one step kind, known dependencies and immutability")
    func celRules() throws {
        let spec = try #require(SextantCRDs.all()[0][path: ["spec", "versions"]]?[0]?[path: ["schema", "openAPIV3Schema", "properties", "spec"]])
        let specRules = (spec["x-kubernetes-validations"]?.arrayValue ?? []).compactMap { $0["rule"]?.stringValue }
        #expect(specRules.contains("cel.bind(names, self.steps.map(t, t.name), self.steps.all(s, !has(s.dependsOn) || s.dependsOn.all(d, d in names)))"))
        let immutable = try #require(specRules.first { $0.hasPrefix("self.steps == oldSelf.steps && ") })
        #expect(!immutable.contains("cancel"))
        #expect(spec[path: ["properties", "steps", "x-kubernetes-validations"]]?[0]?["rule"] == "self.all(s, self.exists_one(t, t.name == s.name))")
        #expect(spec[path: ["properties", "steps", "items", "x-kubernetes-validations"]]?[0]?["rule"] == "[has(self.container), has(self.sagemaker), has(self.awsBatch), has(self.vertexAI), has(self.azureML), has(self.airflow)].filter(x, x).size() == 1")
        #expect(spec[path: ["properties", "steps", "items", "x-kubernetes-validations"]]?[1]?["rule"] == "!has(self.awsBatch) || !has(self.spot) || !self.spot")
        // A policy's pipeline template is editable: it must not carry the transition rule.
        let template = try #require(SextantCRDs.all()[2][path: ["spec", "versions"]]?[0]?[path: ["schema", "openAPIV3Schema", "properties", "spec", "properties", "pipeline", "properties", "spec"]])
        let templateRules = template["x-kubernetes-validations"]?.jsonString ?? ""
        #expect(templateRules.contains("dependsOn"))
        #expect(templateRules.range(of: "oldSelf") == nil)
    }

    @Test("field documentation reaches the CRD (kubectl explain mlpipeline.spec.steps.retry)")
    func descriptions() throws {
        let retry = try #require(SextantCRDs.all()[0][path: ["spec", "versions"]]?[0]?[path: ["schema", "openAPIV3Schema", "properties", "spec", "properties", "steps", "items", "properties", "retry"]])
        #expect(retry["description"]?.stringValue?.contains("Retries of a failed attempt") == true)
        #expect(retry[path: ["properties", "backoff", "properties", "factor", "default"]] == 2)
    }
}

/// Paths where two JSON values differ (for readable failures).
func diffPaths(_ a: JSONValue, _ b: JSONValue, _ path: String = "") -> [String] {
    switch (a, b) {
    case (.object(let x), .object(let y)):
        return Set(x.keys).union(y.keys).sorted().flatMap { diffPaths(x[$0] ?? .null, y[$0] ?? .null, path + "." + $0) }
    case (.array(let x), .array(let y)) where x.count == y.count:
        return zip(x, y).enumerated().flatMap { diffPaths($0.element.0, $0.element.1, path + "[\($0.offset)]") }
    default:
        return a == b ? [] : ["\(path): \(a.jsonString) vs \(b.jsonString)"]
    }
}
