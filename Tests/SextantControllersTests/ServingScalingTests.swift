import Foundation
import KubeCore
import SextantAPI
@testable import SextantControllers
import Testing

/// The pure builders of a version's HPA, PDB, topology spread and the Deployment update patch.
@Suite("Serving autoscaling, disruption budget and topology spread builders")
struct ServingScalingTests {
    func version(_ serving: ServingSpec) -> ModelVersion {
        var meta = ObjectMeta(name: "churn-v3", namespace: "ml")
        meta.uid = "uid-3"
        return ModelVersion(metadata: meta, spec: ModelVersionSpec(model: "churn", version: 3, artifact: ArtifactRef(uri: "s3://m/3"), serving: serving))
    }

    let base = ServingSpec(image: "srv:1", replicas: 4, resources: ComputeResources(requests: ["cpu": "500m"]))

    func with(_ change: (inout ServingSpec) -> Void) -> ServingSpec {
        var s = base
        change(&s)
        return s
    }

    @Test("autoscaling gives an autoscaling/v2 HPA on the version's Deployment with the bounds and CPU target, owned by the version")
    func hpa() throws {
        let serving = with { $0.autoscaling = ServingAutoscaling(minReplicas: 2, maxReplicas: 10, targetCPUUtilizationPercent: 70) }
        let hpa = try #require(ServingScaling.horizontalPodAutoscaler(for: version(serving), serving: serving))
        #expect(hpa.name == "churn-v3" && hpa.namespace == "ml")
        #expect(hpa.spec?.scaleTargetRef == CrossVersionObjectReference(apiVersion: "apps/v1", kind: "Deployment", name: "churn-v3"))
        #expect(hpa.spec?.minReplicas == 2 && hpa.spec?.maxReplicas == 10)
        let json = try JSONValue(encoding: hpa)
        #expect(json["apiVersion"] == "autoscaling/v2")
        #expect(json[path: ["spec", "metrics"]] == [["type": "Resource", "resource": ["name": "cpu", "target": ["type": "Utilization", "averageUtilization": 70]]]])
        #expect(hpa.metadata.ownerReferences?.first?.uid == "uid-3" && hpa.metadata.ownerReferences?.first?.controller == true)
        #expect(hpa.metadata.labels?["ml.sextant.dev/model-version"] == "churn-v3")
    }

    @Test("unset minReplicas and target default to 1 and 80 %")
    func hpaDefaults() throws {
        let serving = with { $0.autoscaling = ServingAutoscaling(maxReplicas: 3) }
        let hpa = try #require(ServingScaling.horizontalPodAutoscaler(for: version(serving), serving: serving))
        #expect(hpa.spec?.minReplicas == 1)
        #expect(hpa.spec?.metrics?.first?[path: ["resource", "target", "averageUtilization"]] == 80)
    }

    @Test("no block, or an invalid one, builds no HPA and no PDB")
    func nothingWithoutValidBlocks() {
        #expect(ServingScaling.horizontalPodAutoscaler(for: version(base), serving: base) == nil)
        #expect(ServingScaling.podDisruptionBudget(for: version(base), serving: base) == nil)
        let inverted = with { $0.autoscaling = ServingAutoscaling(minReplicas: 5, maxReplicas: 2) }
        #expect(ServingScaling.horizontalPodAutoscaler(for: version(inverted), serving: inverted) == nil)
        let both = with { $0.disruptionBudget = ServingDisruptionBudget(minAvailable: .count(1), maxUnavailable: .count(1)) }
        #expect(ServingScaling.podDisruptionBudget(for: version(both), serving: both) == nil)
    }

    @Test("the PDB selects exactly the serving pods' model and version labels")
    func pdb() throws {
        let serving = with { $0.disruptionBudget = ServingDisruptionBudget(maxUnavailable: .percent(25)) }
        let mv = version(serving)
        let pdb = try #require(ServingScaling.podDisruptionBudget(for: mv, serving: serving))
        let json = try JSONValue(encoding: pdb)
        #expect(json["apiVersion"] == "policy/v1")
        #expect(json[path: ["spec", "maxUnavailable"]] == "25%")
        #expect(json[path: ["spec", "minAvailable"]] == nil)
        let podLabels = try #require(ServingResources.deployment(for: mv, serving: serving).spec?.template.metadata?.labels)
        let matchLabels = try #require(json[path: ["spec", "selector", "matchLabels"]]?.objectValue)
        #expect(matchLabels == ["ml.sextant.dev/model": "churn", "ml.sextant.dev/model-version": "churn-v3"])
        #expect(matchLabels.allSatisfy { podLabels[$0.key] == $0.value.stringValue })
    }

    @Test("topologySpread zone: one soft constraint over topology.kubernetes.io/zone counting this version's pods")
    func topology() throws {
        let serving = with { $0.topologySpread = "zone" }
        let deployment = ServingResources.deployment(for: version(serving), serving: serving)
        let constraints = try #require(deployment.spec?.template.spec?.topologySpreadConstraints)
        #expect(constraints == [[
            "maxSkew": 1, "topologyKey": "topology.kubernetes.io/zone", "whenUnsatisfiable": "ScheduleAnyway",
            "labelSelector": ["matchLabels": ["ml.sextant.dev/model": "churn", "ml.sextant.dev/model-version": "churn-v3"]],
        ]])
        #expect(ServingResources.deployment(for: version(base), serving: base).spec?.template.spec?.topologySpreadConstraints == nil)
    }

    @Test("with autoscaling the Deployment is created with minReplicas, and neither its hash nor its update patch carries replicas")
    func replicasBelongToTheHPA() throws {
        let scaled = with { $0.autoscaling = ServingAutoscaling(minReplicas: 2, maxReplicas: 10) }
        let mv = version(scaled)
        let deployment = ServingResources.deployment(for: mv, serving: scaled)
        #expect(deployment.spec?.replicas == 2)
        // Changing `replicas` (ignored with an HPA) changes nothing the controller would write.
        var other = scaled
        other.replicas = 7
        let otherDeployment = ServingResources.deployment(for: mv, serving: other)
        #expect(deployment.metadata.annotations == otherDeployment.metadata.annotations)
        let spec = try JSONValue(encoding: try #require(deployment.spec))
        let patch = ServingScaling.deploymentUpdatePatch(["spec": spec], serving: scaled)
        #expect(patch[path: ["spec", "replicas"]] == nil)
        #expect(patch[path: ["spec", "template"]] != nil)
    }

    @Test("without autoscaling the controller keeps writing replicas, and a removed spread is patched away with null")
    func replicasWithoutHPA() throws {
        let deployment = ServingResources.deployment(for: version(base), serving: base)
        #expect(deployment.spec?.replicas == 4)
        let spec = try JSONValue(encoding: try #require(deployment.spec))
        let patch = ServingScaling.deploymentUpdatePatch(["spec": spec], serving: base)
        #expect(patch[path: ["spec", "replicas"]] == 4)
        #expect(patch[path: ["spec", "template", "spec", "topologySpreadConstraints"]] == .null)
        // Turning autoscaling on or off changes the hash, so the Deployment is patched.
        let scaled = with { $0.autoscaling = ServingAutoscaling(maxReplicas: 10) }
        #expect(ServingResources.deployment(for: version(scaled), serving: scaled).metadata.annotations != deployment.metadata.annotations)
    }

    @Test("a PDB update patch removes the field that is no longer set")
    func budgetPatch() {
        let patch = ServingScaling.budgetUpdatePatch(["spec": ["maxUnavailable": 1, "selector": ["matchLabels": ["a": "b"]]]])
        #expect(patch[path: ["spec", "minAvailable"]] == .null)
        #expect(patch[path: ["spec", "maxUnavailable"]] == 1)
    }

    @Test("invalid blocks are explained field by field")
    func problems() {
        let s = with {
            $0.autoscaling = ServingAutoscaling(minReplicas: 0, maxReplicas: 0, targetCPUUtilizationPercent: 120)
            $0.disruptionBudget = ServingDisruptionBudget()
            $0.topologySpread = "region"
        }
        #expect(s.scalingProblems == [
            "autoscaling.minReplicas must be at least 1 (got 0)",
            "autoscaling.maxReplicas must be at least 1 (got 0)",
            "autoscaling.targetCPUUtilizationPercent must be between 1 and 100 (got 120)",
            "disruptionBudget: set exactly one of minAvailable or maxUnavailable",
            "topologySpread must be one of zone (got \"region\")",
        ])
        let inverted = with { $0.autoscaling = ServingAutoscaling(minReplicas: 3, maxReplicas: 2) }
        #expect(inverted.scalingProblems == ["autoscaling.minReplicas (3) must not exceed autoscaling.maxReplicas (2)"])
        let percent = with { $0.disruptionBudget = ServingDisruptionBudget(minAvailable: .percent(150)) }
        #expect(percent.scalingProblems == ["disruptionBudget.minAvailable must be a percentage between 0% and 100% (got 150%)"])
        #expect(base.scalingProblems.isEmpty)
    }

    @Test("minAvailable/maxUnavailable read an int or a percent string and write them back unchanged")
    func intOrPercent() throws {
        let b = try JSONValue.parse(#"{"minAvailable": "50%", "maxUnavailable": 2}"#).decode(as: ServingDisruptionBudget.self)
        #expect(b.minAvailable == .percent(50) && b.maxUnavailable == .count(2))
        #expect(try JSONValue(encoding: b) == ["minAvailable": "50%", "maxUnavailable": 2])
        #expect(throws: (any Error).self) { try JSONValue.parse(#"{"minAvailable": "half"}"#).decode(as: ServingDisruptionBudget.self) }
    }
}
