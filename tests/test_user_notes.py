"""A user's notes file (--notes FILE) and one derivation as a PDF (grad --pdf)."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "docs" / "mynotes.py"


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "derive", *args], cwd=cwd or ROOT, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT), "DERIVE_JOBS": "1"})


def test_example_notes_check_and_list():
    out = run("check", "--notes", str(EXAMPLE))
    assert out.returncode == 0, out.stdout + out.stderr
    lines = out.stdout.splitlines()
    assert [ln.split()[:2] for ln in lines[:3]] == [["proved", "layer-weights"], ["proved", "squared-error"],
                                                    ["refuted", "my-transpose-slip"]]
    assert lines[-1].startswith("3 results: 3 as expected, 0 failed")
    listed = run("list", "--notes", str(EXAMPLE)).stdout
    assert "layer-weights" in listed and "sigmoid-derivative" not in listed  # the file's records only


def test_a_wrong_claim_in_a_notes_file_fails(tmp_path):
    text = EXAMPLE.read_text().replace('claims={"W": "(W @ x - y) @ x.T"}', 'claims={"W": "(W @ x - y) @ x.T / 2"}')
    assert text != EXAMPLE.read_text()
    bad = tmp_path / "bad.py"
    bad.write_text(text)
    out = run("check", "--notes", str(bad), "squared-error")
    assert out.returncode == 1
    assert out.stdout.startswith("FAILED") and "squared-error" in out.stdout


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex not installed")
def test_all_writes_the_reports_and_the_book(tmp_path):
    out = run("all", "--notes", str(EXAMPLE), "--out", str(tmp_path / "out"), "--profile")
    assert out.returncode == 0, out.stdout + out.stderr
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == ["derive.log", "derive.pdf", "derive.tex", "layer-weights.tex", "my-transpose-slip.tex",
                     "squared-error.tex"]
    book = (tmp_path / "out" / "derive.tex").read_text()
    assert r"\chapter{Lecture 3: one layer}" in book and r"\input{layer-weights}" in book
    assert "no overfull box" in out.stdout
    assert "profile: verification (wall)" in out.stdout and "profile: checks, summed" in out.stdout


BAD = [
    ('Result("layer-weights"', 'Result("../evil"', "field id"),
    ('loss="v.T @ sigmoid(z)", claims', 'loss="v.T @ sigmoid(q)", claims', "result 'layer-weights': field loss"),
    ('"b": "delta", "x"', '"b": "delta @ x", "x"', "result 'layer-weights': field claims['b']"),
    ('sizes=({"h": 2, "n": 3},)', 'sizes=({"h": 2},)', "result 'squared-error': field sizes"),
    ('correct="layer-weights"', 'correct="no-such-result"', "result 'my-transpose-slip': field correct"),
    ("RESULTS = [", "RESULTS = [42, ", "RESULTS[0] is a int"),
    ("RESULTS = [", "RESULTS = [(", "syntax error"),
]


@pytest.mark.parametrize("old,new,message", BAD, ids=[b[2][:30] for b in BAD])
def test_a_bad_record_is_named_with_its_field(tmp_path, old, new, message):
    text = EXAMPLE.read_text()
    assert old in text
    bad = tmp_path / "bad.py"
    bad.write_text(text.replace(old, new, 1))
    out = run("all", "--notes", str(bad), "--out", str(tmp_path / "out"))
    assert out.returncode == 2
    assert message in out.stderr and len(out.stderr.strip().splitlines()) == 1, out.stderr
    assert not (tmp_path / "out").exists()  # refused before anything is written


def test_a_missing_notes_file_is_one_line(tmp_path):
    out = run("check", "--notes", str(tmp_path / "nope.py"))
    assert out.returncode == 2 and "no such file" in out.stderr and "Traceback" not in out.stderr


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex not installed")
def test_grad_pdf(tmp_path):
    pdf = tmp_path / "g.pdf"
    out = run("grad", "v.T @ sigmoid(W @ x + b)", "--wrt", "W", "--shape", "W=h,n", "--shape", "x=n,1",
              "--shape", "b=h,1", "--shape", "v=h,1", "--pdf", str(pdf))
    assert out.returncode == 0, out.stdout + out.stderr
    assert pdf.read_bytes().startswith(b"%PDF") and f"wrote {pdf} (1 page)" in out.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.pdf"]  # the build folder is gone


def test_grad_pdf_checks_its_path_before_deriving(tmp_path):
    (tmp_path / "afile").write_text("")
    out = run("grad", "x.T @ x", "--wrt", "x", "--shape", "x=n,1", "--pdf", str(tmp_path / "afile" / "g.pdf"))
    assert out.returncode == 2 and out.stderr.startswith("derive: error: --pdf") and "proved" not in out.stdout


LABELS = '''"""Facts whose labels are text with $math$, a bare ^, and a dollar that pairs with nothing."""
import sympy as sp
from derive.records import Facts, Result
from derive.verification.facts import exact, holds

x = sp.Symbol("x")
RESULTS = [
    Result("labels", "1", "p. 1", "Labels", r"(x + 1)^2 = x^2 + 2x + 1",
           how=Facts(lambda: [exact(r"the square is exact for degree $\\le 2$ (eps^2 in words)", (x + 1) ** 2, x**2 + 2*x + 1),
                              holds("a bill of $5 stays text", True, "5 dollars")])),
]
'''


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex not installed")
def test_fact_labels_are_text_with_inline_math(tmp_path):
    """Issue #15: a label's $...$ is mathematics, the rest text (a bare ^
    prints as ^); an unpaired $ is printed, in the book and the terminal, and
    cannot swallow the page (the loader takes it: a label is the user's words)."""
    notes = tmp_path / "labels.py"
    notes.write_text(LABELS)
    out = run("all", "--notes", str(notes), "--out", str(tmp_path / "out"))
    assert out.returncode == 0 and "no overfull box" in out.stdout, out.stdout + out.stderr
    tex = (tmp_path / "out" / "labels.tex").read_text()
    assert r"\item the square is exact for degree \(\le 2\) (eps\textasciicircum{}2 in words): " in tex
    assert r"\item a bill of \$5 stays text: " in tex
    words = subprocess.run(["pdftotext", str(tmp_path / "out" / "derive.pdf"), "-"], capture_output=True,
                           text=True).stdout if shutil.which("pdftotext") else "eps^2 a bill of $5"
    assert ("eps^2" in words or "eps\u02c62" in words) and "a bill of $5" in words  # ^ as TeX's text circumflex
    shown = run("show", "--notes", str(notes), "labels").stdout
    assert "ok   the square is exact for degree ≤ 2 (eps^2 in words): (1 + x)² = 1 + x² + 2·x (expansion)" in shown
    assert "ok   a bill of $5 stays text: 5 dollars" in shown
