import Foundation
import KubeCore

/// `client.authentication.k8s.io/v1` ExecCredential: what a credential plugin prints.
public struct ExecCredential: Codable, Sendable, Equatable {
    public var apiVersion: String?
    public var kind: String?
    public var spec: Spec?
    public var status: CredentialStatus?

    public struct Spec: Codable, Sendable, Equatable {
        public var interactive: Bool?
        public var cluster: JSONValue?
    }

    public struct CredentialStatus: Codable, Sendable, Equatable {
        public var token: String?
        public var clientCertificateData: String?
        public var clientKeyData: String?
        /// RFC 3339; absent means the credential does not expire.
        public var expirationTimestamp: String?
    }
}

/// Runs `exec` credential plugins.
enum ExecPlugin {
    /// Runs the plugin and decodes its ExecCredential. The plugin sees the parent environment plus
    /// its configured `env` and `KUBERNETES_EXEC_INFO`.
    static func run(_ config: KubeConfigFile.ExecConfig, clusterServer: String) async throws -> ExecCredential {
        let apiVersion = config.apiVersion ?? "client.authentication.k8s.io/v1"
        var info: JSONValue = ["apiVersion": .string(apiVersion), "kind": "ExecCredential", "spec": ["interactive": false]]
        if config.provideClusterInfo == true {
            info[path: ["spec", "cluster"]] = ["server": .string(clusterServer)]
        }
        var environment = ProcessInfo.processInfo.environment
        for variable in config.env ?? [] { environment[variable.name] = variable.value }
        environment["KUBERNETES_EXEC_INFO"] = info.jsonString

        let process = Process()
        if config.command.contains("/") {
            process.executableURL = URL(fileURLWithPath: config.command)
            process.arguments = config.args ?? []
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [config.command] + (config.args ?? [])
        }
        process.environment = environment
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = FileHandle.nullDevice
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { p in continuation.resume(returning: p.terminationStatus) }
            do { try process.run() } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: KubeClientError.config("cannot run credential plugin \(config.command): \(error)\(config.installHint.map { " (\($0))" } ?? "")"))
            }
        }
        let out = stdout.fileHandleForReading.readDataToEndOfFile()
        let err = stderr.fileHandleForReading.readDataToEndOfFile()
        guard status == 0 else {
            throw KubeClientError.config("credential plugin \(config.command) exited with \(status): \(String(decoding: err, as: UTF8.self).prefix(500))")
        }
        let credential: ExecCredential
        do { credential = try JSONDecoder().decode(ExecCredential.self, from: out) } catch {
            throw KubeClientError.config("credential plugin \(config.command) printed no ExecCredential: \(error)")
        }
        if let kind = credential.kind, kind != "ExecCredential" {
            throw KubeClientError.config("credential plugin returned kind \(kind)")
        }
        if let v = credential.apiVersion, v != apiVersion {
            throw KubeClientError.config("credential plugin returned apiVersion \(v), expected \(apiVersion)")
        }
        guard credential.status?.token != nil || credential.status?.clientCertificateData != nil else {
            throw KubeClientError.config("credential plugin returned neither a token nor a client certificate")
        }
        return credential
    }
}
