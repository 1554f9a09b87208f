import Foundation
import KubeCore

/// API defaults of pods and pod templates (`SetDefaults_Pod`, `SetDefaults_PodSpec`,
/// `SetDefaults_Container`, `SetDefaults_ContainerPort`, `SetDefaults_ObjectFieldSelector` of core/v1).
enum PodDefaults {
    /// Defaults a Pod: its spec, plus `enableServiceLinks: true` (pods only, not templates).
    static func applyToPod(_ pod: inout JSONValue) {
        var spec = pod["spec"] ?? .emptyObject
        applyToSpec(&spec)
        if spec["enableServiceLinks"] == nil { spec["enableServiceLinks"] = true }
        pod["spec"] = spec
    }

    /// Defaults a pod template (`{metadata, spec}`) of a Job or Deployment.
    static func applyToTemplate(_ template: inout JSONValue) {
        var spec = template["spec"] ?? .emptyObject
        applyToSpec(&spec)
        template["spec"] = spec
    }

    /// restartPolicy Always, terminationGracePeriodSeconds 30, dnsPolicy ClusterFirst,
    /// schedulerName default-scheduler, securityContext {}, and the containers' defaults.
    static func applyToSpec(_ spec: inout JSONValue) {
        if spec["restartPolicy"] == nil { spec["restartPolicy"] = "Always" }
        if spec["terminationGracePeriodSeconds"] == nil { spec["terminationGracePeriodSeconds"] = 30 }
        if spec["dnsPolicy"] == nil { spec["dnsPolicy"] = "ClusterFirst" }
        if spec["schedulerName"] == nil { spec["schedulerName"] = "default-scheduler" }
        if spec["securityContext"] == nil { spec["securityContext"] = .emptyObject }
        for key in ["containers", "initContainers"] {
            if let containers = spec[key]?.arrayValue {
                spec[key] = .array(containers.map(defaultContainer))
            }
        }
    }

    static func defaultContainer(_ container: JSONValue) -> JSONValue {
        var c = container
        if c["terminationMessagePath"] == nil { c["terminationMessagePath"] = "/dev/termination-log" }
        if c["terminationMessagePolicy"] == nil { c["terminationMessagePolicy"] = "File" }
        if c["imagePullPolicy"] == nil { c["imagePullPolicy"] = .string(pullPolicy(image: c["image"]?.stringValue ?? "")) }
        if c["resources"] == nil { c["resources"] = .emptyObject }
        if let ports = c["ports"]?.arrayValue {
            c["ports"] = .array(ports.map { p in
                var p = p
                if p["protocol"] == nil { p["protocol"] = "TCP" }
                return p
            })
        }
        if let env = c["env"]?.arrayValue {
            c["env"] = .array(env.map { e in
                var e = e
                if e[path: ["valueFrom", "fieldRef"]] != nil, e[path: ["valueFrom", "fieldRef", "apiVersion"]] == nil {
                    e[path: ["valueFrom", "fieldRef", "apiVersion"]] = "v1"
                }
                return e
            })
        }
        return c
    }

    /// `Always` for the `latest` tag (also implied when an image has neither tag nor digest),
    /// `IfNotPresent` otherwise.
    static func pullPolicy(image: String) -> String {
        let withoutDigest = image.split(separator: "@", maxSplits: 1).first.map(String.init) ?? image
        let hasDigest = withoutDigest.count != image.count
        let lastComponent = withoutDigest.split(separator: "/").last.map(String.init) ?? withoutDigest
        let tag = lastComponent.contains(":") ? lastComponent.split(separator: ":").last.map(String.init) : nil
        if let tag { return tag == "latest" ? "Always" : "IfNotPresent" }
        return hasDigest ? "IfNotPresent" : "Always"
    }
}
