import Foundation
import KubeCore

/// The tracking calls: experiments, runs, and what is logged to a run.
extension MLflowClient {
    /// MLflow's limits for one `runs/log-batch` call.
    public enum BatchLimits {
        /// Metrics per call.
        public static let metrics = 1000
        /// Params per call.
        public static let params = 100
        /// Tags per call.
        public static let tags = 100
        /// Metrics, params and tags together per call.
        public static let total = 1000
    }

    /// `experiments/get-by-name`: the experiment, or nil when there is none of that name.
    public func experiment(named name: String) async throws -> MLflowExperiment? {
        struct Answer: Decodable { var experiment: MLflowExperiment }
        do {
            let answer: Answer = try await call(.get, "experiments/get-by-name", query: [("experiment_name", name)])
            return answer.experiment
        } catch MLflowError.resourceDoesNotExist {
            return nil
        }
    }

    /// `experiments/create`: the new experiment's id. Throws `resourceAlreadyExists` when the name is taken.
    public func createExperiment(name: String, tags: [MLflowKeyValue] = []) async throws -> String {
        struct Body: Encodable, Sendable { var name: String; var tags: [MLflowKeyValue] }
        struct Answer: Decodable { var experiment_id: String }
        let answer: Answer = try await call(.post, "experiments/create", body: Body(name: name, tags: tags))
        return answer.experiment_id
    }

    /// The id of experiment `name`, created when missing. Two callers creating it at once both get the
    /// same id: the loser's `RESOURCE_ALREADY_EXISTS` is answered by reading it again. A deleted
    /// experiment of that name is an error (MLflow keeps the name taken until it is purged).
    public func experimentID(named name: String) async throws -> String {
        if let found = try await experiment(named: name) { return try Self.active(found) }
        do {
            return try await createExperiment(name: name)
        } catch MLflowError.resourceAlreadyExists {
            guard let found = try await experiment(named: name) else {
                throw MLflowError.rejected(code: "RESOURCE_ALREADY_EXISTS", status: 400,
                                           message: "experiment \(name) exists but cannot be read by name")
            }
            return try Self.active(found)
        }
    }

    private static func active(_ experiment: MLflowExperiment) throws -> String {
        if experiment.lifecycleStage == "deleted" {
            throw MLflowError.rejected(code: "EXPERIMENT_DELETED", status: 400,
                                       message: "experiment \(experiment.name) (id \(experiment.experimentID)) is deleted: restore it in MLflow or use another name")
        }
        return experiment.experimentID
    }

    /// `runs/search` in `experimentIDs` with an MLflow `filter` (e.g. ``tags.`sextant.uid` = 'abc'``),
    /// active runs only, oldest first.
    public func searchRuns(experimentIDs: [String], filter: String, maxResults: Int = 100) async throws -> [MLflowRun] {
        struct Body: Encodable, Sendable {
            var experiment_ids: [String]
            var filter: String
            var run_view_type = "ACTIVE_ONLY"
            var max_results: Int
            var order_by = ["attributes.start_time ASC"]
        }
        struct Answer: Decodable { var runs: [MLflowRun]? }
        let answer: Answer = try await call(.post, "runs/search",
                                            body: Body(experiment_ids: experimentIDs, filter: filter, max_results: maxResults))
        return answer.runs ?? []
    }

    /// The oldest active run of `experimentID` whose tag `key` is `value` (how a controller finds its
    /// run again after a restart), or nil.
    public func findRun(experimentID: String, tag key: String, value: String) async throws -> MLflowRun? {
        try await searchRuns(experimentIDs: [experimentID], filter: Self.tagFilter(key: key, value: value), maxResults: 10).first
    }

    /// The filter ``tags.`key` = 'value'`` (a value holding `'` is quoted with `"`).
    public static func tagFilter(key: String, value: String) -> String {
        let quoted = value.contains("'") ? "\"\(value.replacingOccurrences(of: "\"", with: ""))\"" : "'\(value)'"
        return "tags.`\(key.replacingOccurrences(of: "`", with: ""))` = \(quoted)"
    }

    /// `runs/create`: a RUNNING run named `runName` with `tags` (set in the same call, so a search by
    /// them finds it at once), started at `startTime` (ms since the epoch).
    public func createRun(experimentID: String, runName: String, startTime: Int64, tags: [MLflowKeyValue] = []) async throws -> MLflowRun {
        struct Body: Encodable, Sendable {
            var experiment_id: String
            var run_name: String
            var start_time: Int64
            var tags: [MLflowKeyValue]
        }
        struct Answer: Decodable { var run: MLflowRun }
        let answer: Answer = try await call(.post, "runs/create",
                                            body: Body(experiment_id: experimentID, run_name: runName, start_time: startTime, tags: tags))
        return answer.run
    }

    /// `runs/get`: the run with its latest metrics, params and tags.
    public func run(id: String) async throws -> MLflowRun {
        struct Answer: Decodable { var run: MLflowRun }
        let answer: Answer = try await call(.get, "runs/get", query: [("run_id", id)])
        return answer.run
    }

    /// `runs/log-batch`, split into calls within `BatchLimits`. A param logged again with the same
    /// value is accepted; with another value MLflow answers `invalidParameterValue`.
    public func logBatch(runID: String, params: [MLflowKeyValue] = [], metrics: [MLflowMetric] = [],
                         tags: [MLflowKeyValue] = []) async throws {
        struct Body: Encodable, Sendable {
            var run_id: String
            var params: [MLflowKeyValue]
            var metrics: [MLflowMetric]
            var tags: [MLflowKeyValue]
        }
        for chunk in Self.batches(params: params, metrics: metrics, tags: tags) {
            try await send(.post, "runs/log-batch", body: try encode(Body(run_id: runID, params: chunk.params,
                                                                          metrics: chunk.metrics, tags: chunk.tags)))
        }
    }

    /// Splits params, metrics and tags into `runs/log-batch` calls within `BatchLimits` (pure).
    public static func batches(params: [MLflowKeyValue], metrics: [MLflowMetric], tags: [MLflowKeyValue])
        -> [(params: [MLflowKeyValue], metrics: [MLflowMetric], tags: [MLflowKeyValue])] {
        var out: [(params: [MLflowKeyValue], metrics: [MLflowMetric], tags: [MLflowKeyValue])] = []
        var p = params[...], m = metrics[...], t = tags[...]
        while !p.isEmpty || !m.isEmpty || !t.isEmpty {
            let np = min(p.count, BatchLimits.params)
            let nt = min(t.count, BatchLimits.tags, BatchLimits.total - np)
            let nm = min(m.count, BatchLimits.metrics, BatchLimits.total - np - nt)
            out.append((Array(p.prefix(np)), Array(m.prefix(nm)), Array(t.prefix(nt))))
            p = p.dropFirst(np)
            t = t.dropFirst(nt)
            m = m.dropFirst(nm)
        }
        return out
    }

    /// `runs/set-tag`: one tag.
    public func setTag(runID: String, key: String, value: String) async throws {
        try await logBatch(runID: runID, tags: [MLflowKeyValue(key: key, value: value)])
    }

    /// `runs/log-inputs`: dataset inputs (name + digest = version). Logging the same dataset again is
    /// idempotent in MLflow (inputs are deduplicated by name and digest).
    public func logInputs(runID: String, datasets: [MLflowDatasetInput]) async throws {
        struct Body: Encodable, Sendable { var run_id: String; var datasets: [MLflowDatasetInput] }
        guard !datasets.isEmpty else { return }
        try await send(.post, "runs/log-inputs", body: try encode(Body(run_id: runID, datasets: datasets)))
    }

    /// `runs/update`: sets the run's status and, for an end status, its end time (ms since the epoch).
    public func updateRun(runID: String, status: MLflowRunStatus, endTime: Int64? = nil) async throws {
        struct Body: Encodable, Sendable { var run_id: String; var status: MLflowRunStatus; var end_time: Int64? }
        try await send(.post, "runs/update", body: try encode(Body(run_id: runID, status: status, end_time: endTime)))
    }

    func encode<Body: Encodable>(_ body: Body) throws -> Data {
        do {
            return try JSONEncoder().encode(body)
        } catch {
            throw MLflowError.invalidArgument("cannot encode a request body: \(error)")
        }
    }
}
