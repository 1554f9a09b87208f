import Foundation
import KubeCore

extension ProtobufDecoding {
    /// True when a body is in the Kubernetes protobuf envelope (starts with `k8s\0`).
    static func isEnvelope(_ data: Data) -> Bool {
        data.count >= 4 && [UInt8](data.prefix(4)) == [0x6b, 0x38, 0x73, 0x00]
    }

    /// The JSON form of a protobuf `metav1.DeleteOptions` DELETE body. client-go typed clients
    /// that speak protobuf send it this way (helm's release storage does, on `helm uninstall`).
    /// Field numbers from k8s.io/apimachinery/pkg/apis/meta/v1/generated.proto.
    static func deleteOptions(_ data: Data) throws -> JSONValue {
        guard isEnvelope(data) else { throw invalid() }
        let bytes = [UInt8](data)
        let envelope = try fields(bytes[4...])
        var object: JSONValue = ["apiVersion": "v1", "kind": "DeleteOptions"]
        var dryRun: [JSONValue] = []
        for f in try fields(envelope.first { $0.number == 2 && $0.isLengthDelimited }?.bytes ?? []) {
            switch (f.number, f.isLengthDelimited) {
            case (1, false): object["gracePeriodSeconds"] = .int(Int64(bitPattern: f.varint))
            case (2, true):
                var preconditions: [String: JSONValue] = [:]
                for g in try fields(f.bytes) where g.isLengthDelimited {
                    if g.number == 1 { preconditions["uid"] = .string(string(g)) }
                    if g.number == 2 { preconditions["resourceVersion"] = .string(string(g)) }
                }
                object["preconditions"] = .object(preconditions)
            case (3, false): object["orphanDependents"] = .bool(f.varint != 0)
            case (4, true): object["propagationPolicy"] = .string(string(f))
            case (5, true): dryRun.append(.string(string(f)))
            default: break
            }
        }
        if !dryRun.isEmpty { object["dryRun"] = .array(dryRun) }
        return object
    }
}
