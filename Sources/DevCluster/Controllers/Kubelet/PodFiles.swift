import Foundation

/// Where the kubelet keeps a pod's files: `<data-dir>/pods/<namespace>/<pod>/` holding
/// `<container>.log` (stdout+stderr), `<container>.termination-log` (the termination message /
/// `SEXTANT_OUTPUTS_PATH`) and `work/` (the working directory of local-executor processes,
/// created when the first such process starts: simulated pods never need it).
struct PodFiles: Sendable {
    let root: URL

    init(dataDirectory: URL) {
        root = dataDirectory.appendingPathComponent("pods", isDirectory: true)
    }

    func directory(namespace: String?, pod: String) -> URL {
        root.appendingPathComponent(namespace ?? "_cluster", isDirectory: true).appendingPathComponent(pod, isDirectory: true)
    }

    func log(namespace: String?, pod: String, container: String) -> URL {
        directory(namespace: namespace, pod: pod).appendingPathComponent("\(container).log")
    }

    func terminationLog(namespace: String?, pod: String, container: String) -> URL {
        directory(namespace: namespace, pod: pod).appendingPathComponent("\(container).termination-log")
    }

    func workDirectory(namespace: String?, pod: String) -> URL {
        directory(namespace: namespace, pod: pod).appendingPathComponent("work", isDirectory: true)
    }

    /// The working directory of a local-executor process, created when missing.
    func makeWorkDirectory(namespace: String?, pod: String) throws -> URL {
        let url = workDirectory(namespace: namespace, pod: pod)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Creates a fresh directory for a pod (an old one of the same name is removed) with empty logs.
    func prepare(namespace: String?, pod: String, containers: [String]) throws {
        let fm = FileManager.default
        let dir = directory(namespace: namespace, pod: pod)
        try? fm.removeItem(at: dir)
        try fm.createDirectory(at: dir, withIntermediateDirectories: true)
        for container in containers {
            _ = fm.createFile(atPath: log(namespace: namespace, pod: pod, container: container).path, contents: nil)
            _ = fm.createFile(atPath: terminationLog(namespace: namespace, pod: pod, container: container).path, contents: nil)
        }
    }

    /// Creates a pod's directory and logs when missing, keeping what is there (a resumed pod).
    func ensure(namespace: String?, pod: String, containers: [String]) throws {
        let fm = FileManager.default
        try fm.createDirectory(at: directory(namespace: namespace, pod: pod), withIntermediateDirectories: true)
        for container in containers {
            for url in [log(namespace: namespace, pod: pod, container: container), terminationLog(namespace: namespace, pod: pod, container: container)]
            where !fm.fileExists(atPath: url.path) {
                _ = fm.createFile(atPath: url.path, contents: nil)
            }
        }
    }

    /// The precise start time (seconds since 1970) of a container's current run: the status
    /// shows whole seconds, a resumed simulated container needs its exact schedule.
    func startedFile(namespace: String?, pod: String, container: String) -> URL {
        directory(namespace: namespace, pod: pod).appendingPathComponent("\(container).started")
    }

    /// Removes a pod's files.
    func remove(namespace: String?, pod: String) {
        try? FileManager.default.removeItem(at: directory(namespace: namespace, pod: pod))
    }

    /// Appends a line to a container's log.
    func appendLog(namespace: String?, pod: String, container: String, _ line: String) {
        let url = log(namespace: namespace, pod: pod, container: container)
        guard let handle = try? FileHandle(forWritingTo: url) else { return }
        defer { try? handle.close() }
        _ = try? handle.seekToEnd()
        try? handle.write(contentsOf: Data((line + "\n").utf8))
    }
}
