import Foundation
import KubeCore

/// The DAG of a pipeline spec: validation, upstream sets and scheduling.
public struct PipelineGraph: Sendable {
    /// Steps in spec order.
    public let steps: [PipelineStep]
    /// Step by name.
    public let byName: [String: PipelineStep]
    /// Transitive upstream steps of each step.
    public let ancestors: [String: Set<String>]

    /// Condition reasons of an invalid spec.
    public enum Reason {
        public static let invalidName = "InvalidName"
        public static let duplicateStepName = "DuplicateStepName"
        public static let invalidStepKind = "InvalidStepKind"
        public static let unknownDependency = "UnknownDependency"
        public static let dependencyCycle = "DependencyCycle"
        public static let invalidReference = "InvalidReference"
        /// A cloud block field the backend cannot honour (`spot: true` on awsBatch, `nodes` < 2).
        public static let invalidCloudStep = "InvalidCloudStep"
    }

    /// Why `spot: true` is rejected on an awsBatch step (CRD rule and controller check).
    public static let awsBatchSpotMessage = "spot: true is not supported on awsBatch steps: on AWS Batch, spot is a property of the job queue's compute environment (use a queue whose compute environment is SPOT)"

    /// Validates the graph and every template of the spec; throws `SextantAPIError` with a precise
    /// reason (`DuplicateStepName`, `InvalidStepKind`, `UnknownDependency`, `DependencyCycle`,
    /// `InvalidReference`, `InvalidName`, `InvalidCloudStep`) on the first problem.
    public init(validating spec: MLPipelineSpec) throws {
        func fail(_ reason: String, _ message: String) -> SextantAPIError { .invalidPipeline(reason: reason, message: message) }
        guard !spec.steps.isEmpty else { throw fail(Reason.invalidName, "spec.steps must not be empty") }
        var byName: [String: PipelineStep] = [:]
        for (i, step) in spec.steps.enumerated() {
            guard DerivedName.isDNSLabel(step.name) else {
                throw fail(Reason.invalidName, "spec.steps[\(i)].name \"\(step.name)\" is not a DNS-1123 label")
            }
            guard byName[step.name] == nil else {
                throw fail(Reason.duplicateStepName, "step name \"\(step.name)\" is used more than once")
            }
            byName[step.name] = step
            guard step.kinds.count == 1 else {
                throw fail(Reason.invalidStepKind, "step \(step.name) must set exactly one of container, sagemaker, awsBatch, vertexAI, azureML, airflow (has \(step.kinds.isEmpty ? "none" : step.kinds.joined(separator: ", ")))")
            }
            if let batch = step.awsBatch {
                if step.spot == true { throw fail(Reason.invalidCloudStep, "step \(step.name): \(Self.awsBatchSpotMessage)") }
                if let nodes = batch.nodes, nodes < 2 {
                    throw fail(Reason.invalidCloudStep, "step \(step.name): awsBatch.nodes is \(nodes); a multi-node parallel job needs at least 2 nodes (leave nodes unset for one container)")
                }
            }
        }
        for step in spec.steps {
            for dep in step.dependsOn ?? [] where byName[dep] == nil {
                throw fail(Reason.unknownDependency, "step \(step.name) depends on unknown step \"\(dep)\"")
            }
        }
        let cyclic = Self.stepsInCycles(spec.steps)
        guard cyclic.isEmpty else {
            throw fail(Reason.dependencyCycle, "dependency cycle among steps \(cyclic.joined(separator: ", "))")
        }
        var ancestors: [String: Set<String>] = [:]
        func upstream(_ name: String) -> Set<String> {
            if let known = ancestors[name] { return known }
            var result = Set<String>()
            for dep in byName[name]?.dependsOn ?? [] {
                result.insert(dep)
                result.formUnion(upstream(dep))
            }
            ancestors[name] = result
            return result
        }
        for step in spec.steps { _ = upstream(step.name) }
        self.steps = spec.steps
        self.byName = byName
        self.ancestors = ancestors
        try checkReferences(spec)
    }

    /// Names of steps on a cycle (empty for a DAG), sorted.
    static func stepsInCycles(_ steps: [PipelineStep]) -> [String] {
        var indegree: [String: Int] = [:]
        var dependents: [String: [String]] = [:]
        for s in steps {
            indegree[s.name, default: 0] += Set(s.dependsOn ?? []).count
            for d in Set(s.dependsOn ?? []) { dependents[d, default: []].append(s.name) }
        }
        var queue = steps.map(\.name).filter { indegree[$0] == 0 }
        var done = Set<String>()
        while let n = queue.popLast() {
            done.insert(n)
            for m in dependents[n] ?? [] {
                indegree[m, default: 0] -= 1
                if indegree[m] == 0 { queue.append(m) }
            }
        }
        return steps.map(\.name).filter { !done.contains($0) }.sorted()
    }

    func checkReferences(_ spec: MLPipelineSpec) throws {
        let params = spec.params ?? [:]
        let datasets = Dictionary((spec.datasets ?? []).map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        func check(_ text: String, in owner: String, upstream: Set<String>) throws {
            let refs: [TemplateReference]
            do { refs = try Templates.references(in: text) } catch let e as SextantAPIError {
                throw SextantAPIError.invalidReference("\(owner): \(e.message)")
            }
            for ref in refs {
                var problem: String?
                switch ref {
                case .param(let n) where params[n] == nil: problem = "param \(n) is not declared in spec.params"
                case .datasetURI(let n) where datasets[n] == nil,
                     .datasetVersion(let n) where datasets[n] == nil:
                    problem = "dataset \(n) is not declared in spec.datasets"
                case .datasetVersion(let n) where datasets[n]?.version == nil: problem = "dataset \(n) has no version"
                case .artifact(let s, let n), .metric(let s, let n):
                    let isArtifact: Bool = { if case .artifact = ref { return true } else { return false } }()
                    if byName[s] == nil {
                        problem = "step \(s) does not exist"
                    } else if !upstream.contains(s) {
                        problem = "step \(s) is not upstream of \(owner) (add it to dependsOn)"
                    } else {
                        let declared = isArtifact ? byName[s]?.outputs?.artifacts : byName[s]?.outputs?.metrics
                        if !(declared ?? []).contains(n) {
                            problem = "step \(s) does not declare \(isArtifact ? "artifact" : "metric") output \(n)"
                        }
                    }
                default: break
                }
                if let problem { throw SextantAPIError.invalidReference("{{\(ref)}} in \(owner): \(problem)") }
            }
        }
        for step in steps {
            let upstream = ancestors[step.name] ?? []
            for text in try Self.templatedStrings(of: step) {
                try check(text, in: "step \(step.name)", upstream: upstream)
            }
        }
        if let register = spec.register {
            guard DerivedName.isDNSLabel(register.model) else {
                throw SextantAPIError.invalidPipeline(reason: Reason.invalidName, message: "register.model \"\(register.model)\" is not a DNS-1123 label")
            }
            try check(register.artifact, in: "register.artifact", upstream: Set(byName.keys))
            if let from = register.metricsFrom, byName[from] == nil {
                throw SextantAPIError.invalidReference("register.metricsFrom: step \(from) does not exist")
            }
        }
    }

    /// The strings of a step in which templates are resolved: command, args and env values of a
    /// container; every string of a cloud block.
    public static func templatedStrings(of step: PipelineStep) throws -> [String] {
        if let c = step.container {
            return (c.command ?? []) + (c.args ?? []) + (c.env ?? []).compactMap(\.value)
        }
        var out: [String] = []
        let block: JSONValue
        if let s = step.sagemaker { block = try JSONValue(encoding: s) }
        else if let s = step.awsBatch { block = try JSONValue(encoding: s) }
        else if let s = step.vertexAI { block = try JSONValue(encoding: s) }
        else if let s = step.azureML { block = try JSONValue(encoding: s) }
        else if let s = step.airflow { block = try JSONValue(encoding: s) }
        else { return [] }
        _ = Templates.mapStrings(block) { out.append($0); return $0 }
        return out
    }
}

extension PipelineGraph {
    /// Pending steps whose dependencies all Succeeded, in spec order, limited so that at most
    /// `parallelism` steps are Running or Retrying.
    public func readySteps(phases: [String: String], parallelism: Int?) -> [String] {
        let busy = phases.values.filter { $0 == StepPhase.running || $0 == StepPhase.retrying }.count
        var slots = parallelism.map { max(0, $0 - busy) } ?? Int.max
        var ready: [String] = []
        for step in steps where slots > 0 {
            let phase = phases[step.name] ?? StepPhase.pending
            guard phase == StepPhase.pending else { continue }
            if (step.dependsOn ?? []).allSatisfy({ phases[$0] == StepPhase.succeeded }) {
                ready.append(step.name)
                slots -= 1
            }
        }
        return ready
    }

    /// Pending steps that can never run because a dependency failed, was skipped or cancelled.
    public func stepsToSkip(phases: [String: String]) -> [String] {
        let dead: Set<String> = [StepPhase.failed, StepPhase.skipped, StepPhase.cancelled]
        var current = phases
        var skipped: [String] = []
        var changed = true
        while changed {
            changed = false
            for step in steps where (current[step.name] ?? StepPhase.pending) == StepPhase.pending {
                if (step.dependsOn ?? []).contains(where: { dead.contains(current[$0] ?? "") }) {
                    current[step.name] = StepPhase.skipped
                    skipped.append(step.name)
                    changed = true
                }
            }
        }
        return steps.map(\.name).filter { skipped.contains($0) }
    }
}
