"""Shared helpers for the quickstart steps (standard library only)."""
import csv
import json
import os

FEATURES = ["tenure_months", "monthly_charges", "support_calls", "contract_monthly"]
LABEL = "churned"


def resolve(path):
    """Resolves file:// URIs and paths relative to the directory `sextant dev` was started in."""
    if path.startswith("file://"):
        path = path[len("file://"):]
    if not os.path.isabs(path):
        path = os.path.join(os.environ.get("SEXTANT_DEV_WORKDIR", os.getcwd()), path)
    return path


def load_rows(path):
    with open(resolve(path), newline="") as f:
        return [{k: float(v) for k, v in row.items()} for row in csv.DictReader(f)]


def split(rows, every=5):
    """Deterministic split: every fifth row is held out for evaluation."""
    train = [r for i, r in enumerate(rows) if i % every != 0]
    test = [r for i, r in enumerate(rows) if i % every == 0]
    return train, test


def write_outputs(outputs):
    """Writes the step's outputs where Sextant reads them (the termination message file)."""
    path = os.environ.get("SEXTANT_OUTPUTS_PATH")
    text = json.dumps(outputs)
    if path:
        with open(path, "w") as f:
            f.write(text)
    print("outputs:", text)
