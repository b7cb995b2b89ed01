"""The facts a Facts record lists (derive.records.Fact), each an argument of its own."""
from __future__ import annotations

import numpy as np
import sympy as sp

from derive.matrix.prove import zero_by
from derive.records import Fact


def exact(label, lhs, rhs, assume=()):
    """A fact lhs == rhs, proved exactly (see prove.zero_by); both sides kept whole."""
    lhs, rhs = sp.sympify(lhs), sp.sympify(rhs)
    how = zero_by(sp.Matrix(lhs - rhs) if isinstance(lhs, sp.MatrixBase) else lhs - rhs, assume)
    if isinstance(lhs, sp.MatrixBase):  # immutable: a fact is plain data
        lhs = sp.ImmutableMatrix(lhs)
    if isinstance(rhs, sp.MatrixBase):
        rhs = sp.ImmutableMatrix(rhs)
    rel = "=" if how is not None else "!="
    detail = f"{_plain(lhs)} {rel} {_plain(rhs)}" + (f" ({how})" if how is not None else "")
    return Fact(label, how is not None, detail, lhs, rhs, rel, how or "")


def holds(label, ok, detail):
    """A fact established by the exact computation in `detail`."""
    return Fact(label, bool(ok), str(detail))


def close(label, got, want, rtol=1e-12):
    """A floating-point fact: evidence, not proof."""
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    err = float(np.max(np.abs(got - want) / np.maximum(1.0, np.abs(want)))) if got.size else 0.0
    return Fact(label, err <= rtol,
                f"{np.array2string(got, precision=10)} vs {np.array2string(want, precision=10)}, rel err {err:.1e}")


def as_fact(row):
    """A Fact as it is, or a plain (label, ok, detail) as one."""
    if isinstance(row, Fact):
        return row
    label, ok, detail = row
    return Fact(str(label), bool(ok), str(detail))


def _plain(e):
    return str(e.tolist() if isinstance(e, sp.MatrixBase) else e)
