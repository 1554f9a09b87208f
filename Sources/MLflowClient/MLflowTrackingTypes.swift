import Foundation

/// An MLflow experiment (`experiments/get-by-name`).
public struct MLflowExperiment: Sendable, Hashable, Codable {
    /// Its id (a decimal string on the sqlite/SQL stores).
    public var experimentID: String
    /// Its unique name.
    public var name: String
    /// `active` or `deleted`.
    public var lifecycleStage: String?

    enum CodingKeys: String, CodingKey {
        case experimentID = "experiment_id", name, lifecycleStage = "lifecycle_stage"
    }
}

/// A key/value pair: a run's param or tag, a dataset input's tag.
public struct MLflowKeyValue: Sendable, Hashable, Codable {
    /// The key.
    public var key: String
    /// The value (params and tags are strings in MLflow).
    public var value: String

    /// A pair.
    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }
}

/// One metric value: `value` at `step`, `timestamp` in ms since the epoch.
public struct MLflowMetric: Sendable, Hashable, Codable {
    /// The metric's key (`<step>.<metric>` for Sextant's step metrics).
    public var key: String
    /// The value. MLflow stores only numbers: it turns a non-numeric value into 0 silently.
    public var value: Double
    /// Milliseconds since the epoch.
    public var timestamp: Int64
    /// The training step (0 when there is one value).
    public var step: Int64

    /// A metric value.
    public init(key: String, value: Double, timestamp: Int64, step: Int64 = 0) {
        self.key = key
        self.value = value
        self.timestamp = timestamp
        self.step = step
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        key = try c.decode(String.self, forKey: .key)
        value = try c.decodeIfPresent(Double.self, forKey: .value) ?? 0
        timestamp = try MLflowInt64.decode(c, .timestamp) ?? 0
        step = try MLflowInt64.decode(c, .step) ?? 0
    }

    enum CodingKeys: String, CodingKey { case key, value, timestamp, step }
}

/// End states of a run (`runs/update`).
public enum MLflowRunStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case running = "RUNNING", scheduled = "SCHEDULED", finished = "FINISHED", failed = "FAILED", killed = "KILLED"
}

/// A run's metadata.
public struct MLflowRunInfo: Sendable, Hashable, Decodable {
    /// The run's id.
    public var runID: String
    /// Its experiment.
    public var experimentID: String
    /// Its display name.
    public var runName: String?
    /// `RUNNING`, `FINISHED`, ...
    public var status: MLflowRunStatus?
    /// Start, ms since the epoch.
    public var startTime: Int64?
    /// End, ms since the epoch.
    public var endTime: Int64?
    /// `active` or `deleted`.
    public var lifecycleStage: String?

    enum CodingKeys: String, CodingKey {
        case runID = "run_id", runUUID = "run_uuid", experimentID = "experiment_id", runName = "run_name", status
        case startTime = "start_time", endTime = "end_time", lifecycleStage = "lifecycle_stage"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        guard let id = try c.decodeIfPresent(String.self, forKey: .runID) ?? c.decodeIfPresent(String.self, forKey: .runUUID) else {
            throw DecodingError.keyNotFound(CodingKeys.runID, .init(codingPath: c.codingPath, debugDescription: "run without run_id"))
        }
        runID = id
        experimentID = try c.decodeIfPresent(String.self, forKey: .experimentID) ?? ""
        runName = try c.decodeIfPresent(String.self, forKey: .runName)
        status = try c.decodeIfPresent(MLflowRunStatus.self, forKey: .status)
        startTime = try MLflowInt64.decode(c, .startTime)
        endTime = try MLflowInt64.decode(c, .endTime)
        lifecycleStage = try c.decodeIfPresent(String.self, forKey: .lifecycleStage)
    }
}

/// A run's logged data (latest metric values, params, tags).
public struct MLflowRunData: Sendable, Hashable, Decodable {
    /// The latest value of each metric.
    public var metrics: [MLflowMetric]
    /// Params.
    public var params: [MLflowKeyValue]
    /// Tags (MLflow's own `mlflow.*` ones included).
    public var tags: [MLflowKeyValue]

    enum CodingKeys: String, CodingKey { case metrics, params, tags }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        metrics = try c.decodeIfPresent([MLflowMetric].self, forKey: .metrics) ?? []
        params = try c.decodeIfPresent([MLflowKeyValue].self, forKey: .params) ?? []
        tags = try c.decodeIfPresent([MLflowKeyValue].self, forKey: .tags) ?? []
    }

    init() {
        metrics = []
        params = []
        tags = []
    }

    /// The value of tag `key`.
    public func tag(_ key: String) -> String? { tags.first { $0.key == key }?.value }
    /// The value of param `key`.
    public func param(_ key: String) -> String? { params.first { $0.key == key }?.value }
}

/// A run: its info, data and dataset inputs.
public struct MLflowRun: Sendable, Hashable, Decodable {
    /// Metadata.
    public var info: MLflowRunInfo
    /// Logged data.
    public var data: MLflowRunData
    /// Dataset inputs (`inputs.dataset_inputs`).
    public var datasetInputs: [MLflowDatasetInput]

    enum CodingKeys: String, CodingKey { case info, data, inputs }
    enum InputsKeys: String, CodingKey { case datasetInputs = "dataset_inputs" }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        info = try c.decode(MLflowRunInfo.self, forKey: .info)
        data = try c.decodeIfPresent(MLflowRunData.self, forKey: .data) ?? MLflowRunData()
        if c.contains(.inputs), let inputs = try? c.nestedContainer(keyedBy: InputsKeys.self, forKey: .inputs) {
            datasetInputs = try inputs.decodeIfPresent([MLflowDatasetInput].self, forKey: .datasetInputs) ?? []
        } else {
            datasetInputs = []
        }
    }
}

/// A dataset as MLflow records it (`runs/log-inputs`): `digest` identifies the version.
public struct MLflowDataset: Sendable, Hashable, Codable {
    /// The dataset's name.
    public var name: String
    /// Its version or content digest.
    public var digest: String
    /// Where it lives: `s3`, `gs`, `http`, `local`, ...
    public var sourceType: String
    /// The source as JSON text (`{"uri": "s3://..."}`), MLflow's convention.
    public var source: String

    /// A dataset; `source` becomes `{"uri": "<uri>"}`.
    public init(name: String, digest: String, sourceType: String, uri: String) {
        self.name = name
        self.digest = digest
        self.sourceType = sourceType
        let encoded = (try? JSONEncoder().encode(["uri": uri])).map { String(decoding: $0, as: UTF8.self) }
        self.source = encoded ?? "{}"
    }

    enum CodingKeys: String, CodingKey {
        case name, digest, sourceType = "source_type", source
    }
}

/// One dataset input of a run, with its tags (`mlflow.data.context` = `training`, ...).
public struct MLflowDatasetInput: Sendable, Hashable, Codable {
    /// The dataset.
    public var dataset: MLflowDataset
    /// Its tags for this run.
    public var tags: [MLflowKeyValue]

    /// An input.
    public init(dataset: MLflowDataset, tags: [MLflowKeyValue] = []) {
        self.dataset = dataset
        self.tags = tags
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        dataset = try c.decode(MLflowDataset.self, forKey: .dataset)
        tags = try c.decodeIfPresent([MLflowKeyValue].self, forKey: .tags) ?? []
    }

    enum CodingKeys: String, CodingKey { case dataset, tags }
}

/// MLflow's proto3 JSON writes int64 as a number or as a string: read both.
enum MLflowInt64 {
    static func decode<K: CodingKey>(_ c: KeyedDecodingContainer<K>, _ key: K) throws -> Int64? {
        if let number = try? c.decodeIfPresent(Int64.self, forKey: key) { return number }
        if let text = try? c.decodeIfPresent(String.self, forKey: key) { return Int64(text) }
        return nil
    }
}
