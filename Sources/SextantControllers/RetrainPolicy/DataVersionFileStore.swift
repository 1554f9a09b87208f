import Crypto
import Foundation

/// `file://` datasets (laptops, `sextant dev`): the version of an object is the SHA-256 of its content.
struct DataVersionFileStore: DataVersionStore {
    var schemes: [String] { ["file"] }

    func objectVersion(_ uri: String) async throws -> String {
        let path = try Self.path(uri)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ControllerError.dataVersion(uri: uri, reason: "the file does not exist")
        }
        guard !isDirectory.boolValue else {
            throw ControllerError.dataVersion(uri: uri, reason: "a directory has no content hash (point at a file, or use format delta or dvc)")
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw ControllerError.dataVersion(uri: uri, reason: "the file cannot be read")
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        while true {
            let chunk = try handle.read(upToCount: 1 << 20) ?? Data()
            if chunk.isEmpty { break }
            hasher.update(data: chunk)
        }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    func read(_ uri: String) async throws -> Data? {
        let path = try Self.path(uri)
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        do {
            return try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ControllerError.dataVersion(uri: uri, reason: "the file cannot be read")
        }
    }

    func list(_ prefixURI: String, startAfter: String?) async throws -> [String] {
        let path = try Self.path(prefixURI)
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else { return [] }
        let after = { (name: String) in startAfter.map { Array($0.utf8).lexicographicallyPrecedes(Array(name.utf8)) } ?? true }
        return names.filter(after).sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
    }

    /// The local path of `file:///abs/path` (or `file:/abs/path`), percent-decoded.
    static func path(_ uri: String) throws -> String {
        guard let url = URL(string: uri), url.isFileURL, !url.path.isEmpty else {
            throw ControllerError.dataVersion(uri: uri, reason: "not a file:///absolute/path URI")
        }
        return url.path
    }
}
