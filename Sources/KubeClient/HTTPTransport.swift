import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

/// A TLS client identity (PEM certificate chain and key), e.g. from an exec credential plugin.
struct ClientIdentity: Sendable, Equatable {
    var certificatePEM: [UInt8]
    var keyPEM: [UInt8]
}

/// The HTTP clients of one `KubeClient`: TLS built from the configuration (CA, client certificate,
/// `tls-server-name`), and a new client whenever the TLS identity changes (an exec plugin handed
/// out a new client certificate). As client-go does on certificate rotation, the connections of
/// the previous identity are closed; requests then reconnect with the new one.
final class HTTPTransport: Sendable {
    private struct State {
        var identity: ClientIdentity?
        var client: HTTPClient
        var retired: [HTTPClient] = []
        var isShutDown = false
    }

    private let configuration: ClientConfiguration
    private let state: Mutex<State>
    /// The URL prefix requests go to: the server, or with `tls-server-name` the same port under
    /// that name (resolved to the server's host through a DNS override), so SNI and certificate
    /// verification use the name while the connection goes to the server.
    let baseURL: String

    init(configuration: ClientConfiguration) throws {
        if let proxy = configuration.proxyURL, !proxy.isEmpty {
            throw KubeClientError.config("proxy-url \(proxy) is not supported by this client (connect directly or through an SSH tunnel)")
        }
        self.configuration = configuration
        var base = configuration.server
        var dnsOverride: [String: String] = [:]
        if let serverName = configuration.tlsServerName, !serverName.isEmpty {
            guard var components = URLComponents(string: configuration.server), let host = components.host else {
                throw KubeClientError.config("server \(configuration.server) is not a URL")
            }
            components.host = serverName
            base = components.string ?? configuration.server
            // URLComponents keeps IPv6 brackets in `host`; the resolver wants the bare address.
            dnsOverride[serverName] = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        }
        self.baseURL = base
        let client = try Self.makeClient(configuration, identity: nil, dnsOverride: dnsOverride)
        self.dnsOverride = dnsOverride
        self.state = Mutex(State(identity: nil, client: client))
    }

    private let dnsOverride: [String: String]

    /// The client for requests authenticated with `identity` (nil: the configuration's own
    /// client certificate, if any).
    func client(for identity: ClientIdentity?) throws -> HTTPClient {
        if let current = state.withLock({ $0.identity == identity ? $0.client : nil }) { return current }
        let fresh = try Self.makeClient(configuration, identity: identity, dnsOverride: dnsOverride)
        let (chosen, old): (HTTPClient, HTTPClient?) = state.withLock { s in
            if s.isShutDown { return (s.client, nil) }
            if s.identity == identity { return (s.client, nil) }
            let previous = s.client
            s.client = fresh
            s.identity = identity
            s.retired.append(previous)
            return (fresh, previous)
        }
        if chosen !== fresh {
            fresh.shutdown { _ in }
        }
        // Close the previous identity's connections (in-flight requests fail and are retried or re-watched).
        old?.shutdown { _ in }
        return chosen
    }

    /// Shuts every client down.
    func shutdown() async throws {
        let all: [HTTPClient] = state.withLock { s in
            s.isShutDown = true
            let clients = [s.client] + s.retired
            s.retired = []
            return clients
        }
        for client in all {
            do { try await client.shutdown() } catch let error as HTTPClientError where error == .alreadyShutdown {}
        }
    }

    deinit {
        // A client dropped without `shutdown()` still releases its connections (non-blocking).
        let clients = state.withLock { s in s.isShutDown ? [] : [s.client] }
        for client in clients { client.shutdown { _ in } }
    }

    static func makeClient(_ configuration: ClientConfiguration, identity: ClientIdentity?, dnsOverride: [String: String]) throws -> HTTPClient {
        var tls = TLSConfiguration.makeClientConfiguration()
        do {
            if let ca = configuration.caPEM {
                tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(ca))
            }
            let certPEM = identity?.certificatePEM ?? configuration.clientCertificatePEM
            let keyPEM = identity?.keyPEM ?? configuration.clientKeyPEM
            if let certPEM, let keyPEM {
                tls.certificateChain = try NIOSSLCertificate.fromPEMBytes(certPEM).map { .certificate($0) }
                tls.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: keyPEM, format: .pem))
            }
        } catch {
            throw KubeClientError.config("invalid TLS material\(identity == nil ? "" : " from the credential plugin"): \(error)")
        }
        if configuration.insecureSkipTLSVerify { tls.certificateVerification = .none }
        // Closing a connection sends close_notify and by default waits up to 5 s for the peer's.
        // A server still streaming a watch may never answer, and `shutdown()` (hence every
        // graceful stop) would wait that long; the client has nothing left to read by then.
        tls.shutdownTimeout = .milliseconds(300)
        var httpConfig = HTTPClient.Configuration(
            tlsConfiguration: tls,
            timeout: .init(connect: .seconds(10), read: nil))
        httpConfig.dnsOverride = dnsOverride
        httpConfig.connectionPool.idleTimeout = .seconds(60)
        // Every watch holds one HTTP/1.1 connection for its lifetime; the default soft limit (8 per host)
        // is exhausted by the operator's watches and starves ordinary requests.
        httpConfig.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 64
        httpConfig.httpVersion = .http1Only
        return HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: httpConfig)
    }
}
