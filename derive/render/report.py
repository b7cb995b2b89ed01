"""Write the LaTeX reports: reports/<id>.tex per result and reports/derive.tex.

Everything written is a pure function of the registry and the verdicts
(no timings, no dates), so reruns are byte-identical; every file is written
to a temporary name and renamed, so an interrupted run leaves the previous
reports intact.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from derive import numeric
from derive.matrix.latex import escape, tex
from derive.records import Derivation, Gradient, Mistake
from derive.render.codegen import helpers
from derive.render.display import formula_lines
from derive.render.files import write_atomic
from derive.verification import checks

SEEDS = {
    "000": "The Complete Mathematics for Machine Learning and Deep Learning",
    "001": "Word vectors, softmax and backprop (CS224n-style notes)",
    "002": "Backprop for the output and hidden layers (in x out convention)",
    "003": "Neural networks: representation and learning",
    "004": "Batched backprop in NumPy (examples as columns)",
}


def _stable(detail):
    """Round measured errors to one significant digit: the printed verdict
    is then identical across runs and machines."""
    return re.sub(r"(\d\.\d)e([-+]\d+)", lambda m: f"{float(m.group(0)):.0e}", detail)


def _formulas(r):
    """The proved formulas, printed from the SymPy statements themselves."""
    lines = formula_lines(r)
    return "\\begin{align*}\n" + " \\\\\n".join(lines) + "\n\\end{align*}\n" if lines else ""


def derivation_tex(d):
    """One derivation as align*: a step per line, its reason on the right."""
    def shown(step):
        return step.display if step.display is not None else tex(step.expr)
    lines = [rf"{d.title} &= {shown(d.steps[0])} && \text{{{d.steps[0].reason}}}"]
    lines += [rf"&= {shown(s)} && \text{{{s.reason}}}" for s in d.steps[1:]]
    out = "\\begin{align*}\n" + " \\\\\n".join(lines) + "\n\\end{align*}\n"
    if d.conclusion:
        out += rf"\noindent hence \( {d.conclusion} \)." + "\n"
    return out


def derivations_tex(ds):
    return (r"\subsection*{Derivation}" + "\n" + r"\noindent Each line equals the one before for the reason on its right; "
            r"derive checks every pair (this is the exact proof: check \emph{symbolic} below, or \emph{derivation} "
            r"where the notes' route is shown beside it)." + "\n" + "\n".join(derivation_tex(d) for d in ds))


def _derivations_tex(r, verdict):
    done = [c for c in verdict.checks
            if c.name == "derivation" or (c.shown and isinstance(c.shown[0], Derivation))]
    if done:  # the derivations the check verified; a failed one shows what was checked
        return derivations_tex(done[0].shown) if done[0].shown else (
            r"\subsection*{Derivation}" + "\n" + r"\noindent\textbf{FAILED}: " + escape(done[0].detail))
    items = "".join(rf"  \item {escape(label)}: {escape(detail)}" + "\n"
                    for c in verdict.checks if c.name in ("symbolic", "concrete") and c.ok
                    for label, _, detail in c.shown)
    if items:  # a Facts result: each fact established exactly by its check
        return (r"\subsection*{Derivation}" + "\n" + r"\noindent The result is a list of facts, each established exactly "
                r"(checks \emph{symbolic} and \emph{concrete}):" + "\n" + "\\begin{enumerate}\n" + _stable(items)
                + "\\end{enumerate}\n")
    return ""


def _derived_tex(verdict):
    """What derive.grad derives from the result's scalar alone (check
    derived); a failed check says why instead."""
    done = [c for c in verdict.checks if c.name == "derived"]
    if not done:
        return ""
    c = done[0]
    if c.ok and c.shown:
        return (r"\subsection*{Derived}" + "\n" + r"\noindent What \texttt{derive.grad} derives from the scalar alone "
                r"(check \emph{derived}: each form proved equal to the statement above):" + "\n"
                + "\n".join(rf"\[ {m} \]" for m in c.shown) + "\n")
    return (r"\subsection*{Derived}" + "\n" + r"\noindent \texttt{derive.grad} of the scalar: "
            + (r"\textbf{FAILED}: " if not c.ok else "") + escape(_stable(c.detail)) + "\n")


def _code_tex(r):
    """The NumPy users import, verbatim from derive/_generated.py, and
    latexify-py's rendering where it is faithful (it prints @ like *,
    mangles .T and cannot print dict returns: those are not rendered)."""
    import inspect

    names = list(numeric.BY_RESULT.get(r.id, ())) + list(r.code)
    if not names:
        return ""
    parts = [r"\subsection*{Code}",
             r"\noindent What \texttt{from derive.numeric import " + escape(", ".join(names)) + r"} runs, printed from the "
             r"statement above by \texttt{python -m derive codegen}:"]
    own = set(helpers(r)) if isinstance(r.how, Gradient) else set()
    for n in names:
        called = sorted(h for h in own if h.startswith(n + "__d"))
        for fname in [*called, n]:  # a scalar result's function calls one function per gradient
            src = inspect.getsource(getattr(numeric, fname))
            src = re.sub(r'\n    """.*?"""', "", src, count=1, flags=re.S)  # the docstring repeats this page
            parts.append("\\begin{lstlisting}\n" + src.rstrip() + "\n\\end{lstlisting}")
            rendered = _latexify(getattr(numeric, fname), src)
            if rendered:
                parts.append(r"\noindent latexify-py renders it: \( \displaystyle " + rendered + r" \)")
    return "\n".join(parts) + "\n"


def _latexify(func, src):
    body = src.split(":", 1)[1]
    if any(tok in body for tok in ("@", ".T", "swapaxes", ".sum(", "{", "np.ones", "np.eye", "_k.")):
        return None  # latexify would misprint these (or raise): not shown
    try:
        import latexify
        return latexify.get_latex(func, use_math_symbols=True, reduce_assignments=True, identifiers={"sigmoid": "sigma"})
    except Exception:  # unsupported syntax: not shown, never typeset an error
        return None


def _display(statement):
    """A statement too long for one line is split after its top-level
    separators (",\\ ", ";\\ ", ":\\ ") into the lines of a gather*."""
    if len(statement) < 160:
        return rf"\[ {statement} \]"
    lines, depth, start, i = [], 0, 0, 0
    while i < len(statement):
        ch = statement[i]
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth == 0 and statement.startswith(("\\left", "\\Big(", "\\big("), i):
            depth += 1000  # never split inside a delimited group
        if depth >= 1000 and statement.startswith(("\\right", "\\Big)", "\\big)"), i):
            depth -= 1000
        if depth == 0 and statement[i:i + 3] in (",\\ ", ";\\ ", ":\\ ") and i - start > 40:
            lines.append(statement[start:i + 1])
            start = i + 3
            i += 3
            continue
        i += 1
    lines.append(statement[start:])
    return "\\begin{gather*}\n" + " \\\\\n".join(ln.strip() for ln in lines) + "\n\\end{gather*}"


def _mistake_tex(r):
    """What is judged and the correction, printed from the expressions the
    refutation and the correction check use."""
    spec = checks.mistake_spec(r.how)
    out = []
    if "rhs" in spec:
        out.append(r"\noindent Judged as: \[ " + _math(spec["rhs"]) + r" \]")
    fix = spec.get("corrected")
    if fix is not None and not callable(fix):
        out.append(rf"\noindent\textbf{{Correct}} (proved equal to the quantity the notes compute, check "
                   rf"\emph{{correction}}): \[ {_math(fix)} \] (see \ref{{res:{r.how.correct}}}).")
    else:
        out.append(rf"\noindent\textbf{{Correct:}} as computed in check \emph{{correction}} below "
                   rf"(see \ref{{res:{r.how.correct}}}).")
    return "\n\n".join(out)


def _math(e):
    import sympy as sp
    if isinstance(e, sp.MatrixBase) and e.shape[1] == 1 and e.shape[0] > 1:
        return r"\begin{bmatrix}" + r" \\ ".join(tex(x) for x in e) + r"\end{bmatrix}"
    return tex(e)


def result_tex(r, verdict):
    kind = {"proof": "exact proof", "evidence": "numeric evidence", "refutation": "refutation"}
    failed = r"\textbf{FAILED}"
    rows = "\n".join(f"  {escape(c.name)} & {kind[c.kind]} & {'ok' if c.ok else failed} & "
                     f"{escape(_stable(c.detail))} \\\\" for c in verdict.checks)
    parts = [rf"\section{{{escape(r.title)}}}\label{{res:{r.id}}}",
             rf"\noindent\textbf{{Id}} \texttt{{{escape(r.id)}}}; \textbf{{source}} seed {r.seed}, "
             rf"{escape(r.section)}. \textbf{{Verdict:}} {escape(verdict.status)}.\par"]
    if r.convention:
        parts.append(rf"\noindent\textbf{{Convention.}} {escape(r.convention)}\par")
    if isinstance(r.how, Mistake):
        parts.append(rf"\noindent\textbf{{As the notes write it:}} \[ {r.written} \]")
        parts.append(_mistake_tex(r))
    else:
        f = _formulas(r)
        if f:  # printed from the proved expressions: no typed statement can disagree with them
            parts.append(r"\noindent\textbf{Statement} (printed from the expressions derive proves):" + "\n" + f)
        else:  # a list of facts: the summary is the notes' words; what is checked is each fact below
            parts.append(r"\noindent\textbf{In the notes' words} (what derive checks is each fact listed below):"
                         + "\n" + _display(r.statement))
        parts.append(_derivations_tex(r, verdict))
        parts.append(_derived_tex(verdict))
        parts.append(_code_tex(r))
    parts.append("\\noindent\\begin{tabularx}{\\linewidth}{@{}lllX@{}}\n\\toprule\n"
                 "check & kind & result & detail \\\\\n\\midrule\n" + rows + "\n\\bottomrule\n\\end{tabularx}\n")
    return "\n\n".join(parts) + "\n"


def document_tex(items):
    """The combined document: a chapter per seed, then the errata."""
    body = []
    for seed, title in SEEDS.items():
        ids = [r.id for r, _ in items if r.seed == seed and not r.is_mistake]
        if ids:
            body.append(rf"\chapter{{Seed {seed}: {escape(title)}}}")
            body += [rf"\input{{{i}}}" for i in ids]
    errata = [r.id for r, _ in items if r.is_mistake]
    if errata:
        body.append(r"\chapter{Errata: mistakes in the notes}")
        body += [rf"\input{{{i}}}" for i in errata]
    summary = "\n".join(rf"  \texttt{{{escape(r.id)}}} & {r.seed} & {escape(v.status)} \\" for r, v in items)
    return "\n".join([
        r"\documentclass[11pt]{report}",
        r"\usepackage[utf8]{inputenc}",
        r"\usepackage{amsmath,amssymb,amsfonts}", r"\usepackage{bm}", r"\usepackage{booktabs,tabularx,longtable}",
        r"\usepackage[margin=2.2cm]{geometry}", r"\usepackage{hyperref}", r"\usepackage{listings}",
        r"\lstset{language=Python,basicstyle=\ttfamily\footnotesize,breaklines=true,columns=fullflexible,"
        r"keepspaces=true,upquote=true,frame=single}",
        r"\allowdisplaybreaks", r"\sloppy", r"\ifdefined\pdftrailerid\pdftrailerid{}\fi",
        r"\title{derive: the calculus of backpropagation, proved and checked}",
        r"\author{generated by \texttt{python -m derive all}}", r"\date{}",
        r"\begin{document}", r"\maketitle", r"\tableofcontents",
        r"\chapter*{How to read this document}",
        r"Each result is established three ways. \emph{symbolic}: an exact proof at symbolic sizes "
        r"(index level, sums over symbolic dimensions) or for all values; \emph{concrete}: exact "
        r"arithmetic at small non-square sizes; \emph{numeric}: floating-point evidence (not proof) "
        r"comparing the generated NumPy code with an independent backprop and with complex-step or "
        r"central differences. Each gradient is also \emph{derived}: \texttt{derive.grad} applied to the result's "
        r"scalar alone, its answer proved equal to the notes' form. Mistakes in the notes are stated as written and "
        r"refuted by a counterexample.",
        *body,
        r"\chapter{Summary of verdicts}",
        r"\begin{longtable}{@{}llr@{}}", r"\toprule id & seed & verdict \\ \midrule \endhead",
        summary, r"\bottomrule", r"\end{longtable}",
        r"\end{document}", ""])


def write_reports(items, out: Path):
    """items: [(result, verdict)]; returns the paths written."""
    out = Path(out)
    written = []
    for r, v in items:
        p = out / f"{r.id}.tex"
        write_atomic(p, result_tex(r, v))
        written.append(p)
    p = out / "derive.tex"
    write_atomic(p, document_tex(items))
    written.append(p)
    return written


def build_pdf(out: Path):
    """Compile derive.tex twice (contents, references). Returns (pdf path or
    None, message)."""
    exe = shutil.which("pdflatex")
    if exe is None:
        return None, "pdflatex not found on PATH: wrote .tex only (Debian: apt-get install texlive-latex-base texlive-latex-recommended)"
    out = Path(out)
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(2):
            proc = subprocess.run([exe, "-interaction=nonstopmode", "-halt-on-error", f"-output-directory={tmp}",
                                   "derive.tex"], cwd=out, capture_output=True, text=True,
                                  # fixed dates and trailer id: the PDF is reproducible too
                                  env={**os.environ, "SOURCE_DATE_EPOCH": "0", "FORCE_SOURCE_DATE": "1"})
            if proc.returncode != 0:
                tail = "\n".join(proc.stdout.splitlines()[-15:])
                return None, f"pdflatex failed:\n{tail}"
        log = Path(tmp, "derive.log").read_text(errors="replace")
        problems = [ln for ln in log.splitlines() if ln.startswith("!") or "undefined" in ln.lower()]
        pdf = out / "derive.pdf"
        fd, tmp_pdf = tempfile.mkstemp(dir=out, prefix=".derive.pdf.", suffix=".tmp")
        os.close(fd)
        shutil.copyfile(Path(tmp, "derive.pdf"), tmp_pdf)
        os.chmod(tmp_pdf, 0o644)
        os.replace(tmp_pdf, pdf)
    if problems:
        return pdf, "pdflatex warnings: " + "; ".join(problems[:5])
    return pdf, f"wrote {pdf}"
