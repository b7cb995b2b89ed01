"""Every registry entry, each of its checks, parametrized over the registry."""
import pytest

import derive

IDS = [r.id for r in derive.results()]
CHECKS = {r.id: (["refutation", "correction"] if r.is_mistake else ["symbolic", "concrete", "numeric"])
          for r in derive.results()}
CASES = [(i, c) for i in IDS for c in CHECKS[i]]


@pytest.mark.parametrize("rid,check", CASES, ids=[f"{i}:{c}" for i, c in CASES])
def test_check(verdict, rid, check):
    v = verdict(rid)
    found = [c for c in v.checks if c.name == check]
    if not found and check == "concrete" and not derive.result(rid).is_mistake:
        pytest.skip("no concrete check for this kind")
    (c,) = found
    assert c.ok, c.detail


@pytest.mark.parametrize("rid", IDS)
def test_verdict_status(verdict, rid):
    v = verdict(rid)
    assert v.ok
    assert v.status == ("refuted" if derive.result(rid).is_mistake else "proved")


def test_proof_kinds_are_labelled(verdict):
    v = verdict("window-score-gradients")
    kinds = {c.name: c.kind for c in v.checks}
    assert kinds == {"symbolic": "proof", "concrete": "proof", "numeric": "evidence"}


def test_core_results_present():
    core = {"sigmoid-derivative", "softmax-shift-invariance", "softmax-ce-gradient",
            "window-score-gradients", "two-layer-delta-recursion", "backprop-four-equations"}
    assert core <= set(IDS)


def test_unknown_id_names_close_matches():
    with pytest.raises(KeyError, match="window-score-gradients"):
        derive.result("window-score-gradient")
