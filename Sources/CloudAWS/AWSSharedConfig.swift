import Foundation

/// The shared `config` and `credentials` files (INI): `[name]` sections in credentials,
/// `[profile name]` (or `[default]`) in config; a key in credentials wins over config.
public struct AWSSharedConfig: Sendable, Hashable {
    /// Settings by profile name, keys lower-cased.
    public var profiles: [String: [String: String]]

    /// Reads `AWS_CONFIG_FILE` (default `~/.aws/config`) and `AWS_SHARED_CREDENTIALS_FILE`
    /// (default `~/.aws/credentials`); missing files are empty.
    public init(environment: [String: String]) {
        let home = environment["HOME"] ?? NSHomeDirectory()
        let configPath = environment["AWS_CONFIG_FILE"] ?? "\(home)/.aws/config"
        let credentialsPath = environment["AWS_SHARED_CREDENTIALS_FILE"] ?? "\(home)/.aws/credentials"
        let config = (try? String(contentsOfFile: AWSSharedConfig.expand(configPath, home: home), encoding: .utf8)) ?? ""
        let credentials = (try? String(contentsOfFile: AWSSharedConfig.expand(credentialsPath, home: home), encoding: .utf8)) ?? ""
        self.init(config: config, credentials: credentials)
    }

    /// Parses the two files' texts.
    public init(config: String, credentials: String) {
        var profiles: [String: [String: String]] = [:]
        for (section, values) in AWSSharedConfig.parseINI(config) {
            var name = section
            if name.hasPrefix("profile ") { name = String(name.dropFirst("profile ".count)).trimmingCharacters(in: .whitespaces) }
            else if name != "default" { continue }
            profiles[name, default: [:]].merge(values) { _, new in new }
        }
        for (section, values) in AWSSharedConfig.parseINI(credentials) {
            profiles[section, default: [:]].merge(values) { _, new in new }
        }
        self.profiles = profiles
    }

    /// The settings of `profile`.
    public func profile(_ name: String) -> [String: String]? { profiles[name] }

    static func expand(_ path: String, home: String) -> String {
        path.hasPrefix("~/") ? home + path.dropFirst(1) : path
    }

    /// Sections of an INI text; `#`/`;` comments; nested (indented) values are skipped.
    static func parseINI(_ text: String) -> [(String, [String: String])] {
        var out: [(String, [String: String])] = []
        var current: String?
        var values: [String: String] = [:]
        for rawLine in text.split(whereSeparator: \.isNewline) {
            if rawLine.first == " " || rawLine.first == "\t" { continue }
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("["), line.hasSuffix("]") {
                if let current { out.append((current, values)) }
                current = line.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
                values = [:]
                continue
            }
            guard current != nil, let eq = line.firstIndex(of: "=") else { continue }
            let key = line[..<eq].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            values[key] = value
        }
        if let current { out.append((current, values)) }
        return out
    }
}
