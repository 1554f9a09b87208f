#!/usr/bin/env python3
"""Checks that every Kubernetes API request the controller made is allowed by its RBAC rules.

The rules are the single source charts/sextant/rbac-rules.yaml (the chart renders its ClusterRole /
Roles from it). The request log is JSON lines, one request per line, as a test API server records
them for the controller's identity:

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

`--user-agent SUBSTR` keeps only entries whose `userAgent` contains SUBSTR (a dev server log holds
kubectl's and the tests' requests too; the controller identifies itself by its User-Agent).

Exit status 0 when every request is allowed, 1 when some are denied (each printed), 2 on bad input.
`--lint` only checks the rules file: no "*" anywhere, no secrets, no cluster-scoped resources.

Usage:
  hack/check-rbac.py --log requests.jsonl [--rules charts/sextant/rbac-rules.yaml]
                     [--mode cluster|namespaces] [--watch-namespace NS ...]
                     [--controller-namespace sextant-system] [--user-agent sextant]
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
                if base in CLUSTER_SCOPED:
                    problems.append(f"{where}: grants access to cluster-scoped '{res}'")
            if "resourceNames" in rule or "nonResourceURLs" in rule:
                problems.append(f"{where}: resourceNames/nonResourceURLs are not supported here")
    return problems


def allows(rule_list, verb, group, resource):
    for rule in rule_list:
        if group in rule["apiGroups"] and resource in rule["resources"] and verb in rule["verbs"]:
            return True
    return False


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
    parser.add_argument("--user-agent", help="only check entries whose userAgent contains this")
    parser.add_argument("--lint", action="store_true", help="only check the rules file")
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

    denied, total, seen = 0, 0, set()
    try:
        with open(args.log, encoding="utf-8") as f:
            for lineno, line in enumerate(f, 1):
                line = line.strip()
                if not line:
                    continue
                try:
                    req = json.loads(line)
                except json.JSONDecodeError as e:
                    print(f"check-rbac: {args.log}:{lineno}: not JSON: {e}", file=sys.stderr)
                    return 2
                if args.user_agent and args.user_agent not in (req.get("userAgent") or ""):
                    continue
                total += 1
                reason = check_request(req, rules, args.mode, args.watch_namespace, args.controller_namespace)
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
    print(f"check-rbac: {total} request(s), {denied} denied")
    return 1 if denied else 0


if __name__ == "__main__":
    sys.exit(main())
