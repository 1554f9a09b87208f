import Crypto
import Foundation
import Hummingbird
import HummingbirdTLS
import KubeCore
import Logging
import NIOCore
import NIOSSL
import ServiceLifecycle

/// How `sextant dev` serves.
public struct DevClusterConfiguration: Sendable {
    public var host: String
    /// 0 picks any free port.
    public var port: Int
    /// Holds the object log, certificates, token and kubeconfig.
    public var dataDirectory: URL
    public var faults: FaultConfiguration
    /// Change events kept for watches (older resourceVersions get 410 Expired).
    public var historyLimit: Int
    /// Set when a garbage collector runs in the process (see `StoreOptions.garbageCollectorRunning`).
    public var garbageCollectorRunning: Bool
    /// When set, every API request is recorded there as one audit.k8s.io/v1 Event JSON line
    /// (`sextant dev --audit-log-path`). Off by default.
    public var auditLogPath: URL?
    /// kube-apiserver's `--token-auth-file` (CSV `token,user,uid,"group1,group2"`): more users,
    /// authorized by RBAC (the admin token and `system:masters` certificates are not).
    public var tokenAuthFile: URL?

    public init(host: String = "127.0.0.1", port: Int = 6443, dataDirectory: URL, faults: FaultConfiguration = FaultConfiguration(),
                historyLimit: Int = 10_000, garbageCollectorRunning: Bool = false, auditLogPath: URL? = nil, tokenAuthFile: URL? = nil) {
        self.auditLogPath = auditLogPath
        self.tokenAuthFile = tokenAuthFile
        self.host = host
        self.port = port
        self.dataDirectory = dataDirectory
        self.faults = faults
        self.historyLimit = historyLimit
        self.garbageCollectorRunning = garbageCollectorRunning
    }
}

/// The Kubernetes-compatible API server of `sextant dev`: store, PKI, token, kubeconfig and
/// the HTTPS service. Compose it with controllers through `store` and `setPodLogProvider`, and
/// run `makeService` in a ServiceGroup.
public final class DevClusterServer: Sendable {
    public let configuration: DevClusterConfiguration
    /// The object store (also the in-process `ObjectStore` for controllers).
    public let devStore: DevStore
    public var store: any ObjectStore { devStore }
    public let certificates: DevCertificates
    /// The bearer token clients must send.
    public let token: String
    public let faults: FaultInjector
    /// The request audit log, when `configuration.auditLogPath` is set.
    public let auditLog: AuditLog?
    /// Bearer tokens and certificates to users.
    let authenticator: Authenticator
    let state = ServerState()
    let logger: Logger

    /// Opens (or creates) the data directory: replays the object log, loads or creates the CA,
    /// serving certificate and token, and creates the default namespaces.
    public init(configuration: DevClusterConfiguration, logger: Logger = Logger(label: "sextant.dev")) async throws {
        self.configuration = configuration
        self.logger = logger
        let dir = configuration.dataDirectory
        devStore = try DevStore(options: StoreOptions(dataDirectory: dir, historyLimit: configuration.historyLimit,
                                                      garbageCollectorRunning: configuration.garbageCollectorRunning), logger: logger)
        try await devStore.bootstrap()
        // A kubeconfig from an earlier run names an old port; it reappears once we listen.
        try? FileManager.default.removeItem(at: dir.appendingPathComponent("kubeconfig"))
        certificates = try DevCertificates.loadOrCreate(in: dir)
        token = try Self.loadOrCreateToken(in: dir)
        var tokenFile = TokenAuthFile()
        if let path = configuration.tokenAuthFile {
            guard let text = try? String(contentsOf: path, encoding: .utf8) else {
                throw DevClusterError.configuration("cannot read the token auth file \(path.path)")
            }
            tokenFile = try TokenAuthFile.parse(text)
        }
        authenticator = Authenticator(adminToken: token, tokenFile: tokenFile, serviceAccounts: try ServiceAccountTokens.loadOrCreate(in: dir))
        faults = FaultInjector(configuration: configuration.faults, logger: logger)
        auditLog = try configuration.auditLogPath.map { try AuditLog(path: $0) }
        if configuration.faults.isActive {
            logger.warning("fault injection enabled", metadata: ["faults": "\(configuration.faults)"])
        }
    }

    /// Serves `/api/v1/namespaces/NS/pods/NAME/log` through this provider (the kubelet emulation).
    public func setPodLogProvider(_ provider: any PodLogProvider) {
        state.logProvider.withLock { $0 = provider }
    }

    public var kubeconfigPath: URL { configuration.dataDirectory.appendingPathComponent("kubeconfig") }

    static func loadOrCreateToken(in dir: URL) throws -> String {
        let file = dir.appendingPathComponent("token")
        if let existing = try? String(contentsOf: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines), !existing.isEmpty {
            return existing
        }
        let bytes = SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }
        let token = bytes.map { String(format: "%02x", $0) }.joined()
        do {
            try token.write(to: file, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file.path)
        } catch {
            throw DevClusterError.storage("cannot write \(file.path): \(error)")
        }
        return token
    }

    /// The kubeconfig for `https://127.0.0.1:PORT` with the CA and the token.
    public func kubeconfig(port: Int) -> String {
        let ca = Data(certificates.caCertificatePEM.utf8).base64EncodedString()
        return """
        apiVersion: v1
        kind: Config
        clusters:
        - name: sextant-dev
          cluster:
            server: https://127.0.0.1:\(port)
            certificate-authority-data: \(ca)
        users:
        - name: sextant-dev
          user:
            token: \(token)
        contexts:
        - name: sextant-dev
          context:
            cluster: sextant-dev
            user: sextant-dev
            namespace: default
        current-context: sextant-dev

        """
    }

    func tlsConfiguration() throws -> TLSConfiguration {
        do {
            let cert = try NIOSSLCertificate(bytes: Array(certificates.servingCertificatePEM.utf8), format: .pem)
            let key = try NIOSSLPrivateKey(bytes: Array(certificates.servingKeyPEM.utf8), format: .pem)
            let ca = try NIOSSLCertificate(bytes: Array(certificates.caCertificatePEM.utf8), format: .pem)
            var tls = TLSConfiguration.makeServerConfiguration(certificateChain: [.certificate(cert)], privateKey: .privateKey(key))
            tls.trustRoots = .certificates([ca])
            tls.certificateVerification = .optionalVerification
            tls.applicationProtocols = ["http/1.1"]
            return tls
        } catch {
            throw DevClusterError.certificates("cannot load the serving certificate: \(error)")
        }
    }

    /// The services to run in a ServiceGroup, in this order: the HTTPS server, then a service
    /// that ends open watches on graceful shutdown (ServiceGroup shuts down in reverse order, so
    /// watches end first and the server can drain). When listening, the kubeconfig is written
    /// (0600) and `onListening` gets the bound port.
    public func makeServices(onListening: @escaping @Sendable (Int) async -> Void = { _ in }) throws -> [any Service] {
        [try makeHTTPService(onListening: onListening), WatchCloser(store: devStore)]
    }

    func makeHTTPService(onListening: @escaping @Sendable (Int) async -> Void) throws -> some Service {
        let responder = APIResponder(store: devStore, authenticator: authenticator, faults: faults, state: state, logger: logger, audit: auditLog)
        let state = self.state
        let logger = self.logger
        let path = kubeconfigPath
        return Application(
            responder: responder,
            server: try .tls(.http1(), tlsConfiguration: tlsConfiguration()),
            configuration: ApplicationConfiguration(address: .hostname(configuration.host, port: configuration.port), serverName: "sextant-dev"),
            onServerRunning: { [self] channel in
                let port = channel.localAddress?.port ?? self.configuration.port
                state.address.withLock { $0 = "127.0.0.1:\(port)" }
                do {
                    try self.kubeconfig(port: port).write(to: path, atomically: true, encoding: .utf8)
                    try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path.path)
                } catch {
                    logger.error("cannot write kubeconfig", metadata: ["path": "\(path.path)", "error": "\(error)"])
                }
                logger.info("sextant dev API server listening", metadata: ["port": "\(port)", "kubeconfig": "\(path.path)"])
                await onListening(port)
            },
            logger: logger
        )
    }

    /// Ends every open watch when graceful shutdown starts.
    struct WatchCloser: Service {
        let store: DevStore

        func run() async throws {
            try? await gracefulShutdown()
            await store.endAllWatches()
        }
    }

    /// Flushes and closes the store (call after the service group ends).
    public func shutdown() async {
        await devStore.shutdown()
        auditLog?.close()
    }
}
