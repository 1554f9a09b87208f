import Foundation
import KubeCore
import Logging

/// Runs one container of a pod with the configured executor, restarting it per the pod's
/// restart policy, and reports each state change.
struct ContainerRunner: Sendable {
    let context: KubeletContext
    let pod: JSONValue
    let key: ObjectKey
    let handle: PodHandle
    let index: Int
    let container: JSONValue
    let port: Int?
    let reporter: PodStatusReporter
    /// The container's state taken over from the pod's status after a restart of `sextant dev`.
    var resumed: ContainerRun?

    private var name: String { container["name"]?.stringValue ?? "" }
    private var restartPolicy: String { pod[path: ["spec", "restartPolicy"]]?.stringValue ?? "Always" }

    /// What one run of the container produced.
    struct Outcome: Sendable {
        var exit: HostExit
        var reason: String?
        var message: String?
        /// When it ended, if not now (a simulated container ends on its schedule).
        var finishedAt: Date?
    }

    func run() async {
        let files = context.files
        var restarts = resumed?.restartCount ?? 0
        var resumedStart: Date?
        switch resumed?.state {
        case .terminated?: return
        case .running(let at)?:
            let recorded = files.recordedStart(namespace: key.namespace, pod: key.name, container: name)
            resumedStart = PodResume.preciseStart(recorded: recorded, status: at)
        case .waiting?, nil: break
        }
        while handle.stopReason == nil, !Task.isCancelled {
            let startedAt = resumedStart ?? context.options.now()
            let needsProbe = port != nil
            resumedStart = nil
            await reporter.update(index) { run in
                run.state = .running(startedAt: startedAt)
                run.ready = !needsProbe
            }
            let outcome: Outcome
            switch context.executor {
            case .simulate: outcome = await simulate(startedAt: startedAt)
            case .local: outcome = await runLocal(startedAt: startedAt)
            }
            let stop = handle.stopReason
            if stop == .shutdown || Task.isCancelled { return }
            let termination = ContainerTermination(
                exitCode: outcome.exit.exitCode, signal: outcome.exit.signal,
                reason: outcome.reason ?? PodStatusLogic.terminationReason(exitCode: outcome.exit.exitCode, deadlineExceeded: stop == .deadline),
                message: outcome.message ?? terminationMessage(exitCode: outcome.exit.exitCode),
                startedAt: startedAt, finishedAt: outcome.finishedAt ?? context.options.now())
            await reporter.update(index) { run in
                run.state = .terminated(termination)
                run.ready = false
            }
            let restart = stop == nil && (restartPolicy == "Always" || (restartPolicy == "OnFailure" && termination.exitCode != 0))
            guard restart else { return }
            let backoff = min(10, 1 << min(restarts, 4))
            let podName = key.name
            let containerName = name
            await reporter.update(index) { run in
                run.lastTermination = termination
                run.restartCount += 1
                run.state = .waiting(reason: "CrashLoopBackOff", message: "back-off \(backoff)s restarting failed container=\(containerName) pod=\(podName)")
            }
            restarts += 1
            await sleepUnlessStopped(Double(backoff))
        }
    }

    /// Sleeps up to `seconds`; returns early (false) when the pod is stopped or the task cancelled.
    @discardableResult
    private func sleepUnlessStopped(_ seconds: Double) async -> Bool {
        // Serving pods simulate "runs until stopped" with an infinite duration: cap it (a year)
        // instead of trapping on the Int64 conversion.
        let bounded = seconds.isFinite ? min(max(seconds, 0), 31_536_000) : 31_536_000
        let end = ContinuousClock.now.advanced(by: .milliseconds(Int64(bounded * 1000)))
        while ContinuousClock.now < end {
            if handle.stopReason != nil || Task.isCancelled { return false }
            let left = end - ContinuousClock.now
            do { try await Task.sleep(for: min(left, .milliseconds(50))) } catch { return false }
        }
        return handle.stopReason == nil
    }

    /// Plays the simulate script: the container ends `seconds` after `startedAt` (also when that
    /// start was before a restart of `sextant dev`).
    private func simulate(startedAt: Date) async -> Outcome {
        let files = context.files
        let script = SimulateScript.of(pod: pod, restartPolicy: restartPolicy)
        files.appendLog(namespace: key.namespace, pod: key.name, container: name, "[sextant dev] simulated container \(name) started", modified: startedAt)
        guard let script else {
            // A server: runs until stopped.
            await sleepUnlessStopped(.infinity)
            return Outcome(exit: HostExit(exitCode: 143, signal: 15))
        }
        if let error = script.error {
            return Outcome(exit: HostExit(exitCode: 1, signal: nil), reason: "Error", message: error)
        }
        let end = startedAt.addingTimeInterval(script.seconds)
        guard await sleepUnlessStopped(end.timeIntervalSince(context.options.now())) else {
            return Outcome(exit: HostExit(exitCode: 143, signal: 15))
        }
        files.appendLog(namespace: key.namespace, pod: key.name, container: name, "[sextant dev] simulated exit code \(script.exitCode) after \(script.seconds)s")
        return Outcome(exit: HostExit(exitCode: script.exitCode, signal: nil), message: script.message, finishedAt: end)
    }

    private func runLocal(startedAt: Date) async -> Outcome {
        let files = context.files
        let terminationPath = files.terminationLog(namespace: key.namespace, pod: key.name, container: name).path
        let invocation = LocalInvocation.build(
            pod: pod, container: container, port: port, terminationFile: terminationPath,
            hostEnvironment: ProcessInfo.processInfo.environment)
        guard !invocation.arguments.isEmpty else {
            return Outcome(exit: HostExit(exitCode: 128, signal: nil), reason: "StartError",
                message: "the local executor needs the container's command or args (the image's entrypoint is not known)")
        }
        let process: HostProcess
        do {
            let workDirectory = try files.makeWorkDirectory(namespace: key.namespace, pod: key.name)
            // A fresh, empty termination log for this run (the process may write its outputs there).
            try Data().write(to: URL(fileURLWithPath: terminationPath))
            process = try HostProcess.spawn(
                arguments: invocation.arguments, environment: invocation.environment,
                workingDirectory: workDirectory.path,
                logPath: files.log(namespace: key.namespace, pod: key.name, container: name).path)
        } catch {
            return Outcome(exit: HostExit(exitCode: 128, signal: nil), reason: "StartError", message: "\(error.localizedDescription)")
        }
        context.logger.info("container process started", metadata: [
            "kind": "Pod", "namespace": "\(key.namespace ?? "")", "name": "\(key.name)", "container": "\(name)", "pid": "\(process.pid)",
        ])
        if !handle.attach(process) {
            process.requestTermination(grace: handle.grace)
        }
        defer { handle.detach(process) }
        let probedPort = port
        let reporter = reporter
        let index = index
        return await withDiscardingTaskGroup { group in
            if let probedPort {
                group.addTask {
                    while !Task.isCancelled, process.isRunning {
                        if HostNetwork.accepts(port: probedPort) {
                            await reporter.update(index) { run in
                                if case .running(let at) = run.state, at == startedAt { run.ready = true }
                            }
                            return
                        }
                        try? await Task.sleep(for: .milliseconds(200))
                    }
                }
            }
            let exit = await process.waitForExit()
            group.cancelAll()
            return Outcome(exit: exit)
        }
    }

    private func terminationMessage(exitCode: Int32) -> String? {
        let files = context.files
        // Only a local-executor process writes a termination log; a simulated container has none.
        let file = context.executor == .local ? try? Data(contentsOf: files.terminationLog(namespace: key.namespace, pod: key.name, container: name)) : nil
        let policy = container["terminationMessagePolicy"]?.stringValue
        let log = policy == "FallbackToLogsOnError" ? try? Data(contentsOf: files.log(namespace: key.namespace, pod: key.name, container: name)) : nil
        return PodStatusLogic.terminationMessage(file: file, log: log, policy: policy, exitCode: exitCode)
    }
}
