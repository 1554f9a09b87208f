import Foundation
import KubeClient
import KubeCore
import Testing
import TestSupport

/// Every kubeconfig authentication variant reaches `sextant dev`.
@Suite("Kubeconfig authentication against sextant dev", .serialized)
struct KubeconfigAuthTests {
    /// Writes a kubeconfig with one user and returns its path.
    static func kubeconfig(_ cluster: DevClusterProcess, user: String, name: String) throws -> String {
        let text = """
        apiVersion: v1
        kind: Config
        current-context: test
        clusters:
        - name: dev
          cluster:
            server: \(cluster.url)
            certificate-authority: \(cluster.caPath)
        contexts:
        - name: test
          context: {cluster: dev, user: u, namespace: default}
        users:
        - name: u
          user:
        \(user)
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

    @Test("a client certificate signed by the cluster CA authenticates")
    func clientCertificate() async throws {
        let cluster = try await DevClusterProcess.start(extraArguments: ["--no-controller"])
        defer { cluster.stop() }
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
        let user = """
            client-certificate: \(dir)/client.crt
            client-key: \(dir)/client.key
        """
        #expect(try await Self.canList(Self.kubeconfig(cluster, user: user, name: "cert.yaml")))
    }
}
