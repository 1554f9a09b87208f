import KubeCore

/// One OpenLineage `RunEvent` (spec 2-0-2, https://openlineage.io/spec/2-0-2/OpenLineage.json).
/// Facets are kept as JSON objects: each carries its own `_producer` and `_schemaURL`.
public struct OpenLineageRunEvent: Codable, Sendable, Hashable {
    /// The run state transition.
    public enum EventType: String, Codable, Sendable, Hashable, CaseIterable {
        case start = "START"
        case complete = "COMPLETE"
        case fail = "FAIL"
        case abort = "ABORT"
    }

    /// `RunEvent` of spec 2-0-2.
    public static let schemaURL = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"

    /// RFC 3339 time of the transition.
    public var eventTime: String
    /// URI of the producer (Sextant).
    public var producer: String
    /// `RunEvent` schema of spec 2-0-2.
    public var schemaURL: String
    /// START, COMPLETE, FAIL or ABORT.
    public var eventType: EventType
    /// The run (its UUID and run facets).
    public var run: Run
    /// The job the run belongs to.
    public var job: Job
    /// Datasets read.
    public var inputs: [DatasetRef]
    /// Datasets written.
    public var outputs: [DatasetRef]

    /// An event.
    public init(eventTime: String, producer: String, eventType: EventType, run: Run, job: Job,
                inputs: [DatasetRef] = [], outputs: [DatasetRef] = []) {
        self.eventTime = eventTime
        self.producer = producer
        self.schemaURL = Self.schemaURL
        self.eventType = eventType
        self.run = run
        self.job = job
        self.inputs = inputs
        self.outputs = outputs
    }

    /// A run: its id and facets.
    public struct Run: Codable, Sendable, Hashable {
        /// UUID (lower case) of the run.
        public var runId: String
        /// Run facets by name (`parent`, `errorMessage`).
        public var facets: [String: JSONValue]?

        /// A run.
        public init(runId: String, facets: [String: JSONValue]? = nil) {
            self.runId = runId
            self.facets = facets
        }
    }

    /// A job: `<k8s namespace>.<pipeline>` or `<k8s namespace>.<pipeline>.<step>` in the
    /// OpenLineage namespace (`OPENLINEAGE_NAMESPACE`, default `sextant`).
    public struct Job: Codable, Sendable, Hashable {
        /// OpenLineage namespace of the job.
        public var namespace: String
        /// Job name.
        public var name: String
        /// Job facets by name (`jobType`).
        public var facets: [String: JSONValue]?

        /// A job.
        public init(namespace: String, name: String, facets: [String: JSONValue]? = nil) {
            self.namespace = namespace
            self.name = name
            self.facets = facets
        }
    }

    /// An input or output dataset, named by the OpenLineage naming rules from its URI.
    public struct DatasetRef: Codable, Sendable, Hashable {
        /// Dataset namespace (`s3://bucket`, `gs://bucket`, `file`, ...).
        public var namespace: String
        /// Dataset name (the path).
        public var name: String
        /// Dataset facets by name (`version`).
        public var facets: [String: JSONValue]?

        /// A dataset.
        public init(namespace: String, name: String, facets: [String: JSONValue]? = nil) {
            self.namespace = namespace
            self.name = name
            self.facets = facets
        }
    }

    /// What identifies the event for de-duplication: the run and the transition.
    public var key: String { "\(run.runId)/\(eventType.rawValue)" }
}
