import Foundation

/// The marker that stands for the per-attempt outputs directory in a converted command line; the
/// outputs wrapper (`KFPOutputsWrapper`) replaces it at run time.
let kfpOutputsDirMarker = "@@SEXTANT_KFP_DIR@@"

/// What a KFP placeholder of one task resolves to.
struct KFPPlaceholderContext {
    /// Input parameter name → Sextant text (`{{params.x}}`, `{{steps.a.outputs.artifacts.y}}`, a literal).
    var parameters: [String: String]
    /// Input artifact name → Sextant template of the upstream artifact.
    var artifacts: [String: String]
    /// Output parameter names of the component.
    var outputParameters: Set<String>
    /// Output artifact names of the component.
    var outputArtifacts: Set<String>
    /// The step name (for `{{$.pipeline_task_name}}`).
    var stepName: String
}

/// KFP v2 placeholders (`{{$.inputs.parameters['x']}}`, ...) → Sextant templates.
enum KFPPlaceholders {
    /// Replaces every `{{$...}}` placeholder in `text`; what has no equivalent is appended to
    /// `unsupported` (with `location`) and left in place.
    static func convert(_ text: String, _ context: KFPPlaceholderContext, location: String, unsupported: inout [UnsupportedFeature]) -> String {
        if text.hasPrefix("{\"Concat\"") || text.hasPrefix("{\"IfPresent\"") {
            unsupported.append(UnsupportedFeature(location: location, message: "Concat/IfPresent placeholders have no equivalent"))
            return text
        }
        guard text.contains("{{$") else { return text }
        var out = ""
        var rest = Substring(text)
        while let open = rest.range(of: "{{$") {
            out += rest[rest.startIndex..<open.lowerBound]
            guard let close = rest[open.upperBound...].range(of: "}}") else {
                out += rest[open.lowerBound...]
                return out
            }
            let body = String(rest[open.upperBound..<close.lowerBound])
            switch resolve(body, context) {
            case .success(let value): out += value
            case .failure(let message):
                unsupported.append(UnsupportedFeature(location: location, message: message))
                out += rest[open.lowerBound..<close.upperBound]
            }
            rest = rest[close.upperBound...]
        }
        return out + rest
    }

    private enum Resolution { case success(String), failure(String) }

    /// `body` is the text after `{{$` and before `}}`: `.inputs.parameters['x']`, `` (executor input), ...
    private static func resolve(_ body: String, _ c: KFPPlaceholderContext) -> Resolution {
        switch body {
        case "": return .failure("the executor input placeholder {{$}} (lightweight Python components) has no equivalent; use a container component")
        case ".pipeline_job_name", ".pipeline_job_resource_name": return .success("{{pipeline.name}}")
        case ".pipeline_job_uuid": return .success("{{pipeline.uid}}")
        case ".pipeline_task_name": return .success(c.stepName)
        default: break
        }
        guard let (section, kind, name, field) = parse(body) else {
            return .failure("the placeholder {{$\(body)}} has no equivalent")
        }
        switch (section, kind, field) {
        case ("inputs", "parameters", ""):
            guard let value = c.parameters[name] else { return .failure("input parameter \(name) is not defined by the component") }
            return .success(value)
        case ("inputs", "artifacts", ".path"), ("inputs", "artifacts", ".uri"):
            guard let value = c.artifacts[name] else { return .failure("input artifact \(name) is not passed from an upstream task") }
            return .success(value)
        case ("outputs", "parameters", ".output_file"):
            guard c.outputParameters.contains(name) else { return .failure("output parameter \(name) is not defined by the component") }
            return .success("\(kfpOutputsDirMarker)/params/\(name)")
        case ("outputs", "artifacts", ".path"), ("outputs", "artifacts", ".uri"):
            guard c.outputArtifacts.contains(name) else { return .failure("output artifact \(name) is not defined by the component") }
            return .success("\(kfpOutputsDirMarker)/artifacts/\(name)")
        default:
            return .failure("the placeholder {{$\(body)}} has no equivalent (artifact metadata and names are not passed)")
        }
    }

    /// `.inputs.parameters['x'].field` → ("inputs", "parameters", "x", ".field").
    private static func parse(_ body: String) -> (String, String, String, String)? {
        for section in ["inputs", "outputs"] {
            for kind in ["parameters", "artifacts"] {
                for quote in ["'", "\""] {
                    let prefix = ".\(section).\(kind)[\(quote)"
                    guard body.hasPrefix(prefix) else { continue }
                    let after = body.dropFirst(prefix.count)
                    guard let end = after.range(of: "\(quote)]") else { return nil }
                    return (section, kind, String(after[after.startIndex..<end.lowerBound]), String(after[end.upperBound...]))
                }
            }
        }
        return nil
    }
}
