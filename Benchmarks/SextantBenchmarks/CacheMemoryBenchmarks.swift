import Foundation
import KubeClient
import KubeCore
import KubeRuntime
import SextantAPI
import SextantControllers

#if canImport(Glibc)
import Glibc
#endif

/// The MLPipeline controller's caches at N finished three-step pipelines: every pipeline, Job and
/// pod is decoded from the JSON a watch delivers (`Fixtures/`: objects of a real run on `sextant
/// dev`, managedFields included, each copy with its own names and uids) with the client's decoder
/// into the stores the controller keeps (`Store<MLPipeline>`, `Store<JobView>`, `Store<PodView>`).
/// Prints the resident set after each size and the least-squares slope in bytes per cached
/// object. `SEXTANT_BENCH_CACHE_PIPELINES` sets the sizes (default `1000,3000,10000`; empty: none).
/// Before that, each kind alone: one store filled with the objects of that kind of
/// `SEXTANT_BENCH_CACHE_KIND_PIPELINES` pipelines (default the largest size; 0: skipped), its
/// growth per object printed, then released; and the inline size of the cached types.
enum CacheMemoryBenchmarks {
    struct Fixture {
        var text: String
        var name: String
        var uid: String
    }

    static func run() throws {
        #if DEBUG
        print("cache-memory: debug build (object layout is the same as in a release build)")
        #endif
        let sizes = (ProcessInfo.processInfo.environment["SEXTANT_BENCH_CACHE_PIPELINES"] ?? "1000,3000,10000")
            .split(separator: ",").compactMap { Int($0) }.sorted()
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
        let pipeline = try fixture(dir.appendingPathComponent("pipeline.json"))
        let job = try fixture(dir.appendingPathComponent("job.json"))
        let pod = try fixture(dir.appendingPathComponent("pod.json"))

        let fixtures = Fixtures(pipeline: pipeline, job: job, pod: pod)
        let decoder = KubeClient.decoder()
        // Per kind first (each store filled alone, then released), then all three together.
        let perKind = Int(ProcessInfo.processInfo.environment["SEXTANT_BENCH_CACHE_KIND_PIPELINES"] ?? "") ?? sizes.last ?? 0
        if perKind > 0 {
            print("cache_memory.layout MLPipeline=\(MemoryLayout<MLPipeline>.stride) JobView=\(MemoryLayout<JobView>.stride) "
                  + "PodView=\(MemoryLayout<PodView>.stride) ObjectMeta=\(MemoryLayout<ObjectMeta>.stride) "
                  + "PipelineStep=\(MemoryLayout<PipelineStep>.stride) StepStatus=\(MemoryLayout<StepStatus>.stride) "
                  + "AttemptStatus=\(MemoryLayout<AttemptStatus>.stride) bytes (inline, per value)")
            if ProcessInfo.processInfo.environment["MALLOC_ARENA_MAX"] != "1" {
                print("cache_memory: heap_in_use counts malloc's main arena only; run with MALLOC_ARENA_MAX=1 for complete figures")
            }
            try perKindFigures(perKind, fixtures, decoder)
        }

        let pipelines = Store<MLPipeline>(), jobs = Store<JobView>(), pods = Store<PodView>()
        trim()
        var points: [(objects: Double, bytes: Double)] = [(0, Double(RuntimeBenchmarks.residentBytes()))]
        print("cache_memory.start rss=\(mb(points[0].bytes))MB")
        var next = 0
        for size in sizes {
            while next < size {
                let copy = try fixtures.decodePipeline(next, decoder)
                pipelines.apply(copy.pipeline)
                for j in copy.jobs { jobs.apply(j) }
                for p in copy.pods { pods.apply(p) }
                next += 1
            }
            trim()
            let objects = pipelines.count + jobs.count + pods.count
            let rss = Double(RuntimeBenchmarks.residentBytes())
            points.append((Double(objects), rss))
            print("cache_memory.pipelines=\(size) cached_objects=\(objects) rss=\(mb(rss))MB "
                  + "above_start=\(mb(rss - points[0].bytes))MB (\(Int((rss - points[0].bytes) / Double(max(objects, 1)))) bytes/object)")
        }
        let n = Double(points.count)
        let mx = points.map(\.objects).reduce(0, +) / n, my = points.map(\.bytes).reduce(0, +) / n
        let sxy = points.map { ($0.objects - mx) * ($0.bytes - my) }.reduce(0, +)
        let sxx = points.map { ($0.objects - mx) * ($0.objects - mx) }.reduce(0, +)
        let slope = sxx > 0 ? sxy / sxx : 0
        print("cache_memory.slope=\(Int(slope)) bytes/cached object (least squares over \(points.count) points; "
              + "\(Int(slope * 7)) bytes per pipeline with 3 Jobs and 3 pods), intercept=\(mb(my - slope * mx))MB")
        withExtendedLifetime((pipelines, jobs, pods)) {}
    }

    /// Fills one store at a time with `count` pipelines' objects of its kind (the others are
    /// decoded and dropped), prints the resident-set growth per object of that kind, and releases it.
    static func perKindFigures(_ count: Int, _ fixtures: Fixtures, _ decoder: JSONDecoder) throws {
        for kind in ["MLPipeline", "JobView", "PodView"] {
            let pipelines = Store<MLPipeline>(), jobs = Store<JobView>(), pods = Store<PodView>()
            trim()
            let before = Double(RuntimeBenchmarks.residentBytes()), heapBefore = heapInUse()
            for i in 0..<count {
                let copy = try fixtures.decodePipeline(i, decoder)
                switch kind {
                case "MLPipeline": pipelines.apply(copy.pipeline)
                case "JobView": for j in copy.jobs { jobs.apply(j) }
                default: for p in copy.pods { pods.apply(p) }
                }
            }
            trim()
            let grown = Double(RuntimeBenchmarks.residentBytes()) - before
            let heapGrown = Double(heapInUse() - heapBefore)
            let objects = Double(max(pipelines.count + jobs.count + pods.count, 1))
            print("cache_memory.kind=\(kind) objects=\(Int(objects)) rss_above_before=\(mb(grown))MB "
                  + "(\(Int(grown / objects)) bytes/object) heap_in_use=\(Int(heapGrown / objects)) bytes/object")
            withExtendedLifetime((pipelines, jobs, pods)) {}
        }
    }

    /// The three fixtures, and copies of them with the names and uids of pipeline `i`.
    struct Fixtures {
        var pipeline: Fixture
        var job: Fixture
        var pod: Fixture

        /// Pipeline `i` (`run-0000i`, fresh uids), its three Jobs and their three pods, decoded as a watch delivers them.
        func decodePipeline(_ i: Int, _ decoder: JSONDecoder) throws -> (pipeline: MLPipeline, jobs: [JobView], pods: [PodView]) {
            let name = String(format: "run-%05d", i)
            let uid = UUID().uuidString.lowercased()
            var text = pipeline.text.replacingOccurrences(of: pipeline.name, with: name)
            text = text.replacingOccurrences(of: pipeline.uid, with: uid)
            let decoded = try decoder.decode(MLPipeline.self, from: Data(text.utf8))
            var jobs: [JobView] = [], pods: [PodView] = []
            for step in ["a", "b", "c"] {
                let jobName = "\(name)-\(step)-0", jobUID = UUID().uuidString.lowercased()
                // Longest names first: the pod's name contains the Job's, which contains the pipeline's.
                var j = job.text.replacingOccurrences(of: job.name, with: jobName)
                j = j.replacingOccurrences(of: pipeline.name, with: name).replacingOccurrences(of: job.uid, with: jobUID)
                j = j.replacingOccurrences(of: pipeline.uid, with: uid)
                jobs.append(try decoder.decode(JobView.self, from: Data(j.utf8)))
                var p = pod.text.replacingOccurrences(of: pod.name, with: "\(jobName)-\(String(UUID().uuidString.prefix(5)).lowercased())")
                p = p.replacingOccurrences(of: job.name, with: jobName).replacingOccurrences(of: pipeline.name, with: name)
                p = p.replacingOccurrences(of: job.uid, with: jobUID).replacingOccurrences(of: pod.uid, with: UUID().uuidString.lowercased())
                pods.append(try decoder.decode(PodView.self, from: Data(p.utf8)))
            }
            return (decoded, jobs, pods)
        }
    }

    static func fixture(_ url: URL) throws -> Fixture {
        let text = try String(contentsOf: url, encoding: .utf8)
        let value = try JSONValue.parse(Data(text.utf8))
        return Fixture(text: text, name: value[path: ["metadata", "name"]]?.stringValue ?? "",
                       uid: value[path: ["metadata", "uid"]]?.stringValue ?? "")
    }

    /// Bytes malloc has handed out and not taken back (glibc `mallinfo2`: `uordblks + hblkhd`). It
    /// counts the main arena only, so the figures are complete with `MALLOC_ARENA_MAX=1`; unlike
    /// the resident set it does not depend on what a trim could give back.
    static func heapInUse() -> Int {
        #if os(Linux)
        // RTLD_DEFAULT; a struct-returning C function takes the result's address as its first argument.
        guard let symbol = dlsym(nil, "mallinfo2") else { return 0 }
        let mallinfo2 = unsafeBitCast(symbol, to: (@convention(c) (UnsafeMutableRawPointer) -> UnsafeMutableRawPointer?).self)
        var fields = [Int](repeating: 0, count: 10)
        fields.withUnsafeMutableBytes { buffer in
            if let base = buffer.baseAddress { _ = mallinfo2(base) }
        }
        return fields[7] + fields[4]
        #else
        return 0
        #endif
    }

    static func mb(_ bytes: Double) -> String { String(format: "%.1f", bytes / 1_048_576) }

    /// Gives freed heap back to the system, so the resident set counts what is still held.
    static func trim() {
        #if os(Linux)
        _ = glibcMallocTrim(0)
        #endif
    }
}

#if os(Linux)
/// glibc's `malloc_trim` (not exported by the Glibc module).
@_silgen_name("malloc_trim")
private func glibcMallocTrim(_ pad: Int) -> Int32
#endif
