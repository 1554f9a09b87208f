import Foundation
import KubeCore

/// Options of a list call.
public struct ListOptions: Sendable, Hashable {
    /// `app=web,tier in (a,b)`.
    public var labelSelector: String?
    /// `metadata.name=x`.
    public var fieldSelector: String?
    /// Page size (`limit`); nil = everything in one answer.
    public var limit: Int?
    /// Continue token of the previous page.
    public var continueToken: String?
    /// `resourceVersion` semantics of the list (`"0"` = any cached version).
    public var resourceVersion: String?

    public init(labelSelector: String? = nil, fieldSelector: String? = nil, limit: Int? = nil, continueToken: String? = nil, resourceVersion: String? = nil) {
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.limit = limit
        self.continueToken = continueToken
        self.resourceVersion = resourceVersion
    }

    var query: [(String, String)] {
        var q: [(String, String)] = []
        if let labelSelector, !labelSelector.isEmpty { q.append(("labelSelector", labelSelector)) }
        if let fieldSelector, !fieldSelector.isEmpty { q.append(("fieldSelector", fieldSelector)) }
        if let limit { q.append(("limit", String(limit))) }
        if let continueToken { q.append(("continue", continueToken)) }
        if let resourceVersion { q.append(("resourceVersion", resourceVersion)) }
        return q
    }
}

/// Options of a watch call.
public struct WatchOptions: Sendable, Hashable {
    public var labelSelector: String?
    public var fieldSelector: String?
    /// Start after this resourceVersion (nil = from the current state, with synthetic ADDED events).
    public var resourceVersion: String?
    /// Ask for BOOKMARK events carrying the latest resourceVersion.
    public var allowWatchBookmarks: Bool = true
    /// Server-side timeout; the stream ends after it (watchers then resume).
    public var timeoutSeconds: Int? = 290

    public init(labelSelector: String? = nil, fieldSelector: String? = nil, resourceVersion: String? = nil, allowWatchBookmarks: Bool = true, timeoutSeconds: Int? = 290) {
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.resourceVersion = resourceVersion
        self.allowWatchBookmarks = allowWatchBookmarks
        self.timeoutSeconds = timeoutSeconds
    }

    var query: [(String, String)] {
        var q: [(String, String)] = [("watch", "true")]
        if let labelSelector, !labelSelector.isEmpty { q.append(("labelSelector", labelSelector)) }
        if let fieldSelector, !fieldSelector.isEmpty { q.append(("fieldSelector", fieldSelector)) }
        if let resourceVersion { q.append(("resourceVersion", resourceVersion)) }
        if allowWatchBookmarks { q.append(("allowWatchBookmarks", "true")) }
        if let timeoutSeconds { q.append(("timeoutSeconds", String(timeoutSeconds))) }
        return q
    }
}

/// A patch body and its content type.
public enum Patch: Sendable, Hashable {
    /// RFC 6902 JSON patch (an array of operations).
    case json(JSONValue)
    /// RFC 7386 JSON merge patch.
    case merge(JSONValue)
    /// Strategic merge patch (built-in kinds only).
    case strategic(JSONValue)
    /// Server-side apply: a partial object owned by `PatchParams.fieldManager`.
    case apply(JSONValue)

    public var contentType: String {
        switch self {
        case .json: return "application/json-patch+json"
        case .merge: return "application/merge-patch+json"
        case .strategic: return "application/strategic-merge-patch+json"
        case .apply: return "application/apply-patch+yaml"
        }
    }

    public var body: JSONValue {
        switch self {
        case .json(let v), .merge(let v), .strategic(let v), .apply(let v): return v
        }
    }
}

/// Parameters of writes.
public struct PatchParams: Sendable, Hashable {
    /// Required for apply patches; recorded in managedFields for all writes.
    public var fieldManager: String?
    /// Apply only: take ownership of conflicting fields.
    public var force: Bool = false
    /// `All` to validate without persisting.
    public var dryRun: Bool = false
    /// `Strict`, `Warn` or `Ignore`.
    public var fieldValidation: String?

    public init(fieldManager: String? = nil, force: Bool = false, dryRun: Bool = false, fieldValidation: String? = nil) {
        self.fieldManager = fieldManager
        self.force = force
        self.dryRun = dryRun
        self.fieldValidation = fieldValidation
    }

    /// Server-side apply as `manager`, forcing ownership (what controllers do).
    public static func apply(_ manager: String, force: Bool = true) -> PatchParams {
        PatchParams(fieldManager: manager, force: force)
    }

    func query(isApply: Bool) -> [(String, String)] {
        var q: [(String, String)] = []
        if let fieldManager { q.append(("fieldManager", fieldManager)) }
        if isApply, force { q.append(("force", "true")) }
        if dryRun { q.append(("dryRun", "All")) }
        if let fieldValidation { q.append(("fieldValidation", fieldValidation)) }
        return q
    }
}

/// One event of a typed watch.
public enum TypedWatchEvent<R: Sendable>: Sendable {
    case added(R)
    case modified(R)
    case deleted(R)
    /// Progress notification: everything up to this resourceVersion was delivered.
    case bookmark(resourceVersion: String)
    /// The server ended the watch with an error (410 Gone after compaction, 500, ...).
    case error(Status)
}

extension TypedWatchEvent {
    /// The object of ADDED/MODIFIED/DELETED.
    public var object: R? {
        switch self {
        case .added(let o), .modified(let o), .deleted(let o): return o
        default: return nil
        }
    }
}
