import KubeCore

/// Converts between core/v1 Event (the stored form) and events.k8s.io/v1 Event, field for
/// field as kube-apiserver's conversion does, so both APIs share one store.
enum EventConversion {
    /// (events.k8s.io/v1 field, core/v1 field) pairs that only differ in name.
    private static let renamed: [(String, String)] = [
        ("regarding", "involvedObject"), ("note", "message"), ("deprecatedSource", "source"),
        ("deprecatedFirstTimestamp", "firstTimestamp"), ("deprecatedLastTimestamp", "lastTimestamp"),
        ("deprecatedCount", "count"), ("reportingController", "reportingComponent"),
    ]

    /// events.k8s.io/v1 → core/v1.
    static func toCore(_ event: JSONValue) -> JSONValue {
        guard event["apiVersion"]?.stringValue == "events.k8s.io/v1" || event["regarding"] != nil || event["note"] != nil else {
            return event
        }
        var out = event
        for (v1Name, coreName) in renamed {
            out[coreName] = event[v1Name]
            out[v1Name] = nil
        }
        if let series = event["series"] {
            var s = JSONValue.emptyObject
            s["count"] = series["count"]
            s["lastObservedTime"] = series["lastObservedTime"]
            out["series"] = s
        }
        out["apiVersion"] = "v1"
        out["kind"] = "Event"
        return out
    }

    /// core/v1 → events.k8s.io/v1.
    static func toEventsV1(_ event: JSONValue) -> JSONValue {
        var out = event
        for (v1Name, coreName) in renamed {
            out[v1Name] = event[coreName]
            out[coreName] = nil
        }
        if out["reportingController"] == nil, let component = event[path: ["source", "component"]] {
            out["reportingController"] = component
        }
        out["apiVersion"] = "events.k8s.io/v1"
        out["kind"] = "Event"
        return out
    }
}
