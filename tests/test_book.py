"""The book (reports/derive.pdf): notation that renders, formulas that fit the
page, a log that is kept and read.  The compile tests use the committed
reports/ (no verification run: about 10 s) and skip without pdflatex."""
import re
import shutil
from pathlib import Path

import pytest
import sympy as sp

from derive.maths.functions import fprime, step
from derive.matrix.latex import tex
from derive.render import breaking
from derive.render.report import _detail, build_pdf, log_summary

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


def test_long_formulas_get_breakable_delimiters():
    z = sp.Symbol("z")
    long = tex(sp.log(fprime(z + sp.Sum(sp.Symbol("w") ** 2, (sp.Symbol("j"), 0, 9)))) * sum(
        sp.Symbol(f"y{k}") for k in range(30)))
    out = breaking.fit(long)
    assert r"\left" not in out and r"\right" not in out
    assert out.count(r"\bigg") + out.count(r"\Bigg") + out.count(r"\big") >= 2
    short = tex(sp.log(z))
    assert breaking.fit(short) == short


def test_counterexamples_are_mathematics():
    shown = _detail("at sizes m = 2 only: X[0, 0] = -1, X[0, 1] = 1, X[1, 0] = 2, X[1, 1] = 1; "
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
