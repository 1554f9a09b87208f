import Foundation
import KubeCore
import Testing
import TestSupport

/// A kubeconfig for the cluster with another bearer token.
func kubeconfig(for cluster: DevClusterProcess, token: String, name: String) throws -> Kubectl {
    let ca = try Data(contentsOf: URL(fileURLWithPath: cluster.caPath)).base64EncodedString()
    let text = """
    apiVersion: v1
    kind: Config
    clusters: [{name: dev, cluster: {server: "\(cluster.url)", certificate-authority-data: \(ca)}}]
    users: [{name: u, user: {token: "\(token)"}}]
    contexts: [{name: dev, context: {cluster: dev, user: u, namespace: default}}]
    current-context: dev
    """
    let path = cluster.dataDirectory.appendingPathComponent("\(name).kubeconfig")
    try text.write(to: path, atomically: true, encoding: .utf8)
    return Kubectl(kubeconfigPath: path.path)
}

/// One HTTPS request as another user (that bearer token instead of the admin's).
func request(_ cluster: DevClusterProcess, token: String, _ method: String, _ path: String, body: String? = nil) async throws -> DevClusterProcess.HTTPResult {
    try await cluster.request(method, path, body: body, headers: ["Authorization": "Bearer \(token)"], authenticated: false)
}

@Suite("Users and RBAC: token auth file, service-account tokens, authorization, access reviews")
struct ServerRBACTests {
    static func startWithUsers() async throws -> DevClusterProcess {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sextant-rbac-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let file = dir.appendingPathComponent("tokens.csv")
        try """
        jane-token,jane,u-1,"devs,readers"
        bob-token,bob,u-2
        """.write(to: file, atomically: true, encoding: .utf8)
        return try await DevClusterProcess.start(extraArguments: ["--no-controller", "--token-auth-file", file.path], dataDirectory: dir.appendingPathComponent("dev"))
    }

    @Test("token-auth-file users are denied with kube-apiserver's 403 until a RoleBinding grants them; groups bind too; unknown tokens are 401")
    func tokenFileUsersAndRoles() async throws {
        let cluster = try await Self.startWithUsers()
        defer { cluster.stop() }
        let denied = try await request(cluster, token: "jane-token", "GET", "/api/v1/namespaces/default/pods")
        #expect(denied.status == 403)
        #expect(denied.json?["message"] == "pods is forbidden: User \"jane\" cannot list resource \"pods\" in API group \"\" in the namespace \"default\"")
        #expect(denied.json?["reason"] == "Forbidden" && denied.json?[path: ["details", "kind"]] == "pods")
        let named = try await request(cluster, token: "jane-token", "GET", "/apis/apps/v1/namespaces/default/deployments/web")
        #expect(named.json?["message"] == "deployments.apps \"web\" is forbidden: User \"jane\" cannot get resource \"deployments\" in API group \"apps\" in the namespace \"default\"")
        let cluster403 = try await request(cluster, token: "jane-token", "GET", "/api/v1/nodes")
        #expect(cluster403.json?["message"] == "nodes is forbidden: User \"jane\" cannot list resource \"nodes\" in API group \"\" at the cluster scope")
        let unknown = try await request(cluster, token: "nobody", "GET", "/api/v1/namespaces")
        #expect(unknown.status == 401)
        // Discovery is open to every authenticated user (system:discovery).
        let discovery = try await request(cluster, token: "bob-token", "GET", "/apis")
        #expect(discovery.status == 200)

        let admin = cluster.kubectl
        #expect(try await admin.run(["create", "role", "pod-reader", "--verb=get,list,watch", "--resource=pods"]).succeeded)
        #expect(try await admin.run(["create", "rolebinding", "readers", "--role=pod-reader", "--group=readers"]).succeeded)
        let allowed = try await request(cluster, token: "jane-token", "GET", "/api/v1/namespaces/default/pods")
        #expect(allowed.status == 200, "\(allowed.body)")
        let otherNamespace = try await request(cluster, token: "jane-token", "GET", "/api/v1/namespaces/kube-system/pods")
        #expect(otherNamespace.status == 403)
        let write = try await request(cluster, token: "jane-token", "POST", "/api/v1/namespaces/default/pods", body: "{}")
        #expect(write.json?["message"] == "pods is forbidden: User \"jane\" cannot create resource \"pods\" in API group \"\" in the namespace \"default\"")
        let bob = try await request(cluster, token: "bob-token", "GET", "/api/v1/namespaces/default/pods")
        #expect(bob.status == 403)

        // kubectl auth can-i (SelfSubjectAccessReview) and whoami (SelfSubjectReview) as jane.
        let jane = try kubeconfig(for: cluster, token: "jane-token", name: "jane")
        let yes = try await jane.run(["auth", "can-i", "list", "pods"])
        #expect(yes.succeeded && yes.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "yes", "\(yes.stdout) \(yes.stderr)")
        let no = try await jane.run(["auth", "can-i", "delete", "pods"])
        #expect(!no.succeeded && no.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "no", "\(no.stdout) \(no.stderr)")
        let whoami = try await jane.run(["auth", "whoami", "-o", "jsonpath={.status.userInfo.username} {.status.userInfo.groups}"])
        #expect(whoami.stdout.hasPrefix("jane ") && whoami.stdout.contains("readers") && whoami.stdout.contains("system:authenticated"), "\(whoami.stdout) \(whoami.stderr)")
        let list = try await jane.run(["auth", "can-i", "--list"])
        #expect(list.succeeded && list.stdout.contains("pods"), "\(list.stdout) \(list.stderr)")
        let kubectlDenied = try await jane.run(["get", "secrets"])
        #expect(kubectlDenied.stderr.contains("secrets is forbidden: User \"jane\" cannot list resource \"secrets\" in API group \"\" in the namespace \"default\""), "\(kubectlDenied.stderr)")
    }

    @Test("ServiceAccount tokens from TokenRequest (kubectl create token) authenticate as system:serviceaccount:NS:NAME and end with the account")
    func serviceAccountTokens() async throws {
        let cluster = try await Self.startWithUsers()
        defer { cluster.stop() }
        let admin = cluster.kubectl
        #expect(try await admin.run(["create", "serviceaccount", "robot"]).succeeded)
        let token = try await admin.run(["create", "token", "robot"])
        try #require(token.succeeded, "\(token.stderr)")
        let jwt = token.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(jwt.split(separator: ".").count == 3)
        let denied = try await request(cluster, token: jwt, "GET", "/api/v1/namespaces/default/configmaps")
        #expect(denied.json?["message"] == "configmaps is forbidden: User \"system:serviceaccount:default:robot\" cannot list resource \"configmaps\" in API group \"\" in the namespace \"default\"")
        #expect(try await admin.run(["create", "clusterrolebinding", "robot-view", "--clusterrole=view", "--serviceaccount=default:robot"]).succeeded)
        // view is aggregated: it grants nothing until a ClusterRole labelled aggregate-to-view exists.
        #expect(try await request(cluster, token: jwt, "GET", "/api/v1/namespaces/default/configmaps").status == 403)
        let aggregated = """
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: configmap-viewer, labels: {rbac.authorization.k8s.io/aggregate-to-view: "true"}}
        rules: [{apiGroups: [""], resources: [configmaps], verbs: [get, list, watch]}]
        """
        #expect(try await admin.run(["apply", "-f", "-"], stdin: aggregated).succeeded)
        let allowed = try await request(cluster, token: jwt, "GET", "/api/v1/namespaces/default/configmaps")
        #expect(allowed.status == 200, "\(allowed.body)")
        // edit aggregates into admin, view into edit: a user bound to admin in a namespace can read configmaps there.
        #expect(try await admin.run(["create", "rolebinding", "bob-admin", "--clusterrole=admin", "--user=bob"]).succeeded)
        #expect(try await request(cluster, token: "bob-token", "GET", "/api/v1/namespaces/default/configmaps").status == 200)
        let robot = try kubeconfig(for: cluster, token: jwt, name: "robot")
        let whoami = try await robot.run(["auth", "whoami", "-o", "jsonpath={.status.userInfo.username}"])
        #expect(whoami.stdout == "system:serviceaccount:default:robot", "\(whoami.stderr)")
        // A token for a deleted (or re-created) account is not valid any more.
        #expect(try await admin.run(["delete", "serviceaccount", "robot"]).succeeded)
        #expect(try await request(cluster, token: jwt, "GET", "/api/v1/namespaces/default/configmaps").status == 401)
        #expect(try await request(cluster, token: jwt + "x", "GET", "/apis").status == 401)
    }
}
