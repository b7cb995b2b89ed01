"""The rows a Facts record lists: (label, ok, detail), each an argument of its own."""
from __future__ import annotations

import numpy as np
import sympy as sp

from derive.matrix.prove import zero_by


def exact(label, lhs, rhs, assume=()):
    """A fact lhs == rhs, proved exactly (see prove.zero_by)."""
    lhs, rhs = sp.sympify(lhs), sp.sympify(rhs)
    how = zero_by(sp.Matrix(lhs - rhs) if isinstance(lhs, sp.MatrixBase) else lhs - rhs, assume)
    return label, how is not None, (f"{_short(lhs)} = {_short(rhs)} ({how})" if how
                                     else f"{_short(lhs)} != {_short(rhs)}")


def holds(label, ok, detail):
    """A fact established by the exact computation in `detail`."""
    return label, bool(ok), detail


def close(label, got, want, rtol=1e-12):
    """A floating-point fact: evidence, not proof."""
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    err = float(np.max(np.abs(got - want) / np.maximum(1.0, np.abs(want)))) if got.size else 0.0
    return label, err <= rtol, f"{np.array2string(got, precision=10)} vs {np.array2string(want, precision=10)}, rel err {err:.1e}"


def _short(e):
    text = str(e.tolist() if isinstance(e, sp.MatrixBase) else e)
    return text if len(text) <= 60 else text[:57] + "..."

