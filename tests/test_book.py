"""The book (reports/derive.pdf): notation that renders, formulas that fit the
page, a log that is kept and read.  The compile tests use the committed
reports/ (no verification run: about 10 s) and skip without pdflatex."""
import pickle
import re
import shutil
from pathlib import Path
import derive

import pytest
import sympy as sp

from derive.maths.functions import fprime, sigmoid, step
from derive.matrix.latex import tex
from derive.render import breaking, report
from derive.render.report import detail_tex, build_pdf, fact_tex, log_summary
from derive.render.text import fact_text, unicode
from derive.verification.facts import exact, holds

ROOT = Path(__file__).resolve().parent.parent
PDFLATEX = shutil.which("pdflatex")


def test_scalar_one_is_one_and_the_indicator_renders():
    v = sp.MatrixSymbol("v", 3, 1)
    assert tex(sp.Identity(1) - v.T * v) == r"1 - \mathbf{v}^{\top} \mathbf{v}"
    assert tex(step(sp.Symbol("z"))).startswith(r"\mathbf{1}\left[")  # amssymb has no blackboard 1
    assert r"\mathbb{1}" not in tex(step(sp.Symbol("z")))


def test_names_in_the_notes_notation():
    assert tex(sp.Symbol("lam")) == r"\lambda"
    assert tex(sp.MatrixSymbol("xc", 2, 1)) == r"\mathbf{x}_{c}"
    assert tex(sp.MatrixSymbol("W1", 2, 2)) == r"\mathbf{W}_{1}"
    assert tex(sp.Symbol("kk0")) == "k'_{0}" and tex(sp.Symbol("kkk0")) == "k''_{0}"


def test_no_one_term_sums_and_hadamard_keeps_its_brackets():
    i, n = sp.Symbol("i", integer=True), sp.Symbol("n", integer=True)
    x = sp.MatrixSymbol("x", n, 1)
    assert r"\sum" not in tex(sp.Sum(x[i, 0] ** 2, (i, 0, 0)))
    W, a, v = sp.MatrixSymbol("W", 3, 2), sp.MatrixSymbol("a", 3, 1), sp.MatrixSymbol("v", 3, 1)
    shown = tex(-W.T * sp.HadamardProduct(a, v))
    assert shown == r"- \mathbf{W}^{\top} \left(\mathbf{a} \odot \mathbf{v}\right)", shown


def test_an_inner_sum_never_prints_an_outer_index():
    """sum_i x_i sum_i W_ij x_i reads as one index: the inner one is renamed,
    in the book and in the terminal alike (printing only)."""
    n = sp.Symbol("n", integer=True, positive=True)
    W, x = sp.MatrixSymbol("W", n, n), sp.MatrixSymbol("x", n, 1)
    i, j = sp.symbols("i j", integer=True)
    e = sp.Sum(sp.Sum(W[i, j] * x[i, 0], (i, 0, n - 1)) * x[i, 0], (i, 0, n - 1))
    assert "W}}_{i_{1},j}" in tex(e) and "x}}_{i_{1},0}" in tex(e)
    assert unicode(e) == "Σᵢ xᵢ·Σᵢ₁ W[i₁,j]·xᵢ₁"


def test_printers_remember_a_part_only_in_its_context():
    """The LaTeX printer remembers each subexpression's print with the sum
    indices bound around it: the inner sum printed alone after the whole
    keeps its own index; naming's text printer prints what str prints."""
    from derive.matrix.latex import DerivePrinter
    from derive.render.naming import _str
    n = sp.Symbol("n", integer=True, positive=True)
    W, x = sp.MatrixSymbol("W", n, n), sp.MatrixSymbol("x", n, 1)
    i, j = sp.symbols("i j", integer=True)
    inner = sp.Sum(W[i, j] * x[i, 0], (i, 0, n - 1))
    whole = sp.Sum(inner * x[i, 0], (i, 0, n - 1))
    assert "_{i_{1},j}" in tex(whole) and "i_{1}" not in tex(inner)
    for e in (inner, whole, inner ** 2 / (1 + sp.Float(0.5) * whole)):
        assert tex(e) == DerivePrinter({"mul_symbol": None}).doprint(e)
        assert _str(e) == str(e)
    assert _str(sp.Float(0.5)) == str(sp.Float(0.5)) and _str(x[0, 0] * sp.Float(2.0)) == str(x[0, 0] * sp.Float(2.0))


def test_long_formulas_get_breakable_delimiters():
    z = sp.Symbol("z")
    long = tex(sp.log(fprime(z + sp.Sum(sp.Symbol("w") ** 2, (sp.Symbol("j"), 0, 9)))) * sum(
        sp.Symbol(f"y{k}") for k in range(30)))
    out = breaking.fit(long)
    assert r"\left" not in out and r"\right" not in out
    assert out.count(r"\bigg") + out.count(r"\Bigg") + out.count(r"\big") >= 2
    short = tex(sp.log(z))
    assert breaking.fit(short) == short


def test_long_fractions_and_exponents_break():
    """A fraction with a long numerator and a long denominator, an exponent
    too long for a superscript: both made breakable (a box cannot be)."""
    terms = " + ".join(f"w_{{{k}}} x_{{{k}}}" for k in range(30))
    den = r"\sum_{k=0}^{K} e^{" + " + ".join(f"a_{{{k}}}" for k in range(12)) + "}"
    out = breaking.fit(rf"\frac{{{terms}}}{{{den}}}")
    assert r"\frac" not in out and r"\mathbin{\Big/}" in out and r"\exp(" in out, out
    assert breaking.fit("e^{x} + " + terms).startswith("e^{x}")  # a short exponent stays


def test_every_derivation_step_is_shown():
    """Issue #15: a step over 700 LaTeX characters was dropped from the
    displayed (and checked) derivation; now each one is shown."""
    import derive
    from derive.verification import steps
    for rid in ("two-layer-input-gradient", "max-margin-gradient", "mse-relu-neuron"):
        for d in steps.derivations(derive.result(rid)):
            reasons = [s.reason for s in d.steps]
            assert any(r.startswith("term by term") for r in reasons), (rid, reasons)
            assert not any("; term by term" in r or "; collapse" in r for r in reasons), (rid, reasons)
    longest = max(len(tex(s.expr)) for d in steps.derivations(derive.result("two-layer-input-gradient"))
                  for s in d.steps)
    assert longest > 2000
    shown = (ROOT / "reports" / "two-layer-input-gradient.tex").read_text()
    assert "term by term" in shown and "collapse the Kronecker deltas" in shown


def test_facts_are_mathematics():
    t = sp.Symbol("t")
    assert fact_tex(exact("", (1 - sigmoid(t)) * sigmoid(t), sigmoid(t) * (1 - sigmoid(t)))) == (
        r"\(\left(1 - \sigma\left(t\right)\right) \sigma\left(t\right) = "
        r"\left(1 - \sigma\left(t\right)\right) \sigma\left(t\right)\) (expansion)")
    assert fact_tex(exact("", sp.Matrix([2, 4]), sp.Matrix([2, 4]))).count(r"\begin{bmatrix}2 \\ 4\end{bmatrix}") == 2
    assert fact_tex(exact("", sp.Rational(1, 4), sp.Rational(1, 4))) == r"\(\frac{1}{4} = \frac{1}{4}\) (expansion)"
    assert fact_tex(holds("", True, "sigma'(10) = 0.0000453958")) == r"\(\sigma'\left(10\right) = 0.0000453958\)"
    assert fact_tex(holds("", True, "stationary point [3**(1/3)*u**(1/3)]")).startswith(r"stationary point \(\left[")
    c, x = sp.symbols("c0:12"), sp.Symbol("x")
    long = sum(ck * (x + 1) ** k for k, ck in enumerate(c))  # its sides were cut to 57 characters and elided
    f = exact("", long, sp.expand(long))
    assert f.lhs == long and f.rhs == sp.expand(long) and f.ok and f.how == "expansion"
    assert "c_{11}" in fact_tex(f) and r"\ldots" not in fact_tex(f) and "c₁₁" in fact_text(f)
    assert pickle.loads(pickle.dumps(f)) == f  # a verdict crosses the worker pool
    for p in (ROOT / "reports").glob("*.tex"):  # the committed book: no SymPy string in a facts list
        text = p.read_text()
        assert "elided" not in text, p.name
        if "list of facts" in text:
            items = text.split(r"\begin{enumerate}")[1].split(r"\end{enumerate}")[0]
            for item in items.splitlines():
                shown = item.rsplit(": ", 1)[-1]
                assert not re.search(r"sigmoid\(|\*\*|\w\*\w|Matrix\(|\d\.\d+e-", shown), (p.name, item)


def test_counterexamples_are_mathematics():
    shown = detail_tex("at sizes m = 2 only: X[0, 0] = -1, X[0, 1] = 1, X[1, 0] = 2, X[1, 1] = 1; "
                    "as written Matrix([[-2], [0.841470984807896506652502321630]]), max rel err 3e-10")
    assert "Matrix(" not in shown and "X[0, 0]" not in shown
    assert r"\begin{smallmatrix}-1 & 1 \\ 2 & 1\end{smallmatrix}" in shown
    assert r"[-2,\allowbreak\ 0.841471]^{\top}" in shown and r"3 \cdot 10^{-10}" in shown


def test_log_summary_reads_overfull_boxes_and_missing_characters():
    log = ("(./a.tex\nOverfull \\hbox (12.5pt too wide) detected at line 3\n)\n"
           "Missing character: There is no 1 in font msbm10!\nOutput written on derive.pdf (3 pages, 10 bytes).")
    s = log_summary(log)
    assert s["overfull"] == [(12.5, "a.tex")] and len(s["missing"]) == 1 and s["pages"] == 3


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    if PDFLATEX is None:
        pytest.skip("pdflatex not installed")
    out = tmp_path_factory.mktemp("book")
    for p in (ROOT / "reports").glob("*.tex"):
        shutil.copy(p, out / p.name)
    pdf, msg = build_pdf(out)
    return out, pdf, msg


def test_the_book_has_no_overfull_box_and_no_missing_glyph(book):
    out, pdf, msg = book
    assert pdf is not None and pdf.exists(), msg
    log = (out / "derive.log").read_text(errors="replace")  # kept beside the PDF
    assert not re.findall(r"^Overfull", log, re.M), msg
    assert "Missing character" not in log and "Undefined control sequence" not in log
    assert "Label(s) may have changed" not in log  # the contents settled
    assert "no overfull box" in msg and "warnings" not in msg, msg


def test_the_book_settles_in_two_runs(book):
    """The contents are written before the first run (every title is known), so the second run settles."""
    _, _, msg = book
    assert "2 pdflatex runs" in msg and "labels settled" in msg, msg


def _small_book(out):
    (out / "derive.tex").write_text("\n".join([
        r"\documentclass{report}", r"\usepackage{hyperref}", r"\ifdefined\pdftrailerid\pdftrailerid{}\fi",
        r"\begin{document}", r"\tableofcontents", r"\chapter{One}", r"\input{a}", r"\chapter{Two}", r"\input{b}",
        r"\end{document}", ""]))
    for name in "ab":
        (out / f"{name}.tex").write_text("\n".join(rf"\section{{{name} {k}}}\label{{res:{name}{k}}} text \clearpage"
                                                    for k in range(30)) + "\n")


def test_a_wrong_contents_guess_costs_a_run_never_the_contents(tmp_path, monkeypatch):
    if PDFLATEX is None:
        pytest.skip("pdflatex not installed")
    from derive.render import report
    right, wrong = tmp_path / "right", tmp_path / "wrong"
    for out in (right, wrong):
        out.mkdir()
        _small_book(out)
    _, msg = build_pdf(right)
    assert "2 pdflatex runs" in msg and "labels settled" in msg, msg
    # a guess pages too short: the first run lays the pages out wrong, and the runs go on until they settle
    monkeypatch.setattr(report, "_toc_guess", lambda out: "\\contentsline {chapter}{\\numberline {1}One}{1}{chapter.1}%\n")
    _, msg = build_pdf(wrong)
    assert "labels settled" in msg and "2 pdflatex runs" not in msg, msg
    assert (right / "derive.pdf").read_bytes() == (wrong / "derive.pdf").read_bytes()


def test_the_build_leaves_only_the_pdf_and_its_log(book):
    out, _, _ = book
    assert sorted(p.name for p in out.iterdir() if not p.name.endswith(".tex")) == ["derive.log", "derive.pdf"]


def test_a_failed_build_cleans_up(tmp_path):
    if PDFLATEX is None:
        pytest.skip("pdflatex not installed")
    (tmp_path / "derive.tex").write_text("\\documentclass{article}\\begin{document}\\undefinedmacro\\end{document}\n")
    (tmp_path / ".pdflatex-999999999").mkdir()  # left by a killed run: its process is gone
    pdf, msg = build_pdf(tmp_path)
    assert pdf is None and "pdflatex failed" in msg
    assert sorted(p.name for p in tmp_path.iterdir()) == ["derive.log", "derive.tex"]


def test_the_book_builds_from_a_relative_out_dir(tmp_path, monkeypatch):
    """derive all's default is --out reports: pdflatex runs in it, so the build folder must be absolute."""
    if PDFLATEX is None:
        pytest.skip("pdflatex not installed")
    (tmp_path / "r").mkdir()
    (tmp_path / "r" / "derive.tex").write_text("\\documentclass{article}\\begin{document}x\\end{document}\n")
    monkeypatch.chdir(tmp_path)
    pdf, msg = build_pdf(Path("r"))
    assert pdf is not None and (tmp_path / "r" / "derive.pdf").exists(), msg
    assert sorted(p.name for p in (tmp_path / "r").iterdir()) == ["derive.log", "derive.pdf", "derive.tex"]


@pytest.mark.parametrize("case", ["mse-out-in", "bce-z", "two-layer-W1", "softmax-jacobian"])
def test_derived_documents_compile_without_overfull_boxes(case, tmp_path):
    """derive grad --tex: the steps break like the book's (they were one
    alignat* line each, up to 169pt past the margin)."""
    if PDFLATEX is None:
        pytest.skip("pdflatex not installed")
    import subprocess
    from derive.examples import cases
    from derive.render.derived import derived_document
    from derive.verification import derived
    c = next(c for c in cases() if c.id == case)
    d = getattr(derived, c.kind)(c.expr, c.wrt, c.shapes, sample=c.sample)
    doc = derived_document(d, d.verify())
    assert doc == derived_document(d, d.verify())  # byte-identical
    (tmp_path / "g.tex").write_text(doc)
    proc = subprocess.run([PDFLATEX, "-interaction=nonstopmode", "-halt-on-error", "g.tex"], cwd=tmp_path,
                          capture_output=True, text=True)
    log = (tmp_path / "g.log").read_text(errors="replace")
    assert proc.returncode == 0, proc.stdout[-2000:]
    assert not re.findall(r"^Overfull", log, re.M) and "Missing character" not in log


def test_a_label_is_text_with_inline_math():
    """Issue #15: text escaped (a bare ^ prints as itself), $...$ passed
    through as LaTeX; a dollar that pairs with nothing is printed, never math."""
    from derive.render.report import label_tex
    from derive.render.text import text
    assert label_tex(r"central difference is exact for degree $\le 2$") == (
        r"central difference is exact for degree \(\le 2\)")
    assert label_tex(r"$|1 - 2\eta| < 1 \iff 0 < \eta < 1$") == r"\(|1 - 2\eta| < 1 \iff 0 < \eta < 1\)"
    assert label_tex("error c3 eps^2 in x_1") == r"error c3 eps\textasciicircum{}2 in x\_1"
    assert label_tex("a bill of $5") == r"a bill of \$5" and label_tex(r"\$5 and $x^2$") == r"\$5 and \(x^2\)"
    assert text(r"central difference is exact for degree $\le 2$") == "central difference is exact for degree ≤ 2"
    assert text(r"$|1 - 2\eta| < 1 \iff 0 < \eta < 1$") == "|1 − 2η| < 1 ⇔ 0 < η < 1"
    assert text("eps^2") == "eps^2" and text("a bill of $5") == "a bill of $5"


def _restored(e, defs):
    """e with every name replaced by its definition (at the name's arguments)."""
    for _ in range(len(defs) + 1):
        for name, d in defs:
            if isinstance(name, sp.Symbol):
                e = e.xreplace({name: d})
            else:
                e = e.replace(name.func, sp.Lambda(name.args, d))
    return e


@pytest.mark.parametrize("rid", ["softmax-classifier", "max-margin-gradient", "two-layer-input-gradient"])
def test_long_steps_name_what_they_repeat_and_mean_the_same(rid):
    """Issue #15: a long step prints the parts it repeats under names defined
    beside it; put back, the definitions give the step as proved (its sums
    over one value collapsed as the printer shows them, bound indices aside)."""
    import derive
    from derive.render import naming
    from derive.verification import steps
    for d in steps.derivations(derive.result(rid)):
        shown, where = naming.named_steps(d.steps, tex)
        defs = [nd for k in sorted(where) for nd in where[k]]
        for k, s in enumerate(d.steps):
            if len(tex(s.expr)) > naming.LONG:
                want = naming._key(naming._collapsed(s.expr), set())[0]
                assert naming._key(_restored(shown[k], defs), set())[0] == want, (rid, k)
            else:
                assert shown[k] == s.expr  # a short step is shown as it is
        assert all(len(tex(e)) < 1000 for e in shown.values()), rid
        for name, _ in defs:  # each defined once, next to a step that uses it
            assert sum(name == n for n, _ in defs) == 1


def test_a_fact_both_checks_establish_is_listed_once():
    v = derive.verify("sgd-batches")  # its concrete facts repeat symbolic ones: exact arithmetic is both
    per_check = [f.label for c in v.checks if c.name in ("symbolic", "concrete") for f in c.shown]
    assert len(per_check) > len(set(per_check))
    assert [f.label for f in v.facts] == list(dict.fromkeys(per_check))
    tex = report.result_tex(derive.result("sgd-batches"), v)
    assert tex.count(r"\item the last minibatch holds") == 1  # the Derivation section lists it once
