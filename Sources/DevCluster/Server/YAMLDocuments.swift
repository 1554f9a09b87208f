import Foundation
import KubeCore
import Yams

/// Multi-document YAML (as `kubectl apply -f` reads it) to JSON objects, with the same scalar
/// resolution the API server uses for YAML bodies.
public enum YAMLDocuments {
    /// Parses every non-empty document of a YAML stream. Throws a 400 `Status` naming the problem.
    public static func parse(_ text: String) throws -> [JSONValue] {
        do {
            var documents: [JSONValue] = []
            for node in try Yams.compose_all(yaml: text) {
                let value = try BodyDecoding.json(from: node)
                if !value.isNull { documents.append(value) }
            }
            return documents
        } catch let status as Status {
            throw status
        } catch {
            throw APIErrors.badRequest("error converting YAML to JSON: \(error)")
        }
    }
}
