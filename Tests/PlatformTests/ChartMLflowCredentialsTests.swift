import Foundation
import KubeCore
import Testing

/// The controller's MLflow credentials in the chart: env entries that refer to an existing Secret by
/// `secretKeyRef` (or `envFrom`), never a value in the rendered manifests, and clear refusals of
/// incomplete values.
@Suite("Helm chart: the controller's MLflow credentials come from a Secret")
struct ChartMLflowCredentialsTests {
    func controllerContainer(_ extra: [String]) async throws -> JSONValue {
        let docs = try await renderChart(extra)
        let deployment = try #require(docs.object(kind: "Deployment", name: "sextant"), "no Deployment sextant")
        return try #require(deployment[path: ["spec", "template", "spec", "containers"]]?[0])
    }

    func env(_ container: JSONValue) -> [String: JSONValue] {
        (container["env"]?.arrayValue ?? []).reduce(into: [:]) { $0[$1["name"]?.stringValue ?? ""] = $1 }
    }

    @Test("tokenKey gives MLFLOW_TRACKING_TOKEN from the Secret by secretKeyRef; no value is rendered")
    func token() async throws {
        let container = try await controllerContainer(["--set", "mlflow.existingSecret=mlflow-credentials", "--set", "mlflow.tokenKey=token"])
        let vars = env(container)
        let token = try #require(vars["MLFLOW_TRACKING_TOKEN"], "no MLFLOW_TRACKING_TOKEN in \(vars.keys.sorted())")
        #expect(token["value"] == nil, "the token is inlined: \(token)")
        #expect(token[path: ["valueFrom", "secretKeyRef", "name"]] == "mlflow-credentials")
        #expect(token[path: ["valueFrom", "secretKeyRef", "key"]] == "token")
        #expect(vars["MLFLOW_TRACKING_USERNAME"] == nil && vars["MLFLOW_TRACKING_PASSWORD"] == nil)
        #expect(vars["POD_NAMESPACE"] != nil, "the chart's own env stays")
    }

    @Test("usernameKey and passwordKey give MLFLOW_TRACKING_USERNAME/PASSWORD by secretKeyRef; envFrom sources pass through; no MLFLOW_ variable carries a value")
    func basicAuthAndEnvFrom() async throws {
        let container = try await controllerContainer([
            "--set", "mlflow.existingSecret=mlflow-credentials", "--set", "mlflow.usernameKey=user", "--set", "mlflow.passwordKey=password",
            "--set", "controller.envFrom[0].secretRef.name=wandb-credentials",
        ])
        let vars = env(container)
        #expect(vars["MLFLOW_TRACKING_USERNAME"]?[path: ["valueFrom", "secretKeyRef"]] == ["name": "mlflow-credentials", "key": "user"])
        #expect(vars["MLFLOW_TRACKING_PASSWORD"]?[path: ["valueFrom", "secretKeyRef"]] == ["name": "mlflow-credentials", "key": "password"])
        for (name, entry) in vars where name.hasPrefix("MLFLOW_") {
            #expect(entry["value"] == nil, "\(name) is inlined")
        }
        #expect(container["envFrom"] == [["secretRef": ["name": "wandb-credentials"]]])
    }

    @Test("the default render has no MLflow variables and no envFrom")
    func defaults() async throws {
        let container = try await controllerContainer([])
        #expect(env(container).keys.filter { $0.hasPrefix("MLFLOW_") }.isEmpty)
        #expect(container["envFrom"] == nil)
    }

    static let refusals: [BadValues] = [
        BadValues(args: ["--set", "mlflow.existingSecret=mlflow-credentials"], expected: ["mlflow.existingSecret needs mlflow.tokenKey"]),
        BadValues(args: ["--set", "mlflow.tokenKey=token"], expected: ["need mlflow.existingSecret"]),
        BadValues(args: ["--set", "mlflow.existingSecret=s", "--set", "mlflow.tokenKey=t", "--set", "mlflow.usernameKey=u"],
                  expected: ["mlflow.usernameKey and mlflow.passwordKey go together"]),
        BadValues(args: ["--set", "mlflow.existingSecret=Bad_Name", "--set", "mlflow.tokenKey=t"], expected: ["mlflow.existingSecret", "pattern"]),
        BadValues(args: ["--set", "mlflow.token=inline-secret"], expected: ["Additional property token is not allowed"]),
        BadValues(args: ["--set", "controller.envFrom[0].secret.name=x"], expected: ["controller.envFrom"]),
    ]

    @Test("incomplete or inline MLflow values are refused with a message naming them", arguments: refusals)
    func refuses(_ bad: BadValues) async throws {
        let result = try await helmTemplate(bad.args)
        #expect(result.exitCode != 0, "helm accepted \(bad.args)")
        for word in bad.expected {
            #expect(result.stderr.contains(word), "message lacks \"\(word)\":\n\(result.stderr)")
        }
        #expect(!result.stdout.contains("inline-secret"))
    }
}
