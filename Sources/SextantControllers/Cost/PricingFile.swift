import Foundation
import Yams

/// Reads the pricing file of `--pricing-config` (YAML or JSON; JSON is YAML), field by field, so
/// a mistake is reported with the file and the field (`sagemaker.ml.m5.xlarge: expected a number`).
public enum PricingFile {
    static let priceMaps = ["sagemaker", "awsBatch", "vertexAI", "azureML"]
    static let topLevel = ["kubernetes", "spotDiscountPercent"] + priceMaps

    /// The table in the file at `path`.
    public static func load(path: String) throws -> PricingTable {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ControllerError.invalidPricing(file: path, field: "", reason: "cannot read it: \(error.localizedDescription)")
        }
        return try parse(text, file: path)
    }

    /// The table in `text` (`file` names it in errors).
    public static func parse(_ text: String, file: String) throws -> PricingTable {
        let loaded: Any?
        do {
            loaded = try Yams.load(yaml: text)
        } catch {
            throw ControllerError.invalidPricing(file: file, field: "", reason: "not YAML or JSON: \(error)")
        }
        guard let root = loaded else { return .empty }
        guard let object = root as? [String: Any] else {
            throw ControllerError.invalidPricing(file: file, field: "", reason: "expected a mapping at the top level")
        }
        for key in object.keys where !topLevel.contains(key) {
            throw ControllerError.invalidPricing(file: file, field: key, reason: "unknown field (known: \(topLevel.joined(separator: ", ")))")
        }
        var table = PricingTable()
        if let k = object["kubernetes"] {
            let m = try mapping(k, field: "kubernetes", file: file)
            for key in m.keys where !["cpuCoreHourUSD", "memoryGiBHourUSD", "gpuHourUSD"].contains(key) {
                throw ControllerError.invalidPricing(file: file, field: "kubernetes.\(key)", reason: "unknown field (known: cpuCoreHourUSD, memoryGiBHourUSD, gpuHourUSD)")
            }
            table.kubernetes = PricingTable.Kubernetes(
                cpuCoreHourUSD: try m["cpuCoreHourUSD"].map { try price($0, field: "kubernetes.cpuCoreHourUSD", file: file) },
                memoryGiBHourUSD: try m["memoryGiBHourUSD"].map { try price($0, field: "kubernetes.memoryGiBHourUSD", file: file) },
                gpuHourUSD: try m["gpuHourUSD"].map { try prices($0, field: "kubernetes.gpuHourUSD", file: file) })
        }
        table.sagemaker = try object["sagemaker"].map { try prices($0, field: "sagemaker", file: file) }
        table.awsBatch = try object["awsBatch"].map { try prices($0, field: "awsBatch", file: file) }
        table.vertexAI = try object["vertexAI"].map { try prices($0, field: "vertexAI", file: file) }
        table.azureML = try object["azureML"].map { try prices($0, field: "azureML", file: file) }
        if let s = object["spotDiscountPercent"] {
            let discounts = try prices(s, field: "spotDiscountPercent", file: file)
            for (k, v) in discounts where v >= 100 {
                throw ControllerError.invalidPricing(file: file, field: "spotDiscountPercent.\(k)", reason: "must be below 100, got \(v)")
            }
            table.spotDiscountPercent = discounts
        }
        return table
    }

    private static func mapping(_ value: Any, field: String, file: String) throws -> [String: Any] {
        if value is NSNull { return [:] }
        guard let m = value as? [String: Any] else {
            throw ControllerError.invalidPricing(file: file, field: field, reason: "expected a mapping")
        }
        return m
    }

    private static func prices(_ value: Any, field: String, file: String) throws -> [String: Double] {
        var result: [String: Double] = [:]
        for (k, v) in try mapping(value, field: field, file: file) {
            result[k] = try price(v, field: "\(field).\(k)", file: file)
        }
        return result
    }

    private static func price(_ value: Any, field: String, file: String) throws -> Double {
        let number: Double?
        switch value {
        case let i as Int: number = Double(i)
        case let d as Double: number = d
        default: number = nil
        }
        guard let number, number.isFinite else {
            throw ControllerError.invalidPricing(file: file, field: field, reason: "expected a number, got \(String(describing: value).prefix(40))")
        }
        guard number >= 0 else {
            throw ControllerError.invalidPricing(file: file, field: field, reason: "must not be negative, got \(number)")
        }
        return number
    }
}
