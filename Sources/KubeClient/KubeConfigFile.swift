import Foundation
import Yams

/// The kubeconfig file format (`~/.kube/config`), as far as a client needs it.
public struct KubeConfigFile: Codable, Sendable, Equatable {
    public var clusters: [NamedCluster]?
    public var contexts: [NamedContext]?
    public var users: [NamedUser]?
    public var currentContext: String?

    enum CodingKeys: String, CodingKey {
        case clusters, contexts, users
        case currentContext = "current-context"
    }

    public struct NamedCluster: Codable, Sendable, Equatable {
        public var name: String
        public var cluster: Cluster
    }

    public struct Cluster: Codable, Sendable, Equatable {
        public var server: String
        public var certificateAuthority: String?
        public var certificateAuthorityData: String?
        public var insecureSkipTLSVerify: Bool?
        public var tlsServerName: String?
        public var proxyURL: String?

        enum CodingKeys: String, CodingKey {
            case server
            case certificateAuthority = "certificate-authority"
            case certificateAuthorityData = "certificate-authority-data"
            case insecureSkipTLSVerify = "insecure-skip-tls-verify"
            case tlsServerName = "tls-server-name"
            case proxyURL = "proxy-url"
        }
    }

    public struct NamedContext: Codable, Sendable, Equatable {
        public var name: String
        public var context: Context
    }

    public struct Context: Codable, Sendable, Equatable {
        public var cluster: String
        public var user: String?
        public var namespace: String?
    }

    public struct NamedUser: Codable, Sendable, Equatable {
        public var name: String
        public var user: AuthInfo
    }

    public struct AuthInfo: Codable, Sendable, Equatable {
        public var clientCertificate: String?
        public var clientCertificateData: String?
        public var clientKey: String?
        public var clientKeyData: String?
        public var token: String?
        public var tokenFile: String?
        public var username: String?
        public var password: String?
        public var exec: ExecConfig?

        enum CodingKeys: String, CodingKey {
            case clientCertificate = "client-certificate"
            case clientCertificateData = "client-certificate-data"
            case clientKey = "client-key"
            case clientKeyData = "client-key-data"
            case token, tokenFile, username, password, exec
        }
    }

    /// `users[].user.exec`: a credential plugin (how EKS, GKE and AKS authenticate).
    public struct ExecConfig: Codable, Sendable, Equatable {
        public var command: String
        public var args: [String]?
        public var env: [ExecEnvVar]?
        public var apiVersion: String?
        public var installHint: String?
        public var provideClusterInfo: Bool?
        public var interactiveMode: String?

        public init(command: String, args: [String]? = nil, env: [ExecEnvVar]? = nil, apiVersion: String? = nil) {
            self.command = command
            self.args = args
            self.env = env
            self.apiVersion = apiVersion
        }
    }

    public struct ExecEnvVar: Codable, Sendable, Equatable {
        public var name: String
        public var value: String
    }

    /// Parses kubeconfig YAML (or JSON).
    public static func parse(_ yaml: String) throws -> KubeConfigFile {
        do {
            return try YAMLDecoder().decode(KubeConfigFile.self, from: yaml)
        } catch {
            throw KubeClientError.config("cannot parse kubeconfig: \(error)")
        }
    }
}
