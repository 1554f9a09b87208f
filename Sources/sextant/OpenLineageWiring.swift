import Logging
import SextantControllers

/// The OpenLineage emitter and its delivery Service, made from `--openlineage-url` or the
/// `OPENLINEAGE_*` environment, for `sextant controller` and `sextant dev`.
struct OpenLineageWiring: Sendable {
    let emitter: OpenLineageEmitter
    let delivery: OpenLineageDelivery

    /// Nil when no URL is set (emission off).
    static func make(flag: String?, environment: [String: String], logger: Logger) throws -> OpenLineageWiring? {
        guard let settings = try OpenLineageSettings.from(flag: flag, environment: environment) else { return nil }
        let emitter = OpenLineageEmitter(builder: OpenLineageEventBuilder(namespace: settings.namespace))
        return OpenLineageWiring(emitter: emitter, delivery: OpenLineageDelivery(emitter: emitter, settings: settings, logger: logger))
    }
}
