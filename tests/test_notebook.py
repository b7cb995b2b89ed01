"""Jupyter: a derived gradient, a verdict and a result display as formatted
math (or a table) with their steps, and docs/derive.ipynb runs.

The notebook is committed without outputs and executed here with nbclient on
the current venv's python3 kernel (skipped when nbclient, nbformat or
ipykernel is not installed: `pip install -e '.[test]'` installs them).  The
LaTeX each object shows is compiled with pdflatex where it is on the PATH, so
a display that is not valid math fails.
"""
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

import derive

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "docs" / "derive.ipynb"
SHAPES = {"v": "h,1", "W": "h,n", "x": "n,1", "b": "h,1"}


@pytest.fixture(scope="module")
def derived():
    return derive.grad("v.T @ sigmoid(W @ x + b)", ["W", "x"], SHAPES)


def _compiles(latex, tmp_path):
    """pdflatex (amsmath, amssymb) typesets this display without an error."""
    doc = ("\\documentclass{article}\\usepackage[margin=1cm,paperwidth=60cm,paperheight=80cm]{geometry}"
           "\\usepackage{amsmath,amssymb}\\begin{document}\n" + latex + "\n\\end{document}\n")
    (tmp_path / "shown.tex").write_text(doc)
    run = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "shown.tex"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=120)
    return run.returncode == 0, run.stdout[-1500:]


# --- the displays, without a notebook -----------------------------------------------

def test_a_derived_gradient_shows_its_answer_and_every_step(derived):
    shown = derived._repr_latex_()
    assert shown.startswith("$$") and shown.endswith("$$")
    assert derived.latex in shown
    # one aligned block for the answer, one per variable's steps, each step a row
    assert shown.count(r"\begin{aligned}") == 1 + len(derived.wrt)
    for v in derived.wrt:
        assert derived.symbol(v) + " &= " in shown
    rows = shown.count(r"\\ ") + 1
    assert rows >= sum(len(derived.steps[v]) for v in derived.wrt)
    assert r"\text{chain rule" in shown


def test_a_verdict_shows_every_check_as_a_table(derived):
    v = derived.verify()
    html = v._repr_html_()
    assert html.count("<tr>") == 1 + len(v.checks)
    for c in v.checks:
        assert f"<td>{c.name}</td>" in html
    assert f"<b>{v.status}</b>" in html


def test_a_verdict_escapes_html():
    from derive.records import Check, Verdict
    html = Verdict("a<b", "proved", [Check("numeric", "evidence", False, "x < 1 & y > 2")])._repr_html_()
    assert "a&lt;b" in html and "x &lt; 1 &amp; y &gt; 2" in html and "<b>FAILED</b>" in html


def test_a_verified_result_shows_its_statement_derivation_and_checks():
    r = derive.result("window-score-gradients")
    plain = derive.show(r)._repr_latex_()
    shown = derive.show(r, verified=True)
    latex = shown._repr_latex_()
    # the statement, every step of the derivations its verdict checked, then each check
    statement = re.sub(r"^\$\\begin\{aligned\}|\\end\{aligned\}\$$", "", plain)
    assert statement in latex
    derivations = [d for c in shown.verdict.checks for d in c.shown if isinstance(d, derive.records.Derivation)]
    assert derivations
    for d in derivations:
        assert d.title in latex
    for c in shown.verdict.checks:
        assert rf"\text{{{c.name} ({c.kind}): {'ok' if c.ok else 'FAILED'}" in latex


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not on the PATH")
def test_the_displays_are_valid_latex(derived, tmp_path):
    for latex in (derived._repr_latex_(), derive.show("window-score-gradients", verified=True)._repr_latex_(),
                  derive.show("softmax-ce-gradient", verified=True)._repr_latex_()):
        ok, log = _compiles(latex, tmp_path)
        assert ok, log


# --- the notebook ---------------------------------------------------------------------

def test_the_notebook_runs_and_shows_math():
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert not any(c.outputs for c in code), "docs/derive.ipynb is committed without outputs"
    t0 = time.perf_counter()
    # the kernel starts in the repository root, so it imports this checkout's derive
    nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(ROOT)}}).execute()
    seconds = time.perf_counter() - t0
    errors = [o for c in code for o in c.outputs if o.output_type == "error"]
    assert not errors, errors
    shown = [o.get("data", {}) for c in code for o in c.outputs if o.output_type == "execute_result"]
    latex = [d["text/latex"] for d in shown if "text/latex" in d]
    html = [d["text/html"] for d in shown if "text/html" in d]
    # the derived gradient (its steps), the verdict (a table), the verified result (its checks)
    assert any(r"\frac{\partial f}{\partial \mathbf{W}}" in x and r"\text{chain rule" in x for x in latex)
    assert any("<table>" in x and "<td>symbolic</td>" in x for x in html)
    assert any(r"\text{derivation (proof): ok" in x for x in latex)
    printed = "".join(o.get("text", "") for c in code for o in c.outputs if o.output_type == "stream")
    assert "likely slip in d/dW: σ where σ(1 − σ) is meant" in printed
    assert seconds < 120, f"the notebook took {seconds:.0f} s"
