import Foundation
import KubeClient
import KubeCore
import KubeRuntime
import Synchronization
import Testing
import TestSupport

@Suite("Controller against sextant dev", .serialized)
struct ControllerIntegrationTests {
    @Test("owned children enqueue their owner; finalizer cleanup runs on delete; repeated events aggregate into a series")
    func ownerMappingFinalizerEvents() async throws {
        let cluster = try await DevClusterProcess.start(extraArguments: ["--no-controller"])
        defer { cluster.stop() }
        let client = try KubeClient(configuration: ClientConfiguration.load(kubeconfig: cluster.kubeconfigPath))
        let jobs = Api<Job>(client: client, namespace: "default")
        let pods = Api<Pod>(client: client, namespace: "default")
        let reconciles = Mutex<[String: Int]>([:])
        let cleanups = Mutex(0)
        let controller = Controller<Job>("test-jobs", client: client, namespaces: ["default"]) { job, ctx in
            try await ctx.finalize(job, finalizer: "test.sextant.dev/cleanup", apply: { j in
                let n = reconciles.withLock { r -> Int in
                    r[j.name, default: 0] += 1
                    return r[j.name, default: 0]
                }
                if n <= 2 { await ctx.event(j, reason: "Seen", note: "reconciled") }
                return .awaitChange
            }, cleanup: { _ in
                cleanups.withLock { $0 += 1 }
                return .awaitChange
            })
        }.owns(Pod.self).workers(2)

        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await controller.run() }
            let job = try await jobs.create(Job(metadata: ObjectMeta(name: "parent"), spec: JobSpec(
                template: PodTemplateSpec(spec: PodSpec(containers: [Container(name: "c", image: "x")], restartPolicy: "Never")))))
            #expect(try await ReflectorIntegrationTests.eventually { try await jobs.get("parent").metadata.finalizers == ["test.sextant.dev/cleanup"] })
            let before = reconciles.withLock { $0["parent", default: 0] }
            var pod = Pod(metadata: ObjectMeta(name: "child", ownerReferences: [job.ownerReference()]),
                          spec: PodSpec(containers: [Container(name: "c", image: "x")]))
            pod.metadata.namespace = "default"
            _ = try await pods.create(pod)
            #expect(try await ReflectorIntegrationTests.eventually { reconciles.withLock { $0["parent", default: 0] } > before },
                    "a child Pod event must reconcile its owner Job")
            // Events: the same reason/note twice on one object is one Event with series.count 2.
            let events = Api<Event>(client: client, namespace: "default")
            #expect(try await ReflectorIntegrationTests.eventually {
                let list = try await events.list().items.filter { $0.regarding?.name == "parent" && $0.reason == "Seen" }
                return list.count == 1 && list.first?.series?.count == 2 && list.first?.reportingController == "sextant"
            })
            try await jobs.delete("parent")
            #expect(try await ReflectorIntegrationTests.eventually { try await jobs.getOptional("parent") == nil })
            #expect(cleanups.withLock { $0 } == 1)
            group.cancelAll()
        }
        try await client.shutdown()
    }

    @Test("a failing reconcile is retried with backoff; a terminal error is not retried")
    func retriesAndTerminal() async throws {
        let cluster = try await DevClusterProcess.start(extraArguments: ["--no-controller"])
        defer { cluster.stop() }
        let client = try KubeClient(configuration: ClientConfiguration.load(kubeconfig: cluster.kubeconfigPath))
        let cms = Api<ConfigMap>(client: client, namespace: "default")
        let attempts = Mutex<[String: Int]>([:])
        struct Flaky: Error {}
        let controller = Controller<ConfigMap>("test-cms", client: client, namespaces: ["default"]) { cm, _ in
            let n = attempts.withLock { a -> Int in
                a[cm.name, default: 0] += 1
                return a[cm.name, default: 0]
            }
            if cm.name == "flaky", n < 4 { throw Flaky() }
            if cm.name == "broken" { throw TerminalError("spec is invalid") }
            return .awaitChange
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await controller.run() }
            _ = try await cms.create(ConfigMap(metadata: ObjectMeta(name: "flaky")))
            _ = try await cms.create(ConfigMap(metadata: ObjectMeta(name: "broken")))
            #expect(try await ReflectorIntegrationTests.eventually { attempts.withLock { $0["flaky", default: 0] } == 4 })
            try await Task.sleep(for: .milliseconds(500))
            #expect(attempts.withLock { $0["broken", default: 0] } == 1)
            #expect(attempts.withLock { $0["flaky", default: 0] } == 4)
            group.cancelAll()
        }
        try await client.shutdown()
    }
}
