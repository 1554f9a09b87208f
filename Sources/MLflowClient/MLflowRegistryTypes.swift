import Foundation

/// A registered model of MLflow's Model Registry (`registered-models/get`).
public struct MLflowRegisteredModel: Sendable, Hashable, Decodable {
    /// The model's name.
    public var name: String
    /// Its aliases (`production` → version).
    public var aliases: [MLflowModelAlias]?
    /// Its tags.
    public var tags: [MLflowKeyValue]?
}

/// One alias of a registered model.
public struct MLflowModelAlias: Sendable, Hashable, Decodable {
    /// The alias (`production`).
    public var alias: String
    /// The version it points at.
    public var version: String
}

/// One model version (`model-versions/get`, `model-versions/search`, `model-versions/create`).
public struct MLflowModelVersion: Sendable, Hashable, Decodable {
    /// The registered model's name.
    public var name: String
    /// The version number, as MLflow sends it (a string).
    public var version: String
    /// Where the model files are (`s3://...`, `runs:/...`).
    public var source: String?
    /// The run that produced it.
    public var runID: String?
    /// `READY`, `PENDING_REGISTRATION`, `FAILED_REGISTRATION`.
    public var status: String?
    /// Its description.
    public var description: String?
    /// Its tags.
    public var tags: [MLflowKeyValue]?
    /// The aliases pointing at it.
    public var aliases: [String]?

    enum CodingKeys: String, CodingKey {
        case name, version, source, status, description, tags, aliases
        case runID = "run_id"
    }

    /// The value of tag `key`, if set.
    public func tag(_ key: String) -> String? { tags?.first { $0.key == key }?.value }
}
