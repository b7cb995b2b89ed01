"""Each hole the audit found, re-opened on purpose in a copy of the code: the
tests aimed at it must go red.  A mutant whose text is no longer in the
code fails here too, so the harness cannot silently stop testing anything.
(tests/mutate.py is the broad sweep, run by hand.)"""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
S = "tests/test_soundness.py::"

# (name, file, text as it is, text of the hole, tests that must fail)
MUTANTS = [
    ("forced log/power rewrites", "derive/matrix/prove.py",
     "sp.expand_log(sp.powsimp(expand(rest)))",
     "sp.expand_log(sp.powsimp(expand(rest), force=True), force=True)",
     [S + "test_no_proof_of_a_false_identity"]),
    ("complex symbols substituted by x = log e", "derive/matrix/prove.py",
     "not s.is_integer and _is_real(s)", "not s.is_integer",
     [S + "test_no_proof_of_a_false_identity"]),
    ("exp(-a) taken for exp(a)", "derive/matrix/prove.py",
     "k, base = -k, -base", "base = -base",
     [S + "test_no_proof_of_a_false_identity"]),
    ("integers never sampled", "derive/matrix/prove.py",
     "    for s in symbols:\n        pool = _pool(s, positive)",
     "    for s in [s for s in symbols if not s.is_integer]:\n        pool = _pool(s, positive)",
     [S + "test_search_samples_integer_symbols"]),
    ("absolute 1e-30 threshold", "derive/matrix/prove.py",
     "    if not _significant(d60):\n        return False", '    if abs(d60) < sp.Float("1e-30", 30):\n        return False',
     [S + "test_tiny_but_nonzero_difference_is_a_counterexample"]),
    ("bound index named like a free one", "derive/maths/indexform.py",
     "return BoundIndex(name, integer=True)", "return sp.Symbol(name, integer=True)",
     [S + "test_bound_index_cannot_capture_a_free_one"]),
    ("bounds left out of the key", "derive/maths/indexform.py",
     "key = (tuple(_srepr(lim) for lim in limits),", "key = (tuple(_srepr(lim[0]) for lim in limits),",
     [S + "test_sum_bounds_are_part_of_the_normal_form"]),
    ("last pair of a derivation unchecked", "derive/verification/steps.py",
     "for i in range(1, len(d.steps)):", "for i in range(1, len(d.steps) - 1):",
     [S + "test_l2_regularization_without_its_factor_two_fails_verify"]),
    ("delta collapsed whatever its range", "derive/maths/indexform.py",
     "if v in d.args[:2] and d.delta_range == (lo, hi):", "if v in d.args[:2]:",
     [S + "test_kronecker_delta_collapses_only_over_its_range"]),
    ("sum-to-one rule with other users of the index", "derive/maths/indexform.py",
     "if len(users) == 1 and not nested and matches(users[0], bv):",
     "if users and not nested and matches(users[-1], bv):",
     [S + "test_sums_to_one_rule_needs_the_index_alone_in_its_factor"]),
    ("a matrix zero when one entry is", "derive/matrix/prove.py",
     "return None if any(m is None for m in methods)", "return None if all(m is None for m in methods)",
     [S + "test_a_matrix_is_zero_only_when_every_entry_is"]),
    ("concrete check of entry [0, 0] only", "derive/verification/checks.py",
     "d = ve.applyfunc(lambda x: derivative(se, x)) - cle",
     "d = sp.Matrix([(ve.applyfunc(lambda x: derivative(se, x)) - cle)[0, 0]])",
     [S + "test_concrete_check_sees_an_error_off_entry_zero"]),
    ("product rule missing its first term", "derive/maths/calculus.py",
     "for k, da in ((k, d(a)) for k, a in enumerate(args)) if da != 0])",
     "for k, da in ((k, d(a)) for k, a in enumerate(args)) if da != 0 and k > 0])",
     ["tests/test_calculus.py::test_random_expressions_differentiate_as_sympy_does"]),
    ("an entry's delta on the wrong index", "derive/maths/calculus.py",
     "sp.KroneckerDelta(e.indices[1], x.indices[1], (0, n - 1))",
     "sp.KroneckerDelta(e.indices[1], x.indices[0], (0, n - 1))",
     ["tests/test_calculus.py::test_index_level_rules"]),
    ("expansion that skips a node's children", "derive/maths/expansion.py",
     'if getattr(expr, "args", ()) and not expr.is_Atom:', "if False:",
     ["tests/test_expansion.py::test_random_expressions_expand_as_sympy_does"]),
    ("sigma^2 reduced with the wrong sign", "derive/maths/indexform.py",
     "s ** (k - 2) * (s - fn.dsigmoid(s.args[0]))", "s ** (k - 2) * (s + fn.dsigmoid(s.args[0]))",
     ["tests/test_dag.py::test_sigma_prime_normal_form_is_equal_and_canonical"]),
    ("sigma' contracted whatever the arguments", "derive/maths/indexform.py",
     "(lambda s: _opaque(s, \"c\"))", "(lambda s: 0)",
     ["tests/test_dag.py::test_sigma_prime_is_kept_whole_through_layers"]),
    ("sum limits reordered though one range depends on another index", "derive/maths/indexform.py",
     "    if any((lo.free_symbols | hi.free_symbols) & names for _, lo, hi in term.bound):\n        return [tuple(range(n))]",
     "    pass",
     ["tests/test_dag.py::test_dependent_ranges_keep_their_order"]),
    ("a DAG walk that stops at the first node of a kind", "derive/maths/dag.py",
     "    return {n for n in nodes(*es) if isinstance(n, types)}",
     "    return {next((n for n in nodes(*es) if isinstance(n, types)), None)} - {None}",
     ["tests/test_dag.py::test_dag_walks_answer_as_sympy_does"]),
    ("a monomial's exponents not added", "derive/maths/rational.py",
     "v = d.get(g, 0) + k", "v = k",
     ["tests/test_rational.py::test_what_it_decides"]),
    ("numeric check against itself", "derive/verification/checks.py",
     "_, bp = independent.grad(loss, *[vals[n] for n in wrt])", "bp = got",
     [S + "test_numeric_check_compares_with_the_independent_backprop"]),
    ("numeric-range sums collapsed to their first term", "derive/maths/indexform.py",
     "if hi - lo == 0:", "if (hi - lo).is_number:",
     [S + "test_one_term_sums_only_when_the_range_has_one_term"]),
    ("scalar variable claim not shape-checked", "derive/verification/checks.py",
     "elif _not_scalar(cl):", "elif False:",
     [S + "test_scalar_variable_claimed_as_a_row_fails"]),
    ("route not tied to its result", "derive/verification/checks.py",
     "if r.steps:\n            ends", "if False:\n            ends",
     [S + "test_a_route_of_another_result_fails"]),
    ("repeated steps accepted", "derive/verification/steps.py",
     "if d.steps[i].expr == d.steps[i - 1].expr:", "if False:",
     [S + "test_repeated_steps_are_an_error"]),
    ("route through the rule it proves", "derive/verification/steps.py",
     "used = [f for f in forbid if x.expr.has(f)]", "used = []",
     [S + "test_a_route_through_the_rule_it_proves_is_circular"]),
    ("matrix claims without sizes refuted", "derive/matrix/prove.py",
     "if not unknown:", "if True:",
     [S + "test_matrix_claim_without_sizes_is_judged_at_symbolic_sizes"]),
    ("correction not tied to its result", "derive/verification/checks.py",
     "    if tied is None:\n", "    if False:\n",
     [S + "test_a_correction_pointing_at_an_unrelated_result_fails"]),
    ("shape and branch checks ignored on the CLI's path", "derive/verification/checks.py",
     "identity_symbolic)(h, main=False)\n    if not ok:",
     "identity_symbolic)(h, main=False)\n    if False:",
     [S + "test_the_symbolic_check_itself_refuses_a_scalar_claimed_as_a_row"]),
    ("restated steps counted as argued", "derive/verification/checks.py",
     "restated += not carries", "restated += carries",
     [S + "test_argued_steps_are_counted_exactly"]),
    ("identity numeric tolerance loosened", "derive/verification/checks.py",
     "return err <= 1e-12, f\"float64: generated rhs", "return err <= 1.0, f\"float64: generated rhs",
     [S + "test_identity_numeric_check_sees_a_small_error"]),
    ("a step compared with the one two before", "derive/verification/steps.py",
     "ev = evaluate(d.steps[i - 1].expr, forbid)", "ev = evaluate(d.steps[i - 2].expr, forbid)",
     [S + "test_every_step_is_compared_with_the_one_before"]),
    ("identity proved by nothing beside its route", "derive/verification/checks.py",
     "if not main:  # the derivation chain proves the claim (_symbolic)",
     "if main:  # the derivation chain proves the claim (_symbolic)",
     [S + "test_identity_numeric_check_sees_a_small_error"]),
    ("identity checked in row 0 only", "derive/verification/checks.py",
     "idx = tuple(sp.Integer(0) if s == 1 else sp.Symbol(c, integer=True, nonnegative=True)\n                    for s, c in zip(lhs.shape, \"pq\"))\n        d, scope",
     "idx = tuple(sp.Integer(0) if s != 1 else sp.Symbol(c, integer=True, nonnegative=True)\n                    for s, c in zip(lhs.shape, \"pq\"))\n        d, scope",
     [S + "test_identity_symbolic_check_sees_an_error_off_row_zero"]),
    ("sizes only as derive's own symbols", "derive/matrix/mexpr.py",
     "if isinstance(s, sp.Symbol) and s.name in sizes}", "if s.is_integer and s.is_positive and s.name in sizes}",
     [S + "test_plain_symbol_sizes"]),
]


def _run(name, path, old, new, tests, tmp):
    for d in ("derive", "checks", "tests"):
        shutil.copytree(ROOT / d, tmp / d, ignore=shutil.ignore_patterns("__pycache__"))
    src = (ROOT / path).read_text()
    assert src.count(old) == 1, f"mutant {name!r}: its text is no longer (or not once) in {path}"
    (tmp / path).write_text(src.replace(old, new))
    env = dict(os.environ, PYTHONPATH=str(tmp), PYTHONDONTWRITEBYTECODE="1")
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *tests],
                          cwd=tmp, env=env, capture_output=True, text=True, timeout=600)


@pytest.mark.parametrize("name,path,old,new,tests", MUTANTS, ids=[m[0] for m in MUTANTS])
def test_mutant_is_killed(name, path, old, new, tests, tmp_path):
    out = _run(name, path, old, new, tests, tmp_path)
    assert out.returncode == 1, f"mutant {name!r} survived (exit {out.returncode}):\n{out.stdout[-2000:]}"


def test_named_mutants_are_live():
    """The unmutated copy passes the same tests (so a kill means the mutant)."""
    for name, path, old, _, _ in MUTANTS:
        assert (ROOT / path).read_text().count(old) == 1, (name, path)


def test_harness_runs_the_copy(tmp_path):
    out = _run("identity", "derive/matrix/prove.py", "def zero_by(", "def zero_by(", [S + "test_plain_symbol_sizes"], tmp_path)
    assert out.returncode == 0, out.stdout[-2000:]
    probe = subprocess.run([sys.executable, "-c", "import derive, sys; print(derive.__file__)"], cwd=tmp_path,
                           env=dict(os.environ, PYTHONPATH=str(tmp_path)), capture_output=True, text=True)
    assert probe.stdout.startswith(str(tmp_path)), probe.stdout
