import Foundation

/// One set of AWS credentials. Its `description` never shows the secret or the token.
public struct AWSCredentials: Sendable, Hashable, CustomStringConvertible {
    /// Access key id (`AKIA...` long-term, `ASIA...` temporary).
    public var accessKeyId: String
    /// Secret access key.
    public var secretAccessKey: String
    /// Session token of temporary credentials.
    public var sessionToken: String?
    /// When temporary credentials expire; nil for long-term ones.
    public var expiration: Date?

    /// Credentials.
    public init(accessKeyId: String, secretAccessKey: String, sessionToken: String? = nil, expiration: Date? = nil) {
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.expiration = expiration
    }

    /// Whether they must be fetched again at `now`: they expire within `margin` seconds.
    public func needsRefresh(at now: Date, margin: TimeInterval) -> Bool {
        guard let expiration else { return false }
        return expiration.timeIntervalSince(now) <= margin
    }

    /// `AWSCredentials(accessKeyId: AKID..., expiration: ...)`: no secret, no token.
    public var description: String {
        var text = "AWSCredentials(accessKeyId: \(accessKeyId)"
        if sessionToken != nil { text += ", sessionToken: <redacted>" }
        if let expiration { text += ", expiration: \(ISO8601DateFormatter().string(from: expiration))" }
        return text + ")"
    }
}

extension AWSCredentials: CustomDebugStringConvertible, CustomReflectable {
    /// Same as `description`.
    public var debugDescription: String { description }
    /// Reflection (`dump`, string interpolation of containers) shows no secret either.
    public var customMirror: Mirror {
        Mirror(self, children: ["accessKeyId": accessKeyId, "expiration": expiration as Any], displayStyle: .struct)
    }
}
