import Foundation
import KubeClient
import KubeCore
import Testing
import TestSupport

/// Every kubeconfig authentication variant reaches `sextant dev`.
@Suite("Kubeconfig authentication against sextant dev", .serialized)
struct KubeconfigAuthTests {
    /// Writes a kubeconfig with one user (default: the cluster's token) and optional extra cluster
    /// fields, and returns its path.
    static func kubeconfig(_ cluster: DevClusterProcess, user: String? = nil, clusterExtra: String = "", name: String) throws -> String {
        let text = """
        apiVersion: v1
        kind: Config
        current-context: test
        clusters:
        - name: dev
          cluster:
            server: \(cluster.url)
            certificate-authority: \(cluster.caPath)
        \(clusterExtra)
        contexts:
        - name: test
          context: {cluster: dev, user: u, namespace: default}
        users:
        - name: u
          user:
        \(user ?? "    token: \(cluster.token)")
        """
        let path = cluster.dataDirectory.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func canList(_ path: String) async throws -> Bool {
        let client = try KubeClient(configuration: ClientConfiguration.load(kubeconfig: path))
        let result: Bool
        do {
            _ = try await Api<Namespace>(client: client).list()
            result = true
        } catch let error as KubeClientError where error.isUnauthorized {
            result = false
        }
        try await client.shutdown()
        return result
    }

    @Test("bearer token, token file, and a wrong token is refused")
    func tokens() async throws {
        let cluster = try await DevClusterProcess.start(extraArguments: ["--no-controller"])
        defer { cluster.stop() }
        #expect(try await Self.canList(Self.kubeconfig(cluster, user: "    token: \(cluster.token)", name: "token.yaml")))
        let tokenFile = cluster.dataDirectory.appendingPathComponent("tok").path
        try cluster.token.write(toFile: tokenFile, atomically: true, encoding: .utf8)
        #expect(try await Self.canList(Self.kubeconfig(cluster, user: "    tokenFile: \(tokenFile)", name: "tokenfile.yaml")))
        #expect(try await !Self.canList(Self.kubeconfig(cluster, user: "    token: wrong", name: "wrong.yaml")))
    }

    @Test("an exec credential plugin script supplies the token (ExecCredential v1, env and args passed)")
    func execPlugin() async throws {
        let cluster = try await DevClusterProcess.start(extraArguments: ["--no-controller"])
        defer { cluster.stop() }
        let script = cluster.dataDirectory.appendingPathComponent("get-token.sh")
        let marker = cluster.dataDirectory.appendingPathComponent("exec-info.json")
        try """
        #!/bin/sh
        [ "$1" = "--cluster" ] && [ "$2" = "dev" ] || { echo "bad args: $*" >&2; exit 3; }
        [ "$PLUGIN_MODE" = "test" ] || { echo "env not passed" >&2; exit 4; }
        printf '%s' "$KUBERNETES_EXEC_INFO" > '\(marker.path)'
        cat <<JSON
        {"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"\(cluster.token)","expirationTimestamp":"2099-01-01T00:00:00Z"}}
        JSON
        """.write(to: script, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path)
        let user = """
            exec:
              apiVersion: client.authentication.k8s.io/v1
              command: \(script.path)
              args: ["--cluster", "dev"]
              env: [{name: PLUGIN_MODE, value: test}]
        """
        #expect(try await Self.canList(Self.kubeconfig(cluster, user: user, name: "exec.yaml")))
        let info = try JSONValue.parse(Data(contentsOf: marker))
        #expect(info["kind"] == "ExecCredential")
        #expect(info["apiVersion"] == "client.authentication.k8s.io/v1")
    }

    @Test("a failing exec plugin is a configuration error that names the plugin")
    func execPluginFails() async throws {
        let cluster = try await DevClusterProcess.start(extraArguments: ["--no-controller"])
        defer { cluster.stop() }
        let user = """
            exec:
              apiVersion: client.authentication.k8s.io/v1
              command: /bin/false
        """
        let client = try KubeClient(configuration: ClientConfiguration.load(kubeconfig: Self.kubeconfig(cluster, user: user, name: "fail.yaml")))
        await #expect(throws: KubeClientError.self) { _ = try await Api<Namespace>(client: client).list() }
        try await client.shutdown()
    }

    /// Makes `client.key`/`client.crt` (CN tester, O system:masters) signed by the cluster CA with openssl.
    static func mintClientCertificate(_ cluster: DevClusterProcess) async throws -> (cert: String, key: String) {
        let dir = cluster.dataDirectory.path
        let steps = [
            ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "\(dir)/client.key"],
            ["req", "-new", "-key", "\(dir)/client.key", "-subj", "/O=system:masters/CN=tester", "-out", "\(dir)/client.csr"],
            ["x509", "-req", "-in", "\(dir)/client.csr", "-CA", "\(dir)/ca.crt", "-CAkey", "\(dir)/ca.key", "-CAcreateserial",
             "-days", "1", "-out", "\(dir)/client.crt"],
        ]
        for args in steps {
            let r = try await ProcessRunner.run("/usr/bin/openssl", args)
            try #require(r.succeeded, "openssl \(args.first ?? ""): \(r.stderr)")
        }
        return ("\(dir)/client.crt", "\(dir)/client.key")
    }

    @Test("a client certificate signed by the cluster CA authenticates")
    func clientCertificate() async throws {
        let cluster = try await DevClusterProcess.start(extraArguments: ["--no-controller"])
        defer { cluster.stop() }
        let (cert, key) = try await Self.mintClientCertificate(cluster)
        let user = """
            client-certificate: \(cert)
            client-key: \(key)
        """
        #expect(try await Self.canList(Self.kubeconfig(cluster, user: user, name: "cert.yaml")))
    }

    @Test("an exec plugin that returns only a client certificate and key authenticates with them over TLS")
    func execPluginClientCertificate() async throws {
        let cluster = try await DevClusterProcess.start(extraArguments: ["--no-controller"])
        defer { cluster.stop() }
        let (cert, key) = try await Self.mintClientCertificate(cluster)
        let credential: JSONValue = [
            "apiVersion": "client.authentication.k8s.io/v1", "kind": "ExecCredential",
            "status": ["clientCertificateData": .string(try String(contentsOfFile: cert, encoding: .utf8)),
                       "clientKeyData": .string(try String(contentsOfFile: key, encoding: .utf8))],
        ]
        let answer = cluster.dataDirectory.appendingPathComponent("credential.json")
        try credential.jsonString.write(to: answer, atomically: true, encoding: .utf8)
        let script = cluster.dataDirectory.appendingPathComponent("get-cert.sh")
        try "#!/bin/sh\ncat '\(answer.path)'\n".write(to: script, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path)
        let user = """
            exec:
              apiVersion: client.authentication.k8s.io/v1
              command: \(script.path)
        """
        #expect(try await Self.canList(Self.kubeconfig(cluster, user: user, name: "exec-cert.yaml")),
                "the plugin's certificate is the only credential: it must be the TLS client identity")
        // The same plugin answering with a certificate of another CA is refused (the identity is really used).
        let other = try await ProcessRunner.run("/usr/bin/openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-nodes", "-subj", "/CN=stranger", "-days", "1", "-keyout", cluster.dataDirectory.appendingPathComponent("o.key").path,
            "-out", cluster.dataDirectory.appendingPathComponent("o.crt").path])
        try #require(other.succeeded, "openssl: \(other.stderr)")
        let foreign: JSONValue = [
            "apiVersion": "client.authentication.k8s.io/v1", "kind": "ExecCredential",
            "status": ["clientCertificateData": .string(try String(contentsOf: cluster.dataDirectory.appendingPathComponent("o.crt"), encoding: .utf8)),
                       "clientKeyData": .string(try String(contentsOf: cluster.dataDirectory.appendingPathComponent("o.key"), encoding: .utf8))],
        ]
        try foreign.jsonString.write(to: answer, atomically: true, encoding: .utf8)
        var foreignConfig = try ClientConfiguration.load(kubeconfig: Self.kubeconfig(cluster, user: user, name: "exec-foreign.yaml"))
        foreignConfig.maxRetries = 0
        let foreignClient = try KubeClient(configuration: foreignConfig)
        let refused: Bool
        do {
            _ = try await Api<Namespace>(client: foreignClient).list()
            refused = false
        } catch {
            refused = true
        }
        try await foreignClient.shutdown()
        #expect(refused, "a certificate of a foreign CA must not authenticate")
    }

    /// `openssl s_server -www` on a free loopback port with a certificate for DNS:api.internal only
    /// (no IP SAN, so the loopback address alone does not satisfy verification).
    final class NamedTLSServer: @unchecked Sendable {
        let process = Process()
        let port: Int
        let caPath: String

        init(directory: URL) async throws {
            let dir = directory.path
            let made = try await ProcessRunner.run("/usr/bin/openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                "-nodes", "-subj", "/CN=api.internal", "-addext", "subjectAltName=DNS:api.internal", "-days", "1",
                "-keyout", "\(dir)/named.key", "-out", "\(dir)/named.crt"])
            try #require(made.succeeded, "openssl: \(made.stderr)")
            caPath = "\(dir)/named.crt"
            let out = directory.appendingPathComponent("s_server.out")
            FileManager.default.createFile(atPath: out.path, contents: nil)
            process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
            process.arguments = ["s_server", "-accept", "127.0.0.1:0", "-cert", "\(dir)/named.crt", "-key", "\(dir)/named.key", "-www"]
            process.standardOutput = try FileHandle(forWritingTo: out)
            process.standardError = FileHandle.nullDevice
            try process.run()
            var found: Int?
            for _ in 0..<100 where found == nil {
                let text = (try? String(contentsOf: out, encoding: .utf8)) ?? ""
                found = text.split(separator: "\n").first { $0.hasPrefix("ACCEPT ") }.flatMap { $0.split(separator: ":").last }.flatMap { Int($0) }
                if found == nil { try await Task.sleep(for: .milliseconds(50)) }
            }
            guard let found else {
                kill(process.processIdentifier, SIGKILL)
                throw TestSupportError.startFailed("openssl s_server did not report its port")
            }
            port = found
        }

        /// SIGKILL: the test runner ignores SIGTERM, and children inherit ignored signals.
        func stop() {
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
            }
        }

        deinit { stop() }

        /// Sends one request with this `tls-server-name` (nil: none): true when the TLS handshake
        /// and verification succeeded (s_server answers HTML, which fails later as non-JSON).
        func handshakeSucceeds(serverName: String?) async throws -> Bool {
            var config = ClientConfiguration(server: "https://127.0.0.1:\(port)")
            config.caPEM = Array(try Data(contentsOf: URL(fileURLWithPath: caPath)))
            config.tlsServerName = serverName
            config.maxRetries = 0
            // A failed handshake is retried by the connection pool until the request deadline.
            config.timeout = .seconds(3)
            let client = try KubeClient(configuration: config)
            let succeeded: Bool
            do {
                _ = try await Api<Namespace>(client: client).list()
                succeeded = true
            } catch let error as KubeClientError {
                if case .transport = error { succeeded = false } else { succeeded = true }
            }
            try await client.shutdown()
            return succeeded
        }
    }

    @Test("tls-server-name is the name sent and verified in the server certificate; proxy-url is refused, not ignored")
    func tlsServerNameAndProxy() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sni-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let server = try await NamedTLSServer(directory: dir)
        defer { server.stop() }
        #expect(try await !server.handshakeSucceeds(serverName: nil), "127.0.0.1 is not a name of the certificate")
        #expect(try await server.handshakeSucceeds(serverName: "api.internal"), "tls-server-name must be the verified name")
        #expect(try await !server.handshakeSucceeds(serverName: "api.example.com"), "a tls-server-name the certificate lacks must fail")

        let cluster = try await DevClusterProcess.start(extraArguments: ["--no-controller"])
        defer { cluster.stop() }
        // Parsed from the kubeconfig, and usable against sextant dev (its certificate names localhost).
        let named = try ClientConfiguration.load(kubeconfig: Self.kubeconfig(cluster, clusterExtra: "    tls-server-name: localhost", name: "sni-ok.yaml"))
        #expect(named.tlsServerName == "localhost")
        #expect(try await Self.canList(Self.kubeconfig(cluster, clusterExtra: "    tls-server-name: localhost", name: "sni-ok.yaml")))

        let proxied = try ClientConfiguration.load(kubeconfig: Self.kubeconfig(cluster, clusterExtra: "    proxy-url: http://127.0.0.1:3128", name: "proxy.yaml"))
        #expect(proxied.proxyURL == "http://127.0.0.1:3128")
        do {
            _ = try KubeClient(configuration: proxied)
            Issue.record("proxy-url must not be silently ignored")
        } catch let error as KubeClientError {
            #expect(error.description.contains("proxy-url"), "\(error)")
        }
    }
}
