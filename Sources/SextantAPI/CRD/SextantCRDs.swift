import KubeCore

/// The CustomResourceDefinitions of the three kinds, generated from the schemas declared next
/// to the Swift types. `sextant crds` writes them to `crds/`, `sextant dev` installs them in-process.
public enum SextantCRDs {
    /// One kind's naming and columns.
    struct Kind {
        var kind: String
        var plural: String
        var singular: String
        var shortName: String
        var description: String
        var spec: SchemaNode
        var status: SchemaNode
        var columns: [JSONValue]
    }

    static func column(_ name: String, _ type: String, _ path: String, _ description: String, priority: Int64 = 0) -> JSONValue {
        var o: [String: JSONValue] = ["name": .string(name), "type": .string(type), "jsonPath": .string(path), "description": .string(description)]
        if priority != 0 { o["priority"] = .int(priority) }
        return .object(o)
    }

    static let age = column("Age", "date", ".metadata.creationTimestamp", "Time since creation.")

    static let kinds: [Kind] = [
        Kind(
            kind: "MLPipeline", plural: "mlpipelines", singular: "mlpipeline", shortName: "mlp",
            description: "MLPipeline is one run of a DAG of training steps (Kubernetes Jobs or managed cloud training jobs) with parameters, datasets, caching, retries, lineage and optional registration of the resulting model as a ModelVersion.",
            spec: MLPipeline.specSchema, status: MLPipeline.statusSchema,
            columns: [
                column("Phase", "string", ".status.phase", "Run phase."),
                column("Steps", "string", ".status.progress", "Succeeded steps / total steps."),
                column("Model Version", "string", ".status.lineage.modelVersion", "The registered ModelVersion."),
                age,
            ]),
        Kind(
            kind: "ModelVersion", plural: "modelversions", singular: "modelversion", shortName: "mv",
            description: "ModelVersion is one entry of the model registry: an artifact with metrics, a requested stage gated by promotion rules, optional serving and mirrors in external registries.",
            spec: ModelVersion.specSchema, status: ModelVersion.statusSchema,
            columns: [
                column("Model", "string", ".spec.model", "Model name."),
                column("Version", "integer", ".spec.version", "Version number."),
                column("Stage", "string", ".status.stage", "Effective stage."),
                column("Ready", "string", ".status.conditions[?(@.type==\"Ready\")].status", "Ready condition."),
                age,
            ]),
        Kind(
            kind: "RetrainPolicy", plural: "retrainpolicies", singular: "retrainpolicy", shortName: "rp",
            description: "RetrainPolicy creates MLPipeline runs from a template on a schedule, when a dataset changes, when a metric crosses a threshold, or on demand.",
            spec: RetrainPolicy.specSchema, status: RetrainPolicy.statusSchema,
            columns: [
                column("Schedule", "string", ".spec.schedule", "Cron schedule."),
                column("Suspend", "boolean", ".spec.suspend", "Whether new runs are suspended."),
                column("Active", "string", ".status.active[*].name", "Runs not yet finished."),
                column("Last Trigger", "date", ".status.lastTriggerTime", "When the last run was created."),
                column("Next", "date", ".status.nextScheduleTime", "Next scheduled run."),
                age,
            ]),
    ]

    /// The CRD objects (apiextensions.k8s.io/v1), MLPipeline, ModelVersion, RetrainPolicy.
    public static func all() -> [JSONValue] { kinds.map(crd) }

    /// `(file name, YAML)` of every CRD, e.g. `ml.sextant.dev_mlpipelines.yaml`.
    public static func files() throws -> [(name: String, yaml: String)] {
        try kinds.map { kind in
            ("\(SextantGroup.group)_\(kind.plural).yaml", try YAMLWriter.document(crd(kind)))
        }
    }

    static func crd(_ k: Kind) -> JSONValue {
        let root = SchemaNode.object(k.description, required: ["spec"], [
            ("apiVersion", .string("APIVersion defines the versioned schema of this representation of an object.")),
            ("kind", .string("Kind is a string value representing the REST resource this object represents.")),
            ("spec", k.spec),
            ("status", k.status),
        ])
        let version: JSONValue = [
            "name": .string(SextantGroup.version),
            "served": true,
            "storage": true,
            "subresources": ["status": .emptyObject],
            "additionalPrinterColumns": .array(k.columns),
            "schema": ["openAPIV3Schema": root.json],
        ]
        return [
            "apiVersion": "apiextensions.k8s.io/v1",
            "kind": "CustomResourceDefinition",
            "metadata": [
                "name": .string("\(k.plural).\(SextantGroup.group)"),
                "labels": ["app.kubernetes.io/part-of": "sextant"],
            ],
            "spec": [
                "group": .string(SextantGroup.group),
                "scope": "Namespaced",
                "names": [
                    "kind": .string(k.kind),
                    "listKind": .string(k.kind + "List"),
                    "plural": .string(k.plural),
                    "singular": .string(k.singular),
                    "shortNames": [.string(k.shortName)],
                    "categories": [.string(SextantGroup.category)],
                ],
                "versions": [version],
            ],
        ]
    }
}
