import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Where the kubelet keeps a pod's files: `<data-dir>/pods/<namespace>/<pod>/` holding
/// `<container>.log` (stdout+stderr), `<container>.termination-log` (the termination message /
/// `SEXTANT_OUTPUTS_PATH`) and `work/` (the working directory of local-executor processes).
///
/// Nothing is created up front: the directory and a log appear with the first line written to
/// them (a process's output, a simulated container's notes); the termination log and `work/` when
/// a local-executor process starts. A container that has started but has no log file has an empty
/// log. A simulated container's precise start time is its log's modification time (set after its
/// "started" line; nothing else writes that log until the container ends), so a resumed simulated
/// container keeps its schedule without another file.
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

    /// Starts a pod afresh: the files of an older pod of the same name are removed (the new
    /// pod's appear when first written).
    func prepare(namespace: String?, pod: String) {
        remove(namespace: namespace, pod: pod)
    }

    /// Removes a pod's files.
    func remove(namespace: String?, pod: String) {
        try? FileManager.default.removeItem(at: directory(namespace: namespace, pod: pod))
    }

    /// Appends a line to a container's log, creating the pod's directory and the log when missing.
    /// With `modified`, the log's modification time is set to it afterwards (a simulated
    /// container's precise start, read back by `recordedStart`).
    func appendLog(namespace: String?, pod: String, container: String, _ line: String, modified: Date? = nil) {
        let path = log(namespace: namespace, pod: pod, container: container).path
        var fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        if fd < 0, errno == ENOENT {
            try? FileManager.default.createDirectory(at: directory(namespace: namespace, pod: pod), withIntermediateDirectories: true)
            fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        }
        guard fd >= 0 else { return }
        defer { close(fd) }
        let bytes = Array((line + "\n").utf8)
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress.map { $0 + written }, bytes.count - written) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { return }
            written += n
        }
        if let modified {
            let seconds = modified.timeIntervalSince1970.rounded(.down)
            let nanos = Int((modified.timeIntervalSince1970 - seconds) * 1_000_000_000)
            let stamp = timespec(tv_sec: Int(seconds), tv_nsec: nanos)
            var times = (stamp, stamp)
            _ = withUnsafePointer(to: &times) { $0.withMemoryRebound(to: timespec.self, capacity: 2) { futimens(fd, $0) } }
        }
    }

    /// The start time recorded on a simulated container's log (its modification time), nil when
    /// the log does not exist.
    func recordedStart(namespace: String?, pod: String, container: String) -> Date? {
        var info = stat()
        guard stat(log(namespace: namespace, pod: pod, container: container).path, &info) == 0 else { return nil }
        return Date(timeIntervalSince1970: Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1_000_000_000)
    }
}
