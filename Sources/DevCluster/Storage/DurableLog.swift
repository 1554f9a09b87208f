import Dispatch
import Foundation
import KubeCore
import Synchronization

/// One record of the write-ahead log: an object stored or removed at a resourceVersion.
struct LogRecord: Sendable {
    var resourceVersion: UInt64
    var storageKey: String
    var objectKey: String
    /// nil for a removal.
    var object: JSONValue?

    var json: JSONValue {
        var o: [String: JSONValue] = ["rv": .int(Int64(resourceVersion)), "s": .string(storageKey), "k": .string(objectKey)]
        if let object { o["o"] = object }
        return .object(o)
    }

    init(resourceVersion: UInt64, storageKey: String, objectKey: String, object: JSONValue?) {
        self.resourceVersion = resourceVersion
        self.storageKey = storageKey
        self.objectKey = objectKey
        self.object = object
    }

    init?(json: JSONValue) {
        guard let rv = json["rv"]?.intValue, let s = json["s"]?.stringValue, let k = json["k"]?.stringValue else { return nil }
        let object = json["o"]
        self.init(resourceVersion: UInt64(rv), storageKey: s, objectKey: k, object: object?.isNull == true ? nil : object)
    }
}

/// The file under the log: appends and fsync. A protocol so tests can simulate a crash between a
/// write and its fsync.
protocol LogFile: Sendable {
    /// Appends bytes (they may still sit in the page cache).
    func write(_ data: Data) throws
    /// Makes every byte written so far durable (fsync).
    func sync() throws
    func close()
}

/// A `LogFile` on a real file.
final class FileHandleLogFile: LogFile, @unchecked Sendable {
    // Used only from the log's flush queue (and `close` after it drained); FileHandle is not Sendable.
    private let handle: FileHandle

    init(handle: FileHandle) {
        self.handle = handle
    }

    func write(_ data: Data) throws { try handle.write(contentsOf: data) }
    func sync() throws { try handle.synchronize() }
    func close() { try? handle.close() }
}

/// The append-only JSON-lines log in the data directory, with group commit: `append` only queues
/// the records (the store actor never waits for the disk); one flush queue writes everything queued
/// so far and fsyncs it once, so writes that arrive together share one fsync. `waitDurable(rv)`
/// returns once every record up to `rv` is on disk — the API answers a write only after that, so
/// every acknowledged write survives `kill -9`. When a write or fsync fails, every waiting and
/// later write fails (nothing not durable is ever acknowledged; the server must be restarted).
/// At startup the log is replayed and rewritten as a compact snapshot.
final class DurableLog: Sendable {
    private struct State {
        var pending = Data()
        var pendingRV: UInt64 = 0
        var durableRV: UInt64 = 0
        var flushing = false
        var failure: DevClusterError?
        var closed = false
        var waiters: [(rv: UInt64, continuation: CheckedContinuation<Void, Error>)] = []
        var syncs = 0
    }

    let path: URL
    private let file: any LogFile
    private let state: Mutex<State>
    private let queue = DispatchQueue(label: "sextant.dev.durable-log")
    private let drained = DispatchGroup()

    /// Opens (creating if needed) `dir/objects.jsonl`, returning the log and its replayed state.
    static func open(directory: URL) throws -> (DurableLog, [String: [String: JSONValue]], UInt64) {
        let fm = FileManager.default
        do {
            try fm.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw DevClusterError.storage("cannot create \(directory.path): \(error)")
        }
        let path = directory.appendingPathComponent("objects.jsonl")
        let (objects, maxRV) = replay(fm.contents(atPath: path.path) ?? Data())
        // Rewrite as a snapshot: write a temp file, fsync, rename over the log.
        let temp = directory.appendingPathComponent("objects.jsonl.tmp")
        guard fm.createFile(atPath: temp.path, contents: snapshot(objects, maxRV: maxRV)) else {
            throw DevClusterError.storage("cannot write \(temp.path)")
        }
        do {
            let tempHandle = try FileHandle(forWritingTo: temp)
            try tempHandle.synchronize()
            try tempHandle.close()
            if fm.fileExists(atPath: path.path) { try fm.removeItem(at: path) }
            try fm.moveItem(at: temp, to: path)
            let handle = try FileHandle(forWritingTo: path)
            try handle.seekToEnd()
            return (DurableLog(file: FileHandleLogFile(handle: handle), path: path, durableRV: maxRV), objects, maxRV)
        } catch {
            throw DevClusterError.storage("cannot open \(path.path): \(error)")
        }
    }

    /// The objects and the highest resourceVersion in log bytes. A torn final line (a crash
    /// mid-write, never acknowledged) is skipped.
    static func replay(_ data: Data) -> ([String: [String: JSONValue]], UInt64) {
        var objects: [String: [String: JSONValue]] = [:]
        var maxRV: UInt64 = 0
        let newline = UInt8(ascii: "\n")
        var lineStart = data.startIndex
        while lineStart < data.endIndex {
            let lineEnd = data[lineStart...].firstIndex(of: newline) ?? data.endIndex
            let line = data[lineStart..<lineEnd]
            lineStart = lineEnd < data.endIndex ? data.index(after: lineEnd) : data.endIndex
            guard !line.isEmpty, let json = try? JSONValue.parse(Data(line)), let record = LogRecord(json: json) else { continue }
            maxRV = max(maxRV, record.resourceVersion)
            if record.storageKey.isEmpty { continue }  // resourceVersion marker
            if let object = record.object {
                objects[record.storageKey, default: [:]][record.objectKey] = object
            } else {
                objects[record.storageKey]?[record.objectKey] = nil
            }
        }
        return (objects, maxRV)
    }

    /// One line per live object plus a resourceVersion marker.
    static func snapshot(_ objects: [String: [String: JSONValue]], maxRV: UInt64) -> Data {
        var snapshot = Data()
        snapshot.append(LogRecord(resourceVersion: maxRV, storageKey: "", objectKey: "", object: nil).json.data())
        snapshot.append(UInt8(ascii: "\n"))
        for (storageKey, items) in objects.sorted(by: { $0.key < $1.key }) {
            for (objectKey, object) in items.sorted(by: { $0.key < $1.key }) {
                let rv = object[path: ["metadata", "resourceVersion"]]?.stringValue.flatMap { UInt64($0) } ?? maxRV
                snapshot.append(LogRecord(resourceVersion: rv, storageKey: storageKey, objectKey: objectKey, object: object).json.data())
                snapshot.append(UInt8(ascii: "\n"))
            }
        }
        return snapshot
    }

    init(file: any LogFile, path: URL, durableRV: UInt64 = 0) {
        self.file = file
        self.path = path
        self.state = Mutex(State(pendingRV: durableRV, durableRV: durableRV))
    }

    /// Queues records for the next group commit; returns at once. Throws when the log has failed.
    func append(_ records: [LogRecord]) throws {
        guard !records.isEmpty else { return }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(2048)
        for record in records {
            record.json.write(into: &bytes)
            bytes.append(UInt8(ascii: "\n"))
        }
        let data = Data(bytes)
        let maxRV = records.map(\.resourceVersion).max() ?? 0
        let start: Bool = try state.withLock { s in
            if let failure = s.failure { throw failure }
            if s.closed { throw DevClusterError.storage("\(path.path) is closed") }
            s.pending.append(data)
            s.pendingRV = max(s.pendingRV, maxRV)
            if s.flushing { return false }
            s.flushing = true
            return true
        }
        if start {
            drained.enter()
            queue.async { self.flushLoop() }
        }
    }

    /// Returns once every record up to `rv` is durable; throws when the log failed first.
    func waitDurable(_ rv: UInt64) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, Error>) in
            let ready: Result<Void, Error>? = state.withLock { s in
                if s.durableRV >= rv { return .success(()) }
                if let failure = s.failure { return .failure(failure) }
                s.waiters.append((rv, continuation))
                return nil
            }
            if let ready { continuation.resume(with: ready) }
        }
    }

    /// The highest resourceVersion on disk.
    var durableRV: UInt64 { state.withLock { $0.durableRV } }
    /// fsyncs done so far (each covers every write queued before it started).
    var syncCount: Int { state.withLock { $0.syncs } }

    /// Writes and fsyncs batches until nothing is queued (runs on `queue`).
    private func flushLoop() {
        while true {
            let batch: (data: Data, rv: UInt64)? = state.withLock { s in
                guard !s.pending.isEmpty, s.failure == nil else {
                    s.flushing = false
                    return nil
                }
                defer { s.pending = Data() }
                return (s.pending, s.pendingRV)
            }
            guard let batch else { break }
            var failure: DevClusterError?
            do {
                try file.write(batch.data)
                try file.sync()
            } catch {
                failure = DevClusterError.storage("cannot append to \(path.path): \(error)")
            }
            let resume: [(CheckedContinuation<Void, Error>, Result<Void, Error>)] = state.withLock { s in
                if let failure {
                    s.failure = failure
                    s.pending = Data()
                    defer { s.waiters.removeAll() }
                    return s.waiters.map { ($0.continuation, .failure(failure)) }
                }
                s.syncs += 1
                s.durableRV = batch.rv
                let ready = s.waiters.filter { $0.rv <= batch.rv }
                s.waiters.removeAll { $0.rv <= batch.rv }
                return ready.map { ($0.continuation, .success(())) }
            }
            for (continuation, result) in resume { continuation.resume(with: result) }
        }
        drained.leave()
    }

    /// Flushes what is queued, then closes the file.
    func close() {
        state.withLock { $0.closed = true }
        drained.wait()
        file.close()
    }
}
