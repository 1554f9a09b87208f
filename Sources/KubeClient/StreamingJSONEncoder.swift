import Foundation

/// Encodes `Encodable` values straight into JSON bytes, without the intermediate tree
/// `JSONEncoder` builds (a class instance per value, then a second walk to serialize it), for
/// request bodies (`Api.encode`). Output is the JSON `JSONEncoder()` (default options) produces,
/// keys in the order they were encoded. Anything outside the common shape — `Date`, `Data`, `URL`,
/// `Decimal`, `Float`, non-finite numbers, a super encoder, a duplicate key, writes into a container after
/// a later one was opened, a value that encodes nothing — throws `unsupported`, and the caller
/// encodes with `JSONEncoder` instead.
enum StreamingJSONEncoder {
    struct Unsupported: Error {}

    /// The JSON of `value`; throws `Unsupported` where `JSONEncoder` must be used.
    static func encode<T: Encodable>(_ value: T) throws -> Data {
        let writer = JSONByteWriter()
        let encoder = StreamEncoder(writer: writer)
        try writer.value(value, with: encoder)
        guard !writer.failed, writer.frames.isEmpty else { throw Unsupported() }
        return Data(writer.bytes)
    }
}

/// The output and the stack of open objects and arrays.
final class JSONByteWriter {
    struct Frame {
        let id: Int
        var count = 0
        var keys: [String] = []
        let isObject: Bool
        /// Opened by `nestedContainer`: closed when its parent is written to again or finishes.
        let closesLazily: Bool
    }

    var bytes: [UInt8] = []
    var frames: [Frame] = []
    var failed = false
    private var nextID = 0

    init() { bytes.reserveCapacity(4096) }

    func open(object: Bool, lazily: Bool) -> Int {
        nextID += 1
        bytes.append(object ? UInt8(ascii: "{") : UInt8(ascii: "["))
        frames.append(Frame(id: nextID, isObject: object, closesLazily: lazily))
        return nextID
    }

    func closeTop() {
        guard let top = frames.popLast() else { failed = true; return }
        bytes.append(top.isObject ? UInt8(ascii: "}") : UInt8(ascii: "]"))
    }

    /// Makes the frame `id` the innermost one (closing lazily closed frames above it) and writes
    /// the separator and key of its next element. False (and `failed`) when that is not possible.
    func beginElement(in id: Int, key: String?) -> Bool {
        guard !failed, let index = frames.lastIndex(where: { $0.id == id }) else { failed = true; return false }
        while frames.count > index + 1 {
            guard frames[frames.count - 1].closesLazily else { failed = true; return false }
            closeTop()
        }
        if frames[index].count > 0 { bytes.append(UInt8(ascii: ",")) }
        frames[index].count += 1
        if let key {
            if frames[index].keys.contains(key) { failed = true; return false }
            frames[index].keys.append(key)
            string(key)
            bytes.append(UInt8(ascii: ":"))
        }
        return true
    }

    /// Encodes `value` at the current position through `encoder` (a fresh one for this position),
    /// then closes what it opened.
    func value<T: Encodable>(_ value: T, with encoder: StreamEncoder) throws {
        let t = T.self
        if t == Date.self || t == Data.self || t == URL.self || t == Decimal.self { throw StreamingJSONEncoder.Unsupported() }
        let depth = frames.count
        try value.encode(to: encoder)
        guard !failed, encoder.wrote, frames.count >= depth else { throw StreamingJSONEncoder.Unsupported() }
        while frames.count > depth { closeTop() }
    }

    func string(_ s: String) {
        bytes.append(UInt8(ascii: "\""))
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\""): bytes.append(UInt8(ascii: "\\")); bytes.append(b)
            case UInt8(ascii: "\\"): bytes.append(UInt8(ascii: "\\")); bytes.append(b)
            case UInt8(ascii: "/"): bytes.append(UInt8(ascii: "\\")); bytes.append(b)
            case 0x0A: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "n"))
            case 0x0D: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "r"))
            case 0x09: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "t"))
            case 0x08: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "b"))
            case 0x0C: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "f"))
            case 0..<0x20:
                let hex: [UInt8] = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(b >> 4)], hex[Int(b & 0xF)]])
            default: bytes.append(b)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    func literal(_ s: String) { bytes.append(contentsOf: s.utf8) }

    func integer<I: BinaryInteger>(_ i: I) { literal(String(i)) }

    func double(_ d: Double) throws {
        guard d.isFinite else { throw StreamingJSONEncoder.Unsupported() }
        var text = d.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        literal(text)
    }
}

/// The `Encoder` of one value position.
final class StreamEncoder: Encoder {
    let writer: JSONByteWriter
    /// The frame this value opened, if it is an object or array.
    var frame: Int?
    var frameIsObject = false
    /// A value (or container) was written at this position.
    var wrote = false

    init(writer: JSONByteWriter) { self.writer = writer }

    var codingPath: [CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if let frame {
            if !frameIsObject { writer.failed = true }
            return KeyedEncodingContainer(StreamKeyedContainer<Key>(writer: writer, frame: frame))
        }
        if wrote { writer.failed = true }
        wrote = true
        frameIsObject = true
        let id = writer.open(object: true, lazily: false)
        frame = id
        return KeyedEncodingContainer(StreamKeyedContainer<Key>(writer: writer, frame: id))
    }

    func unkeyedContainer() -> UnkeyedEncodingContainer {
        if let frame {
            if frameIsObject { writer.failed = true }
            return StreamUnkeyedContainer(writer: writer, frame: frame)
        }
        if wrote { writer.failed = true }
        wrote = true
        let id = writer.open(object: false, lazily: false)
        frame = id
        return StreamUnkeyedContainer(writer: writer, frame: id)
    }

    func singleValueContainer() -> SingleValueEncodingContainer {
        StreamSingleValueContainer(encoder: self)
    }
}

struct StreamKeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let writer: JSONByteWriter
    let frame: Int
    var codingPath: [CodingKey] { [] }

    private func begin(_ key: Key) throws {
        guard writer.beginElement(in: frame, key: key.stringValue) else { throw StreamingJSONEncoder.Unsupported() }
    }

    mutating func encodeNil(forKey key: Key) throws { try begin(key); writer.literal("null") }
    mutating func encode(_ value: Bool, forKey key: Key) throws { try begin(key); writer.literal(value ? "true" : "false") }
    mutating func encode(_ value: String, forKey key: Key) throws { try begin(key); writer.string(value) }
    mutating func encode(_ value: Double, forKey key: Key) throws { try begin(key); try writer.double(value) }
    mutating func encode(_ value: Float, forKey key: Key) throws { throw StreamingJSONEncoder.Unsupported() }
    mutating func encode(_ value: Int, forKey key: Key) throws { try begin(key); writer.integer(value) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { try begin(key); writer.integer(value) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { try begin(key); writer.integer(value) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { try begin(key); writer.integer(value) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { try begin(key); writer.integer(value) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { try begin(key); writer.integer(value) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { try begin(key); writer.integer(value) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { try begin(key); writer.integer(value) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { try begin(key); writer.integer(value) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { try begin(key); writer.integer(value) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try begin(key)
        try writer.value(value, with: StreamEncoder(writer: writer))
    }

    mutating func encodeIfPresent(_ value: Bool?, forKey key: Key) throws { if let value { try encode(value, forKey: key) } }
    mutating func encodeIfPresent(_ value: String?, forKey key: Key) throws { if let value { try encode(value, forKey: key) } }
    mutating func encodeIfPresent(_ value: Double?, forKey key: Key) throws { if let value { try encode(value, forKey: key) } }
    mutating func encodeIfPresent(_ value: Int?, forKey key: Key) throws { if let value { try encode(value, forKey: key) } }
    mutating func encodeIfPresent(_ value: Int32?, forKey key: Key) throws { if let value { try encode(value, forKey: key) } }
    mutating func encodeIfPresent(_ value: Int64?, forKey key: Key) throws { if let value { try encode(value, forKey: key) } }
    mutating func encodeIfPresent<T: Encodable>(_ value: T?, forKey key: Key) throws { if let value { try encode(value, forKey: key) } }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        let id = writer.beginElement(in: frame, key: key.stringValue) ? writer.open(object: true, lazily: true) : -1
        return KeyedEncodingContainer(StreamKeyedContainer<NestedKey>(writer: writer, frame: id))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> UnkeyedEncodingContainer {
        let id = writer.beginElement(in: frame, key: key.stringValue) ? writer.open(object: false, lazily: true) : -1
        return StreamUnkeyedContainer(writer: writer, frame: id)
    }

    mutating func superEncoder() -> Encoder { writer.failed = true; return StreamEncoder(writer: writer) }
    mutating func superEncoder(forKey key: Key) -> Encoder { writer.failed = true; return StreamEncoder(writer: writer) }
}

struct StreamUnkeyedContainer: UnkeyedEncodingContainer, StreamElementWriting {
    let writer: JSONByteWriter
    let frame: Int
    var codingPath: [CodingKey] { [] }
    var count: Int { writer.frames.last(where: { $0.id == frame })?.count ?? 0 }

    func begin() throws {
        guard writer.beginElement(in: frame, key: nil) else { throw StreamingJSONEncoder.Unsupported() }
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let id = writer.beginElement(in: frame, key: nil) ? writer.open(object: true, lazily: true) : -1
        return KeyedEncodingContainer(StreamKeyedContainer<NestedKey>(writer: writer, frame: id))
    }

    mutating func nestedUnkeyedContainer() -> UnkeyedEncodingContainer {
        let id = writer.beginElement(in: frame, key: nil) ? writer.open(object: false, lazily: true) : -1
        return StreamUnkeyedContainer(writer: writer, frame: id)
    }

    mutating func superEncoder() -> Encoder { writer.failed = true; return StreamEncoder(writer: writer) }
}

/// One value at the encoder's position: a primitive, or any value encoded there.
struct StreamSingleValueContainer: SingleValueEncodingContainer, StreamElementWriting {
    let encoder: StreamEncoder
    var codingPath: [CodingKey] { [] }
    var writer: JSONByteWriter { encoder.writer }

    func begin() throws {
        guard !encoder.wrote, !writer.failed else { writer.failed = true; throw StreamingJSONEncoder.Unsupported() }
        encoder.wrote = true
    }
}

/// The primitive encodes shared by the unkeyed and the single-value container: each starts its
/// element (`begin`, which throws when the container cannot take one), then writes the value.
protocol StreamElementWriting {
    var writer: JSONByteWriter { get }
    func begin() throws
}

extension StreamElementWriting {
    mutating func encodeNil() throws { try begin(); writer.literal("null") }
    mutating func encode(_ value: Bool) throws { try begin(); writer.literal(value ? "true" : "false") }
    mutating func encode(_ value: String) throws { try begin(); writer.string(value) }
    mutating func encode(_ value: Double) throws { try begin(); try writer.double(value) }
    mutating func encode(_ value: Float) throws { throw StreamingJSONEncoder.Unsupported() }
    mutating func encode(_ value: Int) throws { try begin(); writer.integer(value) }
    mutating func encode(_ value: Int8) throws { try begin(); writer.integer(value) }
    mutating func encode(_ value: Int16) throws { try begin(); writer.integer(value) }
    mutating func encode(_ value: Int32) throws { try begin(); writer.integer(value) }
    mutating func encode(_ value: Int64) throws { try begin(); writer.integer(value) }
    mutating func encode(_ value: UInt) throws { try begin(); writer.integer(value) }
    mutating func encode(_ value: UInt8) throws { try begin(); writer.integer(value) }
    mutating func encode(_ value: UInt16) throws { try begin(); writer.integer(value) }
    mutating func encode(_ value: UInt32) throws { try begin(); writer.integer(value) }
    mutating func encode(_ value: UInt64) throws { try begin(); writer.integer(value) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        try begin()
        try writer.value(value, with: StreamEncoder(writer: writer))
    }
}
