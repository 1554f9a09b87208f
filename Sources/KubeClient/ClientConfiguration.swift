import Foundation
import KubeCore

/// Everything needed to talk to one API server: where, how to trust it, how to authenticate.
/// Built from a kubeconfig (`load(kubeconfig:context:)`) or the pod environment (`inCluster()`).
public struct ClientConfiguration: Sendable {
    /// How requests authenticate.
    public enum Credentials: Sendable {
        case none
        case token(String)
        /// A token file re-read when it changes (projected service-account tokens rotate).
        case tokenFile(String)
        case basic(username: String, password: String)
        case exec(KubeConfigFile.ExecConfig, clusterServer: String)
    }

    /// Base URL without trailing slash (`https://127.0.0.1:6443`).
    public var server: String
    /// PEM bytes of the CA bundle; nil means the system trust store.
    public var caPEM: [UInt8]?
    public var insecureSkipTLSVerify: Bool = false
    /// kubeconfig `tls-server-name`: the name sent as SNI and verified in the server certificate
    /// (the connection still goes to `server`; requests carry it as their Host).
    public var tlsServerName: String?
    /// kubeconfig `proxy-url`. Not supported: a `KubeClient` refuses a configuration that sets it
    /// rather than silently connecting directly.
    public var proxyURL: String?
    /// PEM client certificate chain and key for mutual TLS.
    public var clientCertificatePEM: [UInt8]?
    public var clientKeyPEM: [UInt8]?
    public var credentials: Credentials = .none
    /// The context's namespace, `default` when unset.
    public var namespace: String = "default"
    /// Client-side rate limit (client-go defaults are 5/10; controllers commonly use 20/30). The
    /// operator uses `controllerQPS`/`controllerBurst` (the `--kube-api-qps`/`--kube-api-burst` flags).
    public var qps: Double = 20
    public var burst: Int = 30

    /// The operator's default client-side rate limit: 500 requests/s, bursts of 1,000. controller-runtime's
    /// 20/30 predates API Priority and Fairness (GA in 1.29), which protects the server itself; kubectl
    /// moved to 50/300 and client-go lets servers push back with 429 + Retry-After. A pipeline step
    /// costs about 2.5 requests (a Job create, status writes), so 100/s capped 1,000 three-step
    /// pipelines at about 70 s (docs/performance.md); 500/1,000 lets such a burst, or a reconcile
    /// storm after a restart, drain at the server's pace, while a runaway loop is still bounded.
    public static let controllerQPS: Double = 500
    public static let controllerBurst = 1000
    /// Retries of idempotent requests on 429/5xx/transport errors.
    public var maxRetries: Int = 5
    /// Deadline for receiving a response head.
    public var timeout: Duration = .seconds(30)
    public var userAgent: String = ClientConfiguration.userAgent(component: "sextant")

    /// The version Sextant's components report in their User-Agent.
    public static let sextantVersion = "0.1.0"

    /// A kubectl-style User-Agent: `COMPONENT/VERSION (OS/ARCH)`, e.g. `sextant-controller/0.1.0 (linux/amd64)`.
    public static func userAgent(component: String, version: String = sextantVersion) -> String {
        #if os(Linux)
        let os = "linux"
        #elseif os(macOS)
        let os = "darwin"
        #else
        let os = "unknown"
        #endif
        #if arch(x86_64)
        let arch = "amd64"
        #elseif arch(arm64)
        let arch = "arm64"
        #else
        let arch = "unknown"
        #endif
        return "\(component)/\(version) (\(os)/\(arch))"
    }

    /// The User-Agent of the operator (`sextant controller` and the in-process operator of
    /// `sextant dev`): audit logs are filtered by its `sextant-controller/` prefix.
    public static let controllerUserAgent = userAgent(component: "sextant-controller")

    public init(server: String) {
        self.server = server.hasSuffix("/") ? String(server.dropLast()) : server
    }

    /// Loads a kubeconfig: `path`, else `$KUBECONFIG` (first existing entry), else `~/.kube/config`;
    /// uses `context` or the file's current-context. Relative file references resolve against the
    /// kubeconfig's directory.
    public static func load(kubeconfig path: String? = nil, context: String? = nil) throws -> ClientConfiguration {
        let environment = ProcessInfo.processInfo.environment
        var candidates: [String] = []
        if let path { candidates = [path] } else {
            if let env = environment["KUBECONFIG"], !env.isEmpty {
                candidates = env.split(separator: ":").map(String.init)
            }
            candidates.append((environment["HOME"] ?? NSHomeDirectory()) + "/.kube/config")
        }
        guard let file = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
            throw KubeClientError.config("no kubeconfig found (tried \(candidates.joined(separator: ", ")))")
        }
        let text: String
        do { text = try String(contentsOfFile: file, encoding: .utf8) } catch {
            throw KubeClientError.config("cannot read \(file): \(error)")
        }
        let baseDirectory = URL(fileURLWithPath: file).deletingLastPathComponent().path
        return try from(KubeConfigFile.parse(text), context: context, baseDirectory: baseDirectory)
    }

    /// Loads a kubeconfig when one exists, else the in-cluster configuration.
    public static func automatic(kubeconfig path: String? = nil, context: String? = nil) throws -> ClientConfiguration {
        let env = ProcessInfo.processInfo.environment
        if path == nil, env["KUBECONFIG"] == nil, env["KUBERNETES_SERVICE_HOST"] != nil,
           FileManager.default.fileExists(atPath: InCluster.tokenPath) {
            return try inCluster()
        }
        return try load(kubeconfig: path, context: context)
    }

    /// Resolves one context of a parsed kubeconfig.
    public static func from(_ config: KubeConfigFile, context name: String? = nil, baseDirectory: String = ".") throws -> ClientConfiguration {
        guard let contextName = name ?? config.currentContext, !contextName.isEmpty else {
            throw KubeClientError.config("no context given and no current-context set")
        }
        guard let context = config.contexts?.first(where: { $0.name == contextName })?.context else {
            throw KubeClientError.config("context \"\(contextName)\" not found")
        }
        guard let cluster = config.clusters?.first(where: { $0.name == context.cluster })?.cluster else {
            throw KubeClientError.config("cluster \"\(context.cluster)\" of context \"\(contextName)\" not found")
        }
        var result = ClientConfiguration(server: cluster.server)
        result.namespace = context.namespace ?? "default"
        result.insecureSkipTLSVerify = cluster.insecureSkipTLSVerify ?? false
        result.tlsServerName = cluster.tlsServerName
        result.proxyURL = cluster.proxyURL
        func resolve(_ path: String) -> String { path.hasPrefix("/") ? path : baseDirectory + "/" + path }
        func readFile(_ path: String) throws -> [UInt8] {
            guard let data = FileManager.default.contents(atPath: resolve(path)) else {
                throw KubeClientError.config("cannot read \(resolve(path))")
            }
            return Array(data)
        }
        func base64(_ s: String, _ what: String) throws -> [UInt8] {
            guard let data = Data(base64Encoded: s.trimmingCharacters(in: .whitespacesAndNewlines), options: .ignoreUnknownCharacters) else {
                throw KubeClientError.config("\(what) is not valid base64")
            }
            return Array(data)
        }
        if let data = cluster.certificateAuthorityData {
            result.caPEM = try base64(data, "certificate-authority-data")
        } else if let file = cluster.certificateAuthority {
            result.caPEM = try readFile(file)
        }
        guard let userName = context.user, !userName.isEmpty else { return result }
        guard let user = config.users?.first(where: { $0.name == userName })?.user else {
            throw KubeClientError.config("user \"\(userName)\" of context \"\(contextName)\" not found")
        }
        if let data = user.clientCertificateData {
            result.clientCertificatePEM = try base64(data, "client-certificate-data")
        } else if let file = user.clientCertificate {
            result.clientCertificatePEM = try readFile(file)
        }
        if let data = user.clientKeyData {
            result.clientKeyPEM = try base64(data, "client-key-data")
        } else if let file = user.clientKey {
            result.clientKeyPEM = try readFile(file)
        }
        if (result.clientCertificatePEM == nil) != (result.clientKeyPEM == nil) {
            throw KubeClientError.config("user \"\(userName)\" has a client certificate without a key or a key without a certificate")
        }
        if let token = user.token, !token.isEmpty {
            result.credentials = .token(token)
        } else if let file = user.tokenFile {
            result.credentials = .tokenFile(resolve(file))
        } else if let exec = user.exec {
            var exec = exec
            if !exec.command.contains("/") || exec.command.hasPrefix("/") {
                // bare names are looked up on PATH; absolute paths stay
            } else {
                exec.command = resolve(exec.command)
            }
            result.credentials = .exec(exec, clusterServer: cluster.server)
        } else if let username = user.username, let password = user.password {
            result.credentials = .basic(username: username, password: password)
        }
        return result
    }

    /// Paths and variables of the in-cluster (service account) configuration.
    public enum InCluster {
        public static let tokenPath = "/var/run/secrets/kubernetes.io/serviceaccount/token"
        public static let caPath = "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt"
        public static let namespacePath = "/var/run/secrets/kubernetes.io/serviceaccount/namespace"
    }

    /// The configuration of a pod: `KUBERNETES_SERVICE_HOST/PORT`, the mounted service-account CA and
    /// token (re-read when it rotates), and the pod's namespace.
    public static func inCluster(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        tokenPath: String = InCluster.tokenPath, caPath: String = InCluster.caPath, namespacePath: String = InCluster.namespacePath
    ) throws -> ClientConfiguration {
        guard let host = environment["KUBERNETES_SERVICE_HOST"], !host.isEmpty,
              let port = environment["KUBERNETES_SERVICE_PORT"], !port.isEmpty else {
            throw KubeClientError.config("not in a cluster: KUBERNETES_SERVICE_HOST/PORT are not set")
        }
        guard FileManager.default.fileExists(atPath: tokenPath) else {
            throw KubeClientError.config("service account token \(tokenPath) missing")
        }
        let hostPart = host.contains(":") ? "[\(host)]" : host
        var result = ClientConfiguration(server: "https://\(hostPart):\(port)")
        if let ca = FileManager.default.contents(atPath: caPath) { result.caPEM = Array(ca) }
        result.credentials = .tokenFile(tokenPath)
        if let ns = FileManager.default.contents(atPath: namespacePath) {
            let s = String(decoding: ns, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if !s.isEmpty { result.namespace = s }
        }
        return result
    }
}
