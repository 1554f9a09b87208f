import Foundation

// Minimal dispatch: `SextantBenchmarks [section...]`; no argument runs every section.
let sections: [String: @Sendable () async throws -> Void] = [
    "apiserver": { try await APIServerBenchmarks.run() },
    "runtime": { try await RuntimeBenchmarks.run() },
    "pipelines": { try await PipelineBenchmarks.run() },
    "cache-memory": { try CacheMemoryBenchmarks.run() },
]
let requested = CommandLine.arguments.dropFirst()
for name in (requested.isEmpty ? Array(sections.keys).sorted() : Array(requested)) {
    guard let section = sections[name] else {
        print("unknown benchmark section \(name); known: \(sections.keys.sorted().joined(separator: ", "))")
        continue
    }
    print("== \(name)")
    try await section()
}
