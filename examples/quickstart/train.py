"""Quickstart step `train`: fits the model and writes it as an artifact."""
import argparse
import os

import model as m
from common import LABEL, load_rows, resolve, split, write_outputs

parser = argparse.ArgumentParser()
parser.add_argument("--data", required=True)
parser.add_argument("--model-dir", required=True)
parser.add_argument("--learning-rate", type=float, default=0.1)
parser.add_argument("--epochs", type=int, default=300)
args = parser.parse_args()

train_rows, _ = split(load_rows(args.data))
fitted = m.fit(train_rows, LABEL, args.learning_rate, args.epochs)
os.makedirs(resolve(args.model_dir), exist_ok=True)
path = os.path.join(resolve(args.model_dir), "model.json")
m.save(fitted, path)
print(f"trained on {len(train_rows)} rows: weights={fitted['weights']}")
write_outputs({"artifacts": {"model": "file://" + path}})
