import Foundation
import KubeCore

extension TypedWatchEvent: Decodable where R: Decodable {
    enum CodingKeys: String, CodingKey { case type, object }

    struct BookmarkObject: Decodable {
        var metadata: ObjectMeta?
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let type = try c.decode(String.self, forKey: .type)
        switch type {
        case "ADDED": self = .added(try c.decode(R.self, forKey: .object))
        case "MODIFIED":
            if let key = watchReuseKey, let reuse = decoder.userInfo[key] as? WatchReuse<R>,
               let held = try reuse.object(c.nestedContainer(keyedBy: WatchObjectKey.self, forKey: .object)) {
                self = .modified(held)
            } else {
                self = .modified(try c.decode(R.self, forKey: .object))
            }
        case "DELETED": self = .deleted(try c.decode(R.self, forKey: .object))
        case "BOOKMARK":
            let o = try c.decode(BookmarkObject.self, forKey: .object)
            self = .bookmark(resourceVersion: o.metadata?.resourceVersion ?? "")
        case "ERROR": self = .error(try c.decode(Status.self, forKey: .object))
        default:
            throw DecodingError.dataCorruptedError(forKey: .type, in: c, debugDescription: "unknown watch event type \(type)")
        }
    }
}

extension WatchReuse {
    /// The decoder `Api.watch(_:reuse:)` decodes each event line with: `KubeClient.decoder()`
    /// that builds MODIFIED objects through this reuse.
    public func decoder() -> JSONDecoder {
        let decoder = KubeClient.decoder()
        if let key = watchReuseKey { decoder.userInfo[key] = self }
        return decoder
    }
}

/// Lets a watch build a MODIFIED event's object of a `StatusChangesKeepGeneration` kind from the
/// caller's cached copy (a controller's cache) instead of decoding all of it:
/// - the cached copy of the same object (uid) at the event's resourceVersion is the object
///   (managedFields aside, which typed decoding skips): nothing but `metadata` is decoded;
/// - a cached copy of the same object at the event's `metadata.generation` has the event's spec
///   (the server moves the generation with every change but metadata and status): `metadata` and
///   `status` are decoded, the rest is the cached copy's. For a large spec (an MLPipeline's
///   steps) that is most of the decoding.
/// Anything else (no cached copy, another uid, a new or absent generation) is decoded in full
/// (its metadata twice: rare for a controller's own kind, whose events are mostly status writes).
public final class WatchReuse<R: Sendable>: Sendable {
    private let build: @Sendable (KeyedDecodingContainer<WatchObjectKey>) throws -> R?

    private init(build: @escaping @Sendable (KeyedDecodingContainer<WatchObjectKey>) throws -> R?) {
        self.build = build
    }

    /// The event's object built from the cached copy, or nil to decode it in full.
    func object(_ container: KeyedDecodingContainer<WatchObjectKey>) throws -> R? {
        try build(container)
    }
}

extension WatchReuse where R: StatusChangesKeepGeneration {
    /// Builds a MODIFIED event's object from the copy `cached` returns for its key when that copy
    /// is the same object (uid): at the event's resourceVersion it is the object; at the event's
    /// `metadata.generation` only the event's metadata and status are decoded and the spec (and
    /// every other field) is the cached copy's.
    public convenience init(keepingSpecOf cached: @escaping @Sendable (ObjectKey) -> R?) {
        self.init { container in
            let meta = try container.decode(ObjectMeta.self, forKey: .metadata)
            guard let name = meta.name, let uid = meta.uid, let generation = meta.generation,
                  let held = cached(ObjectKey(namespace: meta.namespace, name: name)), held.metadata.uid == uid
            else { return nil }
            if let rv = meta.resourceVersion, held.metadata.resourceVersion == rv { return held }
            guard held.metadata.generation == generation else { return nil }
            var object = held
            object.metadata = meta
            object.status = try container.decodeIfPresent(R.StatusType.self, forKey: .status)
            return object
        }
    }
}

/// The fields of a watch event's object that `WatchReuse` decodes.
enum WatchObjectKey: String, CodingKey, Sendable {
    case metadata, status
}

/// The decoder's userInfo key under which `Api.watch` puts a `WatchReuse`.
let watchReuseKey = CodingUserInfoKey(rawValue: "dev.sextant.watchReuse")
