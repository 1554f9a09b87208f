import Foundation
import Hummingbird
import KubeCore
import Logging
import NIOCore
import NIOSSL
import Synchronization

/// Late-bound parts of the server (pod logs come from the kubelet emulation, the address
/// is known once the listener is bound).
final class ServerState: Sendable {
    let logProvider = Mutex<(any PodLogProvider)?>(nil)
    let address = Mutex<String>("127.0.0.1:6443")
}

/// The Kubernetes API: authentication, fault injection, body limits, routing to handlers.
struct APIResponder: HTTPResponder {
    typealias Context = DevRequestContext
    /// kube-apiserver's limit for request bodies (3 MiB).
    static let maxBodySize = 3 * 1024 * 1024

    let store: DevStore
    let authenticator: Authenticator
    let faults: FaultInjector
    let state: ServerState
    let logger: Logger
    /// Where each finished request is recorded (nil: no audit log).
    var audit: AuditLog?

    func respond(to request: Request, context: DevRequestContext) async throws -> Response {
        let received = Date()
        let auditID = UUID().uuidString.lowercased()
        var response: Response
        var failure: Status?
        let notes = AuditNotes()
        let user = await authenticate(request, context: context)
        do {
            response = try await AuditNotes.$current.withValue(audit == nil ? nil : notes) {
                try await handle(request, context: context, user: user)
            }
        } catch let status as Status {
            failure = status
            response = Responses.status(status)
        } catch {
            logger.error("request failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            let status = APIErrors.internalError("\(error)")
            failure = status
            response = Responses.status(status)
        }
        response.headers[.auditID] = auditID
        guard let audit else { return response }
        let record: @Sendable () -> Void = { [failure, code = response.status.code] in
            let event = AuditLog.event(
                auditID: auditID, method: request.method.rawValue, requestURI: request.uri.description, query: Query(request.uri.query),
                userAgent: request.headers[.userAgent], sourceIP: context.channel.remoteAddress?.ipAddress,
                code: code, failure: failure, received: received, completed: Date(), objectName: notes.objectName, user: user?.json,
                annotations: notes.annotations)
            audit.write(event)
        }
        if response.body.contentLength == nil {
            // A stream (watch, followed log): complete once the body has been written.
            let body = response.body
            response.body = ResponseBody { writer in
                defer { record() }
                try await body.write(writer)
            }
        } else {
            record()
        }
        return response
    }

    private func handle(_ request: Request, context: DevRequestContext, user: UserInfo?) async throws -> Response {
        let path = request.uri.path
        let unauthenticated = ["/healthz", "/livez", "/readyz", "/version"].contains(path)
        let query = Query(request.uri.query)
        if !unauthenticated {
            guard let user else { throw APIErrors.unauthorized }
            try await authorize(user, method: request.method.rawValue, path: path, query: query)
        }
        if path != "/admin/faults" && !unauthenticated {
            if let injected = try await faults.beforeRequest(method: request.method.rawValue, path: path) {
                return injected
            }
        }
        var request = request
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: Self.maxBodySize)
        } catch {
            return Responses.status(APIErrors.tooLarge(limit: Self.maxBodySize))
        }
        let catalog = await store.resourceCatalog()
        let accept = AcceptedFormat(request.headers[.accept])
        switch Router.route(path, catalog: catalog) {
        case .healthz:
            return Responses.text("ok")
        case .version:
            return Responses.json(Discovery.version())
        case .api:
            if let v = accept.aggregatedDiscovery {
                return Responses.withETag(Discovery.aggregated(core: true, version: v, catalog), contentType: Discovery.contentType(aggregated: v),
                                          ifNoneMatch: request.headers[.ifNoneMatch])
            }
            return Responses.json(Discovery.apiVersions(serverAddress: state.address.withLock { $0 }))
        case .apis:
            if let v = accept.aggregatedDiscovery {
                return Responses.withETag(Discovery.aggregated(core: false, version: v, catalog), contentType: Discovery.contentType(aggregated: v),
                                          ifNoneMatch: request.headers[.ifNoneMatch])
            }
            return Responses.json(Discovery.apiGroupList(catalog))
        case .group(let name):
            guard let group = Discovery.group(name, catalog) else { throw APIErrors.pathNotFound }
            return Responses.json(group)
        case .groupVersion(let group, let version):
            guard let list = Discovery.resourceList(group: group, version: version, catalog) else { throw APIErrors.pathNotFound }
            return Responses.json(list)
        case .openAPIv2:
            return Responses.openAPIv2(OpenAPIDocuments.v2(crds: catalog.crds), accept: request.headers[.accept])
        case .openAPIv3Index:
            return Responses.json(OpenAPIDocuments.v3Index(crds: catalog.crds))
        case .openAPIv3(let sub):
            guard let doc = OpenAPIDocuments.v3(path: sub, crds: catalog.crds) else { throw APIErrors.pathNotFound }
            return Responses.json(doc)
        case .review(let group, let resource, let namespace):
            guard request.method == .post else { throw APIErrors.methodNotAllowed }
            guard let user else { throw APIErrors.unauthorized }
            return try await AuthEndpoints(store: store, authenticator: authenticator)
                .review(group: group, resource: resource, namespace: namespace, user: user, body: body, contentType: request.headers[.contentType])
        case .resource(let target) where target.subresource == "token" && target.info.resource == "serviceaccounts" && target.info.group.isEmpty:
            guard request.method == .post, let namespace = target.namespace, let name = target.name else { throw APIErrors.methodNotAllowed }
            return try await AuthEndpoints(store: store, authenticator: authenticator)
                .tokenRequest(namespace: namespace, name: name, body: body, contentType: request.headers[.contentType])
        case .adminFaults:
            return try await faults.handleAdmin(method: request.method, body: body, store: store)
        case .notFound:
            throw APIErrors.pathNotFound
        case .resource(let target):
            var handler = ResourceHandler(store: store, faults: faults, state: state, logger: logger, catalog: catalog)
            handler.user = user
            let response = try await handler.handle(method: request.method, target: target, query: query, headers: request.headers, body: body, accept: accept)
            // Group commit: a write is answered only once it (and every write before it) is durable.
            if request.method != .get && request.method != .head { try await store.awaitDurable() }
            return response
        }
    }

    /// The user of the request's bearer token, or of its client certificate (verified against the
    /// cluster CA during the handshake); nil when it has neither or the token is not valid.
    private func authenticate(_ request: Request, context: DevRequestContext) async -> UserInfo? {
        if let header = request.headers[.authorization], header.hasPrefix("Bearer ") {
            let token = header.dropFirst("Bearer ".count).trimmingCharacters(in: .whitespaces)
            return await authenticator.user(bearer: token, store: store)
        }
        guard let certificate = try? await context.channel.nioSSL_peerCertificate().get() else { return nil }
        return Authenticator.user(certificate: certificate)
    }

    /// RBAC: `system:masters` may do anything; anyone else needs a rule granting the request's
    /// verb on its resource (or non-resource URL), else the 403 kube-apiserver sends.
    private func authorize(_ user: UserInfo, method: String, path: String, query: Query) async throws {
        if user.isMaster { return }
        let attributes = AuthorizationAttributes(RequestInfo.parse(method: method, path: path, query: query), path: path)
        let objects = await store.rbacObjects(namespace: attributes.namespace)
        if !RBACAuthorizer.allows(user: user, attributes, objects) {
            throw RBACAuthorizer.forbidden(user: user, attributes)
        }
    }
}
