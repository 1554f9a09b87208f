import Foundation
import Logging
import Synchronization
import Testing
import TestSupport
@testable import DevCluster

#if canImport(Glibc)
import Glibc
#endif

/// Every connection to a Service host listener (ServiceProxy) is answered: HTTP/1.0 and 1.1,
/// keep-alive and `Connection: close`, a client that half-closes after its request, sequential
/// and concurrent, with two real backends (threaded Python HTTP servers, as pods run them).
@Suite("Service host listener answers every connection")
struct ServiceRelayTests {
    /// Answers `GET /` with `$WHO` (HTTP/1.1, keep-alive unless asked to close); `GET /drop`
    /// closes the connection without an answer (a pod that dies mid-request).
    static let backendScript = """
        import http.server, os
        class H(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True
            def do_GET(self):
                if self.path == "/drop":
                    self.close_connection = True
                    return
                b = os.environ["WHO"].encode()
                self.send_response(200); self.send_header("Content-Length", str(len(b))); self.end_headers(); self.wfile.write(b)
            def log_message(self, *a): pass
        http.server.ThreadingHTTPServer.request_queue_size = 128
        http.server.ThreadingHTTPServer(("127.0.0.1", int(os.environ["PORT"])), H).serve_forever()
        """

    /// Two backends behind one listener of a fresh `ServiceProxies`.
    struct Fixture {
        let backends: [PeerProcess]
        let proxies: ServiceProxies
        let port: Int

        static func start() async throws -> Fixture {
            var backends: [PeerProcess] = []
            for who in ["a", "b"] {
                backends.append(try await PeerProcess.start(name: "relay-\(who)", executable: "/usr/bin/python3", arguments: ["-c", ServiceRelayTests.backendScript],
                                                            environment: ["PORT": "{port}", "WHO": who], readyPath: nil, timeout: 20))
            }
            let proxies = ServiceProxies(logger: Logger(label: "relay-test"))
            let port = try await proxies.route(ObjectKey(namespace: "default", name: "web"), backends: backends.map(\.port), preferredPort: nil)
            return Fixture(backends: backends, proxies: proxies, port: port)
        }

        func stop() async {
            await proxies.closeAll()
            for backend in backends { backend.stop() }
        }
    }

    @Test("200 sequential HTTP/1.0 requests are all answered, half by each backend")
    func sequentialOneShot() async throws {
        let f = try await Fixture.start()
        var counts: [String: Int] = [:]
        for _ in 0..<200 {
            counts[RawHTTP.exchange(port: f.port, requests: [RawHTTP.request(version: "1.0")]).first.flatMap { $0 } ?? "unanswered", default: 0] += 1
        }
        await f.stop()
        #expect(counts == ["a": 100, "b": 100], "\(counts)")
    }

    @Test("keep-alive and Connection: close requests are all answered")
    func connectionStyles() async throws {
        let f = try await Fixture.start()
        var unanswered: [String] = []
        for round in 0..<40 {
            // Five requests on one kept-alive connection: one backend answers them all.
            let kept = RawHTTP.exchange(port: f.port, requests: Array(repeating: RawHTTP.request(version: "1.1"), count: 5))
            if kept.contains(nil) || Set(kept.compactMap { $0 }).count != 1 { unanswered.append("keep-alive \(round): \(kept)") }
            let closing = RawHTTP.exchange(port: f.port, requests: [RawHTTP.request(version: "1.1", close: true)])
            if closing.contains(nil) { unanswered.append("Connection: close \(round)") }
        }
        await f.stop()
        #expect(unanswered.isEmpty, "\(unanswered)")
    }

    /// The client's request and EOF can reach the listener before the backend has connected.
    @Test("200 clients that half-close right after their request are all answered")
    func halfClose() async throws {
        let f = try await Fixture.start()
        var unanswered: [Int] = []
        for round in 0..<200 {
            let answer = RawHTTP.exchange(port: f.port, requests: [RawHTTP.request(version: "1.1", close: true)], halfClose: true, timeoutSeconds: 3)
            if answer.contains(nil) { unanswered.append(round) }
        }
        await f.stop()
        #expect(unanswered.isEmpty, "unanswered: \(unanswered)")
    }

    @Test("64 concurrent connections are all answered")
    func concurrent() async throws {
        let f = try await Fixture.start()
        let answers = RawHTTP.concurrently(64) { _ in
            RawHTTP.exchange(port: f.port, requests: [RawHTTP.request(version: "1.1", close: true)]).first.flatMap { $0 }
        }
        await f.stop()
        #expect(answers.filter { $0 == nil }.count == 0, "\(answers)")
        #expect(Set(answers.compactMap { $0 }) == ["a", "b"])
    }

    @Test("a backend that closes without answering closes the client's connection too; a backend that is down is skipped")
    func backendFailures() async throws {
        let f = try await Fixture.start()
        let started = Date()
        let dropped = RawHTTP.exchange(port: f.port, requests: [RawHTTP.request(version: "1.1", path: "/drop")])
        let elapsed = Date().timeIntervalSince(started)
        // One backend down: every connection goes to the other.
        f.backends[0].stop()
        var counts: [String: Int] = [:]
        for _ in 0..<20 {
            counts[RawHTTP.exchange(port: f.port, requests: [RawHTTP.request(version: "1.0")]).first.flatMap { $0 } ?? "unanswered", default: 0] += 1
        }
        await f.stop()
        #expect(dropped == [nil] && elapsed < 3, "the client waited \(elapsed) s")
        #expect(counts == ["b": 20], "\(counts)")
    }
}

/// A blocking HTTP/1.x client on raw sockets that reads responses by `Content-Length`, so one
/// connection can carry several requests.
enum RawHTTP {
    static func request(version: String, path: String = "/", close: Bool = false) -> String {
        "GET \(path) HTTP/\(version)\r\nHost: web\r\n\(close ? "Connection: close\r\n" : "")\r\n"
    }

    /// Sends `requests` one after another on one connection and returns each response body (nil
    /// when none arrived within `timeoutSeconds`). With `halfClose`, shuts down the write side
    /// after the last request.
    static func exchange(port: Int, requests: [String], halfClose: Bool = false, timeoutSeconds: Int = 5) -> [String?] {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return requests.map { _ in nil } }
        defer { close(fd) }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return requests.map { _ in nil } }
        var pending: [UInt8] = []
        var answers: [String?] = []
        for (index, request) in requests.enumerated() {
            let bytes = Array(request.utf8)
            guard send(fd, bytes, bytes.count, Int32(MSG_NOSIGNAL)) == bytes.count else { break }
            if halfClose && index == requests.count - 1 { shutdown(fd, Int32(SHUT_WR)) }
            guard let body = readResponse(fd, buffer: &pending) else { break }
            answers.append(body)
        }
        return answers + Array(repeating: nil, count: requests.count - answers.count)
    }

    /// One response's body from `fd` (bytes already read are in `buffer`).
    private static func readResponse(_ fd: Int32, buffer: inout [UInt8]) -> String? {
        var chunk = [UInt8](repeating: 0, count: 4096)
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        while true {
            if let end = buffer.firstRange(of: separator) {
                let head = String(decoding: buffer[..<end.lowerBound], as: UTF8.self).lowercased()
                let length = head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                    .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) }
                if let length, buffer.count - end.upperBound >= length {
                    let body = String(decoding: buffer[end.upperBound..<(end.upperBound + length)], as: UTF8.self)
                    buffer.removeFirst(end.upperBound + length)
                    return body
                }
            }
            let n = recv(fd, &chunk, chunk.count, 0)
            if n <= 0 { return nil }
            buffer += chunk[0..<n]
        }
    }

    /// Runs `body` on `count` threads at once and returns the results in order.
    static func concurrently<T: Sendable>(_ count: Int, _ body: @escaping @Sendable (Int) -> T) -> [T] {
        let results = Mutex<[Int: T]>([:])
        let group = DispatchGroup()
        for index in 0..<count {
            group.enter()
            Thread.detachNewThread {
                let value = body(index)
                results.withLock { $0[index] = value }
                group.leave()
            }
        }
        group.wait()
        return results.withLock { all in (0..<count).compactMap { all[$0] } }
    }
}

