"""Quickstart step `prepare`: checks the dataset and publishes it as the features artifact."""
import argparse

from common import FEATURES, LABEL, load_rows, resolve, write_outputs

parser = argparse.ArgumentParser()
parser.add_argument("--data", required=True)
parser.add_argument("--version", default="")
args = parser.parse_args()

rows = load_rows(args.data)
missing = [c for c in FEATURES + [LABEL] if c not in rows[0]]
if missing:
    raise SystemExit(f"dataset lacks columns: {', '.join(missing)}")
positives = sum(1 for r in rows if r[LABEL] == 1)
print(f"dataset {args.data} (version {args.version}): {len(rows)} rows, {positives} churned")
write_outputs({"artifacts": {"features": "file://" + resolve(args.data)},
               "metrics": {"rows": len(rows), "positiveRate": round(positives / len(rows), 4)}})
