import Foundation
import KubeCore
import Testing

@Suite("The chart's scheduled backup")
struct BackupChartTests {
    static let values = ["--set", "backup.schedule=15 * * * *", "--set", "backup.destination=s3://acme-sextant-backups/prod/",
                         "--set", "backup.serviceAccount.annotations.eks\\.amazonaws\\.com/role-arn=arn:aws:iam::123456789012:role/sextant-backup"]

    @Test("backup.schedule and backup.destination render a CronJob running sextant backup --all-namespaces under its own ServiceAccount")
    func cronJob() async throws {
        let docs = try await renderChart(Self.values)
        let cron = try #require(docs.object(kind: "CronJob", name: "sextant-backup"))
        #expect(cron.namespace == "sextant-system")
        #expect(cron[path: ["spec", "schedule"]]?.stringValue == "15 * * * *")
        #expect(cron[path: ["spec", "concurrencyPolicy"]]?.stringValue == "Forbid")
        let pod = try #require(cron[path: ["spec", "jobTemplate", "spec", "template", "spec"]])
        #expect(pod["serviceAccountName"]?.stringValue == "sextant-backup")
        #expect(pod["restartPolicy"]?.stringValue == "Never")
        let container = try #require(pod["containers"]?[0])
        #expect(container["args"]?.stringList == ["backup", "--all-namespaces", "--output", "s3://acme-sextant-backups/prod/"])
        #expect(container["image"]?.stringValue == "ghcr.io/sextant-ml/sextant:0.1.0")
        #expect(container[path: ["securityContext", "readOnlyRootFilesystem"]]?.boolValue == true)
        #expect(container[path: ["securityContext", "runAsNonRoot"]]?.boolValue == true)
        let sa = try #require(docs.object(kind: "ServiceAccount", name: "sextant-backup"))
        #expect(sa[path: ["metadata", "annotations", "eks.amazonaws.com/role-arn"]]?.stringValue == "arn:aws:iam::123456789012:role/sextant-backup")
    }

    @Test("the backup ServiceAccount may only get and list the three Sextant kinds, bound cluster-wide to that ServiceAccount alone")
    func leastPrivilege() async throws {
        let docs = try await renderChart(Self.values)
        let role = try #require(docs.object(kind: "ClusterRole", name: "sextant-backup"))
        let rules = role["rules"]?.arrayValue ?? []
        #expect(rules.count == 1)
        #expect(rules.first?["apiGroups"]?.stringList == ["ml.sextant.dev"])
        #expect(Set(rules.first?["resources"]?.stringList ?? []) == ["mlpipelines", "modelversions", "retrainpolicies"])
        #expect(Set(rules.first?["verbs"]?.stringList ?? []) == ["get", "list"])
        let binding = try #require(docs.object(kind: "ClusterRoleBinding", name: "sextant-backup"))
        #expect(binding[path: ["roleRef", "name"]]?.stringValue == "sextant-backup")
        let subjects = binding["subjects"]?.arrayValue ?? []
        #expect(subjects.count == 1)
        #expect(subjects.first?["name"]?.stringValue == "sextant-backup")
        #expect(subjects.first?["namespace"]?.stringValue == "sextant-system")
        // Nothing else is bound to the backup role, and the controller does not use its account.
        #expect(docs.objects(kind: "RoleBinding").allSatisfy { $0[path: ["roleRef", "name"]]?.stringValue != "sextant-backup" })
        let deployment = try #require(docs.object(kind: "Deployment", name: "sextant"))
        #expect(deployment[path: ["spec", "template", "spec", "serviceAccountName"]]?.stringValue == "sextant")
    }

    @Test("without backup.schedule there is no CronJob and no backup RBAC")
    func offByDefault() async throws {
        let docs = try await renderChart()
        #expect(docs.objects(kind: "CronJob").isEmpty)
        #expect(docs.object(kind: "ClusterRole", name: "sextant-backup") == nil)
        #expect(docs.object(kind: "ServiceAccount", name: "sextant-backup") == nil)
    }
}
