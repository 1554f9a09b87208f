import Foundation
import KubeCore

extension GCPTokenProvider {
    /// Workload-identity federation: reads the subject token (`credential_source.file` or `.url`),
    /// exchanges it at STS (`token_url`, RFC 8693 token exchange) for a federated token and, when the
    /// file names `service_account_impersonation_url`, trades that for a service account's token
    /// (`iamcredentials generateAccessToken`).
    func externalAccountToken(_ account: GCPExternalAccount) async throws -> GCPAccessToken {
        let subject = try await subjectToken(account)
        let sts = try await postForm(account.tokenURL, [
            "grant_type": "urn:ietf:params:oauth:grant-type:token-exchange",
            "audience": account.audience,
            "scope": GCPTokenProvider.cloudPlatformScope,
            "requested_token_type": "urn:ietf:params:oauth:token-type:access_token",
            "subject_token": subject,
            "subject_token_type": account.subjectTokenType,
        ], what: "STS token exchange \(account.tokenURL)", secrets: [subject])
        let federated = try oauthToken(sts, what: "STS token exchange")
        guard let impersonation = account.impersonationURL else { return federated }
        let body: JSONValue = [
            "scope": [.string(GCPTokenProvider.cloudPlatformScope)],
            "lifetime": .string("\(account.impersonationLifetimeSeconds)s"),
        ]
        let answer = try await send("POST", impersonation, headers: [
            ("authorization", "Bearer \(federated.token)"), ("content-type", "application/json"),
        ], body: body.data(), what: "service account impersonation \(impersonation)", secrets: [federated.token, subject])
        guard let token = answer["accessToken"]?.stringValue, !token.isEmpty else {
            throw GCPError(status: "InvalidResponse", message: "service account impersonation answered no accessToken", kind: .unavailable)
        }
        let expires = answer["expireTime"]?.stringValue.flatMap(GCPTime.parse)
            ?? now().addingTimeInterval(TimeInterval(account.impersonationLifetimeSeconds))
        return GCPAccessToken(token: token, expiresAt: expires)
    }

    /// The subject token of `credential_source`: the file's text, or the URL's body (with its headers);
    /// with `format.type: json`, the field `subject_token_field_name` of it.
    func subjectToken(_ account: GCPExternalAccount) async throws -> String {
        var raw: Data
        if let file = account.sourceFile {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw GCPError(status: "InvalidCredentials", message: "cannot read the subject token file \(file)", kind: .accessDenied)
            }
            raw = data
        } else if let urlText = account.sourceURL, let url = URL(string: urlText) {
            let response: GCPHTTPResponse
            do {
                response = try await transport.send(GCPHTTPRequest(method: "GET", url: url, headers: account.sourceHeaders.map { ($0.key, $0.value) }),
                                                    timeout: .seconds(10))
            } catch {
                throw GCPError(status: "NetworkError", message: "subject token URL \(urlText): \(error)", kind: .unavailable)
            }
            guard response.status < 300 else {
                throw GCPError(status: GCPError.statusName(response.status), message: "subject token URL \(urlText) answered HTTP \(response.status)",
                               httpStatus: response.status, kind: response.status >= 500 ? .unavailable : .accessDenied)
            }
            raw = response.body
        } else {
            throw GCPError(status: "InvalidCredentials", message: "credential_source has no file or url", kind: .accessDenied)
        }
        if let field = account.sourceJSONField {
            guard let json = try? JSONValue.parse(raw), let token = json[field]?.stringValue else {
                throw GCPError(status: "InvalidCredentials", message: "the subject token source has no JSON field \(field)", kind: .accessDenied)
            }
            raw = Data(token.utf8)
        }
        let token = String(decoding: raw, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty else {
            throw GCPError(status: "InvalidCredentials", message: "the subject token is empty", kind: .accessDenied)
        }
        return token
    }
}

/// RFC 3339 timestamps of Google APIs (`2026-12-07T10:00:00.123456Z`) and durations (`"3600s"`).
public enum GCPTime {
    /// A date from an RFC 3339 text, with or without (up to nanosecond) fractional seconds.
    public static func parse(_ text: String) -> Date? {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        if let d = f.date(from: text) { return d }
        // Fractions beyond milliseconds are cut: ISO8601DateFormatter reads at most three digits.
        guard let dot = text.firstIndex(of: "."), let zone = text[dot...].firstIndex(where: { $0 == "Z" || $0 == "+" || $0 == "-" }) else { return nil }
        let fraction = text[text.index(after: dot)..<zone].prefix(3)
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.date(from: String(text[..<dot]) + "." + fraction.padding(toLength: 3, withPad: "0", startingAt: 0) + String(text[zone...]))
    }

    /// `Date` → `2026-12-07T10:00:00Z`.
    public static func format(_ date: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: date)
    }

    /// A protobuf `Duration` text (`"3600s"`, `"1.5s"`) in seconds.
    public static func seconds(_ text: String) -> Double? {
        guard text.hasSuffix("s") else { return nil }
        return Double(text.dropLast())
    }
}
