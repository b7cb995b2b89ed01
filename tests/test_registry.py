"""Every registry entry, each of its checks, parametrized over the registry."""
import pytest

import derive
import derive.catalog
from derive.verification.checks import mistake_spec

IDS = [r.id for r in derive.results()]
CHECKS = {r.id: [name for name, _, _ in derive.catalog.plan(r)] for r in derive.results()}
CASES = [(i, c) for i in IDS for c in CHECKS[i]]


@pytest.mark.parametrize("rid,check", CASES, ids=[f"{i}:{c}" for i, c in CASES])
def test_check(verdict, rid, check):
    v = verdict(rid)
    (c,) = [c for c in v.checks if c.name == check]
    assert c.ok, c.detail


@pytest.mark.parametrize("rid", IDS)
def test_verdict_status(verdict, rid):
    v = verdict(rid)
    assert v.ok
    assert v.status == ("refuted" if derive.result(rid).is_mistake else "proved")


def test_proof_kinds_are_labelled(verdict):
    v = verdict("window-score-gradients")
    kinds = {c.name: c.kind for c in v.checks}
    assert kinds == {"symbolic": "proof", "derivation": "proof", "derived": "proof", "concrete": "proof",
                     "numeric": "evidence"}


def test_core_results_present():
    core = {"sigmoid-derivative", "softmax-shift-invariance", "softmax-ce-gradient",
            "window-score-gradients", "two-layer-delta-recursion", "backprop-four-equations"}
    assert core <= set(IDS)


def test_unknown_id_names_close_matches():
    with pytest.raises(KeyError, match="window-score-gradients"):
        derive.result("window-score-gradient")


# The catalog (../shared/RESULTS.md), typed in by hand: every row must be an entry.
CATALOG_RESULTS = """
gradient-example jacobian-example scalar-chain-rule jacobian-chain-rule layer-forward elementwise-jacobian
hadamard-jacobian scalar-expansion sum-reduction neuron-gradient mse-relu-neuron gradient-descent sgd-batches
node-error backprop-four-equations softmax-shift-invariance sigmoid-derivative softmax-ce-gradient
cross-entropy-example softmax-jacobian sigmoid-is-two-class-softmax two-layer-input-gradient parameter-count
softmax-classifier window-score-gradients max-margin-gradient two-layer-delta-recursion multivariate-chain-rule
gradient-check least-squares-gradient l2-regularization skip-gram-gradients glove-gradient output-layer-mse
hidden-layer-delta bce-sigmoid-delta sigmoid-saturation derivative-rules partial-derivatives difference-quotient
bce-layer-backward logistic-regression-batched batched-backprop multivariate-chain-rule-example trig-cancellation
""".split()
# the catalog's 13 mistakes, by where they are: (seed, words of our title)
CATALOG_MISTAKES = [("000", "−sin x"), ("001", "σ(1 − z)"), ("001", "transposes missing"), ("001", "δWᵀ"),
                    ("001", "(W₂δ₃) ∘ f′(z₁)"), ("001", "σ(θ)(1 − σ(θ))"),
                    ("001", "σ′(x) = −σ(x)"), ("001", "∂f/∂x + ∂f/∂y"), ("001", "ascends"),
                    ("001", "ε = 10⁻⁹"), ("003", "(1/x²) 2ˣ"), ("004", "shape (m, 1)"), ("004", "1/m")]


def test_every_catalog_row_is_an_entry():
    assert len(CATALOG_RESULTS) == 45
    missing = sorted(set(CATALOG_RESULTS) - set(IDS))
    assert not missing
    for seed, words in CATALOG_MISTAKES:
        assert any(r.is_mistake and r.seed == seed and words in r.title for r in derive.results()), (seed, words)
    assert sum(r.is_mistake for r in derive.results()) >= 13


def test_every_mistake_points_to_a_proved_result():
    for r in derive.results():
        if r.is_mistake:
            target = derive.result(r.how.correct)
            assert not target.is_mistake and target.seed <= "004"
            assert r.written and mistake_spec(r.how).get("corrected") is not None


def test_readme_tables_name_every_entry():
    from pathlib import Path
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    missing = [i for i in IDS if f"`{i}`" not in readme]
    assert not missing, f"README tables lack {missing}"
