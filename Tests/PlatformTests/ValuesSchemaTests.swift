import Foundation
import Testing

/// One wrong value and the words helm must print about it.
struct BadValues: Sendable, CustomTestStringConvertible {
    var args: [String]
    var expected: [String]
    var testDescription: String { args.joined(separator: " ") }
}

@Suite("values.schema.json and template checks reject wrong values with a clear message")
struct ValuesSchemaTests {
    static let cases: [BadValues] = [
        BadValues(args: ["--set", "replicaCount=0"], expected: ["replicaCount", "greater than or equal to 1"]),
        BadValues(args: ["--set", "replicaCount=two"], expected: ["replicaCount", "Invalid type"]),
        BadValues(args: ["--set", "rbac.mode=namespace"], expected: ["rbac.mode", "cluster", "namespaces"]),
        BadValues(args: ["--set", "rbac.mode=namespaces"], expected: ["rbac.watchNamespaces", "at least 1"]),
        BadValues(args: ["--set", "rbac.mode=namespaces", "--set", "rbac.watchNamespaces={Bad_NS}"], expected: ["rbac.watchNamespaces", "pattern"]),
        BadValues(args: ["--set", "replicas=3"], expected: ["Additional property replicas is not allowed"]),
        BadValues(args: ["--set", "image.pullPolicy=Sometimes"], expected: ["image.pullPolicy", "Always", "IfNotPresent"]),
        BadValues(args: ["--set", "image.digest=latest"], expected: ["image.digest", "sha256"]),
        BadValues(args: ["--set", "cloudIdentity.aws.roleArn=sextant-role"], expected: ["cloudIdentity.aws.roleArn", "arn:aws"]),
        BadValues(args: ["--set", "cloudIdentity.gcp.serviceAccount=sextant@gmail.com"], expected: ["cloudIdentity.gcp.serviceAccount", "iam"]),
        BadValues(args: ["--set", "cloudIdentity.azure.clientId=not-a-guid"], expected: ["cloudIdentity.azure.clientId", "pattern"]),
        BadValues(args: ["--set", "resources.limits.memory=lots"], expected: ["resources.limits.memory", "pattern"]),
        BadValues(args: ["--set", "securityContext.runAsNonRoot=false"], expected: ["securityContext.runAsNonRoot"]),
        BadValues(args: ["--set", "securityContext.allowPrivilegeEscalation=true"], expected: ["securityContext.allowPrivilegeEscalation"]),
        BadValues(args: ["--set", "controller.metricsPort=70000"], expected: ["controller.metricsPort", "less than or equal to 65535"]),
        BadValues(args: ["--set", "controller.extraArgs={verbose}"], expected: ["controller.extraArgs", "pattern"]),
        BadValues(args: ["--set-string", "serviceMonitor.interval=30"], expected: ["serviceMonitor.interval", "pattern"]),
        // Cross-field rules checked by the templates.
        BadValues(args: ["--set", "controller.leaderElect=false"], expected: ["replicaCount > 1 needs controller.leaderElect=true"]),
        BadValues(args: ["--set", "controller.healthPort=8080"], expected: ["controller.metricsPort and controller.healthPort must differ"]),
        BadValues(args: ["--set", "serviceMonitor.enabled=true", "--set", "metrics.service.enabled=false"], expected: ["serviceMonitor.enabled needs metrics.service.enabled=true"]),
        BadValues(args: ["--set", "serviceAccount.create=false"], expected: ["serviceAccount.name is required"]),
        BadValues(args: ["--set", "backup.schedule=0 * * * *"], expected: ["backup.schedule needs backup.destination"]),
        BadValues(args: ["--set", "backup.destination=/var/backups"], expected: ["backup.destination", "pattern"]),
    ]

    @Test("helm template exits non-zero and names the wrong value", arguments: cases)
    func rejects(_ bad: BadValues) async throws {
        let result = try await helmTemplate(bad.args)
        #expect(result.exitCode != 0, "helm accepted \(bad.args):\n\(result.stdout.prefix(400))")
        for word in bad.expected {
            #expect(result.stderr.contains(word), "message lacks \"\(word)\":\n\(result.stderr)")
        }
    }

    @Test("valid non-default values are accepted")
    func acceptsValidValues() async throws {
        let result = try await helmTemplate([
            "--set", "replicaCount=1", "--set", "controller.leaderElect=false",
            "--set", "podDisruptionBudget.maxUnavailable=50%",
            "--set", "resources.limits.memory=1Gi", "--set", "resources.requests.cpu=250m",
            "--set", "image.tag=0.2.0-rc.1", "--set", "serviceAccount.create=false", "--set", "serviceAccount.name=existing",
            "--set", "controller.extraArgs={--workers-per-kind=2}",
        ])
        #expect(result.exitCode == 0, "\(result.output)")
    }
}
