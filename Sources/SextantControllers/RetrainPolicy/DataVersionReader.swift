import Foundation
import KubeCore
import SextantAPI

/// Reads the version of a watched dataset: picks the store by URI scheme and applies the format
/// (`object`, `delta`, `dvc`).
struct DataVersionReader: Sendable {
    /// Stores by scheme.
    let stores: [String: any DataVersionStore]

    /// A reader over `stores` (a later store wins a scheme).
    init(_ stores: [any DataVersionStore]) {
        var byScheme: [String: any DataVersionStore] = [:]
        for store in stores { for scheme in store.schemes { byScheme[scheme] = store } }
        self.stores = byScheme
    }

    /// The version of the dataset at `uri` in `format`.
    func version(of uri: String, format: String) async throws -> String {
        guard let scheme = dataURIScheme(uri) else {
            throw ControllerError.dataVersion(uri: DataVersionHTTPStore.redacted(uri), reason: "the URI has no scheme (s3://, gs://, https://, abfss://, az://, file://)")
        }
        guard let store = stores[scheme] else {
            let known = stores.keys.sorted().map { "\($0)://" }.joined(separator: ", ")
            throw ControllerError.dataVersion(uri: DataVersionHTTPStore.redacted(uri), reason: "no data version source for \(scheme):// (this controller reads \(known))")
        }
        switch format {
        case DataChangeFormat.object:
            return try await store.objectVersion(uri)
        case DataChangeFormat.dvc:
            guard let data = try await store.read(uri) else {
                throw ControllerError.dataVersion(uri: DataVersionHTTPStore.redacted(uri), reason: "the .dvc file does not exist")
            }
            return try DVCFile.md5(String(decoding: data, as: UTF8.self), uri: DataVersionHTTPStore.redacted(uri))
        case DataChangeFormat.delta:
            return String(try await DeltaLog.latestVersion(table: uri, store: store))
        default:
            throw ControllerError.dataVersion(uri: DataVersionHTTPStore.redacted(uri), reason: "unknown format \"\(format)\" (object, delta, dvc)")
        }
    }
}

/// The `md5` of a `.dvc` file (the first output's).
enum DVCFile {
    /// The `md5:` value of the first entry of `outs` (a directory's ends in `.dir`).
    static func md5(_ text: String, uri: String) throws -> String {
        var inOuts = false
        for raw in text.split(whereSeparator: \.isNewline) {
            let line = String(raw)
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            if !line.hasPrefix(" ") && !line.hasPrefix("-") {
                inOuts = trimmed.hasPrefix("outs:")
                continue
            }
            guard inOuts else { continue }
            var item = trimmed
            if item.hasPrefix("- ") { item = String(item.dropFirst(2)).trimmingCharacters(in: .whitespaces) }
            if item.hasPrefix("md5:") {
                let value = item.dropFirst(4).trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "'\""))
                if !value.isEmpty { return value }
            }
        }
        throw ControllerError.dataVersion(uri: uri, reason: "the .dvc file has no outs[].md5")
    }
}

/// The latest commit version of a Delta table from its `_delta_log`.
enum DeltaLog {
    /// `_delta_log/_last_checkpoint`'s version when present, then the highest `NNN….json` commit
    /// listed after it. Version 0 is never assumed to exist (old logs may be removed after a checkpoint).
    static func latestVersion(table uri: String, store: any DataVersionStore) async throws -> Int64 {
        let log = trimmedSlash(uri) + "/_delta_log"
        var checkpoint: Int64?
        if let data = try await store.read(log + "/_last_checkpoint") {
            guard let json = try? JSONValue.parse(data), let v = json["version"]?.intValue else {
                throw ControllerError.dataVersion(uri: DataVersionHTTPStore.redacted(uri), reason: "_delta_log/_last_checkpoint has no version")
            }
            checkpoint = Int64(v)
        }
        let startAfter = checkpoint.map { fileName($0) }
        var latest = checkpoint
        for name in try await store.list(log, startAfter: startAfter) {
            if let v = commitVersion(name), v > (latest ?? -1) { latest = v }
        }
        guard let version = latest else {
            throw ControllerError.dataVersion(uri: DataVersionHTTPStore.redacted(uri), reason: "no Delta commit in _delta_log (is it a Delta table?)")
        }
        return version
    }

    /// `00000000000000000012` for 12: the 20-digit prefix of that version's log files.
    static func fileName(_ version: Int64) -> String {
        let digits = String(version)
        return String(repeating: "0", count: max(0, 20 - digits.count)) + digits
    }

    /// The version of a commit file name `NNNNNNNNNNNNNNNNNNNN.json`; nil for anything else.
    static func commitVersion(_ name: String) -> Int64? {
        guard name.hasSuffix(".json"), !name.contains("/") else { return nil }
        let stem = name.dropLast(5)
        guard stem.count == 20, stem.allSatisfy(\.isASCIIDigit) else { return nil }
        return Int64(stem)
    }

    private static func trimmedSlash(_ uri: String) -> String {
        var s = uri
        while s.hasSuffix("/") { s.removeLast() }
        return s
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
