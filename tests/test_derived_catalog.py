"""The catalog derives itself: every Gradient record's scalar, read into the
language (derive.verification.fromsympy), differentiated by derive.grad, and each
gradient proved equal to the notes' claimed form (check `derived`)."""
import functools

import pytest
import sympy as sp

import derive
import derive.catalog
from derive.verification import fromsympy, statements
from derive.maths import language as L
from derive.matrix import mexpr
from derive.verification.engine import Unsupported
from derive.maths.functions import f, fprime, sigmoid
from derive.matrix.mexpr import apply, hadamard
from derive.records import Gradient, Result, Verdict
from derive.records import PROOF

GRADIENTS = [r for r in derive.results() if isinstance(r.how, Gradient)]
IDS = [r.id for r in GRADIENTS]


def _parts(h):
    """(scalar, claims) as the record builds them (not indexed: [0, 0] of a
    1 x 1 product would expand it into Sums)."""
    return [(s, c) for s, (_, _, c, _) in zip(statements.losses(h), statements.parts(h))]


@functools.lru_cache(maxsize=None)
def derived_check(rid):
    return derive.catalog.run_check(derive.result(rid), "derived")


def test_every_gradient_has_a_derived_proof_check():
    for r in GRADIENTS:
        kinds = {n: k for n, k, _ in derive.catalog.plan(r)}
        assert kinds.get("derived") == PROOF, r.id


def test_no_other_kind_has_one():
    for r in derive.results():
        if not isinstance(r.how, Gradient):
            assert "derived" not in [n for n, _, _ in derive.catalog.plan(r)], r.id


@pytest.mark.parametrize("rid", IDS)
def test_derived_check_passes(rid):
    c = derived_check(rid)
    assert c.ok, c.detail
    assert c.detail.startswith("derive.grad: ")
    assert "proved equal to the notes' form" in c.detail
    assert c.shown and all(r"\begin{aligned}" in m for m in c.shown)


@pytest.mark.parametrize("rid", IDS)
def test_round_trip(rid):
    """text(to_tree(scalar)) parses back to the same tree, of a scalar shape; a loss
    written in the language prints and parses back to the same tree."""
    h = derive.result(rid).how
    if h.loss is not None:
        for tree, _ in statements.text_parts(h):
            assert L.is_scalar(tree.shape)
            assert L.parse(L.text(tree), statements.shapes(h)) == tree
        return
    shapes = fromsympy.shapes(h.shapes)
    for scalar, _ in _parts(h):
        tree = fromsympy.to_tree(scalar, h.shapes)
        assert L.is_scalar(tree.shape)
        assert L.parse(L.text(tree), shapes) == tree


def test_textbook_forms():
    """What derive.grad derives for the notes' central results."""
    d = derived_check("window-score-gradients").detail
    assert "W: delta @ x.T" in d and "x: W.T @ delta" in d and "delta = v * fprime(z)" in d
    assert "theta: softmax(theta) - y" in derived_check("softmax-ce-gradient").detail
    assert "z: sigmoid(z) - y" in derived_check("bce-sigmoid-delta").detail


def test_ones_read_as_sums_and_broadcasting():
    V = mexpr.variables({"W": ("k", "n"), "A": ("n", "m"), "b": ("k", 1), "D": ("k", "m"), "c": ()})
    shapes = {"W": ("k", "n"), "A": ("n", "m"), "b": ("k", 1), "D": ("k", "m"), "c": ()}
    Z = V.W * V.A + V.b * mexpr.ones(1, "m")
    total = mexpr.ones("k").T * hadamard(V.D, Z) * mexpr.ones("m")
    assert fromsympy.to_text(total, shapes) == "sum((W @ A + b) * D)"  # SymPy orders the factors
    assert fromsympy.to_text(mexpr.ones("k").T * V.D, shapes) == "sum(D, axis=0)"
    assert fromsympy.to_text(V.D * mexpr.ones("m"), shapes) == "sum(D, axis=1)"
    assert fromsympy.to_text(mexpr.ones("k", "m") - V.c * V.D, shapes) == "1 - c * D"
    # outside an elementwise operation a ones matrix stays one
    assert fromsympy.to_text(V.b * mexpr.ones(1, "m"), shapes) == "b @ ones(1, m)"


def test_transposes_are_read_back():
    """SymPy stores r.T @ r with the transpose pushed inside r: read back as one r."""
    V = mexpr.variables({"theta": ("n", 1), "X": ("n", "m"), "y": (1, "m")})
    r = V.theta.T * V.X - V.y
    text = fromsympy.to_text(r * r.T, {"theta": ("n", 1), "X": ("n", "m"), "y": (1, "m")})
    assert text == "(theta.T @ X - y) @ (theta.T @ X - y).T"


def test_function_names_are_renamed_and_restored():
    """A record built in SymPy may name a variable like a function of the language (g): derive.grad
    works on g_ and the answer is given back in the record's names."""
    how = Gradient(shapes={"zL": ("m", 1), "g": ("m", 1)},
                   build=lambda V: (V.g.T * apply(f, V.zL), {"zL": hadamard(V.g, apply(fprime, V.zL))}),
                   forward=lambda F, zL, g: g.T @ F.sigmoid(zL), sizes=({"m": 2},))
    r = Result(id="bp1", seed="000", section="4.2", title="BP1", statement="", how=how)
    c = derive.catalog.run_check(r, "derived")
    assert "g as g_ in the language" in c.detail
    assert "zL: g * fprime(zL)" in c.detail          # the record's own name in the answer
    tex = "".join(c.shown)
    assert "g_" not in tex and r"\mathbf{g}" in tex


def test_unsupported_construct_is_named():
    V = mexpr.variables({"W": ("h", "n")})
    with pytest.raises(Unsupported, match="indexing"):
        fromsympy.to_tree(V.W[0, 1] * 2, {"W": ("h", "n")})
    with pytest.raises(Unsupported, match="Piecewise"):
        fromsympy.to_tree(sp.Piecewise((1, sp.Symbol("x", real=True) > 0), (0, True)), {"x": ()})
    with pytest.raises(Unsupported, match="symbol q"):
        fromsympy.to_tree(sp.Symbol("q") * 2, {"x": ()})


def _window(claim_W=None, claim_x=None):
    def build(V):
        z = V.W * V.x + V.b
        delta = hadamard(V.v, apply(fprime, z))
        return V.v.T * apply(f, z), {"W": claim_W(V, z, delta) if claim_W else delta * V.x.T,
                                      "x": claim_x(V, z, delta) if claim_x else V.W.T * delta}
    return Result(id="test-window", seed="001", section="", title="test", statement="", how=Gradient(
        shapes={"W": ("h", "n"), "x": ("n", 1), "b": ("h", 1), "v": ("h", 1)}, build=build,
        forward=lambda F, W, x, b, v: v.T @ F.sigmoid(W @ x + b), sizes=({"h": 3, "n": 2},)))


def test_the_right_claim_passes():
    c = derive.catalog.run_check(_window(), "derived")
    assert c.ok, c.detail


def test_a_wrong_claim_fails():
    """f for f' in delta: same shape, wrong value."""
    c = derive.catalog.run_check(_window(claim_x=lambda V, z, delta: V.W.T * hadamard(V.v, apply(f, z))), "derived")
    assert not c.ok
    assert c.detail.startswith("d/dx: derive.grad gives W.T @ delta") and "not shown equal" in c.detail


def test_a_transposed_factor_fails():
    """x delta^T for delta x^T (the layout slip of the notes)."""
    c = derive.catalog.run_check(_window(claim_W=lambda V, z, delta: V.x * delta.T), "derived")
    assert not c.ok
    assert "d/dW" in c.detail and "not shown equal" in c.detail


def test_a_result_that_justifies_a_rule_is_not_derived_through_it():
    """A record proving sigma' may not pass by derive.grad applying the rule for sigma."""
    r = Result(id="test-circular", seed="001", section="", title="test", statement="", justifies=(sigmoid,),
               how=Gradient(shapes={"x": ()}, build=lambda V: (sigmoid(V.x), {"x": sigmoid(V.x) * (1 - sigmoid(V.x))}),
                            forward=lambda F, x: F.sigmoid(x)))
    c = derive.catalog.run_check(r, "derived")
    assert not c.ok and "circular" in c.detail
    # the catalog's own sigmoid-derivative differentiates the definition: no rule for sigma is used
    good = derived_check("sigmoid-derivative")
    assert good.ok and "sigmoid" not in good.detail.split(";")[0]


def test_report_shows_the_derived_forms():
    from derive.render.report import result_tex
    r = derive.result("window-score-gradients")
    tex = result_tex(r, Verdict(r.id, r.expected, [derived_check(r.id)]))
    assert r"\subsection*{Derived}" in tex and r"\frac{\partial f}{\partial \mathbf{W}}" in tex


def test_traces_and_determinants():
    V = mexpr.variables({"A": ("n", "n"), "B": ("n", "n")})
    shapes = {"A": ("n", "n"), "B": ("n", "n")}
    assert fromsympy.to_text(sp.Trace(V.A * V.B.T), shapes) == "trace(A @ B.T)"
    assert fromsympy.to_text(sp.log(sp.Determinant(V.A)), shapes) == "log(det(A))"
