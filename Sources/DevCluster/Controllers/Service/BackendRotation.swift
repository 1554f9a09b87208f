/// The ready backends of one Service (host ports of its pods) and which one the next connection
/// goes to: round-robin, one connection at a time, as kube-proxy's IPVS mode does by default
/// (its iptables mode picks uniformly at random; both give each ready pod an equal share of
/// connections). Pure value; the listener holds it under a lock.
struct BackendRotation: Sendable, Equatable {
    /// Host ports of the ready pods, in a stable order.
    private(set) var backends: [Int] = []
    /// Index of the backend the next connection goes to.
    private var next = 0

    init(backends: [Int] = []) {
        self.backends = backends
    }

    /// Replaces the backends (pods became ready or unready). Keeps the position in the rotation
    /// so a change does not send the next connections to the same pod again.
    mutating func update(_ ports: [Int]) {
        guard ports != backends else { return }
        backends = ports
        next = backends.isEmpty ? 0 : next % backends.count
    }

    /// The backend for a new connection; nil when no pod is ready (the connection is refused,
    /// as kube-proxy rejects traffic to a Service without endpoints).
    mutating func pick() -> Int? {
        guard !backends.isEmpty else { return nil }
        let port = backends[next % backends.count]
        next = (next + 1) % backends.count
        return port
    }

    /// The backends to try for one connection, in order: the picked one, then the others (a pod
    /// that just stopped listening is skipped instead of failing the connection).
    mutating func candidates() -> [Int] {
        guard let first = pick(), let index = backends.firstIndex(of: first) else { return [] }
        return Array(backends[index...] + backends[..<index])
    }
}
