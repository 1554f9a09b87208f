import KubeCore

/// Which requests a policy's `matchConstraints` or a binding's `matchResources` select, as
/// k8s.io/apiserver's `admission/plugin/policy/matching` decides: namespace selector, object
/// selector, excluded rules, then resource rules (none in a binding = every resource).
enum AdmissionMatching {
    /// Labels of the request's namespace (nil when the namespace is unknown).
    typealias NamespaceLabels = [String: String]?

    static func matches(_ match: MatchResources, _ a: AdmissionAttributes, namespaceLabels: NamespaceLabels, isBinding: Bool) -> Bool {
        guard namespaceSelectorMatches(match.namespaceSelector, a, namespaceLabels: namespaceLabels) else { return false }
        guard objectSelectorMatches(match.objectSelector, a) else { return false }
        if match.excludeResourceRules.contains(where: { ruleMatches($0, a) }) { return false }
        if isBinding && match.resourceRules.isEmpty { return true }
        return match.resourceRules.contains { ruleMatches($0, a) }
    }

    /// A cluster-scoped request (other than for a Namespace) is never excluded by a namespace selector;
    /// an empty selector matches everything; an unknown namespace matches nothing.
    static func namespaceSelectorMatches(_ selector: LabelSelector?, _ a: AdmissionAttributes, namespaceLabels: NamespaceLabels) -> Bool {
        if a.namespace.isEmpty && !a.isNamespaceItself { return true }
        guard let selector, !isEmpty(selector) else { return true }
        let labels: [String: String]?
        if a.isNamespaceItself {
            labels = labelsOf(a.object ?? a.oldObject)
        } else {
            labels = namespaceLabels
        }
        guard let labels else { return false }
        return selectorMatches(selector, labels)
    }

    /// Matches when the new or the old object carries matching labels; an empty selector matches everything.
    static func objectSelectorMatches(_ selector: LabelSelector?, _ a: AdmissionAttributes) -> Bool {
        guard let selector, !isEmpty(selector) else { return true }
        for object in [a.object, a.oldObject] {
            if let object, selectorMatches(selector, labelsOf(object) ?? [:]) { return true }
        }
        return false
    }

    /// One `NamedRuleWithOperations`.
    static func ruleMatches(_ rule: ResourceRule, _ a: AdmissionAttributes) -> Bool {
        guard rule.operations.contains("*") || rule.operations.contains(a.operation) else { return false }
        guard rule.apiGroups.contains("*") || rule.apiGroups.contains(a.info.group) else { return false }
        guard rule.apiVersions.contains("*") || rule.apiVersions.contains(a.info.version) else { return false }
        guard rule.resources.contains(where: { resourceMatches($0, resource: a.info.resource, subresource: a.subresource) }) else { return false }
        switch rule.scope {
        case "Cluster": if a.info.namespaced { return false }
        case "Namespaced": if !a.info.namespaced { return false }
        default: break
        }
        if !rule.resourceNames.isEmpty && !rule.resourceNames.contains(a.name) { return false }
        return true
    }

    /// `*/*` everything; `*` every main resource; `pods` the main resource; `pods/status`,
    /// `pods/*`, `*/status` subresources.
    static func resourceMatches(_ pattern: String, resource: String, subresource: String) -> Bool {
        if pattern == "*/*" { return true }
        let parts = pattern.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        if parts.count == 1 {
            return subresource.isEmpty && (pattern == "*" || pattern == resource)
        }
        let (res, sub) = (parts[0], parts[1])
        guard res == "*" || res == resource else { return false }
        return sub == "*" || sub == subresource
    }

    static func isEmpty(_ selector: LabelSelector) -> Bool {
        (selector.matchLabels ?? [:]).isEmpty && (selector.matchExpressions ?? []).isEmpty
    }

    static func selectorMatches(_ selector: LabelSelector, _ labels: [String: String]) -> Bool {
        selector.matches(labels)
    }

    static func labelsOf(_ object: JSONValue?) -> [String: String]? {
        guard let object else { return nil }
        return (object[path: ["metadata", "labels"]]?.objectValue ?? [:]).compactMapValues(\.stringValue)
    }
}
