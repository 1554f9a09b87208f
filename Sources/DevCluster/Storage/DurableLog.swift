import Foundation
import KubeCore

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

/// The append-only JSON-lines log in the data directory. Every acknowledged write is appended
/// and fsync'd before the API answers, so it survives `kill -9`. At startup the log is replayed
/// and rewritten as a compact snapshot (one line per live object plus a resourceVersion marker).
final class DurableLog: @unchecked Sendable {
    // Only used from the store actor; @unchecked because FileHandle is not Sendable.
    private let handle: FileHandle
    let path: URL

    /// Opens (creating if needed) `dir/objects.jsonl`, returning the log and its replayed state.
    static func open(directory: URL) throws -> (DurableLog, [String: [String: JSONValue]], UInt64) {
        let fm = FileManager.default
        do {
            try fm.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw DevClusterError.storage("cannot create \(directory.path): \(error)")
        }
        let path = directory.appendingPathComponent("objects.jsonl")
        var objects: [String: [String: JSONValue]] = [:]
        var maxRV: UInt64 = 0
        let newline = UInt8(ascii: "\n")
        if let data = fm.contents(atPath: path.path) {
            var lineStart = data.startIndex
            while lineStart < data.endIndex {
                let lineEnd = data[lineStart...].firstIndex(of: newline) ?? data.endIndex
                let line = data[lineStart..<lineEnd]
                lineStart = lineEnd < data.endIndex ? data.index(after: lineEnd) : data.endIndex
                // A torn final line (crash mid-write, never acknowledged) is skipped.
                guard !line.isEmpty, let json = try? JSONValue.parse(Data(line)), let record = LogRecord(json: json) else { continue }
                maxRV = max(maxRV, record.resourceVersion)
                if record.storageKey.isEmpty { continue }  // resourceVersion marker
                if let object = record.object {
                    objects[record.storageKey, default: [:]][record.objectKey] = object
                } else {
                    objects[record.storageKey]?[record.objectKey] = nil
                }
            }
        }
        // Rewrite as a snapshot: write a temp file, fsync, rename over the log.
        let temp = directory.appendingPathComponent("objects.jsonl.tmp")
        var snapshot = Data()
        snapshot.append(LogRecord(resourceVersion: maxRV, storageKey: "", objectKey: "", object: nil).json.data())
        snapshot.append(newline)
        for (storageKey, items) in objects.sorted(by: { $0.key < $1.key }) {
            for (objectKey, object) in items.sorted(by: { $0.key < $1.key }) {
                let rv = object[path: ["metadata", "resourceVersion"]]?.stringValue.flatMap { UInt64($0) } ?? maxRV
                snapshot.append(LogRecord(resourceVersion: rv, storageKey: storageKey, objectKey: objectKey, object: object).json.data())
                snapshot.append(newline)
            }
        }
        guard fm.createFile(atPath: temp.path, contents: snapshot) else {
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
            return (DurableLog(handle: handle, path: path), objects, maxRV)
        } catch {
            throw DevClusterError.storage("cannot open \(path.path): \(error)")
        }
    }

    private init(handle: FileHandle, path: URL) {
        self.handle = handle
        self.path = path
    }

    /// Appends records and fsyncs them; returns only when they are on disk.
    func append(_ records: [LogRecord]) throws {
        guard !records.isEmpty else { return }
        var data = Data()
        for record in records {
            data.append(record.json.data())
            data.append(UInt8(ascii: "\n"))
        }
        do {
            try handle.write(contentsOf: data)
            try handle.synchronize()
        } catch {
            throw DevClusterError.storage("cannot append to \(path.path): \(error)")
        }
    }

    func close() {
        try? handle.close()
    }
}
