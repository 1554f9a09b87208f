import KubeCore

/// An Apache Airflow DAG run (Airflow 3 REST API): triggered with `dag_run_id` = the attempt's
/// deterministic name, polled until `success` or `failed`; its last task's `return_value` XCom,
/// when it is an outputs JSON object, becomes the step's outputs. Credentials come from the
/// controller's environment (`AIRFLOW_API_TOKEN`, or `AIRFLOW_USERNAME`/`AIRFLOW_PASSWORD`).
public struct AirflowStep: Codable, Sendable, Hashable {
    /// Base URL of the Airflow API server (`https://airflow.example.com`).
    public var url: String
    /// DAG id.
    public var dagId: String
    /// The DAG run's `conf` (templates in its strings are resolved).
    public var conf: JSONValue?

    /// An Airflow step.
    public init(url: String, dagId: String, conf: JSONValue? = nil) {
        self.url = url
        self.dagId = dagId
        self.conf = conf
    }

    /// The OpenAPI schema of an Airflow step.
    public static let schema: SchemaNode = .object(
        "Trigger an Apache Airflow DAG run (Airflow 3 REST API, `dag_run_id` = the attempt's deterministic name; an existing run of that id is adopted) and wait for it. Its last task's `return_value` XCom, when it is an outputs JSON object, is the step's outputs. Credentials come from the controller's environment, never from this object.",
        required: ["url", "dagId"],
        [
            ("url", .string("Base URL of the Airflow API server (`https://airflow.example.com`).").templatedPattern("^https?://.+$")),
            ("dagId", .string("DAG id.").minLength(1)),
            ("conf", .opaqueObject("The DAG run's `conf` object; templates in its strings are resolved.")),
        ])
}
