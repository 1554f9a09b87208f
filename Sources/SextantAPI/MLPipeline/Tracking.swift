import KubeCore

/// Where a run is tracked (`spec.tracking`): an MLflow experiment and/or a W&B project.
public struct TrackingSpec: Codable, Sendable, Hashable {
    /// MLflow: one run per pipeline run in `experiment`.
    public var mlflow: MLflowTrackingSpec?
    /// Weights & Biases: environment for the steps only (the controller calls no W&B API).
    public var wandb: WandbTrackingSpec?

    /// A tracking block.
    public init(mlflow: MLflowTrackingSpec? = nil, wandb: WandbTrackingSpec? = nil) {
        self.mlflow = mlflow
        self.wandb = wandb
    }
}

/// The MLflow server and experiment of a run.
public struct MLflowTrackingSpec: Codable, Sendable, Hashable {
    /// `http(s)://host:port` of the tracking server, as the controller and the steps reach it.
    public var trackingURI: String
    /// Experiment name; found or created.
    public var experiment: String

    /// An MLflow tracking block.
    public init(trackingURI: String, experiment: String) {
        self.trackingURI = trackingURI
        self.experiment = experiment
    }
}

/// The W&B project of a run's steps.
public struct WandbTrackingSpec: Codable, Sendable, Hashable {
    /// `WANDB_PROJECT`.
    public var project: String
    /// `WANDB_ENTITY` (team or user).
    public var entity: String?

    /// A W&B block.
    public init(project: String, entity: String? = nil) {
        self.project = project
        self.entity = entity
    }
}

/// Where the run is tracked (`status.tracking`).
public struct TrackingStatus: Codable, Sendable, Hashable {
    /// The MLflow run, once it exists.
    public var mlflow: MLflowTrackingStatus?
    /// The W&B group of the steps' runs.
    public var wandb: WandbTrackingStatus?

    /// A tracking status.
    public init(mlflow: MLflowTrackingStatus? = nil, wandb: WandbTrackingStatus? = nil) {
        self.mlflow = mlflow
        self.wandb = wandb
    }
}

/// The MLflow experiment and run of a pipeline run.
public struct MLflowTrackingStatus: Codable, Sendable, Hashable {
    /// The experiment's id.
    public var experimentId: String?
    /// The run's id (the parent run of the steps' nested runs).
    public var runId: String?
    /// The run's page in the MLflow UI.
    public var url: String?

    /// An MLflow tracking status.
    public init(experimentId: String? = nil, runId: String? = nil, url: String? = nil) {
        self.experimentId = experimentId
        self.runId = runId
        self.url = url
    }
}

/// The W&B grouping of a pipeline run's step runs.
public struct WandbTrackingStatus: Codable, Sendable, Hashable {
    /// `WANDB_RUN_GROUP` given to every step (the pipeline's name).
    public var group: String?

    /// A W&B tracking status.
    public init(group: String? = nil) {
        self.group = group
    }
}

extension MLPipeline {
    /// The OpenAPI schema of `spec.tracking`.
    static let trackingSchema: SchemaNode = .object(
        "Experiment tracking of the run (docs/tracking.md). A tracking server that is down never fails or blocks the run: condition `Tracked` is False with the reason and tracking is retried.",
        [
            ("mlflow", .object(
                "MLflow: the controller finds or creates the experiment and one run per pipeline run (name = the pipeline's name, tags `sextant.namespace`, `sextant.name`, `sextant.uid`), logs `params`, the datasets as run inputs, each step's output metrics as `<step>.<metric>`, images and the registered model version as tags, and ends it FINISHED, FAILED or KILLED. Every step gets `MLFLOW_TRACKING_URI`, `MLFLOW_EXPERIMENT_ID` and `MLFLOW_RUN_ID` (the parent run).",
                required: ["trackingURI", "experiment"],
                [
                    ("trackingURI", .string("URL of the tracking server (`http://mlflow.mlops:5000`) as both the controller and the steps reach it. An in-cluster server must list that host in `--allowed-hosts`.").pattern("^https?://.+")),
                    ("experiment", .string("Experiment name; created when missing.").minLength(1).maxLength(500)),
                ])),
            ("wandb", .object(
                "Weights & Biases: every step gets `WANDB_PROJECT`, `WANDB_ENTITY`, `WANDB_RUN_GROUP` (= the pipeline's name) and `WANDB_TAGS`. The controller calls no W&B API.",
                required: ["project"],
                [
                    ("project", .string("W&B project (`WANDB_PROJECT`).").minLength(1)),
                    ("entity", .string("W&B entity, a team or user (`WANDB_ENTITY`).")),
                ])),
        ])

    /// The OpenAPI schema of `status.tracking`.
    static let trackingStatusSchema: SchemaNode = .object(
        "Where the run is tracked.",
        [
            ("mlflow", .object("The MLflow run of this pipeline run.", [
                ("experimentId", .string("The experiment's id.")),
                ("runId", .string("The run's id: the parent of the steps' nested runs (`MLFLOW_RUN_ID`).")),
                ("url", .string("The run's page in the MLflow UI.")),
            ])),
            ("wandb", .object("The W&B grouping of the steps' runs.", [
                ("group", .string("`WANDB_RUN_GROUP` of every step: the pipeline's name.")),
            ])),
        ])
}
