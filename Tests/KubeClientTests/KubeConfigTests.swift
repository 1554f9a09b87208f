import Foundation
import KubeClient
import KubeCore
import Testing

@Suite("Kubeconfig")
struct KubeConfigTests {
    let yaml = """
    apiVersion: v1
    kind: Config
    current-context: dev
    clusters:
    - name: local
      cluster:
        server: https://127.0.0.1:6443/
        certificate-authority-data: \(Data("CA-PEM".utf8).base64EncodedString())
    - name: remote
      cluster:
        server: https://remote:443
        insecure-skip-tls-verify: true
    contexts:
    - name: dev
      context: {cluster: local, user: token-user, namespace: ml}
    - name: certs
      context: {cluster: local, user: cert-user}
    - name: plugin
      context: {cluster: remote, user: exec-user}
    users:
    - name: token-user
      user: {token: abc}
    - name: cert-user
      user:
        client-certificate-data: \(Data("CERT".utf8).base64EncodedString())
        client-key-data: \(Data("KEY".utf8).base64EncodedString())
    - name: exec-user
      user:
        exec:
          apiVersion: client.authentication.k8s.io/v1
          command: ./get-token.sh
          args: [--cluster, remote]
          env: [{name: FOO, value: bar}]
    """

    @Test("the current context selects cluster, user and namespace")
    func currentContext() throws {
        let c = try ClientConfiguration.from(KubeConfigFile.parse(yaml))
        #expect(c.server == "https://127.0.0.1:6443")
        #expect(c.namespace == "ml")
        #expect(c.caPEM == Array("CA-PEM".utf8))
        guard case .token(let t) = c.credentials else { Issue.record("expected token"); return }
        #expect(t == "abc")
    }

    @Test("an explicit context with client certificate data")
    func certContext() throws {
        let c = try ClientConfiguration.from(KubeConfigFile.parse(yaml), context: "certs")
        #expect(c.clientCertificatePEM == Array("CERT".utf8))
        #expect(c.clientKeyPEM == Array("KEY".utf8))
        #expect(c.namespace == "default")
    }

    @Test("an exec user resolves a relative command against the kubeconfig directory")
    func execContext() throws {
        let c = try ClientConfiguration.from(KubeConfigFile.parse(yaml), context: "plugin", baseDirectory: "/etc/kube")
        #expect(c.insecureSkipTLSVerify)
        guard case .exec(let exec, let server) = c.credentials else { Issue.record("expected exec"); return }
        #expect(exec.command == "/etc/kube/./get-token.sh")
        #expect(exec.args == ["--cluster", "remote"])
        #expect(server == "https://remote:443")
    }

    @Test("unknown contexts and dangling references are configuration errors")
    func errors() throws {
        let file = try KubeConfigFile.parse(yaml)
        #expect(throws: KubeClientError.self) { try ClientConfiguration.from(file, context: "nope") }
        #expect(throws: KubeClientError.self) { try KubeConfigFile.parse("clusters: 5") }
    }

    @Test("in-cluster configuration reads host, port, CA, token file and namespace")
    func inCluster() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("incluster-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try "tok".write(to: dir.appendingPathComponent("token"), atomically: true, encoding: .utf8)
        try "CA".write(to: dir.appendingPathComponent("ca.crt"), atomically: true, encoding: .utf8)
        try "prod\n".write(to: dir.appendingPathComponent("namespace"), atomically: true, encoding: .utf8)
        let c = try ClientConfiguration.inCluster(
            environment: ["KUBERNETES_SERVICE_HOST": "10.0.0.1", "KUBERNETES_SERVICE_PORT": "443"],
            tokenPath: dir.appendingPathComponent("token").path, caPath: dir.appendingPathComponent("ca.crt").path,
            namespacePath: dir.appendingPathComponent("namespace").path)
        #expect(c.server == "https://10.0.0.1:443")
        #expect(c.namespace == "prod")
        #expect(c.caPEM == Array("CA".utf8))
        #expect(throws: KubeClientError.self) { try ClientConfiguration.inCluster(environment: [:]) }
    }
}
