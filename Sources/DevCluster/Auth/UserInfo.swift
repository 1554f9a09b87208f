import Foundation
import KubeCore

/// An authenticated user, as kube-apiserver's authenticators produce it.
public struct UserInfo: Sendable, Equatable {
    public var name: String
    public var uid: String
    public var groups: [String]
    /// `authentication.kubernetes.io/...` extra values (service-account tokens).
    public var extra: [String: [String]]

    public init(name: String, uid: String = "", groups: [String], extra: [String: [String]] = [:]) {
        self.name = name
        self.uid = uid
        self.groups = groups.contains(Self.authenticated) ? groups : groups + [Self.authenticated]
        self.extra = extra
    }

    static let authenticated = "system:authenticated"
    static let masters = "system:masters"

    /// The user of the cluster's own bearer token (and of client certificates in `system:masters`).
    static let admin = UserInfo(name: "admin", groups: [masters])

    /// Members of `system:masters` bypass authorization, as in kube-apiserver.
    var isMaster: Bool { groups.contains(Self.masters) }

    /// `user` of an audit event and `userInfo` of reviews.
    var json: JSONValue {
        var out: JSONValue = ["username": .string(name), "groups": .array(groups.map(JSONValue.string))]
        if !uid.isEmpty { out["uid"] = .string(uid) }
        if !extra.isEmpty { out["extra"] = .object(extra.mapValues { .array($0.map(JSONValue.string)) }) }
        return out
    }
}

/// kube-apiserver's `--token-auth-file`: CSV lines `token,user,uid,"group1,group2"` (groups optional).
struct TokenAuthFile: Sendable {
    private(set) var users: [String: UserInfo] = [:]

    /// Parses the file's text; a line with fewer than three fields is an error naming the line.
    static func parse(_ text: String) throws -> TokenAuthFile {
        var file = TokenAuthFile()
        for (number, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let fields = csvFields(line)
            guard fields.count >= 3, !fields[0].isEmpty, !fields[1].isEmpty else {
                throw DevClusterError.configuration("token auth file line \(number + 1): want token,user,uid[,\"group1,group2\"], got \(fields.count) field(s)")
            }
            let groups = fields.count > 3 ? fields[3].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } : []
            file.users[fields[0]] = UserInfo(name: fields[1], uid: fields[2], groups: groups)
        }
        return file
    }

    /// RFC 4180 fields (double quotes group commas; `""` is a quote).
    static func csvFields(_ line: String) -> [String] {
        var fields: [String] = []
        var current = ""
        var quoted = false
        var chars = Array(line)[...]
        while let c = chars.popFirst() {
            if quoted {
                if c == "\"" {
                    if chars.first == "\"" { current.append("\""); chars.removeFirst() } else { quoted = false }
                } else {
                    current.append(c)
                }
            } else if c == "\"" {
                quoted = true
            } else if c == "," {
                fields.append(current.trimmingCharacters(in: .whitespaces))
                current = ""
            } else {
                current.append(c)
            }
        }
        fields.append(current.trimmingCharacters(in: .whitespaces))
        return fields
    }

    func user(token: String) -> UserInfo? { users[token] }
}
