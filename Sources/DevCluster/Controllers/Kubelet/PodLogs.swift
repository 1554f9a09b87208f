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
        guard let handle = try? FileHandle(forReadingFrom: url) else {
            throw badRequest("container \"\(name)\" in pod \"\(pod)\" is waiting to start: ContainerCreating")
        }
        if let tailLines {
            let data = (try? handle.readToEnd()) ?? Data()
            let offset = Self.tailOffset(data, lines: max(0, tailLines))
            try? handle.seek(toOffset: UInt64(offset))
        }
        let key = ObjectKey(namespace: namespace, name: pod)
        let uid = object.uid
        let reader = LogReader(handle: handle)
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

/// A log file being read by one stream.
private final class LogReader: Sendable {
    private let handle: Mutex<FileHandle?>

    init(handle: FileHandle) { self.handle = Mutex(handle) }

    /// The next bytes, or nil at the current end of the file.
    func read() -> [UInt8]? {
        handle.withLock { h in
            guard let h, let data = try? h.read(upToCount: 64 * 1024), !data.isEmpty else { return nil }
            return [UInt8](data)
        }
    }

    func close() {
        handle.withLock { h in
            try? h?.close()
            h = nil
        }
    }
}
