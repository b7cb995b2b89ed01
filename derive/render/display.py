"""What a record proves, printed from its statements: the report's
Statement block and Jupyter's display (``derive.show``)."""
from __future__ import annotations

from derive.matrix.latex import tex
from derive.records import Gradient, Identity
from derive.verification import statements


def formula_lines(r):
    """align* lines of what a Gradient or Identity record proves, printed
    from its SymPy statements."""
    h = r.how
    if isinstance(h, Gradient):
        lines = []
        for scalar, (V, _, claims, _) in zip(statements.losses(h), statements.parts(h)):
            lines.append(rf"s &= {tex(scalar)}")
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
