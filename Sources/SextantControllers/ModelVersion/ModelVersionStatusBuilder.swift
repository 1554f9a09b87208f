import Foundation
import KubeCore
import SextantAPI

/// Maps ModelVersion objects to promotion candidates and promotion outcomes back to status.
enum ModelVersionStatusBuilder {
    static let serving = "Serving"
    static let promoted = "Promoted"
    static let ready = "Ready"

    /// The promotion inputs of one version, from its spec, annotation and stored status.
    static func candidate(_ mv: ModelVersion) -> Promotion.Candidate {
        let status = mv.status
        let history = (status?.history ?? []).compactMap { t -> Promotion.Transition? in
            guard let at = KubeTime.parse(t.at) else { return nil }
            return Promotion.Transition(from: t.from, to: t.to, at: at, reason: t.reason, approvedBy: t.approvedBy)
        }
        let promotion = mv.spec.promotion
        return Promotion.Candidate(
            name: mv.name,
            creationTimestamp: mv.metadata.creationTimestamp.flatMap(KubeTime.parse) ?? .distantPast,
            model: mv.spec.model, version: String(mv.spec.version), requestedStage: mv.spec.stage,
            metrics: mv.spec.metrics ?? [:],
            gates: (promotion?.gates ?? []).map { Promotion.Gate(metric: $0.metric, min: $0.min, max: $0.max) },
            compareMetric: promotion?.compareToProduction?.metric,
            minImprovement: promotion?.compareToProduction?.minImprovement ?? 0,
            requireApproval: promotion?.requireApproval ?? false,
            approvedBy: mv.metadata.annotations?[Promotion.approvedByAnnotation],
            currentStage: status?.stage, promotedAt: status?.promotedAt.flatMap(KubeTime.parse),
            promotedReason: status?.conditions?.condition(promoted)?.reason,
            history: history)
            .requiringCard(promotion?.requireCard ?? false, missing: mv.spec.card?.missingRequiredFields ?? ModelCard.requiredFields)
    }

    /// What the serving side observed for one version.
    struct ServingObservation: Sendable {
        /// The version should be served (stage Staging/Production, `serving` set, not a duplicate).
        var wanted: Bool
        var deployment: Deployment?
        var port: Int
    }

    /// The full desired status of a version.
    static func status(
        for mv: ModelVersion, outcome: Promotion.Outcome, serving obs: ServingObservation,
        lineage: ModelLineage?, now: Date
    ) -> ModelVersionStatus {
        var s = mv.status ?? ModelVersionStatus()
        let generation = mv.metadata.generation
        s.observedGeneration = generation
        s.stage = outcome.stage
        s.promotedAt = outcome.promotedAt.map(KubeTime.format)
        s.gates = outcome.gates.isEmpty ? nil : outcome.gates.map {
            GateResult(metric: $0.metric, value: $0.value, passed: $0.passed, message: $0.message)
        }
        s.history = outcome.history.isEmpty ? nil : outcome.history.map {
            StageTransition(from: $0.from, to: $0.to, at: KubeTime.format($0.at), reason: $0.reason, approvedBy: $0.approvedBy)
        }
        if let lineage { s.lineage = lineage }

        var conditions = s.conditions ?? []
        conditions.set(
            type: promoted, status: outcome.promoted ? ConditionStatus.true : ConditionStatus.false,
            reason: outcome.reason, message: outcome.message, observedGeneration: generation, now: now)

        let servingReady: Bool
        if obs.wanted {
            let ready = Int(obs.deployment?.status?.readyReplicas ?? 0)
            let desired = Int(obs.deployment?.spec?.replicas ?? 1)
            servingReady = ServingResources.isAvailable(obs.deployment)
            s.deployment = mv.name
            s.readyReplicas = ready
            s.endpoint = ServingResources.endpoint(service: mv.name, namespace: mv.namespace ?? "default", port: obs.port)
            conditions.set(
                type: serving, status: servingReady ? ConditionStatus.true : ConditionStatus.false,
                reason: servingReady ? "DeploymentAvailable" : (obs.deployment == nil ? "DeploymentCreating" : "DeploymentNotAvailable"),
                message: "\(ready)/\(desired) replicas of Deployment \(mv.name) ready", observedGeneration: generation, now: now)
        } else {
            servingReady = true
            s.deployment = nil
            s.readyReplicas = nil
            s.endpoint = nil
            let why: String
            if outcome.isDuplicate {
                why = "duplicate version: nothing is served"
            } else if mv.spec.serving == nil {
                why = "spec.serving is not set"
            } else {
                why = "stage \(outcome.stage) is not served (only Staging and Production are)"
            }
            conditions.set(type: serving, status: ConditionStatus.false, reason: "NotServed", message: why,
                           observedGeneration: generation, now: now)
        }

        if !outcome.requestSatisfied {
            conditions.set(type: ready, status: ConditionStatus.false, reason: outcome.reason, message: outcome.message,
                           observedGeneration: generation, now: now)
        } else if !servingReady {
            conditions.set(type: ready, status: ConditionStatus.false, reason: "ServingNotReady",
                           message: "stage \(outcome.stage) in effect; waiting for Deployment \(mv.name) to become available",
                           observedGeneration: generation, now: now)
        } else {
            conditions.set(type: ready, status: ConditionStatus.true, reason: outcome.reason, message: outcome.message,
                           observedGeneration: generation, now: now)
        }
        s.conditions = conditions
        return s
    }

    /// Lineage from `spec.source` and the producing run's status.
    static func lineage(for mv: ModelVersion, pipeline: MLPipeline?) -> ModelLineage? {
        guard let source = mv.spec.source else { return mv.status?.lineage }
        var l = mv.status?.lineage ?? ModelLineage()
        l.pipeline = source.pipeline
        l.step = source.step
        if let pl = pipeline?.status?.lineage {
            if let d = pl.datasets, !d.isEmpty { l.datasets = d }
            if let i = pl.images, !i.isEmpty { l.images = i }
        }
        return l
    }

    /// `status.cost`: the producing run's `estimatedUSD` (kept when the run is not read or is gone)
    /// and the serving replicas' requests priced per hour with the Kubernetes prices.
    /// `replicas`: the replicas the version's Deployment runs now (with an HPA, what the HPA last
    /// set; a canary's share; zero after a rollback or when the version is not served); nil when
    /// its Deployment is not read yet (then the replicas it is created with).
    /// The replicas `servingUSDPerHour` prices: none for a version that is not served (the
    /// controller keeps no Deployment for it: archived, superseded, not promoted, a duplicate),
    /// else what its Deployment runs now.
    static func pricedReplicas(served: Bool, deployment: Deployment?) -> Int? {
        guard served else { return 0 }
        return deployment?.spec?.replicas.map(Int.init)
    }

    static func cost(for mv: ModelVersion, pipeline: MLPipeline?, pricing: PricingTable, replicas: Int? = nil) -> ModelVersionCost? {
        guard mv.spec.source?.pipeline != nil || mv.spec.serving != nil else { return nil }
        var c = ModelVersionCost()
        var notes: [String] = []
        if let source = mv.spec.source?.pipeline {
            if let run = pipeline {
                c.estimatedUSD = run.status?.cost?.estimatedUSD
                if c.estimatedUSD == nil {
                    notes.append("training: " + (run.status?.cost?.message ?? "run \(source) reports no cost"))
                }
            } else {
                c.estimatedUSD = mv.status?.cost?.estimatedUSD
                if c.estimatedUSD == nil, let m = mv.status?.cost?.message { notes.append(m) }
            }
        }
        if let serving = mv.spec.serving {
            let resources = PodResources(requests: serving.resources?.requests, limits: serving.resources?.limits)
            let (hourly, missing) = CostEstimator.hourlyUSD(resources, pricing: pricing)
            if let hourly {
                let running = replicas ?? Int(ServingScaling.initialReplicas(serving))
                c.servingUSDPerHour = CostEstimator.rounded(hourly * Double(running))
            } else {
                notes.append("serving: no price for \(missing.joined(separator: ", ")) in the pricing table")
            }
        }
        c.message = notes.isEmpty ? nil : Array(Set(notes)).sorted().joined(separator: "; ").clipped()
        return c
    }
}
