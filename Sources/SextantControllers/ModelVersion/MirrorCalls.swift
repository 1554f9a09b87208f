import Foundation

/// Registry calls of the mirrors, made off the reconcile path. The ModelVersion controller runs one
/// worker (its promotion decisions span a model's versions), so a registry that answers slowly, or a
/// host that does not answer at all, must not hold every other version's reconcile: a pass submits
/// the call and goes on; a later pass (polled while calls are out) takes the result.
///
/// Calls are keyed by version uid and registry, and a result is taken only for the same subject it
/// was made for (stage, recorded id, spec…); one for an older subject is dropped and the call made
/// again. Calls to one registry for one model run one after another, in the order submitted (the
/// versions of a model share the registry's aliases and stages: moving `production` to one version
/// and off another must not interleave); different models and registries run side by side. While
/// `run()` is not running (not leading, or a unit test calling reconcile directly), calls are made
/// inline, as before.
actor MirrorCalls {
    /// One registry call: what it is for and the work.
    struct Call: Sendable {
        var key: String
        /// Calls of one lane (registry, namespace, model) run one at a time.
        var lane: String
        var subject: MirrorSubject
        var operation: @Sendable () async -> MirrorPlanner.Result
    }

    /// Where a version's call to one registry stands.
    enum State: Sendable {
        case running(MirrorSubject)
        case done(MirrorSubject, MirrorPlanner.Result)
    }

    /// What a pass gets back for one registry.
    enum Outcome: Sendable, Equatable {
        /// The call for this subject has finished.
        case finished(MirrorPlanner.Result)
        /// A call is out; look again soon.
        case pending
    }

    private var states: [String: State] = [:]
    private var queue: AsyncStream<Call>.Continuation?
    /// Lanes with a call running, and the calls waiting behind it.
    private var waiting: [String: [Call]] = [:]

    /// The result of the call for `subject` to `registry` of version `uid`, or `.pending` after
    /// submitting it (or while it is out). Inline when no runner is running.
    func outcome(uid: String, registry: String, subject: MirrorSubject,
                 operation: @escaping @Sendable () async -> MirrorPlanner.Result) async -> Outcome {
        let key = "\(uid)/\(registry)"
        switch states[key] {
        case .done(let made, let result)?:
            states[key] = nil
            if made == subject { return .finished(result) }
        case .running?:
            return .pending
        case nil:
            break
        }
        guard let queue else { return .finished(await operation()) }
        states[key] = .running(subject)
        let lane = "\(registry)/\(subject.namespace)/\(subject.model)"
        queue.yield(Call(key: key, lane: lane, subject: subject, operation: operation))
        return .pending
    }

    /// Forgets the calls of version `uid` (deleted); a call still out is dropped when it ends.
    func forget(uid: String) {
        states = states.filter { !$0.key.hasPrefix(uid + "/") }
    }

    /// Keeps only the calls of versions in `live` (uids): a version deleted without the mirror
    /// finalizer is never reconciled again, so nothing else would forget it. A call still out for a
    /// dropped version is dropped when it ends.
    func retain(uids live: Set<String>) {
        states = states.filter { live.contains(MirrorCalls.uid(ofKey: $0.key)) }
    }

    /// The version uid of a "uid/registry" key.
    static func uid(ofKey key: String) -> String {
        key.split(separator: "/", maxSplits: 1).first.map(String.init) ?? key
    }

    /// Whether `run()` is taking calls.
    var isRunning: Bool { queue != nil }

    /// How many calls are out.
    var outstanding: Int {
        states.values.filter { if case .running = $0 { true } else { false } }.count
    }

    /// Takes `call`'s lane if it is free (true); else queues the call behind the lane's running one.
    private func claim(_ call: Call) -> Bool {
        if waiting[call.lane] != nil {
            waiting[call.lane]?.append(call)
            return false
        }
        waiting[call.lane] = []
        return true
    }

    /// Records `call`'s result; returns the next call of its lane (or frees the lane).
    private func finish(_ call: Call, _ result: MirrorPlanner.Result) -> Call? {
        if case .running(let made)? = states[call.key], made == call.subject {
            states[call.key] = .done(call.subject, result)
        }
        guard var lane = waiting[call.lane], !lane.isEmpty else {
            waiting[call.lane] = nil
            return nil
        }
        let next = lane.removeFirst()
        waiting[call.lane] = lane
        return next
    }

    private func open() -> AsyncStream<Call> {
        let (stream, continuation) = AsyncStream.makeStream(of: Call.self)
        queue = continuation
        return stream
    }

    /// Calls that were out when the runner stopped are made again by the next pass.
    private func close() {
        queue?.finish()
        queue = nil
        waiting = [:]
        states = states.filter { if case .running = $0.value { false } else { true } }
    }

    /// Makes the submitted calls, one lane at a time each, until cancelled.
    func run() async {
        let stream = open()
        await withTaskGroup(of: Void.self) { group in
            for await call in stream where claim(call) {
                group.addTask {
                    var current: Call? = call
                    while let c = current, !Task.isCancelled {
                        let result = await c.operation()
                        current = await self.finish(c, result)
                    }
                }
            }
            group.cancelAll()
        }
        close()
    }
}
