/// One heap copy of a large value that most objects leave unset: an optional field stored as
/// `Boxed<T>?` takes 8 bytes inside its struct instead of `T`'s whole size. Arrays and caches
/// hold structs inline, so a `PipelineStep` with six step kinds inline was 1,000 bytes in every
/// cached MLPipeline's `spec.steps`, five of them always empty. Encodes and decodes as `T`
/// itself (the JSON is unchanged); compared and hashed by value; immutable (a setter stores a new box).
final class Boxed<T: Sendable & Hashable & Codable>: Sendable, Hashable, Codable {
    let value: T

    init(_ value: T) { self.value = value }

    init(from decoder: Decoder) throws {
        value = try T(from: decoder)
    }

    func encode(to encoder: Encoder) throws {
        try value.encode(to: encoder)
    }

    static func == (a: Boxed, b: Boxed) -> Bool { a === b || a.value == b.value }

    func hash(into hasher: inout Hasher) { hasher.combine(value) }
}
