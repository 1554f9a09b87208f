"""Quickstart step `evaluate`: AUC and accuracy of the model on the held-out rows."""
import argparse

import model as m
from common import LABEL, load_rows, split, write_outputs


def auc(scores, labels):
    """Area under the ROC curve by the rank-sum (Mann-Whitney) formula, ties averaged."""
    pairs = sorted(zip(scores, labels))
    ranks = [0.0] * len(pairs)
    i = 0
    while i < len(pairs):
        j = i
        while j + 1 < len(pairs) and pairs[j + 1][0] == pairs[i][0]:
            j += 1
        for k in range(i, j + 1):
            ranks[k] = (i + j) / 2 + 1
        i = j + 1
    positives = sum(1 for _, y in pairs if y == 1)
    negatives = len(pairs) - positives
    if positives == 0 or negatives == 0:
        return 0.5
    rank_sum = sum(r for r, (_, y) in zip(ranks, pairs) if y == 1)
    return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives)


parser = argparse.ArgumentParser()
parser.add_argument("--data", required=True)
parser.add_argument("--model", required=True)
args = parser.parse_args()

_, test_rows = split(load_rows(args.data))
fitted = m.load(args.model)
scores = [m.predict(fitted, r) for r in test_rows]
labels = [int(r[LABEL]) for r in test_rows]
accuracy = sum(1 for s, y in zip(scores, labels) if (s >= 0.5) == (y == 1)) / len(labels)
result = {"auc": round(auc(scores, labels), 4), "accuracy": round(accuracy, 4)}
print(f"evaluated on {len(labels)} held-out rows: {result}")
write_outputs({"metrics": result})
