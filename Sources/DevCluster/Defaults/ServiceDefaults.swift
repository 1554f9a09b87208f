import Foundation
import KubeCore

/// Service defaults (`SetDefaults_Service`) and ClusterIP allocation (the Service registry's,
/// at creation).
enum ServiceDefaults {
    /// The service CIDR: 10.96.0.0/12. 10.96.0.1 is kept for the `kubernetes` Service.
    static let serviceCIDRBase: UInt32 = 0x0A60_0000
    static let serviceCIDRSize: UInt32 = 1 << 20

    /// `type` ClusterIP, `sessionAffinity` None (ClientIP gets a 10800 s timeout config),
    /// ports' `protocol` TCP and `targetPort` = `port`, `internalTrafficPolicy` Cluster,
    /// `externalTrafficPolicy` Cluster (NodePort/LoadBalancer), `allocateLoadBalancerNodePorts`,
    /// and, except for ExternalName, `ipFamilies` [IPv4] / `ipFamilyPolicy` SingleStack. Idempotent.
    static func apply(to service: inout JSONValue) {
        var spec = service["spec"] ?? .emptyObject
        if spec["type"] == nil { spec["type"] = "ClusterIP" }
        let type = spec["type"]?.stringValue ?? "ClusterIP"
        if spec["sessionAffinity"] == nil { spec["sessionAffinity"] = "None" }
        if spec["sessionAffinity"]?.stringValue == "ClientIP", spec[path: ["sessionAffinityConfig", "clientIP", "timeoutSeconds"]] == nil {
            spec[path: ["sessionAffinityConfig", "clientIP", "timeoutSeconds"]] = 10800
        }
        if let ports = spec["ports"]?.arrayValue {
            spec["ports"] = .array(ports.map { port in
                var p = port
                if p["protocol"] == nil { p["protocol"] = "TCP" }
                if p["targetPort"] == nil || p["targetPort"] == 0 || p["targetPort"] == "", let n = p["port"] { p["targetPort"] = n }
                return p
            })
        }
        if type == "NodePort" || type == "LoadBalancer", spec["externalTrafficPolicy"] == nil { spec["externalTrafficPolicy"] = "Cluster" }
        if type == "LoadBalancer", spec["allocateLoadBalancerNodePorts"] == nil { spec["allocateLoadBalancerNodePorts"] = true }
        if type != "ExternalName" {
            if spec["internalTrafficPolicy"] == nil { spec["internalTrafficPolicy"] = "Cluster" }
            if spec["ipFamilies"] == nil { spec["ipFamilies"] = ["IPv4"] }
            if spec["ipFamilyPolicy"] == nil { spec["ipFamilyPolicy"] = "SingleStack" }
        }
        service["spec"] = spec
    }

    /// Applies the defaults and fills `spec.clusterIP`/`clusterIPs` (unless headless `None` or
    /// `ExternalName`) with a free address of 10.96.0.0/12 not used by any of `existing`.
    /// Throws a 422 Status when a requested `clusterIP` is outside the range or taken.
    static func allocateClusterIP(for service: inout JSONValue, existing: [JSONValue]) throws {
        apply(to: &service)
        var spec = service["spec"] ?? .emptyObject
        defer { service["spec"] = spec }
        guard spec["type"]?.stringValue != "ExternalName" else { return }
        let used = Set(existing.filter { $0.uid != service.uid || service.uid == nil }
            .compactMap { $0[path: ["spec", "clusterIP"]]?.stringValue })
        if let requested = spec["clusterIP"]?.stringValue, !requested.isEmpty {
            if requested != "None" {
                guard let address = parse(requested), address >= serviceCIDRBase, address < serviceCIDRBase + serviceCIDRSize else {
                    throw invalid("spec.clusterIP", requested, "provided IP is not in the valid range. The range of valid IPs is 10.96.0.0/12")
                }
                if used.contains(requested) {
                    throw invalid("spec.clusterIP", requested, "provided IP is already allocated")
                }
            }
            spec["clusterIPs"] = [.string(requested)]
            return
        }
        let seed = fnv("\(service.namespace ?? "")/\(service.name ?? UUID().uuidString)")
        for probe in 0..<serviceCIDRSize {
            let offset = (seed &+ probe) % serviceCIDRSize
            guard offset > 1, offset < serviceCIDRSize - 1 else { continue }
            let ip = format(serviceCIDRBase + offset)
            if !used.contains(ip) {
                spec["clusterIP"] = .string(ip)
                spec["clusterIPs"] = [.string(ip)]
                return
            }
        }
        throw Status(message: "Internal error: failed to allocate a serviceIP: range is full", reason: "InternalError", code: 500)
    }

    /// On update, an omitted `clusterIP`/`clusterIPs` keeps the allocated one (as the Service
    /// registry's patchAllocatedValues does).
    static func keepAllocated(_ service: inout JSONValue, old: JSONValue) {
        for field in ["clusterIP", "clusterIPs"] where service[path: ["spec", field]] == nil {
            if let value = old[path: ["spec", field]] { service[path: ["spec", field]] = value }
        }
    }

    static func parse(_ ip: String) -> UInt32? {
        let parts = ip.split(separator: ".").compactMap { UInt32($0) }
        guard parts.count == 4, parts.allSatisfy({ $0 < 256 }) else { return nil }
        return parts.reduce(0) { $0 << 8 | $1 }
    }

    static func format(_ address: UInt32) -> String {
        "\(address >> 24).\((address >> 16) & 255).\((address >> 8) & 255).\(address & 255)"
    }

    private static func fnv(_ text: String) -> UInt32 {
        var hash: UInt32 = 2_166_136_261
        for byte in text.utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        return hash
    }

    private static func invalid(_ field: String, _ value: String, _ detail: String) -> Status {
        Status(
            message: "Service is invalid: \(field): Invalid value: \"\(value)\": \(detail)", reason: "Invalid",
            details: StatusDetails(kind: "Service", causes: [StatusCause(reason: "FieldValueInvalid", message: "Invalid value: \"\(value)\": \(detail)", field: field)]),
            code: 422)
    }
}
