import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Loopback TCP helpers for local-executor serving pods.
enum HostNetwork {
    /// A free TCP port on 127.0.0.1 (bound then released; the process binds it next).
    static func freePort() -> Int? {
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
