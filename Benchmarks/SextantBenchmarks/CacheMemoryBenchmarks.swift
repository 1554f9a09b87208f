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
/// object. `SEXTANT_BENCH_CACHE_PIPELINES` sets the sizes (default `1000,3000,10000`).
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

        let pipelines = Store<MLPipeline>(), jobs = Store<JobView>(), pods = Store<PodView>()
        let decoder = KubeClient.decoder()
        trim()
        var points: [(objects: Double, bytes: Double)] = [(0, Double(RuntimeBenchmarks.residentBytes()))]
        print("cache_memory.start rss=\(mb(points[0].bytes))MB")
        var next = 0
        for size in sizes {
            while next < size {
                let name = String(format: "run-%05d", next)
                let uid = UUID().uuidString.lowercased()
                var text = pipeline.text.replacingOccurrences(of: pipeline.name, with: name)
                text = text.replacingOccurrences(of: pipeline.uid, with: uid)
                pipelines.apply(try decoder.decode(MLPipeline.self, from: Data(text.utf8)))
                for step in ["a", "b", "c"] {
                    let jobName = "\(name)-\(step)-0", jobUID = UUID().uuidString.lowercased()
                    // Longest names first: the pod's name contains the Job's, which contains the pipeline's.
                    var j = job.text.replacingOccurrences(of: job.name, with: jobName)
                    j = j.replacingOccurrences(of: pipeline.name, with: name).replacingOccurrences(of: job.uid, with: jobUID)
                    j = j.replacingOccurrences(of: pipeline.uid, with: uid)
                    jobs.apply(try decoder.decode(JobView.self, from: Data(j.utf8)))
                    var p = pod.text.replacingOccurrences(of: pod.name, with: "\(jobName)-\(String(UUID().uuidString.prefix(5)).lowercased())")
                    p = p.replacingOccurrences(of: job.name, with: jobName).replacingOccurrences(of: pipeline.name, with: name)
                    p = p.replacingOccurrences(of: job.uid, with: jobUID).replacingOccurrences(of: pod.uid, with: UUID().uuidString.lowercased())
                    pods.apply(try decoder.decode(PodView.self, from: Data(p.utf8)))
                }
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
    }

    static func fixture(_ url: URL) throws -> Fixture {
        let text = try String(contentsOf: url, encoding: .utf8)
        let value = try JSONValue.parse(Data(text.utf8))
        return Fixture(text: text, name: value[path: ["metadata", "name"]]?.stringValue ?? "",
                       uid: value[path: ["metadata", "uid"]]?.stringValue ?? "")
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
