"""What a record proves, printed from its statements: the report's
Statement block and Jupyter's display (``derive.show``)."""
from __future__ import annotations

import sympy as sp

from derive.matrix import lower
from derive.matrix.latex import tex
from derive.records import Gradient, Identity
from derive.verification import statements


def formula_lines(r):
    """align* lines of what a Gradient or Identity record proves, printed
    from its SymPy statements."""
    h = r.how
    if isinstance(h, Gradient):
        lines = []
        trees = [t for t, _ in statements.text_parts(h)] if h.loss is not None else None
        for k, (V, scalar, claims, _) in enumerate(statements.stated(h)):
            # a sum() of the language is an index sum in SymPy: the loss as written reads better
            shown = lower.latex(trees[k]) if trees and isinstance(scalar, sp.Basic) and scalar.has(sp.Sum) else tex(scalar)
            lines.append(rf"s &= {shown}")
            lines += [rf"\frac{{\partial s}}{{\partial {tex(getattr(V, n))}}} &= {tex(cl)}" for n, cl in claims.items()]
        return lines
    if isinstance(h, Identity):
        lhs, rhs = statements.sides(h)
        return [rf"{tex(lhs)} &= {tex(rhs)}"]
    return []


def result_display(r):
    """LaTeX of a record for Jupyter: what it proves (the notes' words for a
    list of facts, the claim as written for a mistake)."""
    lines = formula_lines(r)
    if lines:
        return "$\\begin{aligned}" + " \\\\ ".join(lines) + "\\end{aligned}$"
    return f"$\\displaystyle {r.written or r.statement}$"


class Shown:
    """A record (and its verdict, when given) as Jupyter displays it."""

    def __init__(self, r, verdict=None):
        self.result, self.verdict = r, verdict

    def _repr_latex_(self):
        return result_display(self.result)
