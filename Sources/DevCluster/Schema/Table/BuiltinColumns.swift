import Foundation
import KubeCore

/// A column of a built-in kind's table and how its cell is computed.
struct BuiltinColumn: Sendable {
    var name: String
    var type: String
    var format: String = ""
    var description: String
    var priority: Int = 0
    var cell: @Sendable (JSONValue, Date) -> JSONValue
}

/// The columns kube-apiserver's printers produce for the built-in kinds (Name ... Age).
enum BuiltinColumns {
    static let nameDescription = "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names"
    static let ageDescription = "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata"

    static let name = BuiltinColumn(name: "Name", type: "string", format: "name", description: nameDescription) { o, _ in
        o[path: ["metadata", "name"]] ?? ""
    }
    static let age = BuiltinColumn(name: "Age", type: "string", description: ageDescription) { o, now in
        .string(age(o[path: ["metadata", "creationTimestamp"]]?.stringValue, now: now))
    }

    private static func str(_ o: JSONValue, _ path: String...) -> String? { o[path: path]?.stringValue }
    private static func int(_ o: JSONValue, _ path: String...) -> Int64 { o[path: path]?.intValue ?? 0 }
    private static func column(_ name: String, type: String = "string", priority: Int = 0, _ description: String,
                               _ cell: @escaping @Sendable (JSONValue, Date) -> JSONValue) -> BuiltinColumn {
        BuiltinColumn(name: name, type: type, description: description, priority: priority, cell: cell)
    }

    /// Columns for a resource (plural name); unknown resources get Name and Age.
    static func columns(for resource: String) -> [BuiltinColumn] {
        switch resource {
        case "pods":
            return [name,
                    column("Ready", "The aggregate readiness state of this pod for accepting traffic.") { o, _ in
                        let statuses = o[path: ["status", "containerStatuses"]]?.arrayValue ?? []
                        let total = o[path: ["spec", "containers"]]?.arrayValue?.count ?? statuses.count
                        return .string("\(statuses.filter { $0["ready"]?.boolValue == true }.count)/\(total)")
                    },
                    column("Status", "The aggregate status of the containers in this pod.") { o, _ in .string(podStatus(o)) },
                    column("Restarts", type: "integer", "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.") { o, _ in
                        .int((o[path: ["status", "containerStatuses"]]?.arrayValue ?? []).reduce(0) { $0 + ($1["restartCount"]?.intValue ?? 0) })
                    },
                    age,
                    column("IP", priority: 1, "The IP address assigned to the pod") { o, _ in .string(str(o, "status", "podIP") ?? "<none>") },
                    column("Node", priority: 1, "The name of the node the pod is assigned to") { o, _ in .string(str(o, "spec", "nodeName") ?? "<none>") },
                    column("Nominated Node", priority: 1, "The nominated node for this pod") { o, _ in .string(str(o, "status", "nominatedNodeName") ?? "<none>") },
                    column("Readiness Gates", priority: 1, "The readiness gates of the pod") { _, _ in "<none>" }]
        case "jobs":
            return [name,
                    column("Status", "Status of the job.") { o, _ in .string(jobStatus(o)) },
                    column("Completions", "The completion status of the job.") { o, _ in
                        let succeeded = int(o, "status", "succeeded")
                        if let completions = o[path: ["spec", "completions"]]?.intValue { return .string("\(succeeded)/\(completions)") }
                        let parallelism = o[path: ["spec", "parallelism"]]?.intValue ?? 1
                        return .string(parallelism > 1 ? "\(succeeded)/1 of \(parallelism)" : "\(succeeded)/1")
                    },
                    column("Duration", "Time required to complete the job.") { o, now in
                        guard let start = str(o, "status", "startTime").flatMap(KubeTime.parse) else { return "" }
                        let end = str(o, "status", "completionTime").flatMap(KubeTime.parse) ?? now
                        return .string(humanDuration(end.timeIntervalSince(start)))
                    },
                    age] + workloadWide(podSpec: ["spec", "template", "spec"])
        case "deployments":
            return [name,
                    column("Ready", "Number of the pod with ready state") { o, _ in
                        .string("\(int(o, "status", "readyReplicas"))/\(o[path: ["spec", "replicas"]]?.intValue ?? 1)")
                    },
                    column("Up-to-date", type: "integer", "Total number of non-terminated pods targeted by this deployment that have the desired template spec.") { o, _ in .int(int(o, "status", "updatedReplicas")) },
                    column("Available", type: "integer", "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.") { o, _ in .int(int(o, "status", "availableReplicas")) },
                    age] + workloadWide(podSpec: ["spec", "template", "spec"])
        case "services":
            return [name,
                    column("Type", "The type of service.") { o, _ in .string(str(o, "spec", "type") ?? "ClusterIP") },
                    column("Cluster-IP", "IP address of the service.") { o, _ in .string(str(o, "spec", "clusterIP") ?? "<none>") },
                    column("External-IP", "External IP addresses of the service.") { o, _ in
                        let ips = (o[path: ["spec", "externalIPs"]]?.arrayValue ?? []).compactMap(\.stringValue)
                        return .string(ips.isEmpty ? "<none>" : ips.joined(separator: ","))
                    },
                    column("Port(s)", "The ports exposed by the service.") { o, _ in
                        let ports = (o[path: ["spec", "ports"]]?.arrayValue ?? []).map { p -> String in
                            let base = "\(p["port"]?.intValue ?? 0)"
                            let node = p["nodePort"]?.intValue.map { ":\($0)" } ?? ""
                            return base + node + "/" + (p["protocol"]?.stringValue ?? "TCP")
                        }
                        return .string(ports.isEmpty ? "<none>" : ports.joined(separator: ","))
                    },
                    age,
                    column("Selector", priority: 1, "Route service traffic to pods with label keys and values matching this selector.") { o, _ in
                        .string(selectorString(o[path: ["spec", "selector"]]))
                    }]
        case "horizontalpodautoscalers":
            return PolicyColumns.horizontalPodAutoscaler
        case "poddisruptionbudgets":
            return PolicyColumns.podDisruptionBudget
        case "namespaces":
            return [name, column("Status", "The status of the namespace") { o, _ in .string(str(o, "status", "phase") ?? "Active") }, age]
        case "configmaps":
            return [name, column("Data", type: "integer", "Number of data in the configmap") { o, _ in
                .int(Int64((o["data"]?.objectValue?.count ?? 0) + (o["binaryData"]?.objectValue?.count ?? 0)))
            }, age]
        case "secrets":
            return [name,
                    column("Type", "The type of the secret") { o, _ in .string(str(o, "type") ?? "Opaque") },
                    column("Data", type: "integer", "The number of data in the secret") { o, _ in .int(Int64(o["data"]?.objectValue?.count ?? 0)) },
                    age]
        case "serviceaccounts":
            return [name, column("Secrets", type: "integer", "Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.") { o, _ in
                .int(Int64(o["secrets"]?.arrayValue?.count ?? 0))
            }, age]
        case "validatingadmissionpolicies":
            return [name,
                    column("Validations", type: "integer", "Validations indicates the number of validation rules defined in this configuration") { o, _ in
                        .int(Int64(o[path: ["spec", "validations"]]?.arrayValue?.count ?? 0))
                    },
                    column("ParamKind", "ParamKind specifies the kind of resources used to parameterize this policy") { o, _ in
                        guard let kind = str(o, "spec", "paramKind", "kind") else { return "<unset>" }
                        return .string("\(str(o, "spec", "paramKind", "apiVersion") ?? "")/\(kind)")
                    },
                    age]
        case "validatingadmissionpolicybindings":
            return [name,
                    column("PolicyName", "PolicyName indicates the policy definition which the policy binding binded to") { o, _ in .string(str(o, "spec", "policyName") ?? "") },
                    column("ParamRef", "ParamRef indicates the param resource which sets the configration param") { o, _ in
                        guard let ref = o[path: ["spec", "paramRef"]] else { return "<unset>" }
                        let name = ref["name"]?.stringValue ?? "*"
                        return .string(ref["namespace"]?.stringValue.map { "\($0)/\(name)" } ?? name)
                    },
                    age]
        case "leases":
            return [name, column("Holder", "The holder of the lease") { o, _ in .string(str(o, "spec", "holderIdentity") ?? "") }, age]
        case "customresourcedefinitions", "roles", "clusterroles":
            return [name, column("Created At", type: "date", "CreationTimestamp of the resource") { o, _ in
                o[path: ["metadata", "creationTimestamp"]] ?? .null
            }]
        case "rolebindings", "clusterrolebindings":
            return [name, column("Role", "The role of the binding") { o, _ in
                .string("\(str(o, "roleRef", "kind") ?? "")/\(str(o, "roleRef", "name") ?? "")")
            }, age]
        case "events":
            return [column("Last Seen", "Time when last this event occurred") { o, now in
                        .string(age(str(o, "lastTimestamp") ?? str(o, "eventTime") ?? str(o, "metadata", "creationTimestamp"), now: now))
                    },
                    column("Type", "Type of this event.") { o, _ in .string(str(o, "type") ?? "") },
                    column("Reason", "Reason why this event was generated.") { o, _ in .string(str(o, "reason") ?? "") },
                    column("Object", "The object this event is about.") { o, _ in
                        let ref = o["involvedObject"] ?? o["regarding"] ?? .emptyObject
                        return .string("\((ref["kind"]?.stringValue ?? "").lowercased())/\(ref["name"]?.stringValue ?? "")")
                    },
                    column("Message", "A human-readable description of the status of this operation.") { o, _ in .string(str(o, "message") ?? str(o, "note") ?? "") }]
        default:
            return [name, age]
        }
    }

    private static func workloadWide(podSpec: [String]) -> [BuiltinColumn] {
        [column("Containers", priority: 1, "Names of each container in the template.") { o, _ in
            .string((o[path: podSpec + ["containers"]]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }.joined(separator: ","))
        },
         column("Images", priority: 1, "Images referenced by each container in the template.") { o, _ in
            .string((o[path: podSpec + ["containers"]]?.arrayValue ?? []).compactMap { $0["image"]?.stringValue }.joined(separator: ","))
        },
         column("Selector", priority: 1, "Label selector for pods.") { o, _ in
            .string(selectorString(o[path: ["spec", "selector", "matchLabels"]] ?? o[path: ["spec", "selector"]]))
        }]
    }

    static func selectorString(_ selector: JSONValue?) -> String {
        guard case .object(let labels)? = selector, !labels.isEmpty else { return "<none>" }
        return labels.keys.sorted().compactMap { k in labels[k]?.stringValue.map { "\(k)=\($0)" } }.joined(separator: ",")
    }

    static func podStatus(_ o: JSONValue) -> String {
        if o[path: ["metadata", "deletionTimestamp"]] != nil { return "Terminating" }
        var reason = o[path: ["status", "reason"]]?.stringValue ?? o[path: ["status", "phase"]]?.stringValue ?? "Pending"
        for status in o[path: ["status", "containerStatuses"]]?.arrayValue ?? [] {
            if let waiting = status[path: ["state", "waiting", "reason"]]?.stringValue, !waiting.isEmpty {
                reason = waiting
            } else if let terminated = status[path: ["state", "terminated"]] {
                reason = terminated["reason"]?.stringValue ?? "ExitCode:\(terminated["exitCode"]?.intValue ?? 0)"
            }
        }
        return reason
    }

    static func jobStatus(_ o: JSONValue) -> String {
        let conditions = o[path: ["status", "conditions"]]?.arrayValue ?? []
        func isTrue(_ type: String) -> Bool { conditions.contains { $0["type"]?.stringValue == type && $0["status"]?.stringValue == "True" } }
        if isTrue("Complete") { return "Complete" }
        if isTrue("Failed") { return "Failed" }
        if o[path: ["metadata", "deletionTimestamp"]] != nil { return "Terminating" }
        if isTrue("Suspended") { return "Suspended" }
        if isTrue("FailureTarget") { return "FailureTarget" }
        return "Running"
    }

    static func age(_ timestamp: String?, now: Date) -> String {
        guard let timestamp, let date = KubeTime.parse(timestamp) else { return "<unknown>" }
        return humanDuration(now.timeIntervalSince(date))
    }

    /// apimachinery's `duration.HumanDuration`: 45s, 5m30s, 3h20m, 5d, 2y30d, ...
    static func humanDuration(_ interval: TimeInterval) -> String {
        let seconds = Int64(interval)
        if seconds < -1 { return "<invalid>" }
        if seconds < 0 { return "0s" }
        if seconds < 60 * 2 { return "\(seconds)s" }
        let minutes = seconds / 60
        if minutes < 10 {
            let s = seconds % 60
            return s == 0 ? "\(minutes)m" : "\(minutes)m\(s)s"
        }
        if minutes < 60 * 3 { return "\(minutes)m" }
        let hours = minutes / 60
        if hours < 8 {
            let m = minutes % 60
            return m == 0 ? "\(hours)h" : "\(hours)h\(m)m"
        }
        if hours < 48 { return "\(hours)h" }
        if hours < 24 * 8 {
            let h = hours % 24
            return h == 0 ? "\(hours / 24)d" : "\(hours / 24)d\(h)h"
        }
        if hours < 24 * 365 * 2 { return "\(hours / 24)d" }
        if hours < 24 * 365 * 8 {
            let dy = (hours / 24) % 365
            return dy == 0 ? "\(hours / 24 / 365)y" : "\(hours / 24 / 365)y\(dy)d"
        }
        return "\(hours / 24 / 365)y"
    }
}
