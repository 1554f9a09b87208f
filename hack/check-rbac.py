#!/usr/bin/env python3
"""Checks that every Kubernetes API request the controller made is allowed by its RBAC rules.

The rules are the single source charts/sextant/rbac-rules.yaml (the chart renders its ClusterRole /
Roles from it). The request log is JSON lines, one request per line, in either shape:

  audit.k8s.io/v1 Event, as `sextant dev --audit-log-path FILE` (or a real API server's audit log)
  writes them:
    {"kind": "Event", "verb": "patch", "requestURI": "/apis/batch/v1/namespaces/ml/jobs/x",
     "userAgent": "sextant-controller/0.1.0", "objectRef": {"apiGroup": "batch", "resource": "jobs",
     "subresource": "", "namespace": "ml", "name": "x"}, ...}
  An Event without objectRef is a non-resource request (its path is requestURI).

  flat (hand-written logs):
    {"verb": "patch", "group": "batch", "resource": "jobs", "subresource": "", "namespace": "ml", "name": "x"}

`verb` is the RBAC verb (get, list, watch, create, update, patch, delete, deletecollection).
`group` is "" for the core group. `resource` may carry the subresource ("mlpipelines/status") or it
may be given in `subresource`. `namespace` is "" (or missing) for a cluster-wide request, e.g. a
list/watch across all namespaces. Entries with a `path` and no `resource` are non-resource requests
(discovery, /version, /openapi): allowed for every authenticated client by the default
system:discovery role, so only those paths pass.

Modes (as the chart renders them):
  cluster     the `controller` rules everywhere (ClusterRole), `leaderElection` rules in the
              controller's namespace.
  namespaces  the `controller` rules only in --watch-namespace namespaces (Roles),
              `leaderElection` rules in the controller's namespace.

`--user-agent SUBSTR` (repeatable) keeps only entries whose `userAgent` contains one of them (a dev
server log holds kubectl's and the tests' requests too; the controller identifies itself by its
User-Agent, `sextant-controller/...`).

Exit status 0 when every request is allowed, 1 when some are denied (each printed), 2 on bad input.
`--lint` only checks the rules file: no "*" anywhere, no secrets, no cluster-scoped resources.
`--report-unused` also lists the granted (section, verb, group/resource) that no request used:
informational (candidates for removal, or calls the log's workload did not reach); exit status unchanged.

Usage:
  hack/check-rbac.py --log requests.jsonl [--rules charts/sextant/rbac-rules.yaml]
                     [--mode cluster|namespaces] [--watch-namespace NS ...]
                     [--controller-namespace sextant-system] [--user-agent sextant-controller/]
                     [--report-unused]
  hack/check-rbac.py --lint
"""
import argparse
import json
import os
import sys

try:
    import yaml
except ImportError:  # pragma: no cover
    sys.exit("check-rbac: PyYAML is required (pip install PyYAML)")

DEFAULT_RULES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "charts", "sextant", "rbac-rules.yaml")
RBAC_VERBS = {"get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"}
DISCOVERY_PREFIXES = ("/api", "/apis", "/version", "/openapi", "/healthz", "/livez", "/readyz")
# Resources that are cluster-scoped in Kubernetes: the controller must not need any.
CLUSTER_SCOPED = {"namespaces", "nodes", "persistentvolumes", "customresourcedefinitions",
                  "clusterroles", "clusterrolebindings", "storageclasses", "priorityclasses",
                  "validatingwebhookconfigurations", "mutatingwebhookconfigurations",
                  "certificatesigningrequests", "apiservices"}


def load_rules(path):
    with open(path, encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    if not isinstance(doc, dict) or "controller" not in doc or "leaderElection" not in doc:
        raise ValueError(f"{path}: expected top-level lists 'controller' and 'leaderElection'")
    return doc


def lint(rules):
    """Problems in the rules themselves (least privilege)."""
    problems = []
    for section in ("controller", "leaderElection"):
        for i, rule in enumerate(rules[section]):
            where = f"{section}[{i}]"
            for key in ("apiGroups", "resources", "verbs"):
                values = rule.get(key)
                if not isinstance(values, list) or not values:
                    problems.append(f"{where}: '{key}' must be a non-empty list")
                    continue
                if any("*" in str(v) for v in values):
                    problems.append(f"{where}: wildcard in {key}: {values}")
            for verb in rule.get("verbs", []):
                if verb not in RBAC_VERBS:
                    problems.append(f"{where}: unknown or dangerous verb '{verb}'")
            for res in rule.get("resources", []):
                base = str(res).split("/")[0]
                if base == "secrets":
                    problems.append(f"{where}: grants access to secrets")
                # Reading the Namespace object of a watched namespace (its annotations, e.g.
                # ml.sextant.dev/aws-role-arn) is the one exception: `get` only; a Role in that
                # namespace grants it for that namespace alone.
                own_namespace_read = base == "namespaces" and set(rule.get("verbs", [])) == {"get"}
                if base in CLUSTER_SCOPED and not own_namespace_read:
                    problems.append(f"{where}: grants access to cluster-scoped '{res}'")
            if "resourceNames" in rule or "nonResourceURLs" in rule:
                problems.append(f"{where}: resourceNames/nonResourceURLs are not supported here")
    return problems


def allows(rule_list, verb, group, resource):
    for rule in rule_list:
        if group in rule["apiGroups"] and resource in rule["resources"] and verb in rule["verbs"]:
            return True
    return False


def normalize(entry):
    """A request in the flat shape, from an audit Event or a flat entry."""
    if entry.get("kind") != "Event" and "objectRef" not in entry and "requestURI" not in entry:
        return entry
    flat = {"verb": entry.get("verb") or "", "userAgent": entry.get("userAgent") or ""}
    ref = entry.get("objectRef")
    if not ref or not ref.get("resource"):
        flat["path"] = (entry.get("requestURI") or "").split("?", 1)[0]
        return flat
    flat.update(group=ref.get("apiGroup") or "", resource=ref["resource"], subresource=ref.get("subresource") or "",
                namespace=ref.get("namespace") or "", name=ref.get("name") or "")
    return flat


def granted(rules):
    """Every (section, verb, group, resource) the rules grant."""
    out = set()
    for section in ("controller", "leaderElection"):
        for rule in rules[section]:
            for group in rule["apiGroups"]:
                for resource in rule["resources"]:
                    for verb in rule["verbs"]:
                        out.add((section, verb, group, resource))
    return out


def used_by(req, rules, controller_namespace):
    """The grants (section, verb, group, resource) that allow an allowed resource request."""
    resource = req.get("resource") or ""
    if not resource:
        return set()
    sub = req.get("subresource") or ""
    if sub and "/" not in resource:
        resource = f"{resource}/{sub}"
    verb, group, namespace = req.get("verb") or "", req.get("group") or "", req.get("namespace") or ""
    out = set()
    if namespace and namespace == controller_namespace and allows(rules["leaderElection"], verb, group, resource):
        out.add(("leaderElection", verb, group, resource))
    if allows(rules["controller"], verb, group, resource):
        out.add(("controller", verb, group, resource))
    return out


def check_request(req, rules, mode, watch_namespaces, controller_namespace):
    """None when allowed, else the reason it is denied."""
    resource = req.get("resource") or ""
    if not resource:
        path = req.get("path") or ""
        if path.startswith(DISCOVERY_PREFIXES):
            return None
        return f"non-resource request {path!r} is not a discovery path"
    verb = req.get("verb") or ""
    if verb not in RBAC_VERBS:
        return f"unknown verb {verb!r}"
    sub = req.get("subresource") or ""
    if sub and "/" not in resource:
        resource = f"{resource}/{sub}"
    group = req.get("group") or ""
    namespace = req.get("namespace") or ""

    # The Role in the controller's own namespace (leader election).
    if namespace and namespace == controller_namespace and allows(rules["leaderElection"], verb, group, resource):
        return None
    if mode == "cluster":
        if allows(rules["controller"], verb, group, resource):
            return None
        return "not in rbac-rules.yaml 'controller'"
    # namespaces mode: Roles only in the watched namespaces; nothing cluster-wide.
    if not namespace:
        return "cluster-wide request, but namespaces mode grants only Roles in " + ",".join(watch_namespaces)
    if namespace not in watch_namespaces:
        return f"namespace {namespace!r} is not watched"
    if allows(rules["controller"], verb, group, resource):
        return None
    return "not in rbac-rules.yaml 'controller'"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rules", default=DEFAULT_RULES)
    parser.add_argument("--log", help="JSON-lines request log")
    parser.add_argument("--mode", choices=["cluster", "namespaces"], default="cluster")
    parser.add_argument("--watch-namespace", action="append", default=[])
    parser.add_argument("--controller-namespace", default="sextant-system")
    parser.add_argument("--user-agent", action="append", default=[],
                        help="only check entries whose userAgent contains this (repeatable: any of them)")
    parser.add_argument("--lint", action="store_true", help="only check the rules file")
    parser.add_argument("--report-unused", action="store_true", help="list granted verbs no request used (informational)")
    args = parser.parse_args(argv)

    try:
        rules = load_rules(args.rules)
    except (OSError, ValueError, yaml.YAMLError) as e:
        print(f"check-rbac: {e}", file=sys.stderr)
        return 2
    problems = lint(rules)
    for p in problems:
        print(f"check-rbac: rules: {p}")
    if args.lint:
        print(f"check-rbac: rules: {len(problems)} problem(s)")
        return 1 if problems else 0
    if problems:
        return 1
    if not args.log:
        parser.error("--log is required unless --lint")
    if args.mode == "namespaces" and not args.watch_namespace:
        parser.error("--mode namespaces needs --watch-namespace")

    denied, total, seen, used = 0, 0, set(), set()
    try:
        with open(args.log, encoding="utf-8") as f:
            for lineno, line in enumerate(f, 1):
                line = line.strip()
                if not line:
                    continue
                try:
                    req = normalize(json.loads(line))
                except (json.JSONDecodeError, AttributeError, TypeError) as e:
                    print(f"check-rbac: {args.log}:{lineno}: not a request entry: {e}", file=sys.stderr)
                    return 2
                agent = req.get("userAgent") or ""
                if args.user_agent and not any(a in agent for a in args.user_agent):
                    continue
                total += 1
                reason = check_request(req, rules, args.mode, args.watch_namespace, args.controller_namespace)
                if not reason:
                    used |= used_by(req, rules, args.controller_namespace)
                if reason:
                    denied += 1
                    key = (req.get("verb"), req.get("group"), req.get("resource"), req.get("subresource"), req.get("namespace"))
                    if key not in seen:
                        seen.add(key)
                        group = req.get("group") or "core"
                        res = req.get("resource")
                        if req.get("subresource"):
                            res += "/" + req["subresource"]
                        ns = req.get("namespace") or "(all namespaces)"
                        print(f"DENIED {req.get('verb')} {group}/{res} in {ns}: {reason}")
    except OSError as e:
        print(f"check-rbac: {e}", file=sys.stderr)
        return 2
    if args.report_unused:
        unused = sorted(granted(rules) - used)
        for section, verb, group, resource in unused:
            print(f"UNUSED {section}: {verb} {group or 'core'}/{resource}")
        print(f"check-rbac: {len(unused)} granted verb(s) unused by this log (informational)")
    print(f"check-rbac: {total} request(s), {denied} denied")
    return 1 if denied else 0


if __name__ == "__main__":
    sys.exit(main())
