import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Loopback TCP helpers for local-executor serving pods and Service listeners.
enum HostNetwork {
    /// Ports handed out by `freePort` and when. Between the hand-out and the process binding the
    /// port, the kernel may return the same port for another `bind(0)`; a port handed out in the
    /// last `reservation` is therefore not handed out again (a pod's server and a Service
    /// listener would otherwise both try to own it).
    private static let handedOut = Mutex<[Int: ContinuousClock.Instant]>([:])
    static let reservation: Duration = .seconds(120)

    /// A free TCP port on 127.0.0.1 (bound then released; the caller binds it next), not one
    /// handed out in the last two minutes.
    static func freePort() -> Int? {
        for _ in 0..<32 {
            guard let port = anyFreePort() else { return nil }
            if reserve(port) { return port }
        }
        return nil
    }

    /// Records `port` as handed out; false when it already was in the last `reservation`.
    static func reserve(_ port: Int) -> Bool {
        let now = ContinuousClock.now
        return handedOut.withLock { ports -> Bool in
            ports = ports.filter { now - $0.value < reservation }
            guard ports[port] == nil else { return false }
            ports[port] = now
            return true
        }
    }

    private static func anyFreePort() -> Int? {
        withSocket(port: 0) { fd, address in
            guard bind(fd, address, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 else { return nil }
            var bound = sockaddr_in()
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let ok = withUnsafeMutablePointer(to: &bound) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) == 0 }
            }
            return ok ? Int(UInt16(bigEndian: bound.sin_port)) : nil
        }
    }

    /// True when something accepts TCP connections on 127.0.0.1:`port`.
    static func accepts(port: Int) -> Bool {
        let connected: Bool? = withSocket(port: port) { fd, address in
            connect(fd, address, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 ? true : nil
        }
        return connected ?? false
    }

    private static func withSocket<T>(port: Int, _ body: (Int32, UnsafePointer<sockaddr>) -> T?) -> T? {
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(clamping: port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body(fd, $0) }
        }
    }
}
