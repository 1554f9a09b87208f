import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How a host process ended.
struct HostExit: Sendable, Equatable {
    /// The exit status (128 + signal number when killed by a signal, as container runtimes report).
    var exitCode: Int32
    /// The signal that killed it, if any.
    var signal: Int32?
}

/// A host process started by the local executor: its own process group (so signals reach the
/// whole tree), default signal dispositions, stdin from /dev/null, stdout+stderr appended to a
/// log file, no inherited descriptors. Its exit is collected by a dedicated waiter thread.
final class HostProcess: Sendable {
    let pid: pid_t
    private let state = Mutex<(exit: HostExit?, waiters: [CheckedContinuation<HostExit, Never>])>((nil, []))

    private init(pid: pid_t) { self.pid = pid }

    /// Starts `arguments[0]` (looked up in the host PATH) with the given environment.
    /// Throws a `POSIXErrorCode`-carrying NSError when the spawn fails.
    static func spawn(arguments: [String], environment: [String: String], workingDirectory: String, logPath: String) throws -> HostProcess {
        guard let executable = arguments.first, !executable.isEmpty else {
            throw NSError(domain: NSPOSIXErrorDomain, code: Int(ENOENT), userInfo: [NSLocalizedDescriptionKey: "no command"])
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_APPEND | O_CREAT, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        if let closeFrom = SpawnExtensions.addCloseFrom { _ = closeFrom(&actions, 3) }
        if let addChdir = SpawnExtensions.addChdir { _ = addChdir(&actions, workingDirectory) }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGPIPE, SIGCHLD, SIGUSR1, SIGUSR2] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        posix_spawnattr_setpgroup(&attributes, 0)

        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let rc = posix_spawnp(&pid, executable, &actions, &attributes, argv, envp)
        guard rc == 0 else {
            throw NSError(domain: NSPOSIXErrorDomain, code: Int(rc), userInfo: [
                NSLocalizedDescriptionKey: "cannot start \(executable): \(String(cString: strerror(rc)))",
            ])
        }
        let process = HostProcess(pid: pid)
        Thread.detachNewThread { process.reap() }
        return process
    }

    private func reap() {
        // Wait without reaping first: while the leader is a zombie its pid (= the group id)
        // cannot be reused, so killing the rest of its group below is safe. The group's
        // remaining processes go with the leader, as a container's do.
        var info = siginfo_t()
        var rc: Int32
        repeat { rc = waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) } while rc == -1 && errno == EINTR
        _ = kill(-pid, SIGKILL)
        var status: Int32 = 0
        var reaped: pid_t
        repeat { reaped = waitpid(pid, &status, 0) } while reaped == -1 && errno == EINTR
        let signalled = status & 0x7f
        let exit: HostExit = signalled == 0
            ? HostExit(exitCode: (status >> 8) & 0xff, signal: nil)
            : HostExit(exitCode: 128 + signalled, signal: signalled)
        let waiters = state.withLock { s in
            s.exit = exit
            defer { s.waiters = [] }
            return s.waiters
        }
        for waiter in waiters { waiter.resume(returning: exit) }
    }

    /// True while the process has not been reaped.
    var isRunning: Bool { state.withLock { $0.exit == nil } }

    /// Sends a signal to the process group.
    func signal(_ signal: Int32) {
        guard isRunning else { return }
        if kill(-pid, signal) != 0 { _ = kill(pid, signal) }
    }

    /// SIGTERM now, SIGKILL after `grace` if still running; returns when it has exited.
    /// Not cancellable: the caller always learns that the process is gone.
    func terminate(grace: Duration) async -> HostExit {
        requestTermination(grace: grace)
        return await waitForExit()
    }

    /// SIGTERM now and SIGKILL after `grace` if still running; does not wait.
    func requestTermination(grace: Duration) {
        signal(SIGTERM)
        let seconds = Double(grace.components.seconds) + Double(grace.components.attoseconds) / 1e18
        DispatchQueue.global().asyncAfter(deadline: .now() + max(0, seconds)) { [self] in
            signal(SIGKILL)
        }
    }

    /// Waits for the process to exit (not cancellable).
    func waitForExit() async -> HostExit {
        await withCheckedContinuation { continuation in
            let done: HostExit? = state.withLock { s in
                if let exit = s.exit { return exit }
                s.waiters.append(continuation)
                return nil
            }
            if let done { continuation.resume(returning: done) }
        }
    }
}

/// glibc's `posix_spawn_file_actions_add{chdir,closefrom}_np`, which Swift's Glibc module does
/// not export (they need _GNU_SOURCE); looked up once at run time.
private enum SpawnExtensions {
    typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
    typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

    static let addChdir: AddChdir? = symbol("posix_spawn_file_actions_addchdir_np")
    static let addCloseFrom: AddCloseFrom? = symbol("posix_spawn_file_actions_addclosefrom_np")

    private static func symbol<T>(_ name: String) -> T? {
        guard let handle = dlopen(nil, RTLD_NOW), let pointer = dlsym(handle, name) else { return nil }
        return unsafeBitCast(pointer, to: T.self)
    }
}
