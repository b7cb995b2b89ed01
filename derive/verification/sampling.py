"""Seeded samples for the numeric checks: the same arrays on every run."""
import zlib

import numpy as np


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


def sample(rng, shapes, sizes, how):
    """Arrays for `shapes` ({name: parsed shape}) at concrete `sizes`, each
    drawn by its sampler in `how` (normal by default)."""
    vals = {}
    for name, shape in shapes.items():
        concrete = tuple(sizes[s] if isinstance(s, str) else s for s in shape)
        vals[name] = np.asarray(SAMPLERS[how.get(name, "normal")](rng, concrete), dtype=float)
    return vals
