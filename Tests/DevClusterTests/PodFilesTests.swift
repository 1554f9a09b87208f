import Foundation
import KubeCore
import Testing
@testable import DevCluster

@Suite("Pod files are created only when written")
struct PodFilesTests {
    private static func tempDir() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("podfiles-\(UUID().uuidString)")
    }

    private static func podObject(_ name: String, status: JSONValue? = nil) -> JSONValue {
        var pod: JSONValue = ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": .string(name), "namespace": "default"],
                              "spec": ["containers": [["name": "main", "image": "x"]]]]
        if let status { pod["status"] = status }
        return pod
    }

    private static func read(_ stream: AsyncThrowingStream<[UInt8], Error>) async throws -> String {
        var text = ""
        for try await chunk in stream { text += String(decoding: chunk, as: UTF8.self) }
        return text
    }

    @Test("a simulated Job's pod writes only its log (no termination log, no start file) and the log holds the kubelet's two lines")
    func simulatedPodWritesOnlyItsLog() async throws {
        try await withWorkloadControllers(.simulate) { store, controllers in
            _ = try await store.create(WorkloadResource.jobs, namespace: "default", jobObject("quick",
                annotations: ["dev.sextant.dev/simulate": #"{"exitCode":0,"seconds":0}"#]))
            try await eventually("Job Complete") { try await store.job("quick").hasTrueCondition("Complete") }
            let pod = try #require(await store.pods(ofJob: try await store.job("quick")).first)
            let name = try #require(pod.name)
            let text = try await Self.read(try await controllers.logProvider.logs(namespace: "default", pod: name, container: nil, follow: false, tailLines: nil))
            #expect(text == "[sextant dev] simulated container main started\n[sextant dev] simulated exit code 0 after 0.0s\n")
            let dir = controllers.files.directory(namespace: "default", pod: name)
            let entries = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
            #expect(entries == ["main.log"])
        }
    }

    @Test("prepare creates nothing and removes an older pod's files; appendLog creates the directory and log; the start time is the log's modification time")
    func lazyFilesAndRecordedStart() throws {
        let dir = Self.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let files = PodFiles(dataDirectory: dir)
        files.prepare(namespace: "ns", pod: "p")
        #expect(!FileManager.default.fileExists(atPath: files.directory(namespace: "ns", pod: "p").path))
        #expect(files.recordedStart(namespace: "ns", pod: "p", container: "c") == nil)
        let start = Date(timeIntervalSince1970: 1_765_000_000.123456)
        files.appendLog(namespace: "ns", pod: "p", container: "c", "one", modified: start)
        let recorded = try #require(files.recordedStart(namespace: "ns", pod: "p", container: "c"))
        #expect(abs(recorded.timeIntervalSince(start)) < 0.000_01)
        files.appendLog(namespace: "ns", pod: "p", container: "c", "two")
        #expect(try String(contentsOf: files.log(namespace: "ns", pod: "p", container: "c"), encoding: .utf8) == "one\ntwo\n")
        files.prepare(namespace: "ns", pod: "p")
        #expect(!FileManager.default.fileExists(atPath: files.directory(namespace: "ns", pod: "p").path))
        #expect(PodResume.preciseStart(recorded: recorded, status: Date(timeIntervalSince1970: 1_765_000_000)) == recorded)
        #expect(PodResume.preciseStart(recorded: nil, status: Date(timeIntervalSince1970: 1_765_000_000)) == Date(timeIntervalSince1970: 1_765_000_000))
    }

    @Test("the log endpoint answers an empty log for a started container without a log file, and 400 ContainerCreating for one not started")
    func logsWithoutFile() async throws {
        let dir = Self.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = WorkloadFakeStore()
        let files = PodFiles(dataDirectory: dir)
        let provider = KubeletLogProvider(store: store, files: files, registry: PodRegistry())
        let running: JSONValue = ["containerStatuses": [["name": "main", "state": ["running": ["startedAt": "2026-12-08T00:00:00Z"]]]]]
        _ = try await store.create(WorkloadResource.pods, namespace: "default", Self.podObject("started", status: running))
        _ = try await store.create(WorkloadResource.pods, namespace: "default", Self.podObject("waiting",
            status: ["containerStatuses": [["name": "main", "state": ["waiting": ["reason": "ContainerCreating"]]]]]))
        #expect(try await Self.read(try await provider.logs(namespace: "default", pod: "started", container: nil, follow: false, tailLines: nil)) == "")
        #expect(try await Self.read(try await provider.logs(namespace: "default", pod: "started", container: "main", follow: true, tailLines: 5)) == "")
        let error = await #expect(throws: Status.self) {
            _ = try await provider.logs(namespace: "default", pod: "waiting", container: nil, follow: false, tailLines: nil)
        }
        #expect(error?.message == "container \"main\" in pod \"waiting\" is waiting to start: ContainerCreating")
        files.appendLog(namespace: "default", pod: "started", container: "main", "hello")
        #expect(try await Self.read(try await provider.logs(namespace: "default", pod: "started", container: nil, follow: false, tailLines: nil)) == "hello\n")
    }
}
