import Foundation
import KubeCore

#if canImport(Glibc)
import Glibc
#endif

/// A real Apache Airflow 3 (`airflow standalone` from the venv of `hack/tools.d/airflow.sh`) on a
/// free loopback port, with the DAGs of `Tests/harness/airflow/dags`, SQLite in a temporary
/// AIRFLOW_HOME, low parallelism, and one user (`sextant`, password `AirflowPeer.password`) of the
/// simple auth manager. Stopped by process group.
public final class AirflowPeer: Sendable {
    /// The user the tests log in as.
    public static let username = "sextant"
    /// Its password (a test value).
    public static let password = "sextant-test-password"

    /// The standalone process (api-server, scheduler, dag-processor, triggerer).
    public let peer: PeerProcess
    /// AIRFLOW_HOME.
    public let home: URL

    private init(peer: PeerProcess, home: URL) {
        self.peer = peer
        self.home = home
    }

    /// `http://127.0.0.1:PORT`.
    public var url: String { peer.url }

    /// The venv's `airflow`.
    public static var executable: String {
        ProcessRunner.packageRoot.appendingPathComponent(".sextant/airflow-venv/bin/airflow").path
    }

    /// Whether Airflow is installed (`hack/install-tools.sh airflow`).
    public static var isInstalled: Bool { FileManager.default.isExecutableFile(atPath: executable) }

    /// The controller environment that logs in with user and password.
    public var controllerEnvironment: [String: String] {
        ["AIRFLOW_USERNAME": Self.username, "AIRFLOW_PASSWORD": Self.password]
    }

    /// Starts Airflow and waits until its API answers and the test DAGs are parsed. `airflow standalone`
    /// (migrations, scheduler, dag-processor, triggerer, API server) was not ready after 240 s at load 27
    /// (the whole Airflow test takes 90 s at low load): the wait is long, and costs nothing when it is quick.
    public static func start(timeout: Double = 420) async throws -> AirflowPeer {
        guard isInstalled else {
            throw TestSupportError.startFailed("Airflow is not installed: run hack/install-tools.sh airflow (\(executable) missing)")
        }
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("airflow-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        let passwords = home.appendingPathComponent("passwords.json")
        try Data(#"{"\#(username)": "\#(password)"}"#.utf8).write(to: passwords)
        let bin = ProcessRunner.packageRoot.appendingPathComponent(".sextant/airflow-venv/bin").path
        let env: [String: String] = [
            "PATH": bin + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"),
            "AIRFLOW_HOME": home.path,
            "AIRFLOW__CORE__DAGS_FOLDER": ProcessRunner.packageRoot.appendingPathComponent("Tests/harness/airflow/dags").path,
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
            "AIRFLOW__CORE__PARALLELISM": "2",
            "AIRFLOW__CORE__MAX_ACTIVE_TASKS_PER_DAG": "2",
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__PORT": "{port}",
            "AIRFLOW__API__WORKERS": "1",
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": "http://127.0.0.1:{port}/execution/",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "\(username):admin",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": passwords.path,
            "AIRFLOW__SCHEDULER__SCHEDULER_IDLE_SLEEP_TIME": "0.5",
            // The task runner's calls to the execution API time out after 5 s by default: too short
            // on a loaded 2-core machine (the task then fails before it starts).
            "AIRFLOW__WORKERS__EXECUTION_API_TIMEOUT": "60",
            // The scheduler's and triggerer's log servers listen on fixed ports (8793, 8794) unless told.
            "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": String(try PeerProcess.freePort()),
            "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": String(try PeerProcess.freePort()),
            "PYTHONUNBUFFERED": "1",
        ]
        let peer = try await PeerProcess.start(name: "airflow", executable: executable, arguments: ["standalone"], environment: env,
                                               readyPath: "/api/v2/monitor/health", logDirectory: home, timeout: timeout)
        let airflow = AirflowPeer(peer: peer, home: home)
        // The API answers before the dag-processor has stored the DAGs: wait for them.
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let dags = try? await airflow.get("/api/v2/dags?limit=100"),
               Set((dags["dags"]?.arrayValue ?? []).compactMap { $0["dag_id"]?.stringValue }).isSuperset(of: ["sextant_outputs", "sextant_fails", "sextant_slow"]) {
                return airflow
            }
            try await Task.sleep(for: .milliseconds(500))
        }
        airflow.stop()
        throw TestSupportError.timeout("Airflow did not list the test DAGs after \(timeout)s:\n\(peer.logTail())")
    }

    /// A JWT of the test user.
    public func token() async throws -> String {
        var last = ""
        for attempt in 0..<3 {
            if attempt > 0 { try await Task.sleep(for: .seconds(1)) }
            let result = try await ProcessRunner.run("/usr/bin/curl", [
                "-sS", "--max-time", "20", "-X", "POST", "-H", "Content-Type: application/json",
                "--data-binary", #"{"username":"\#(Self.username)","password":"\#(Self.password)"}"#, url + "/auth/token",
            ], timeout: 30)
            if let token = (try? JSONValue.parse(result.stdout))?["access_token"]?.stringValue { return token }
            last = "\(result.stdout.prefix(300)) \(result.stderr.prefix(300))"
        }
        throw TestSupportError.startFailed("Airflow /auth/token after 3 tries: \(last)")
    }

    /// GET `path` with the test user's token; the JSON answer. Airflow's single API worker can leave
    /// a request unanswered for 20 s on a loaded machine (curl then prints nothing): such an empty or
    /// cut answer is asked again, up to 3 times, before it fails the test with curl's error.
    public func get(_ path: String) async throws -> JSONValue {
        var last = ""
        for attempt in 0..<3 {
            if attempt > 0 { try await Task.sleep(for: .seconds(1)) }
            let token = try await token()
            let result = try await ProcessRunner.run("/usr/bin/curl", ["-sS", "--max-time", "20", "-H", "Authorization: Bearer \(token)", url + path], timeout: 30)
            if let answer = try? JSONValue.parse(result.stdout) { return answer }
            last = "stdout \(result.stdout.prefix(300).debugDescription), curl: \(result.stderr.prefix(300))"
        }
        throw TestSupportError.startFailed("Airflow GET \(path) gave no JSON after 3 tries: \(last)")
    }

    /// The DAG run `runId` of `dagId` (nil when there is none).
    public func dagRun(_ dagId: String, _ runId: String) async throws -> JSONValue? {
        let run = try await get("/api/v2/dags/\(dagId)/dagRuns/\(runId)")
        return run["dag_run_id"] == nil ? nil : run
    }

    /// Every DAG run of `dagId`.
    public func dagRuns(_ dagId: String) async throws -> [JSONValue] {
        try await get("/api/v2/dags/\(dagId)/dagRuns?limit=100")["dag_runs"]?.arrayValue ?? []
    }

    /// The log of `airflow standalone`.
    public func log() -> String { peer.log() }

    /// Stops every Airflow process and removes AIRFLOW_HOME: the process group of `airflow
    /// standalone`, then, by PID, the task processes that Airflow's LocalExecutor starts in their own
    /// sessions (found by this peer's AIRFLOW_HOME in their environment).
    public func stop() {
        peer.stop()
        for pid in Self.processes(withEnvironment: "AIRFLOW_HOME=\(home.path)") { kill(pid, SIGKILL) }
        try? FileManager.default.removeItem(at: home)
    }

    /// PIDs of the processes whose environment holds `entry`.
    static func processes(withEnvironment entry: String) -> [Int32] {
        let proc = URL(fileURLWithPath: "/proc")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: proc.path)) ?? []
        return names.compactMap { name -> Int32? in
            guard let pid = Int32(name), pid != getpid(),
                  let environ = try? Data(contentsOf: proc.appendingPathComponent("\(name)/environ")) else { return nil }
            let entries = environ.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            return entries.contains(entry) ? pid : nil
        }
    }
}
