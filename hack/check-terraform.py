#!/usr/bin/env python3
"""Static checks of terraform/ that need no provider, with python-hcl2 (hack/tools.d/hcl2.sh).

Terraform 1.0 cannot `validate` a configuration whose providers it cannot download, so this script
parses every .tf file and checks what `terraform validate` would partly check, plus the team's rules:

  structure   every .tf and terraform.tfvars.example parses;
              every variable has a non-empty description and a type;
              every string/number variable has a validation block, unless FREE_FORM says why not;
              no hard-coded AWS account ID, GUID or cloud region outside descriptions and messages;
              every var.X / local.X / module.X.Y reference names a declared variable, local or output;
              every module call passes only variables the module declares and every one it requires;
              modules/sextant-helm hands every input of ./values through unchanged, and its default
              chart path holds a Chart.yaml;
              every example wires the chart module from the cloud module's outputs;
              every example's terraform.tfvars.example sets only declared variables and all required ones.
              Prints a JSON summary; exits 1 with one line per problem.
  aws-policy  prints a policy document of terraform/modules/aws (--document, default "controller")
              as JSON: {"actions": [...], "statements": [{"sid", "origin", "actions", "resources",
              "principals", "conditions"}]} (static statements and the content of dynamic ones).

  gcp-roles   prints the role grants of modules/gcp (google_*_iam_member: role, on, member).
  azure-roles prints the role assignments of modules/azure (role, scope, principal).

Usage: check-terraform.py structure|aws-policy|gcp-roles|azure-roles [--document NAME] [--root DIR]   (DIR defaults to <repo>/terraform)
"""
import argparse
import glob
import json
import os
import re
import sys

import hcl2

# String/number variables that take free text by design (a validation would only restate the type).
FREE_FORM = {
    ("sextant-helm", "chart"): "a local path or a chart name in a repository: both are free-form",
    ("sextant-helm", "chart_version"): "any SemVer constraint Helm accepts",
    ("sextant-helm", "aws_role_arn"): "validated where it is used, in sextant-helm/values",
    ("sextant-helm", "aws_region"): "validated where it is used, in sextant-helm/values",
    ("sextant-helm", "gcp_service_account"): "validated where it is used, in sextant-helm/values",
    ("sextant-helm", "azure_client_id"): "validated where it is used, in sextant-helm/values",
    ("sextant-helm", "azure_tenant_id"): "validated where it is used, in sextant-helm/values",
    ("gcp", "access_log_bucket"): "the name of an existing bucket of the platform (any bucket name GCS accepts)",
    ("aks", "ml_workspace_id"): "validated in modules/azure (ml_workspace_id)",
}

# Patterns that must not appear in configuration values (descriptions and messages may show examples).
HARD_CODED = [
    (re.compile(r"(?<![0-9])[0-9]{12}(?![0-9])"), "AWS account ID"),
    (re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"), "GUID (subscription/tenant/client ID)"),
    (re.compile(r"\b(us|eu|ap|sa|ca|me|af|il|mx)-(gov-)?(north|south|east|west|central|northeast|southeast|southwest|northwest)-[0-9]\b"), "AWS region"),
    (re.compile(r"\b(us|europe|asia|australia|northamerica|southamerica|me|africa)-(north|south|east|west|central|northeast|southeast|southwest|northwest)[0-9]+\b"), "GCP region"),
    (re.compile(r"\b(westeurope|northeurope|eastus2?|westus[23]?|centralus|uksouth|ukwest|francecentral|germanywestcentral|swedencentral|southeastasia|eastasia|japaneast|australiaeast|canadacentral)\b"), "Azure region"),
]
TEXT_KEYS = {"description", "error_message", "display_name", "model_package_group_description"}
META_ARGS = {"source", "version", "providers", "count", "for_each", "depends_on"}

REF = re.compile(r"\b(var|local|module)\.([A-Za-z_][A-Za-z0-9_-]*)(?:\.([A-Za-z_][A-Za-z0-9_-]*))?")


def load_dir(path):
    """Parses every .tf file of one directory into {"files": {name: dict}, merged block lists}."""
    merged = {}
    files = {}
    for f in sorted(glob.glob(os.path.join(path, "*.tf"))):
        with open(f) as fh:
            doc = hcl2.load(fh)
        files[os.path.basename(f)] = doc
        for key, value in doc.items():
            merged.setdefault(key, []).extend(value)
    return {"files": files, "blocks": merged}


def named(blocks, key):
    """{name: body} of `key "name" {}` blocks."""
    out = {}
    for entry in blocks.get(key, []):
        for name, body in entry.items():
            out[name] = body
    return out


def locals_of(blocks):
    out = {}
    for entry in blocks.get("locals", []):
        out.update(entry)
    return out


def strings(value, skip_text=True):
    """Every string inside a parsed value (skipping free-text keys)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for v in value:
            yield from strings(v, skip_text)
    elif isinstance(value, dict):
        for k, v in value.items():
            if skip_text and k in TEXT_KEYS:
                continue
            yield from strings(v, skip_text)


def module_dirs(root):
    dirs = set()
    for f in glob.glob(os.path.join(root, "**", "*.tf"), recursive=True):
        if "/.terraform/" in f:
            continue
        dirs.add(os.path.dirname(f))
    return sorted(dirs)


def short(root, d):
    return os.path.relpath(d, root)


def check_structure(root):
    problems = []
    summary = {"directories": 0, "files": 0, "variables": 0, "validations": 0, "module_calls": 0, "outputs": 0}
    parsed = {}
    for d in module_dirs(root):
        try:
            parsed[d] = load_dir(d)
        except Exception as e:  # a parse error names the file
            problems.append(f"{short(root, d)}: does not parse: {e}")
    summary["directories"] = len(parsed)

    for d, mod in parsed.items():
        rel = short(root, d)
        key = os.path.basename(d) if os.path.basename(d) != "values" else "sextant-helm/values"
        summary["files"] += len(mod["files"])
        variables = named(mod["blocks"], "variable")
        outputs = named(mod["blocks"], "output")
        locs = locals_of(mod["blocks"])
        summary["variables"] += len(variables)
        summary["outputs"] += len(outputs)

        for name, body in variables.items():
            if not str(body.get("description", "")).strip():
                problems.append(f"{rel}: variable {name} has no description")
            if "type" not in body:
                problems.append(f"{rel}: variable {name} has no type")
            validations = body.get("validation", [])
            summary["validations"] += len(validations)
            for v in validations:
                if f"var.{name}" not in str(v.get("condition", "")):
                    problems.append(f"{rel}: variable {name}: validation condition does not test var.{name}")
                if not str(v.get("error_message", "")).strip():
                    problems.append(f"{rel}: variable {name}: validation without error_message")
            vtype = str(body.get("type", ""))
            if vtype.startswith("${") and vtype.endswith("}"):
                vtype = vtype[2:-1]
            if vtype in ("string", "number") and not validations and (key, name) not in FREE_FORM:
                problems.append(f"{rel}: variable {name} ({vtype}) has no validation block and is not listed as free-form")
        for name, body in outputs.items():
            if not str(body.get("description", "")).strip():
                problems.append(f"{rel}: output {name} has no description")

        # Hard-coded account IDs, GUIDs and regions (only descriptions and messages may show examples).
        for fname, doc in mod["files"].items():
            for s in strings(doc):
                for pattern, what in HARD_CODED:
                    m = pattern.search(s)
                    if m:
                        problems.append(f"{rel}/{fname}: hard-coded {what} '{m.group(0)}' in: {s[:120]}")

        # References resolve.
        calls = named(mod["blocks"], "module")
        for fname, doc in mod["files"].items():
            for s in strings(doc, skip_text=False):
                for kind, name, attr in REF.findall(s):
                    if kind == "var" and name not in variables:
                        problems.append(f"{rel}/{fname}: var.{name} is not declared")
                    elif kind == "local" and name not in locs:
                        problems.append(f"{rel}/{fname}: local.{name} is not declared")
                    elif kind == "module":
                        if name not in calls:
                            problems.append(f"{rel}/{fname}: module.{name} is not called here")
                        elif attr:
                            target = os.path.normpath(os.path.join(d, calls[name]["source"]))
                            if target in parsed and attr not in named(parsed[target]["blocks"], "output"):
                                problems.append(f"{rel}/{fname}: module.{name}.{attr} is not an output of {short(root, target)}")

        # Module calls pass exactly known variables, and every required one.
        for cname, call in calls.items():
            summary["module_calls"] += 1
            source = call.get("source", "")
            target = os.path.normpath(os.path.join(d, source))
            if not source.startswith(".") or target not in parsed:
                problems.append(f"{rel}: module {cname}: source {source!r} is not a local module of terraform/")
                continue
            tvars = named(parsed[target]["blocks"], "variable")
            for arg in call:
                if arg not in META_ARGS and arg not in tvars:
                    problems.append(f"{rel}: module {cname} passes {arg}, which {short(root, target)} does not declare")
            for vname, vbody in tvars.items():
                if "default" not in vbody and vname not in call:
                    problems.append(f"{rel}: module {cname} does not pass the required variable {vname} of {short(root, target)}")

    # The chart module hands every values input through unchanged, and its default chart exists.
    helm_dir = os.path.join(root, "modules", "sextant-helm")
    if helm_dir in parsed:
        values_call = named(parsed[helm_dir]["blocks"], "module").get("values", {})
        values_vars = named(parsed.get(os.path.join(helm_dir, "values"), {"blocks": {}})["blocks"], "variable")
        if not values_call:
            problems.append("modules/sextant-helm does not call ./values")
        for vname in values_vars:
            if values_call.get(vname) != f"${{var.{vname}}}":
                problems.append(f"modules/sextant-helm: module values {vname} = {values_call.get(vname)!r}, expected ${{var.{vname}}}")
        release = named(parsed[helm_dir]["blocks"], "resource").get("helm_release", {}).get("sextant", {})
        m = re.search(r'"\$\{path\.module\}/([^"]+)"', str(release.get("chart", "")))
        if not m:
            problems.append("modules/sextant-helm: helm_release.sextant has no ${path.module}-relative default chart")
        elif not os.path.exists(os.path.join(os.path.normpath(os.path.join(helm_dir, m.group(1))), "Chart.yaml")):
            problems.append(f"modules/sextant-helm: default chart {m.group(1)} has no Chart.yaml")
        summary["values_inputs"] = sorted(values_vars)

    # Examples: the chart module takes identity, namespace and ServiceAccount from the cloud module.
    wiring = {
        "eks": ("aws", {"namespace": "kubernetes_namespace", "service_account_name": "service_account_name", "aws_role_arn": "irsa_role_arn", "aws_region": "region"}),
        "gke": ("gcp", {"namespace": "kubernetes_namespace", "service_account_name": "service_account_name", "gcp_service_account": "controller_service_account_email"}),
        "aks": ("azure", {"namespace": "kubernetes_namespace", "service_account_name": "service_account_name", "azure_client_id": "controller_client_id", "azure_tenant_id": "tenant_id"}),
    }
    summary["examples"] = {}
    for example, (cloud, args) in wiring.items():
        d = os.path.join(root, "examples", example)
        if d not in parsed:
            problems.append(f"examples/{example} is missing")
            continue
        calls = named(parsed[d]["blocks"], "module")
        chart = [c for c in calls.values() if c.get("source", "").rstrip("/").endswith("modules/sextant-helm")]
        clouds = [n for n, c in calls.items() if c.get("source", "").rstrip("/").endswith(f"modules/{cloud}")]
        if len(chart) != 1 or len(clouds) != 1:
            problems.append(f"examples/{example}: expected one sextant-helm and one {cloud} module call")
            continue
        for arg, output in args.items():
            want = f"${{module.{clouds[0]}.{output}}}"
            if chart[0].get(arg) != want:
                problems.append(f"examples/{example}: sextant-helm {arg} = {chart[0].get(arg)!r}, expected {want}")
        tfvars_path = os.path.join(d, "terraform.tfvars.example")
        if not os.path.exists(tfvars_path):
            problems.append(f"examples/{example}: terraform.tfvars.example is missing")
            continue
        with open(tfvars_path) as fh:
            tfvars = hcl2.load(fh)
        evars = named(parsed[d]["blocks"], "variable")
        for k in tfvars:
            if k not in evars:
                problems.append(f"examples/{example}/terraform.tfvars.example sets {k}, which is not a variable")
        for vname, vbody in evars.items():
            if "default" not in vbody and vname not in tfvars:
                problems.append(f"examples/{example}/terraform.tfvars.example does not set the required variable {vname}")
        summary["examples"][example] = {"cloud_module": clouds[0], "wired": sorted(args), "tfvars": sorted(tfvars)}

    return problems, summary


def aws_policy(root, document="controller"):
    mod = load_dir(os.path.join(root, "modules", "aws"))
    # hcl2 gives data blocks as {"aws_iam_policy_document": {"name": body}} per entry.
    documents = {}
    for entry in mod["blocks"].get("data", []):
        for kind, body in entry.items():
            if kind == "aws_iam_policy_document":
                documents.update(body)
    doc = documents.get(document)
    if doc is None:
        sys.exit(f"modules/aws declares no data \"aws_iam_policy_document\" \"{document}\"")
    statements = []
    for st in doc.get("statement", []):
        statements.append(("static", st))
    for dyn in doc.get("dynamic", []):
        for name, body in dyn.items():
            if name == "statement":
                for content in body.get("content", []):
                    statements.append((f"dynamic for_each {body.get('for_each')}", content))
    out = []
    actions = set()
    for origin, st in statements:
        if st.get("effect", "Allow") != "Allow":
            continue
        acts = st.get("actions", [])
        actions.update(acts)
        out.append({
            "sid": st.get("sid", ""),
            "origin": origin,
            "actions": acts,
            "resources": st.get("resources", []),
            "principals": [{"type": p.get("type"), "identifiers": p.get("identifiers")} for p in st.get("principals", [])],
            "conditions": [{"test": c.get("test"), "variable": c.get("variable"), "values": c.get("values")} for c in st.get("condition", [])],
        })
    return {"actions": sorted(actions), "statements": out}


def role_grants(root, cloud):
    """Role grants of modules/gcp (google_*_iam_member) or modules/azure (azurerm_role_assignment)."""
    mod = load_dir(os.path.join(root, "modules", cloud))
    grants = []
    for entry in mod["blocks"].get("resource", []):
        for rtype, bodies in entry.items():
            for name, body in bodies.items():
                if cloud == "gcp" and rtype.startswith("google_") and rtype.endswith("_iam_member"):
                    target = body.get("project") or body.get("bucket") or body.get("service_account_id")
                    grants.append({"resource": f"{rtype}.{name}", "role": body.get("role"), "on": target,
                                   "member": body.get("member"), "for_each": body.get("for_each")})
                elif cloud == "azure" and rtype == "azurerm_role_assignment":
                    grants.append({"resource": f"{rtype}.{name}", "role": body.get("role_definition_name"),
                                   "on": body.get("scope"), "member": body.get("principal_id"), "for_each": body.get("for_each")})
    return sorted(grants, key=lambda g: g["resource"])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["structure", "aws-policy", "gcp-roles", "azure-roles"])
    parser.add_argument("--document", default="controller", help="aws-policy: name of the aws_iam_policy_document")
    parser.add_argument("--root", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "terraform"))
    args = parser.parse_args()
    root = os.path.normpath(args.root)
    if args.command == "structure":
        problems, summary = check_structure(root)
        print(json.dumps(summary, indent=1, sort_keys=True))
        for p in problems:
            print("PROBLEM: " + p, file=sys.stderr)
        sys.exit(1 if problems else 0)
    elif args.command == "aws-policy":
        print(json.dumps(aws_policy(root, args.document), indent=1))
    else:
        print(json.dumps(role_grants(root, args.command.split("-")[0]), indent=1))


if __name__ == "__main__":
    main()
