import Foundation
import KubeCore

// SCAFFOLD: signatures agreed between the API server and the schema work; bodies pending.
enum TableRenderer {
    static func table(items: [JSONValue], resource: GroupVersionResource, printerColumns: [JSONValue]?, includeObject: String?, listMeta: JSONValue, now: Date) -> JSONValue {
        [
            "kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": listMeta,
            "columnDefinitions": [["name": "Name", "type": "string", "format": "name", "description": "Name", "priority": 0]],
            "rows": .array(items.map { item in
                ["cells": [item[path: ["metadata", "name"]] ?? .null], "object": item]
            }),
        ]
    }
}
