"""The command line: verdict lines, exit codes, reproducible atomic reports."""
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import derive
import derive.catalog
from derive.cli import main


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "derive", *args], capture_output=True, text=True, cwd=cwd)


def test_unknown_id_exit_2_with_close_matches(tmp_path):
    p = run("show", "softmax-ce-gradiant")
    assert p.returncode == 2 and "softmax-ce-gradient" in p.stderr


def test_bad_arguments_exit_2_and_write_nothing(tmp_path, capsys):
    assert main(["frobnicate"]) == 2
    target = tmp_path / "file"
    target.write_text("x")
    assert main(["all", "--out", str(target)]) == 2  # --out is a file
    assert target.read_text() == "x"
    assert main(["check", "no-such-result"]) == 2


def test_list_shows_every_entry(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    for r in derive.results():
        assert r.id in out


def test_list_has_fixed_columns_within_100_characters(capsys):
    assert main(["list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(derive.results()) + 1  # a header, then one line per entry
    assert max(len(ln) for ln in lines) <= 100
    # each column starts where the header's does, whatever the id's length
    head = lines[0]
    for name in ("kind", "seed", "section", "title"):
        at = head.index(name)
        assert all(ln[at - 1] == " " and ln[at] != " " for ln in lines[1:]), name
    kinds = {ln[head.index("kind"):].split()[0] for ln in lines[1:]}
    assert kinds == {"result", "mistake"}


@pytest.mark.parametrize("typed, first", [("softmax-ce-gradiant", "softmax-ce-gradient"),
                                          ("sigmoid", "sigmoid-"), ("window", "window-score-gradients"),
                                          ("Softmax-CE-Gradient", "softmax-ce-gradient")])
def test_did_you_mean_puts_the_closest_id_first(typed, first, capsys):
    assert main(["show", typed]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1
    assert err.split("did you mean ")[1].startswith(first), err


def test_check_ends_with_a_summary_and_v_prints_each_detail(monkeypatch, capsys):
    monkeypatch.setenv("DERIVE_JOBS", "1")
    ids = ["sigmoid-derivative", "mistake-dh-dz"]
    assert main(["check", *ids]) == 0
    quiet = capsys.readouterr().out.splitlines()
    assert quiet[-1].startswith(f"{len(ids)} results: {len(ids)} as expected, 0 failed")
    assert len(quiet) == len(ids) + 1  # no detail when every check is ok
    assert main(["check", "-v", *ids]) == 0
    loud = capsys.readouterr().out.splitlines()
    names = [name for i in ids for name, _, _ in derive.catalog.plan(derive.result(i))]
    details = [ln.split() for ln in loud if ln.startswith("    ")]
    assert [d[0] for d in details] == names                  # a line per check, in order
    assert all(d[2] == "ok" and len(d) > 3 for d in details)  # each with its detail
    assert loud[-1].startswith(f"{len(ids)} results:")


def test_show_prints_plain_text_statement_derivation_and_verdict(monkeypatch, capsys):
    monkeypatch.setenv("DERIVE_JOBS", "1")
    r = derive.result("softmax-ce-gradient")
    assert main(["show", r.id]) == 0
    out = capsys.readouterr().out
    assert "\\" not in out and "$" not in out and "\\frac" not in out  # no LaTeX left
    assert out.startswith(f"{r.id}: {r.title}")
    assert "∂s/∂θ = " in out and "softmax(θ)" in out         # Unicode math, from the expressions
    assert "verdict: proved" in out
    for name, _, _ in derive.catalog.plan(r):
        assert any(ln.split()[:1] == [name] and "ok" in ln for ln in out.splitlines()), name
    (d,) = r.steps
    reasons = [ln for ln in out.splitlines() if ln.strip().startswith("[") and ln.strip().endswith("]")]
    assert len(reasons) == len(d.steps)                       # each step with its reason
    assert "one-hot y" in out                                 # a reason, read from $...$


def test_show_a_mistake_gives_the_counterexample_and_the_correction(monkeypatch, capsys):
    monkeypatch.setenv("DERIVE_JOBS", "1")
    r = derive.result("mistake-dh-dz")
    assert main(["show", r.id]) == 0
    out = capsys.readouterr().out
    assert "verdict: refuted" in out
    line = next(ln for ln in out.splitlines() if ln.startswith("counterexample:"))
    assert "z = " in line                                     # the point where it fails
    fix = next(ln for ln in out.splitlines() if ln.startswith("correction:"))
    assert r.how.correct in fix and "σ(z)" in fix
    assert main(["show", "--latex", r.id]) == 0
    assert capsys.readouterr().out.startswith("\\section{")


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    a, b = tmp_path_factory.mktemp("a"), tmp_path_factory.mktemp("b")
    pa = run("all", "--out", str(a), "--no-pdf")
    pb = run("all", "--out", str(b), "--no-pdf")
    return pa, pb, a, b


def test_all_prints_a_line_per_result_and_succeeds(two_runs):
    pa, _, a, _ = two_runs
    assert pa.returncode == 0, pa.stdout + pa.stderr
    for r in derive.results():
        assert r.id in pa.stdout
        assert (a / f"{r.id}.tex").exists()
    assert (a / "derive.tex").exists()


def test_reports_are_byte_identical_across_runs(two_runs):
    _, _, a, b = two_runs
    names = sorted(p.name for p in a.glob("*.tex"))
    assert names == sorted(p.name for p in b.glob("*.tex"))
    for n in names:
        assert (a / n).read_bytes() == (b / n).read_bytes(), n


def test_interrupted_write_leaves_previous_file(tmp_path, monkeypatch):
    from derive.render import report
    target = tmp_path / "x.tex"
    report.write_atomic(target, "old")

    class Boom(Exception):
        pass

    def explode(*a, **k):
        raise Boom

    monkeypatch.setattr(report.os, "replace", explode)
    with pytest.raises(Boom):
        report.write_atomic(target, "new")
    assert target.read_text() == "old"
    assert not [p for p in tmp_path.iterdir() if p.name != "x.tex"]


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex not installed")
def test_pdf_compiles_without_errors(two_runs):
    _, _, a, _ = two_runs
    from derive.render.report import build_pdf
    pdf, msg = build_pdf(Path(a))
    assert pdf is not None and pdf.exists(), msg
    assert "warnings" not in msg, msg


def test_a_broken_derivation_step_fails_the_build_naming_it(monkeypatch, capsys, tmp_path):
    """Break one step of the notes' route to y_hat - y (drop -y_p): the
    derivation check fails, the build exits 1 and names the step."""
    import dataclasses

    from derive.records import Step
    r = derive.result("softmax-ce-gradient")
    (d,) = r.steps
    broken = list(d.steps)
    expr = broken[3].expr                                   # -y_p + e^{theta_p} / S
    minus_y = next(a for a in expr.args if a.could_extract_minus_sign())
    broken[3] = Step(expr - minus_y, broken[3].reason)      # the -y_p term dropped
    edited = dataclasses.replace(r, steps=(dataclasses.replace(d, steps=tuple(broken)),))
    monkeypatch.setitem(derive.catalog._BY_ID, r.id, edited)  # records are frozen: the catalog's entry is replaced
    monkeypatch.setattr(derive.catalog, "ALL", [edited if x.id == r.id else x for x in derive.catalog.ALL])
    monkeypatch.setenv("DERIVE_JOBS", "1")
    assert main(["check", "softmax-ce-gradient"]) == 1
    out = capsys.readouterr().out
    assert "FAILED" in out and "derivation FAIL" in out
    # the step's reason, read from LaTeX into plain text
    assert "step 4 of the derivation of" in out and "cases i = p (1) and i ≠ p (0)" in out
    assert out.rstrip().splitlines()[-1].startswith("1 result: 0 as expected, 1 failed")
    monkeypatch.setenv("DERIVE_JOBS", "2")  # the forked workers see the broken step too
    assert main(["all", "--out", str(tmp_path), "--no-pdf"]) == 1
    assert "step 4 of the derivation of" in capsys.readouterr().out


def test_result_displays_as_latex_in_jupyter():
    shown = derive.show("softmax-ce-gradient")._repr_latex_()
    assert shown.startswith("$") and r"\operatorname{softmax}" in shown


WINDOW = ["grad", "v.T @ sigmoid(W @ x + b)", "--wrt", "W", "--wrt", "x",
          "--shape", "v=h,1", "--shape", "W=h,n", "--shape", "x=n,1", "--shape", "b=h,1"]


def test_grad_prints_names_answer_steps_and_verdict(capsys):
    assert main(WINDOW) == 0
    out = capsys.readouterr().out
    for line in ("z = W @ x + b", "delta = v * sigmoid(z) * (1 - sigmoid(z))", "d f / d W = delta @ x.T",
                 "d f / d x = W.T @ delta", "steps for W:", "proved: v.T @ sigmoid(W @ x + b)"):
        assert line in out
    assert "FAIL" not in out


@pytest.mark.parametrize("expr, words", [
    ("v.T @ sigmoid(W @ x + b", "column"),          # syntax error
    ("v.T @ frob(W @ x + b)", "unknown function frob"),
    ("v.T @ sigmoid(W @ v + b)", "(h, n) and (h, 1)"),  # shapes that do not fit
])
def test_grad_rejects_text_outside_the_language_with_exit_2(expr, words, capsys, tmp_path):
    tex = tmp_path / "out.tex"
    assert main(["grad", expr, *WINDOW[2:], "--tex", str(tex)]) == 2
    err = capsys.readouterr().err
    assert words in err and "derive: error:" in err
    assert not tex.exists()


def test_grad_tex_is_a_standalone_document_that_compiles(tmp_path, capsys):
    tex = tmp_path / "window.tex"
    assert main([*WINDOW, "--tex", str(tex)]) == 0
    assert tex.read_text().startswith(r"\documentclass")
    if shutil.which("pdflatex") is None:
        pytest.skip("no pdflatex")
    p = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", tex.name],
                       cwd=tmp_path, capture_output=True, text=True)
    assert p.returncode == 0, p.stdout[-2000:]
    assert (tmp_path / "window.pdf").exists()


def test_grad_tex_into_a_missing_directory_exits_2(tmp_path, capsys):
    assert main([*WINDOW, "--tex", str(tmp_path / "no" / "x.tex")]) == 2
    assert "does not exist" in capsys.readouterr().err
