import Metrics

/// controller-runtime's metric names. Every series a dashboard or an `absent()` alert relies on is
/// created with 0 when a controller starts (as controller-runtime does), not at its first use.
public enum ControllerMetrics {
    /// The `result` label values of `controller_runtime_reconcile_total`.
    public static let results = ["success", "error", "requeue", "requeue_after"]
    /// Every metric name the controller process exports (the dashboard test checks against it).
    public static let names = [
        "controller_runtime_reconcile_total", "controller_runtime_reconcile_errors_total",
        "controller_runtime_terminal_reconcile_errors_total", "controller_runtime_reconcile_time_seconds",
        "controller_runtime_max_concurrent_reconciles", "workqueue_depth", "workqueue_adds_total", "workqueue_retries_total",
        "rest_client_requests_total", "sextant_events_dropped_total", "leader_election_master_status",
    ]

    /// Creates the controller's counters and histogram at 0 and records its worker count.
    public static func initialize(controller: String, workers: Int) {
        for result in results {
            _ = Counter(label: "controller_runtime_reconcile_total", dimensions: [("controller", controller), ("result", result)])
        }
        _ = Counter(label: "controller_runtime_reconcile_errors_total", dimensions: [("controller", controller)])
        _ = Counter(label: "controller_runtime_terminal_reconcile_errors_total", dimensions: [("controller", controller)])
        _ = Metrics.Timer(label: "controller_runtime_reconcile_time_seconds", dimensions: [("controller", controller)])
        Gauge(label: "controller_runtime_max_concurrent_reconciles", dimensions: [("controller", controller)]).record(workers)
        _ = Counter(label: "workqueue_adds_total", dimensions: [("name", controller)])
        _ = Counter(label: "workqueue_retries_total", dimensions: [("name", controller)])
        Gauge(label: "workqueue_depth", dimensions: [("name", controller)]).record(0)
    }

    /// Creates the event recorder's drop counters at 0.
    static func initializeEvents() {
        for reason in ["queue_full", "spam"] {
            _ = Counter(label: "sextant_events_dropped_total", dimensions: [("reason", reason)])
        }
    }
}
