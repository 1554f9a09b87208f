import Foundation
import KubeCore

/// The outcome the simulate executor plays for a container, from the
/// `dev.sextant.dev/simulate` annotation (`{"exitCode":N,"seconds":S,"message":"..."}`).
struct SimulateScript: Sendable, Equatable {
    var exitCode: Int32 = 0
    var seconds: Double = 1
    var message: String?
    /// Set when the annotation exists but cannot be read; the container then fails with it.
    var error: String?

    /// The script of a pod: its annotation, else the defaults (1 s, exit 0). `nil` when the pod
    /// has no annotation and restarts always: such containers (servers) run until stopped.
    static func of(pod: JSONValue, restartPolicy: String) -> SimulateScript? {
        guard let text = pod.annotations[JobLogic.simulateAnnotation] else {
            return restartPolicy == "Always" ? nil : SimulateScript()
        }
        return parse(text)
    }

    static func parse(_ text: String) -> SimulateScript {
        var script = SimulateScript()
        guard let value = try? BodyDecoding.parseJSON(text), value.objectValue != nil else {
            script.exitCode = 1
            script.error = "invalid \(JobLogic.simulateAnnotation) annotation (want {\"exitCode\":N,\"seconds\":S,\"message\":\"...\"}): \(text)"
            return script
        }
        if let code = value["exitCode"]?.intValue { script.exitCode = Int32(clamping: code) }
        if let seconds = value["seconds"]?.doubleValue { script.seconds = max(0, seconds) }
        if let message = value["message"] {
            script.message = message.stringValue ?? message.jsonString
        }
        return script
    }
}
