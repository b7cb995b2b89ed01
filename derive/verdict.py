"""Plain record types of a verdict: one Check per argument, and the Verdict
of a result (a catalog entry or a derived gradient).  Nothing here proves
or renders; everything that does imports these."""
from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np

PROOF, EVIDENCE, REFUTATION = "proof", "evidence", "refutation"


@dataclass
class Check:
    name: str       # symbolic | concrete | numeric | derivation | derived | refutation | correction ...
    kind: str       # proof (exact), evidence (floating point), refutation
    ok: bool
    detail: str
    seconds: float = 0.0
    tex: str = ""   # the derivation check: its derivations typeset (computed once, in the worker)


@dataclass
class Verdict:
    id: str
    expected: str   # "proved" for results, "refuted" for mistakes
    checks: list

    @property
    def ok(self):
        return bool(self.checks) and all(c.ok for c in self.checks)

    @property
    def status(self):
        """expected when every check is ok; "undecided" when the checks that
        are not ok found neither a proof nor a counterexample (their detail
        says "undecided"); else FAILED."""
        if self.ok:
            return self.expected
        if self.checks and all(c.ok or c.detail.startswith("undecided") for c in self.checks):
            return "undecided"
        return "FAILED"

    def line(self):
        parts = ", ".join(f"{c.name} {'ok' if c.ok else 'FAIL'}" for c in self.checks)
        return f"{self.status:8s} {self.id:38s} {parts}"


def rng(key):
    """A generator seeded by a text: the same sample on every run."""
    return np.random.default_rng(zlib.crc32(key.encode()))


SAMPLERS = {
    "normal": lambda rng, shape: rng.standard_normal(shape),
    "positive": lambda rng, shape: rng.uniform(0.5, 2.0, shape),
    "unit": lambda rng, shape: rng.uniform(0.05, 0.95, shape),   # labels/probabilities in (0, 1)
    # small integers: ReLU/hinge arguments land exactly on their kinks
    "integer": lambda rng, shape: rng.integers(-2, 3, shape).astype(float),
    "binary": lambda rng, shape: rng.integers(0, 2, shape).astype(float),
    "simplex": lambda rng, shape: (lambda p: p / p.sum(axis=0, keepdims=True))(rng.uniform(0.1, 1.0, shape)),
    "simplex_rows": lambda rng, shape: (lambda p: p / p.sum(axis=1, keepdims=True))(rng.uniform(0.1, 1.0, shape)),
    "onehot": lambda rng, shape: np.eye(shape[0])[:, rng.integers(0, shape[0], shape[1:] or 1)].reshape(shape),
    "onehot_rows": lambda rng, shape: np.eye(shape[1])[rng.integers(0, shape[1], shape[0])],
}
