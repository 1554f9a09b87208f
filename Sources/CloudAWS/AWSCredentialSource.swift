import Foundation

/// Where the base credentials come from: the first source of the chain whose variables are set,
/// in the SDKs' usual order.
public enum AWSCredentialSource: Sendable, Hashable {
    /// `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` / `AWS_SESSION_TOKEN`.
    case environment(AWSCredentials)
    /// `AWS_ROLE_ARN` + `AWS_WEB_IDENTITY_TOKEN_FILE` (IRSA): STS `AssumeRoleWithWebIdentity`, the token
    /// file read at every refresh (the kubelet rotates it).
    case webIdentity(roleARN: String, tokenFile: String, sessionName: String)
    /// `AWS_CONTAINER_CREDENTIALS_FULL_URI` (EKS Pod Identity) or `..._RELATIVE_URI` (ECS): a GET
    /// answering JSON credentials, with the token of `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` (re-read at
    /// every refresh) or `AWS_CONTAINER_AUTHORIZATION_TOKEN` as `Authorization`.
    case container(url: String, tokenFile: String?, token: String?)
    /// Static keys of a profile of the shared files.
    case profile(name: String, credentials: AWSCredentials)
    /// A profile with `role_arn` and `source_profile`: AssumeRole into the role with the source's keys.
    case profileAssumeRole(name: String, roleARN: String, sessionName: String, source: AWSCredentials)
    /// A profile with `role_arn` and `web_identity_token_file`.
    case profileWebIdentity(name: String, roleARN: String, tokenFile: String, sessionName: String)

    /// The source the chain picks from `environment` (and the shared files it names), or nil when none applies.
    /// Order: environment keys, web identity, container endpoint, `AWS_PROFILE` (else `default`) of the shared files.
    public static func resolve(environment env: [String: String], sharedConfig: AWSSharedConfig? = nil,
                               now: Date = Date()) -> AWSCredentialSource? {
        func value(_ key: String) -> String? { env[key].flatMap { $0.isEmpty ? nil : $0 } }
        if let id = value("AWS_ACCESS_KEY_ID"), let secret = value("AWS_SECRET_ACCESS_KEY") {
            return .environment(AWSCredentials(accessKeyId: id, secretAccessKey: secret, sessionToken: value("AWS_SESSION_TOKEN")))
        }
        let defaultSession = "sextant-\(Int(now.timeIntervalSince1970))"
        if let role = value("AWS_ROLE_ARN"), let file = value("AWS_WEB_IDENTITY_TOKEN_FILE") {
            return .webIdentity(roleARN: role, tokenFile: file,
                                sessionName: AWSCredentialProvider.legalSessionName(value("AWS_ROLE_SESSION_NAME") ?? defaultSession))
        }
        if let full = value("AWS_CONTAINER_CREDENTIALS_FULL_URI") {
            return .container(url: full, tokenFile: value("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"),
                              token: value("AWS_CONTAINER_AUTHORIZATION_TOKEN"))
        }
        if let relative = value("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") {
            return .container(url: "http://169.254.170.2" + relative, tokenFile: value("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"),
                              token: value("AWS_CONTAINER_AUTHORIZATION_TOKEN"))
        }
        let shared = sharedConfig ?? AWSSharedConfig(environment: env)
        let name = value("AWS_PROFILE") ?? value("AWS_DEFAULT_PROFILE") ?? "default"
        return profileSource(name, shared: shared, sessionName: defaultSession, depth: 0)
    }

    private static func profileSource(_ name: String, shared: AWSSharedConfig, sessionName: String, depth: Int) -> AWSCredentialSource? {
        guard depth < 4, let profile = shared.profile(name) else { return nil }
        let session = AWSCredentialProvider.legalSessionName(profile["role_session_name"] ?? sessionName)
        if let role = profile["role_arn"] {
            if let file = profile["web_identity_token_file"] {
                return .profileWebIdentity(name: name, roleARN: role, tokenFile: file, sessionName: session)
            }
            if let sourceName = profile["source_profile"] {
                let source: AWSCredentials?
                if sourceName == name {
                    source = staticKeys(profile)
                } else {
                    switch profileSource(sourceName, shared: shared, sessionName: sessionName, depth: depth + 1) {
                    case .profile(_, let credentials)?: source = credentials
                    default: source = nil
                    }
                }
                if let source { return .profileAssumeRole(name: name, roleARN: role, sessionName: session, source: source) }
            }
        }
        if let credentials = staticKeys(profile) { return .profile(name: name, credentials: credentials) }
        return nil
    }

    private static func staticKeys(_ profile: [String: String]) -> AWSCredentials? {
        guard let id = profile["aws_access_key_id"], let secret = profile["aws_secret_access_key"] else { return nil }
        return AWSCredentials(accessKeyId: id, secretAccessKey: secret, sessionToken: profile["aws_session_token"])
    }

    /// A short name for logs: `environment`, `web-identity`, `container`, `profile <name>`.
    public var name: String {
        switch self {
        case .environment: return "environment"
        case .webIdentity: return "web-identity"
        case .container: return "container"
        case .profile(let name, _): return "profile \(name)"
        case .profileAssumeRole(let name, _, _, _): return "profile \(name) (assume role)"
        case .profileWebIdentity(let name, _, _, _): return "profile \(name) (web identity)"
        }
    }
}
