import Foundation
import KubeCore
import Synchronization

/// Serves pod logs (`GET .../pods/NAME/log`, `kubectl logs [-f] [--tail]`) from the files the
/// kubelet emulation writes. With `follow`, the stream stays open until the pod's containers
/// have stopped (or the client goes away).
public final class KubeletLogProvider: PodLogProvider {
    private let store: any ObjectStore
    private let files: PodFiles
    private let registry: PodRegistry
    private let pollInterval: Duration

    init(store: any ObjectStore, files: PodFiles, registry: PodRegistry, pollInterval: Duration = .milliseconds(100)) {
        self.store = store
        self.files = files
        self.registry = registry
        self.pollInterval = pollInterval
    }

    /// The log of one container. Throws a 404 Status for an unknown pod, 400 for a missing or
    /// unknown container name or a container that has not started.
    public func logs(namespace: String, pod: String, container: String?, follow: Bool, tailLines: Int?) async throws -> AsyncThrowingStream<[UInt8], Error> {
        let object = try await store.get(WorkloadResource.pods, namespace: namespace, name: pod)
        let names = (object[path: ["spec", "containers"]]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
        let name: String
        if let container {
            guard names.contains(container) else {
                throw badRequest("container \(container) is not valid for pod \(pod)")
            }
            name = container
        } else if names.count == 1, let only = names.first {
            name = only
        } else {
            throw badRequest("a container name must be specified for pod \(pod), choose one of: [\(names.joined(separator: " "))]")
        }
        let url = files.log(namespace: namespace, pod: pod, container: name)
        let key = ObjectKey(namespace: namespace, name: pod)
        let handle = try? FileHandle(forReadingFrom: url)
        if handle == nil {
            // Logs are created with their first line: a container that has started (or a pod the
            // kubelet is running) without one has an empty log so far.
            let runs = registry.handle(key).map { $0.uid == object.uid } ?? false
            guard runs || Self.hasStarted(object, container: name) else {
                throw badRequest("container \"\(name)\" in pod \"\(pod)\" is waiting to start: ContainerCreating")
            }
        }
        if let handle, let tailLines {
            let data = (try? handle.readToEnd()) ?? Data()
            let offset = Self.tailOffset(data, lines: max(0, tailLines))
            try? handle.seek(toOffset: UInt64(offset))
        }
        let uid = object.uid
        let reader = LogReader(url: url, handle: handle)
        let registry = registry
        let poll = pollInterval
        return AsyncThrowingStream {
            while true {
                if let chunk = reader.read() { return chunk }
                guard follow else { reader.close(); return nil }
                let running = registry.handle(key).map { $0.uid == uid } ?? false
                if !running {
                    if let chunk = reader.read() { return chunk }
                    reader.close()
                    return nil
                }
                try await Task.sleep(for: poll)
            }
        }
    }

    /// Whether the pod's status shows the container started at least once (running, or terminated now or before).
    static func hasStarted(_ pod: JSONValue, container: String) -> Bool {
        let statuses = pod[path: ["status", "containerStatuses"]]?.arrayValue ?? []
        guard let status = statuses.first(where: { $0["name"]?.stringValue == container }) else { return false }
        return status[path: ["state", "running"]] != nil || status[path: ["state", "terminated"]] != nil
            || status[path: ["lastState", "terminated"]] != nil
    }

    /// The byte offset where the last `lines` lines of `data` begin (a trailing newline ends the last line).
    static func tailOffset(_ data: Data, lines: Int) -> Int {
        guard lines > 0 else { return data.count }
        let bytes = [UInt8](data)
        var end = bytes.count
        if end > 0, bytes[end - 1] == UInt8(ascii: "\n") { end -= 1 }
        var seen = 0
        var i = end
        while i > 0 {
            if bytes[i - 1] == UInt8(ascii: "\n") {
                seen += 1
                if seen == lines { return i }
            }
            i -= 1
        }
        return 0
    }

    private func badRequest(_ message: String) -> Status {
        Status(message: message, reason: "BadRequest", code: 400)
    }
}

/// A log file being read by one stream; a log that does not exist yet is opened once it does.
private final class LogReader: Sendable {
    private struct State {
        var handle: FileHandle?
        var closed = false
    }

    private let url: URL
    private let state: Mutex<State>

    init(url: URL, handle: FileHandle?) {
        self.url = url
        state = Mutex(State(handle: handle))
    }

    /// The next bytes, or nil at the current end of the file (or while it does not exist).
    func read() -> [UInt8]? {
        let url = url
        return state.withLock { s in
            guard !s.closed else { return nil }
            if s.handle == nil { s.handle = try? FileHandle(forReadingFrom: url) }
            guard let h = s.handle, let data = try? h.read(upToCount: 64 * 1024), !data.isEmpty else { return nil }
            return [UInt8](data)
        }
    }

    func close() {
        state.withLock { s in
            try? s.handle?.close()
            s.handle = nil
            s.closed = true
        }
    }
}
