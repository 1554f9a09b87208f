import Foundation
import KubeCore

/// Exponential backoff with jitter: `initial * factor^n`, capped, reset on success.
public struct ExponentialBackoff: Sendable, Hashable {
    public var initial: Double
    public var maximum: Double
    public var factor: Double
    /// Fraction of random spread (0.5 = ±50 %... applied as `delay * (1 + jitter * r)`, r in [-1, 1]).
    public var jitter: Double
    public private(set) var attempts: Int = 0

    public init(initial: Double = 0.8, maximum: Double = 30, factor: Double = 2, jitter: Double = 0.2) {
        self.initial = initial
        self.maximum = maximum
        self.factor = factor
        self.jitter = jitter
    }

    /// The next delay; `random` in [-1, 1] (tests pass 0).
    public mutating func next(random: Double) -> Double {
        let raw = min(maximum, initial * pow(factor, Double(attempts)))
        attempts += 1
        return max(0, raw * (1 + jitter * random))
    }

    public mutating func reset() { attempts = 0 }
}

/// The watcher of one collection as a pure state machine: list, then watch from the list's
/// resourceVersion, resuming from the last seen resourceVersion (objects and bookmarks) when a
/// stream ends, relisting when the server says 410 Gone/Expired, and backing off exponentially
/// (with jitter) on errors. It never reaches a terminal state: every input leads to an action.
public struct WatcherStateMachine: Sendable {
    public enum State: Sendable, Equatable {
        /// Nothing known; next step is a list.
        case empty
        case listing
        /// Watching (or about to) from this resourceVersion.
        case watching(resourceVersion: String)
    }

    /// What the driver must do next.
    public enum Action: Sendable, Equatable {
        case list
        case watch(from: String)
        /// Sleep this many seconds, then call `backoffElapsed()`.
        case backoff(Double)
    }

    /// What happened on an open watch.
    public enum WatchInput: Sendable, Equatable {
        /// An object event with the object's resourceVersion.
        case object(resourceVersion: String?)
        case bookmark(resourceVersion: String)
        /// An ERROR event with this Status code.
        case error(code: Int?, reason: String?)
    }

    public private(set) var state: State = .empty
    private var backoff: ExponentialBackoff
    private var afterBackoff: Action = .list
    /// Random source in [-1, 1] for jitter.
    private let random: @Sendable () -> Double

    public init(backoff: ExponentialBackoff = ExponentialBackoff(), random: @escaping @Sendable () -> Double = { Double.random(in: -1...1) }) {
        self.backoff = backoff
        self.random = random
    }

    /// The last resourceVersion the consumer has seen everything up to.
    public var resourceVersion: String? {
        if case .watching(let rv) = state { return rv }
        return nil
    }

    /// First action.
    public mutating func start() -> Action {
        state = .listing
        return .list
    }

    /// The list returned everything at `resourceVersion` (the driver emits the full set as a restart).
    public mutating func listSucceeded(resourceVersion: String) -> Action {
        backoff.reset()
        state = .watching(resourceVersion: resourceVersion)
        return .watch(from: resourceVersion)
    }

    /// The list failed (transport or API error).
    public mutating func listFailed() -> Action {
        state = .empty
        afterBackoff = .list
        return .backoff(backoff.next(random: random()))
    }

    /// Something arrived on the watch stream. Returns an action only when the stream must be
    /// abandoned (ERROR event); nil means keep reading.
    public mutating func received(_ input: WatchInput) -> Action? {
        switch input {
        case .object(let rv):
            backoff.reset()
            if let rv, !rv.isEmpty { state = .watching(resourceVersion: rv) }
            return nil
        case .bookmark(let rv):
            if !rv.isEmpty { state = .watching(resourceVersion: rv) }
            return nil
        case .error(let code, let reason):
            return failed(gone: code == 410 || reason == "Gone" || reason == "Expired")
        }
    }

    /// The stream ended without error (server timeout): resume from the last resourceVersion.
    public mutating func streamEnded() -> Action {
        guard case .watching(let rv) = state else { return start() }
        return .watch(from: rv)
    }

    /// Opening or reading the watch failed; `gone` when the server answered 410.
    public mutating func watchFailed(gone: Bool) -> Action {
        failed(gone: gone)
    }

    private mutating func failed(gone: Bool) -> Action {
        if gone {
            // Our resourceVersion is compacted away: a fresh list is the only way to catch up.
            state = .listing
            return .list
        }
        guard case .watching(let rv) = state else {
            state = .empty
            afterBackoff = .list
            return .backoff(backoff.next(random: random()))
        }
        afterBackoff = .watch(from: rv)
        return .backoff(backoff.next(random: random()))
    }

    /// The backoff delay passed.
    public mutating func backoffElapsed() -> Action {
        if afterBackoff == .list { state = .listing }
        return afterBackoff
    }
}
