"""The public gradient cases (shared/GRADIENTS.md): an expression, its
shapes, the variable, and a textbook reference form each.  Examples that
the tests and the benchmark run; the language is the contract, not these.

Sampling notes: ``onehot`` columns of y are one-hot; ``unit`` entries in (0, 1).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

TABLE = """
| id | kind | expression | shapes | wrt | reference form |
|---|---|---|---|---|---|
| window-score | grad | `v.T @ sigmoid(W @ x + b)` | v=h,1, W=h,n, x=n,1, b=h,1 | W | `(v * sigmoid(W @ x + b) * (1 - sigmoid(W @ x + b))) @ x.T` |
| window-score-x | grad | `v.T @ sigmoid(W @ x + b)` | v=h,1, W=h,n, x=n,1, b=h,1 | x | `W.T @ (v * sigmoid(W @ x + b) * (1 - sigmoid(W @ x + b)))` |
| softmax-ce-W | grad | `-y.T @ log(softmax(W @ x + b))` | y=k,1, W=k,n, x=n,1, b=k,1 (y: onehot) | W | `(softmax(W @ x + b) * sum(y) - y) @ x.T` |
| mse-out-in | grad | `sum((y - sigmoid(W.T @ a + b)) ** 2) / 2` | W=n,k, a=n,1, b=k,1, y=k,1 | W | `a @ ((sigmoid(W.T @ a + b) - y) * sigmoid(W.T @ a + b) * (1 - sigmoid(W.T @ a + b))).T` |
| batched-softmax-b | grad | `-sum(Y * log(softmax(W @ X + b, axis=0))) / m` | Y=k,m, W=k,n, X=n,m, b=k,1 (Y: onehot) | b | `sum(softmax(W @ X + b, axis=0) * sum(Y, axis=0) - Y, axis=1) / m` |
| bce-z | grad | `-sum(y * log(sigmoid(z)) + (1 - y) * log(1 - sigmoid(z)))` | y=k,1, z=k,1 (y: unit) | z | `sigmoid(z) - y` |
| two-layer-W1 | grad | `sum((W2 @ tanh(W1 @ x + b1) + b2 - y) ** 2) / 2` | W1=h,n, x=n,1, b1=h,1, W2=k,h, b2=k,1, y=k,1 | W1 | `((W2.T @ (W2 @ tanh(W1 @ x + b1) + b2 - y)) * (1 - tanh(W1 @ x + b1) ** 2)) @ x.T` |
| l2 | grad | `lam * sum(W ** 2) / 2` | lam=scalar, W=m,n | W | `lam * W` |
| quadratic-form-X | grad | `trace(X.T @ A @ X)` | X=n,k, A=n,n | X | `(A + A.T) @ X` |
| frobenius | grad | `trace(X.T @ X)` | X=m,n | X | `2 * X` |
| sqrt-smooth | grad | `sum(sqrt(x ** 2 + 1))` | x=n,1 | x | `x / sqrt(x ** 2 + 1)` |
| skip-gram-U | grad | `-y.T @ log(softmax(U @ v))` | y=k,1, U=k,d, v=d,1 (y: onehot) | U | `(softmax(U @ v) * sum(y) - y) @ v.T` |
| softplus-logreg | grad | `sum(softplus(X @ w)) - y.T @ X @ w` | X=m,n, w=n,1, y=m,1 (y: unit) | w | `X.T @ (sigmoid(X @ w) - y)` |
| mean-squared | grad | `mean((X @ w - y) ** 2)` | X=m,n, w=n,1, y=m,1 | w | `2 * X.T @ (X @ w - y) / m` |
| tanh-sum | grad | `sum(tanh(x))` | x=n,1 | x | `1 - tanh(x) ** 2` |
| relu-layer | grad | `v.T @ relu(W @ x)` | v=h,1, W=h,n, x=n,1 | W | `(v * (W @ x > 0)) @ x.T` |
| linear-jacobian | jacobian | `W @ x` | W=m,n, x=n,1 | x | `W` |
| sigmoid-jacobian | jacobian | `sigmoid(x)` | x=n,1 | x | `diag(sigmoid(x) * (1 - sigmoid(x)))` |
| softmax-jacobian | jacobian | `softmax(x)` | x=n,1 | x | `diag(softmax(x)) - softmax(x) @ softmax(x).T` |
| logreg-hessian | hessian | `sum(softplus(X @ w))` | X=m,n, w=n,1 | w | `X.T @ diag(sigmoid(X @ w) * (1 - sigmoid(X @ w))) @ X` |
"""


@dataclass(frozen=True)
class Case:
    id: str
    kind: str           # grad | jacobian | hessian
    expr: str
    shapes: dict
    wrt: str
    reference: str
    sample: dict = field(default_factory=dict)


def _shapes(cell):
    sample = {}
    note = re.search(r"\((\w+): (\w+)\)", cell)
    if note:
        sample[note.group(1)] = note.group(2)
        cell = cell[:note.start()].strip()
    shapes = {}
    for part in re.split(r",\s(?=\w+=)", cell):
        name, spec = part.split("=")
        shapes[name.strip()] = "" if spec.strip() == "scalar" else spec.strip()
    return shapes, sample


def cases():
    out = []
    for line in TABLE.strip().splitlines()[2:]:
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        id_, kind, expr, shapes, wrt, ref = cells
        shapes, sample = _shapes(shapes)
        out.append(Case(id_, kind, expr.strip("`"), shapes, wrt, ref.strip("`"), sample))
    return out
