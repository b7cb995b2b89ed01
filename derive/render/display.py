"""What a record proves, printed from its statements: the report's
Statement block and Jupyter's display (``derive.show``)."""
from __future__ import annotations

import sympy as sp

from derive.matrix import lower
from derive.matrix.latex import tex
from derive.records import Derivation, Gradient, Identity
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


# characters that \text (LaTeX's and MathJax's) reads as markup
_SAFE = {"\\": "/", "{": "(", "}": ")", "$": " ", "%": " percent", "#": "no. ", "^": "", "~": " ", "_": " ",
         "&": "and"}


def _plain(text, width=90):
    """Text for MathJax's \\text: no markup characters, one short line."""
    text = "".join(_SAFE.get(ch, ch) for ch in str(text))
    return text if len(text) <= width else text[:width - 3].rsplit(" ", 1)[0] + "..."


def _reason(reason):
    """A reason (text with $math$) inside math: text parts in \\text, math parts as they are."""
    parts = reason.split("$")
    return " ".join(p if k % 2 else rf"\text{{{_plain(p, 200)}}}" for k, p in enumerate(parts) if p)


def verdict_rows(verdict):
    """aligned rows of a verdict: the derivation's steps it checked (if any),
    then the status and one row per check."""
    rows = []
    for c in verdict.checks:
        for d in (x for x in c.shown if isinstance(x, Derivation)):
            shown = [s.display if s.display is not None else tex(s.expr) for s in d.steps]
            rows += [rf"{d.title if k == 0 else ''} &= {e} && {_reason(s.reason)}"
                     for k, (e, s) in enumerate(zip(shown, d.steps))]
    rows.append(rf"&\text{{{_plain(verdict.status)}}}")
    rows += [rf"&\text{{{_plain(c.name)} ({_plain(c.kind)}): {'ok' if c.ok else 'FAILED'}: {_plain(c.detail)}}}"
             for c in verdict.checks]
    return rows


class Shown:
    """A record (and its verdict, when given) as Jupyter displays it."""

    def __init__(self, r, verdict=None):
        self.result, self.verdict = r, verdict

    def _repr_latex_(self):
        if self.verdict is None:
            return result_display(self.result)
        # the statement, then what the verdict established, in one display
        lines = formula_lines(self.result) or [rf"&\text{{{_plain(self.result.written or self.result.statement)}}}"]
        rows = lines + verdict_rows(self.verdict)
        return "$$\\begin{aligned}" + " \\\\ ".join(rows) + "\\end{aligned}$$"
