"""A derived gradient for people: plain text for the terminal, and a
standalone LaTeX document (``derive grad --tex``)."""
from __future__ import annotations

from derive.verification import engine
from derive.maths import language as L
from derive.matrix import lower
from derive.matrix.latex import escape
from derive.render import breaking
from derive.render.report import detail_tex

_QUANTITY = {"grad": "d f / d {v}", "jacobian": "d f / d {v} (Jacobian, numerator layout)",
             "hessian": "d2 f / d {v}2 (Hessian)"}


def textual(d):
    """The named parts, the answer and the steps, as the CLI prints them."""
    out = [f"f = {L.text(d.f)}"]
    if d.assume:
        out.append("assuming " + "; ".join(str(a) for a in d.assume))
    where = engine.where_text(d.names)
    if where:
        out.append("where")
        out += [f"  {n} = {t}" for n, t, _ in where]
    for v in d.wrt:
        out.append(f"{_QUANTITY[d.kind].format(v=v)} = {L.text(d.answers[v], d.names)}")
    for v in d.wrt:
        out.append("")
        out.append(f"steps for {v}:")
        out.append(f"  {_QUANTITY[d.kind].format(v=v)}")
        for s in d.steps[v]:
            out.append(f"  = {L.text(s.tree)}")
            out.append(f"      [{s.reason}]")
        if d.names:
            out.append(f"  = {L.text(d.answers[v], d.names)}")
            out.append("      [named parts]")
    return "\n".join(out)


def derived_document(d, verdict):
    """A standalone document that compiles with pdflatex (amsmath, amssymb):
    the answer and each variable's steps broken over lines as in the book
    (derive/render/breaking.py: every step shown in full, nothing past the
    margin), the verdict with its details typeset."""
    def block(lines):
        return breaking.steps([(lhs, rhs, "") for lhs, rhs in lines]).rstrip("\n")

    lines = [
        r"\documentclass[11pt]{article}",
        r"\usepackage[margin=2cm]{geometry}",
        r"\usepackage{amsmath,amssymb}",
        r"\sloppy",
        breaking.PREAMBLE,
        r"\begin{document}",
        rf"\section*{{The {d.kind} of \texttt{{{escape(d.written)}}}}}",
        block(breaking.split_align(d.latex)),
    ]
    if d.assume:
        lines.append(r"Assuming: " + escape("; ".join(str(a) for a in d.assume)) + r".\par")
    for v in d.wrt:
        lines.append(rf"\subsection*{{Steps for ${lower.tex_name(v, d.shapes[v] != ())}$}}")
        lines.append(r"Each step is checked against the one before it at index level (entry $(p, q)$, "
                     r"symbolic sizes).")
        rows = [(d.symbol(v) if i == 0 else None, "= " + lower.latex(s.tree), escape(s.reason))
                for i, s in enumerate(d.steps[v])]
        if d.names:
            rows.append((None, "= " + lower.latex(d.answers[v], d.names), "named parts"))
        lines.append(breaking.steps(rows).rstrip("\n"))
    lines.append(r"\subsection*{Verdict: " + escape(verdict.status) + "}")
    lines.append(r"\begin{itemize}")
    for c in verdict.checks:
        lines.append(rf"\item \textbf{{{escape(c.name)}}} ({escape(c.kind)}, {'ok' if c.ok else 'FAILED'}): "
                     rf"{detail_tex(c.detail)}")
    lines.append(r"\end{itemize}")
    lines.append(r"\end{document}")
    return "\n".join(lines) + "\n"
