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
import signal
import subprocess
import threading
from pathlib import Path

import sympy as sp

from derive import numeric
from derive.maths import functions
from derive.matrix.latex import escape, tex, unicode_preamble
from derive.records import Derivation, Fact, Gradient, Mistake
from derive.records.verdict import FACT_CHECKS
from derive.render import breaking, naming
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


_MATRIX = re.compile(r"Matrix\((\[\[[^()]*?\]\])\)")
_ARRAY = re.compile(r"\[\s*(?:-?\d[\d.]*(?:e[-+]?\d+)?\s+){5,}-?\d[\d.]*(?:e[-+]?\d+)?\s*\]")
_ENTRY = re.compile(r"\b([A-Za-z]\w*)\[(\d+), (\d+)\] = (-?\d+(?:/\d+)?(?:\.\d+)?)")
_SCALAR = re.compile(r"(?<![\w\[/.*])([A-Za-z][A-Za-z0-9]*) = (-?\d+(?:/\d+)?(?:\.\d+(?:e[-+]?\d+)?)?)(?![\w\[(*/.])")


def _number(x):
    """A number as mathematics: exact ones as they are, floats to 6 digits."""
    x = sp.nsimplify(x) if isinstance(x, str) else x
    if isinstance(x, sp.Float) or isinstance(x, float):
        mant, _, ex = f"{float(x):.6g}".partition("e")
        return rf"{mant} \cdot 10^{{{int(ex)}}}" if ex else mant
    return tex(x)


def _entries(text, m):
    """A run of entries W1[0, 0] = -1, W1[0, 1] = 1, ... -> (end, one matrix)."""
    name, cells, end = m.group(1), {}, m.start()
    for e in _ENTRY.finditer(text, m.start()):
        if e.group(1) != name or text[end:e.start()].strip(", ") != "":
            break
        cells[int(e.group(2)), int(e.group(3))] = e.group(4)
        end = e.end()
    rows, cols = max(i for i, _ in cells) + 1, max(j for _, j in cells) + 1
    body = r" \\ ".join(" & ".join(_number(sp.Rational(cells[i, j]) if (i, j) in cells else "?")
                                     for j in range(cols)) for i in range(rows))
    return end, rf"\({tex(sp.MatrixSymbol(name, rows, cols))} = \left[\begin{{smallmatrix}}{body}\end{{smallmatrix}}\right]\)"


def detail_tex(text):
    """A check's detail for the verdict table: its numbers, matrices and
    counterexamples typeset as mathematics, the rest escaped text."""
    text, out, i = _stable(str(text)), [], 0
    while i < len(text):
        hits = [(m.start(), k, m) for k, rx in enumerate((_MATRIX, _ARRAY, _ENTRY, _SCALAR))
                for m in [rx.search(text, i)] if m]
        if not hits:
            break
        start, kind, m = min(hits, key=lambda h: (h[0], h[1]))
        out.append(_text(text[i:start]))
        if kind == 0:  # Matrix([[a], [b]]) as SymPy prints it
            rows = sp.sympify(m.group(0))
            cells = [[_number(x) for x in rows.row(r)] for r in range(rows.rows)]
            if rows.cols == 1:
                out.append(r"\([" + r",\allowbreak\ ".join(c[0] for c in cells) + r"]^{\top}\)")
            else:
                out.append(r"\(\left[\begin{smallmatrix}" + r" \\ ".join(" & ".join(c) for c in cells)
                           + r"\end{smallmatrix}\right]\)")
            i = m.end()
        elif kind == 1:  # a NumPy array's repr: its ends and its length
            vals = m.group(0).strip("[] \n").split()
            out.append(rf"\([{_number(float(vals[0]))},\ {_number(float(vals[1]))},\ \ldots,\ "
                       rf"{_number(float(vals[-1]))}]\) ({len(vals)} values)")
            i = m.end()
        elif kind == 2:
            i, shown = _entries(text, m)
            out.append(shown)
        else:
            out.append(rf"\({tex(sp.Symbol(m.group(1)))} = {_number(sp.nsimplify(m.group(2)) if '.' not in m.group(2) else sp.Float(m.group(2)))}\)")
            i = m.end()
    out.append(_text(text[i:]))
    return "".join(out)


def _text(text):
    r"""Escaped text, a measured error 3e-10 in it as \(3 \cdot 10^{-10}\)."""
    return re.sub(r"(?<![\w.])(\d(?:\.\d+)?)e([-+]?)0*(\d+)(?![\w.])",
                  lambda m: r"\(0\)" if float(m.group(1)) == 0 else
                  rf"\({m.group(1)} \cdot 10^{{{m.group(2).replace('+', '')}{m.group(3)}}}\)", escape(text))


def _sympy_names():
    """The names a fact's SymPy string may use: derive's functions, and
    Symbols for the letters SymPy would read as its own objects."""
    names = {n: getattr(functions, n) for n in dir(functions)
             if isinstance(getattr(functions, n), type) and issubclass(getattr(functions, n), sp.Function)}
    names.update({n: sp.Symbol(n) for n in ("N", "S", "O", "Q", "C", "beta", "gamma", "zeta", "lambda_")})
    names["sigma"] = functions.sigmoid
    return names


def _parse(text):
    """A SymPy string as the expression it prints (None if it is not one)."""
    from sympy.parsing.sympy_parser import parse_expr
    if not text or re.search(r"[A-Za-z]{2,} [A-Za-z]", text):
        return None
    prime = re.fullmatch(r"([A-Za-z]+)'\((.*)\)", text)  # sigma'(10): the derivative at a point
    try:  # the string is str() of a SymPy object: parsing it gives that object back
        e = parse_expr(prime.expand(r"\1(\2)") if prime else text, local_dict=_sympy_names())
    except Exception:  # not SymPy's syntax: words
        return None
    return _Prime(e) if prime and isinstance(e, sp.Function) else e


class _Prime:
    """f'(a) as written in a fact: f(a) printed with a prime."""
    def __init__(self, e):
        self.e = e


def _value_tex(e):
    """A parsed value as mathematics: a list as a bracketed list, nested
    lists as a matrix, numbers as _number prints them."""
    if isinstance(e, _Prime):
        return re.sub(r"(\\left\(|\{\\left\()", r"'\1", tex(e.e), count=1)
    if isinstance(e, (list, tuple)):
        if e and all(isinstance(x, (list, tuple)) for x in e):
            return _math(sp.Matrix(e)) if len(e[0]) == 1 else tex(sp.Matrix(e))
        return r"\left[" + r",\allowbreak\ ".join(_value_tex(x) for x in e) + r"\right]"
    if isinstance(e, (sp.Float, float)) or (isinstance(e, sp.Basic) and e.is_Number and not e.is_Rational):
        return _number(e)
    return breaking.fit(tex(e), display=False)


def _side(text):
    """A value in a fact's words as mathematics (None: not one)."""
    if re.fullmatch(r"-?\d+\.\d+", text):  # a decimal as the check wrote it, every digit
        return text
    e = _parse(text)
    return None if e is None else _value_tex(e)


def _top_split(text, sep):
    """text split at sep outside brackets, or None (sep absent or there twice)."""
    depth, hits = 0, []
    for i, ch in enumerate(text):
        depth += (ch in "([{") - (ch in ")]}")
        if depth == 0 and text.startswith(sep, i):
            hits.append(i)
    return (text[:hits[0]], text[hits[0] + len(sep):]) if len(hits) == 1 else None


def label_tex(label):
    r"""A fact's label: text escaped (a bare ^ or _ prints as itself), inline
    math between dollar signs passed through as LaTeX (\$ is a dollar sign).
    A label whose dollars do not pair is text throughout, its dollars printed:
    never a formula that runs on into the rest of the page."""
    parts = re.split(r"(?<!\\)\$", str(label))
    if len(parts) % 2 == 0:
        return _text(str(label).replace("\\$", "$"))
    return "".join(_text(p.replace("\\$", "$")) if k % 2 == 0 else rf"\({p}\)" for k, p in enumerate(parts))


def _side_tex(e):
    """One side of an exact fact, whole: a column as a column, a float as _number prints it."""
    if isinstance(e, sp.MatrixBase):
        return _math(e)
    if isinstance(e, sp.Float):
        return _number(e)
    return tex(e)


def equation_tex(f):
    """An exact fact's two sides as one formula TeX can break (breaking.fit)."""
    rel = "=" if f.rel == "=" else r"\neq"
    return breaking.fit(f"{_side_tex(f.lhs)} {rel} {_side_tex(f.rhs)}", display=False)


def fact_tex(f):
    """A fact as its check established it: an exact one's two sides, whole,
    and how their difference was shown to be 0; any other its detail (words
    and values, the values typeset as mathematics)."""
    if f.exact:
        return rf"\({equation_tex(f)}\)" + (f" ({_text(f.how)})" if f.how else "")
    return words_tex(f.detail)


def words_tex(detail):
    """A fact's detail in words ('sigma'(10) = 0.0000453958', 'stationary
    point [...]', 'lhs = rhs (how)') with its values typeset as mathematics."""
    detail = _stable(str(detail))
    how = ""
    m = re.fullmatch(r"(.*?) (\([^()]*(?:\([^()]*\)[^()]*)*\))", detail)
    if m and (" = " in m.group(1) or _parse(m.group(1)) is not None):
        detail, how = m.group(1), " " + _text(m.group(2))
    for sep, rel in ((" != ", r"\neq"), (" = ", "=")):
        parts = _top_split(detail, sep)
        if parts:
            lhs, rhs = _side(parts[0]), _side(parts[1])
            if lhs is None or rhs is None:
                break  # words: typeset what detail_tex recognises
            return rf"\({lhs} {rel} {rhs}\)" + how
    whole = _side(detail)
    if whole is not None:
        return rf"\({whole}\)" + how
    words = detail.split(" ")
    for k in range(1, len(words)):  # words, then a value: 'stationary point [...]'
        tail = _side(" ".join(words[k:]))
        if tail is not None and re.fullmatch(r"[A-Za-z ]+", " ".join(words[:k])):
            return _text(" ".join(words[:k]) + " ") + rf"\({tail}\)" + how
    return detail_tex(detail) + how


def _formulas(r):
    """The proved formulas, printed from the SymPy statements themselves."""
    lines = formula_lines(r)
    return breaking.steps([(lhs, rhs, "") for ln in lines for lhs, rhs in breaking.split_align(ln)]) if lines else ""


def derivation_tex(d):
    """One derivation: a paragraph per step (TeX breaks a long one past the
    '='), its reason flush right; the parts a long step repeats named, each
    name defined on the lines after the first step that uses it."""
    shown, where = naming.named_steps(d.steps, tex)
    rows = []
    for i, s in enumerate(d.steps):
        rows.append((d.title if i == 0 else None, "= " + (s.display if s.display is not None else tex(shown[i])),
                     s.reason))
        rows += [(None, rf"\text{{{'where' if j == 0 else 'and'} }} {tex(n)} = {tex(x)}", "")
                 for j, (n, x) in enumerate(where.get(i, ()))]
    out = breaking.steps(rows)
    if d.conclusion:
        out += rf"\noindent hence \( {breaking.fit(d.conclusion, display=False)} \)." + "\n"
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
    items = "".join(rf"  \item {label_tex(f.label)}: {fact_tex(f)}" + "\n" for f in verdict.facts)
    if items:  # a Facts result: each fact established exactly by its check
        return (r"\subsection*{Derivation}" + "\n" + r"\noindent The result is a list of facts, each established exactly "
                r"(checks \emph{symbolic} and \emph{concrete}):" + "\n" + "\\begin{enumerate}\n" + items
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
                + "".join(breaking.steps([(lhs, rhs, "") for lhs, rhs in breaking.split_align(m)]) for m in c.shown))
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
             r"\noindent What \texttt{from derive.numeric import} " + ", ".join(rf"\texttt{{{escape(n)}}}" for n in names)
             + r" runs, printed from the "
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
    """A statement in the notes' words, in a paragraph TeX can break after its
    top-level separators (",\\ ", ";\\ ", ":\\ ") and its operators."""
    return breaking.steps([("", breaking.separated(statement), "")]).rstrip("\n")


def _mistake_tex(r):
    """What is judged and the correction, printed from the expressions the
    refutation and the correction check use."""
    spec = checks.mistake_spec(r.how, gradient=False)  # the gradient at sizes is the checks' work, not printed
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
    if isinstance(e, sp.MatrixBase) and e.shape[1] == 1 and e.shape[0] > 1:
        return r"\begin{bmatrix}" + r" \\ ".join(tex(x) for x in e) + r"\end{bmatrix}"
    return tex(e)




def _check_detail(c):
    """A check's detail; a facts check's as its facts (the failed ones when it
    failed), each typeset by fact_tex.  An exact fact too long for the table
    and listed above is named there by its label and how it was proved."""
    rows = c.shown if c.shown and all(isinstance(x, Fact) for x in c.shown) else ()
    if not rows:
        return detail_tex(c.detail)

    def cell(f):
        if f.exact and f.ok and c.ok and c.name in FACT_CHECKS and breaking.visible(equation_tex(f)) > TABLE:
            return f"{label_tex(f.label)} ({_text(f.how)}; the equation is listed above)"
        return f"{label_tex(f.label)}: {fact_tex(f)}"
    shown = "; ".join(cell(f) for f in rows if c.ok or not f.ok)
    return shown if c.ok else r"	extbf{FAILED} " + shown


TABLE = 40  # most glyphs of an equation the verdict table repeats


def result_tex(r, verdict):
    kind = {"proof": "exact proof", "evidence": "numeric evidence", "refutation": "refutation"}
    failed = r"\textbf{FAILED}"
    rows = "\n".join(f"  {escape(c.name)} & {kind[c.kind]} & {'ok' if c.ok else failed} & "
                     f"{_check_detail(c)} \\\\" for c in verdict.checks)
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
    parts.append("\\noindent\\begin{tabularx}{\\linewidth}{@{}lll>{\\raggedright\\arraybackslash}X@{}}\n\\toprule\n"
                 "check & kind & result & detail \\\\\n\\midrule\n" + rows + "\n\\bottomrule\n\\end{tabularx}\n")
    return "\n\n".join(parts) + "\n"


def document_tex(items, seeds=None, title=None):
    """The combined document: a chapter per seed (the notes' seeds in their
    order, then any other seed as it first appears), then the errata.  A
    user's notes file gives its own `seeds` and `title`."""
    own = seeds is not None  # a user's chapters are titled by their SEEDS alone
    body, seeds = [], dict(SEEDS if seeds is None else seeds)
    for r, _ in items:
        seeds.setdefault(r.seed, "")
    for seed, name in seeds.items():
        ids = [r.id for r, _ in items if r.seed == seed and not r.is_mistake]
        if ids:
            heading = escape(name) if own and name else f"Seed {escape(seed)}" + (f": {escape(name)}" if name else "")
            body.append(rf"\chapter{{{heading}}}")
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
        r"\tracinglostchars=2", breaking.PREAMBLE, unicode_preamble(),
        rf"\title{{{escape(title) if title else 'derive: the calculus of backpropagation, proved and checked'}}}",
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


def write_reports(items, out: Path, seeds=None, title=None, texts=None):
    """items: [(result, verdict)]; returns the paths written.  texts: {id:
    result_tex(r, v)} already typeset (derive all typesets each report as its
    verdict comes in, while the other checks run)."""
    out = Path(out)
    written = []
    for r, v in items:
        p = out / f"{r.id}.tex"
        write_atomic(p, texts[r.id] if texts and r.id in texts else result_tex(r, v))
        written.append(p)
    p = out / "derive.tex"
    write_atomic(p, document_tex(items, seeds, title))
    written.append(p)
    return written


def pdf_of(tex: str, pdf: Path):
    """A standalone document compiled into `pdf`: built by build_pdf in a
    folder beside it, removed on every path.  (pdf path or None, summary)."""
    pdf = Path(pdf)
    work = pdf.parent / f".derive-pdf-{os.getpid()}"
    try:
        work.mkdir(parents=True)
        write_atomic(work / "derive.tex", tex)
        built, msg = build_pdf(work)
        if built is None:  # its log goes with the build folder
            return None, msg.replace(f" (log: {work / 'derive.log'})", "")
        os.replace(built, pdf)
        n = log_summary((work / "derive.log").read_text(errors="replace"))["pages"]
        warned = "" if msg.startswith("wrote") else "; " + msg.split("; wrote")[0]
        return pdf, f"wrote {pdf} ({n} page{'s' * (n != 1)}){warned}"
    finally:
        shutil.rmtree(work, ignore_errors=True)


MAX_RUNS = 4   # pdflatex runs at most, until the labels (contents, references) settle
_BUILD = ".pdflatex-"   # the build folder inside the out dir: .pdflatex-<pid>


def log_summary(log):
    """What a pdflatex log says is wrong with the document:
    {"overfull": [(points, file)], "missing": [...], "warnings": [...], "underfull": n, "pages": n}."""
    over, current = [], "derive.tex"
    for m in re.finditer(r"\(\./([\w.-]+\.tex)|^Overfull \\[hv]box \(([\d.]+)pt too (?:wide|high)\)", log, re.M):
        if m.group(1):
            current = m.group(1)
        else:
            over.append((float(m.group(2)), current))
    # TeX wraps its log lines at 79 characters, even inside a word ("(1 pa" / "ge,")
    pages = re.search(r"Output written on .*?\((\d+) pages?", log.replace("\n", ""))
    return {"overfull": over,
            "missing": re.findall(r"^Missing character: .*$", log, re.M),
            "warnings": [ln for ln in log.splitlines()
                         if re.match(r"(LaTeX|Package \w+) Warning|! ", ln) or "Undefined control sequence" in ln],
            "underfull": len(re.findall(r"^Underfull \\[hv]box", log, re.M)),
            "pages": int(pages.group(1)) if pages else 0}


def _toc_guess(out):
    """derive.toc as the first run would find it after a second: every
    chapter and section entry of derive.tex and the reports it inputs, page
    numbers aside.  The contents then take their final number of pages in the
    first run, so that the second run finds every page number settled, where
    without it the contents' own pages shift the labels once more (a third
    run).  None when the document is not of that form (no contents, no
    hyperref).  A wrong guess costs a run, never a wrong document: the runs
    go on until the labels and the contents settle."""
    try:
        doc = (out / "derive.tex").read_text()
    except OSError:
        return None
    if r"\tableofcontents" not in doc or "{hyperref}" not in doc:
        return None
    lines, chapter, section = [], 0, 0
    for m in re.finditer(r"^\\chapter\{(.*)\}$|^\\input\{([\w.-]+)\}$", doc, re.M):
        if m.group(1) is not None:
            chapter, section = chapter + 1, 0
            lines.append(rf"\contentsline {{chapter}}{{\numberline {{{chapter}}}{m.group(1)}}}{{1}}{{chapter.{chapter}}}%")
            continue
        try:
            report = (out / f"{m.group(2)}.tex").read_text()
        except OSError:
            return None
        for t in re.finditer(r"^\\section\{(.*?)\}\\label", report, re.M):
            section += 1
            n = f"{chapter}.{section}"
            lines.append(rf"\contentsline {{section}}{{\numberline {{{n}}}{t.group(1)}}}{{1}}{{section.{n}}}%")
    return "\n".join(lines) + "\n" if lines else None


_SETTLE = ("derive.aux", "derive.toc", "derive.out")  # what a run reads back: it must come out as it went in


def _settle_files(build):
    return {name: Path(build, name).read_bytes() if Path(build, name).exists() else None for name in _SETTLE}


def _stale_builds(out):
    """Build folders left by a killed run (its process is gone)."""
    for p in out.glob(_BUILD + "*"):
        pid = p.name[len(_BUILD):]
        try:
            os.kill(int(pid), 0)
        except (ValueError, ProcessLookupError):
            shutil.rmtree(p, ignore_errors=True)
        except PermissionError:
            pass


class _Terminated(Exception):
    pass


def _raise_terminated(signum, frame):
    raise _Terminated(signum)


def build_pdf(out: Path):
    """Compile derive.tex until its labels settle (at most MAX_RUNS runs) in a
    build folder inside `out`, removed on every path (a SIGTERM included);
    derive.pdf and derive.log are put beside derive.tex.  Returns (pdf path
    or None, a one-line summary of the log)."""
    exe = shutil.which("pdflatex")
    if exe is None:
        return None, "pdflatex not found on PATH: wrote .tex only (Debian: apt-get install texlive-latex-base texlive-latex-recommended)"
    out = Path(out)
    _stale_builds(out)
    build = (out / f"{_BUILD}{os.getpid()}").absolute()  # pdflatex runs in out: a relative path would not do
    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _raise_terminated) if main else None
    try:
        build.mkdir()
        toc = _toc_guess(out)
        if toc is not None:
            write_atomic(build / "derive.toc", toc)
        runs, log = 0, ""
        while runs < MAX_RUNS:
            runs += 1
            before = _settle_files(build)
            # the first run writes the labels and contents only (no PDF: a third faster)
            draft = ["-draftmode"] if runs == 1 else []
            proc = subprocess.run([exe, *draft, "-interaction=nonstopmode", "-halt-on-error", f"-output-directory={build}",
                                   "derive.tex"], cwd=out, capture_output=True, text=True,
                                  # fixed dates and trailer id: the PDF is reproducible too
                                  env={**os.environ, "SOURCE_DATE_EPOCH": "0", "FORCE_SOURCE_DATE": "1"})
            log = Path(build, "derive.log").read_text(errors="replace") if Path(build, "derive.log").exists() else ""
            if proc.returncode != 0:
                if log:
                    write_atomic(out / "derive.log", log)
                tail = "\n".join(proc.stdout.splitlines()[-15:])
                kept = f" (log: {out / 'derive.log'})" if log else ""
                return None, f"pdflatex failed{kept}:\n{tail}"
            changed = _settle_files(build) != before  # contents or labels that moved (no warning for the contents)
            if not changed and not draft and not re.search(r"Label\(s\) may have changed|Rerun to get", log):
                break
        write_atomic(out / "derive.log", log)
        staged = build / "derive.pdf.staged"
        shutil.copyfile(build / "derive.pdf", staged)
        os.chmod(staged, 0o644)
        pdf = out / "derive.pdf"
        os.replace(staged, pdf)
    except _Terminated:
        raise SystemExit(128 + signal.SIGTERM)
    finally:
        if main:
            signal.signal(signal.SIGTERM, previous)
        shutil.rmtree(build, ignore_errors=True)
    s = log_summary(log)
    unsettled = changed or re.search(r"Label\(s\) may have changed|Rerun to get", log)
    problems = []
    if s["overfull"]:
        worst = max(s["overfull"])
        problems.append(f"{len(s['overfull'])} overfull boxes (up to {worst[0]:.0f}pt, in {worst[1]})")
    if s["missing"]:
        problems.append(f"{len(s['missing'])} missing characters ({s['missing'][0]})")
    if unsettled:
        problems.append(f"labels not settled after {runs} runs")
    if s["warnings"]:
        problems.append(f"{len(s['warnings'])} LaTeX warnings ({s['warnings'][0].strip()})")
    where = f"{pdf} ({s['pages']} pages, {runs} pdflatex runs); log {out / 'derive.log'}"
    if problems:
        return pdf, f"pdflatex warnings: {'; '.join(problems)}; wrote {where}"
    return pdf, f"wrote {where}: no overfull box, no missing character, labels settled"
