"""A logistic-regression model with feature standardisation, as plain JSON."""
import json
import math

from common import FEATURES, resolve


def sigmoid(z):
    if z < -35:
        return 0.0
    if z > 35:
        return 1.0
    return 1.0 / (1.0 + math.exp(-z))


def fit(rows, label, learning_rate=0.1, epochs=300):
    n = len(rows)
    means = {f: sum(r[f] for r in rows) / n for f in FEATURES}
    stds = {f: (sum((r[f] - means[f]) ** 2 for r in rows) / n) ** 0.5 or 1.0 for f in FEATURES}
    xs = [[(r[f] - means[f]) / stds[f] for f in FEATURES] for r in rows]
    ys = [r[label] for r in rows]
    weights = [0.0] * len(FEATURES)
    bias = 0.0
    for _ in range(epochs):
        grad_w = [0.0] * len(FEATURES)
        grad_b = 0.0
        for x, y in zip(xs, ys):
            err = sigmoid(bias + sum(w * v for w, v in zip(weights, x))) - y
            for j, v in enumerate(x):
                grad_w[j] += err * v
            grad_b += err
        weights = [w - learning_rate * g / n for w, g in zip(weights, grad_w)]
        bias -= learning_rate * grad_b / n
    return {"features": FEATURES, "means": means, "stds": stds, "weights": weights, "bias": bias}


def predict(model, row):
    z = model["bias"]
    for f, w in zip(model["features"], model["weights"]):
        z += w * (float(row[f]) - model["means"][f]) / model["stds"][f]
    return sigmoid(z)


def save(model, path):
    with open(resolve(path), "w") as f:
        json.dump(model, f, indent=2)


def load(uri):
    with open(resolve(uri)) as f:
        return json.load(f)
