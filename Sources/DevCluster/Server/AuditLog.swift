import Foundation
import KubeCore
import Synchronization

/// The request audit log (`sextant dev --audit-log-path FILE`): one JSON line per API request in
/// the shape of an audit.k8s.io/v1 `Event` at stage `ResponseComplete`, level `Metadata`.
///
/// One writer: every line is written with a single `write(2)` under a lock, so lines never
/// interleave, and is on disk (in the page cache) when the call returns — no user-space buffering.
public final class AuditLog: Sendable {
    private let handle: Mutex<FileHandle?>
    public let path: URL

    /// Opens (creating or appending to) the file.
    public init(path: URL) throws {
        self.path = path
        let fm = FileManager.default
        try? fm.createDirectory(at: path.deletingLastPathComponent(), withIntermediateDirectories: true)
        if !fm.fileExists(atPath: path.path) && !fm.createFile(atPath: path.path, contents: nil) {
            throw DevClusterError.configuration("cannot create the audit log \(path.path)")
        }
        do {
            let handle = try FileHandle(forWritingTo: path)
            try handle.seekToEnd()
            self.handle = Mutex(handle)
        } catch {
            throw DevClusterError.configuration("cannot open the audit log \(path.path): \(error)")
        }
    }

    /// Appends one event as a line.
    func write(_ event: JSONValue) {
        var line = event.data()
        line.append(0x0A)
        handle.withLock { handle in
            try? handle?.write(contentsOf: line)
        }
    }

    /// Closes the file; later writes are dropped.
    public func close() {
        handle.withLock { handle in
            try? handle?.close()
            handle = nil
        }
    }

    /// The event for one finished request. `objectName` is the name the handler found in the
    /// request's object (`AuditNotes`): it fills `objectRef.name` when the path has none (a create).
    static func event(auditID: String, method: String, requestURI: String, query: Query, userAgent: String?, sourceIP: String?,
                      code: Int, failure: Status?, received: Date, completed: Date, objectName: String? = nil,
                      user: JSONValue? = nil, annotations: [String: String] = [:]) -> JSONValue {
        let path = requestURI.split(separator: "?", maxSplits: 1).first.map(String.init) ?? requestURI
        var info = RequestInfo.parse(method: method, path: path, query: query)
        if info.isResourceRequest && info.name.isEmpty, let objectName, !objectName.isEmpty { info.name = objectName }
        var event: JSONValue = [
            "kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": .string(auditID),
            "stage": "ResponseComplete", "requestURI": .string(requestURI), "verb": .string(info.verb),
            "user": user ?? ["username": "system:anonymous", "groups": ["system:unauthenticated"]],
            "sourceIPs": .array([.string(sourceIP ?? "127.0.0.1")]),
        ]
        if let userAgent { event["userAgent"] = .string(userAgent) }
        if info.isResourceRequest {
            var ref: JSONValue = ["apiGroup": .string(info.apiGroup), "apiVersion": .string(info.apiVersion)]
            for (key, value) in [("resource", info.resource), ("namespace", info.namespace), ("name", info.name), ("subresource", info.subresource)]
            where !value.isEmpty {
                ref[key] = .string(value)
            }
            event["objectRef"] = ref
        }
        var status: JSONValue = ["metadata": .emptyObject, "code": .int(Int64(code))]
        if let failure, code >= 400 {
            status["status"] = "Failure"
            if let message = failure.message { status["message"] = .string(message) }
            if let reason = failure.reason { status["reason"] = .string(reason) }
        }
        event["responseStatus"] = status
        if !annotations.isEmpty { event["annotations"] = .object(annotations.mapValues(JSONValue.string)) }
        event["requestReceivedTimestamp"] = .string(timestamp(received))
        event["stageTimestamp"] = .string(timestamp(completed))
        return event
    }

    /// RFC 3339 with microseconds, like kube-apiserver's MicroTime.
    static func timestamp(_ date: Date) -> String {
        KubeTime.formatMicro(date)
    }
}

/// What a request's handler learnt about the request's object for its audit line, as kube-apiserver's
/// `audit.LogRequestObject` completes `objectRef` from the decoded object: the name of the object a
/// create names, and once stored, the name it got (a `generateName` create's generated name, which
/// kube-apiserver leaves empty). Bound per request with `AuditNotes.$current.withValue`.
final class AuditNotes: Sendable {
    /// The notes of the request being handled (nil outside a request, or without an audit log).
    @TaskLocal static var current: AuditNotes?

    private let name = Mutex<String?>(nil)

    /// The object's name; later calls win (the stored name replaces the requested one).
    func recordObjectName(_ value: String?) {
        guard let value, !value.isEmpty else { return }
        name.withLock { $0 = value }
    }

    /// The name recorded so far.
    var objectName: String? { name.withLock { $0 } }

    private let annotationValues = Mutex<[String: String]>([:])

    /// Audit annotations (admission policies'); the first value of a key wins, as in kube-apiserver.
    func recordAnnotations(_ values: [String: String]) {
        annotationValues.withLock { current in
            for (key, value) in values where current[key] == nil { current[key] = value }
        }
    }

    /// The annotations recorded so far.
    var annotations: [String: String] { annotationValues.withLock { $0 } }
}
