import Foundation
import KubeCore

// SCAFFOLD: signatures agreed between the API server and the schema work; bodies pending.
enum ServerSideApply {
    static func apply(_ config: JSONValue, to live: JSONValue?, manager: String, force: Bool, resource: GroupVersionResource, now: Date) throws -> JSONValue {
        guard let live else { return config }
        return MergePatch.apply(config, to: live)
    }
    static func recordUpdate(old: JSONValue?, new: JSONValue, manager: String, subresource: String?, now: Date) -> JSONValue { new }
}
