import Crypto
import Foundation

/// Deterministic names of things the controller creates.
public enum DerivedName {
    /// Kubernetes label/Job name limit.
    public static let labelLimit = 63

    /// `parts` joined with `-`; if longer than `limit`, cut and ended with `-` and 8 hex characters
    /// of the SHA-256 of the full name, so that different long names stay different.
    public static func make(_ parts: [String], limit: Int = labelLimit) -> String {
        let full = parts.joined(separator: "-")
        guard full.count > limit else { return full }
        let hash = shortHash(full)
        var head = String(full.prefix(max(0, limit - hash.count - 1)))
        while let last = head.last, !(last.isLetter || last.isNumber) { head.removeLast() }
        return head.isEmpty ? hash : "\(head)-\(hash)"
    }

    /// The Job of attempt `attempt` of a step: `<pipeline>-<step>-<attempt>`, at most 63 characters.
    public static func job(pipeline: String, step: String, attempt: Int) -> String {
        make([pipeline, step, String(attempt)])
    }

    /// 8 hex characters of the SHA-256 of `text`.
    public static func shortHash(_ text: String) -> String {
        SHA256.hash(data: Data(text.utf8)).prefix(4).map { String(format: "%02x", $0) }.joined()
    }

    /// True for a DNS-1123 label.
    public static func isDNSLabel(_ s: String) -> Bool {
        guard !s.isEmpty, s.count <= labelLimit else { return false }
        let chars = Array(s.utf8)
        func ok(_ c: UInt8) -> Bool { (c >= 97 && c <= 122) || (c >= 48 && c <= 57) }
        guard let first = chars.first, let last = chars.last, ok(first), ok(last) else { return false }
        return chars.allSatisfy { ok($0) || $0 == 45 }
    }

    /// A label value for `text`: itself when valid, otherwise a cut name with a hash.
    public static func labelValue(_ text: String) -> String {
        make([text])
    }
}
