import Foundation
import KubeCore

/// `meta.k8s.io/v1` Table rendering for `kubectl get` (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`).
enum TableRenderer {
    /// A meta.k8s.io/v1 Table for `kubectl get`: columns from additionalPrinterColumns (CRDs) or
    /// built-in defaults (Name, ..., Age); rows with `object` as PartialObjectMetadata (includeObject=Metadata,
    /// the default), the full object (includeObject=Object) or none (None). `listMeta` copied into `metadata`.
    static func table(items: [JSONValue], resource: GroupVersionResource, printerColumns: [JSONValue]?, includeObject: String?, listMeta: JSONValue, now: Date) -> JSONValue {
        let definitions: [JSONValue]
        let cells: (JSONValue) -> [JSONValue]
        if let printerColumns {
            let columns = customColumns(printerColumns, now: now)
            definitions = [definition(BuiltinColumns.name)] + columns.map(\.definition)
            cells = { item in
                [item[path: ["metadata", "name"]] ?? ""] + columns.map { $0.cell(item) }
            }
        } else {
            let columns = BuiltinColumns.columns(for: resource.resource)
            definitions = columns.map(definition)
            cells = { item in columns.map { $0.cell(item, now) } }
        }
        let rows: [JSONValue] = items.map { item in
            var row: [String: JSONValue] = ["cells": .array(cells(item))]
            switch includeObject {
            case "None": break
            case "Object": row["object"] = item
            default:
                row["object"] = [
                    "kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                    "metadata": item["metadata"] ?? .emptyObject,
                ]
            }
            return .object(row)
        }
        return [
            "kind": "Table", "apiVersion": "meta.k8s.io/v1",
            "metadata": listMeta.objectValue == nil ? .emptyObject : listMeta,
            "columnDefinitions": .array(definitions),
            "rows": .array(rows),
        ]
    }

    private static func definition(_ c: BuiltinColumn) -> JSONValue {
        ["name": .string(c.name), "type": .string(c.type), "format": .string(c.format), "description": .string(c.description), "priority": .int(Int64(c.priority))]
    }

    struct CustomColumn {
        var definition: JSONValue
        var cell: (JSONValue) -> JSONValue
    }

    /// CRD `additionalPrinterColumns` (an empty list means the default Age column); `date` cells
    /// are rendered as ages the way the apiextensions table convertor does.
    static func customColumns(_ printerColumns: [JSONValue], now: Date) -> [CustomColumn] {
        let specs: [JSONValue] = printerColumns.isEmpty
            ? [["name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp", "description": .string(BuiltinColumns.ageDescription)]]
            : printerColumns
        return specs.map { spec in
            let type = spec["type"]?.stringValue ?? "string"
            let path = JSONPath(spec["jsonPath"]?.stringValue ?? spec["JSONPath"]?.stringValue ?? "")
            let definition: JSONValue = [
                "name": spec["name"] ?? "", "type": .string(type), "format": spec["format"] ?? "",
                "description": spec["description"] ?? "", "priority": .int(spec["priority"]?.intValue ?? 0),
            ]
            return CustomColumn(definition: definition) { item in
                guard let path else { return .null }
                let results = path.evaluate(item)
                guard let first = results.first else { return .null }
                if type == "date" {
                    // As apiextensions' table convertor (cellForJSONValue): a timestamp becomes an age
                    // ("5m30s"), another string "<invalid>", any other value null.
                    guard let text = first.stringValue else { return .null }
                    guard KubeTime.parse(text) != nil else { return "<invalid>" }
                    return .string(BuiltinColumns.age(text, now: now))
                }
                if type == "string" {
                    return .string(results.map(JSONPath.text).joined(separator: " "))
                }
                return first
            }
        }
    }
}
