"""Elementwise functions of the notes as SymPy functions with known derivatives.

Each is a ``sympy.Function`` whose ``fdiff`` gives its derivative, so SymPy's
``diff`` differentiates through them without ever expanding a definition.
That derivative is itself a result the registry proves from the definition
(sigmoid-derivative proves ``sigmoid.fdiff`` from 1/(1 + e^{-x})), so no rule
here is trusted unproved.  ``rewrite(sp.exp)`` gives the definition.

``f``/``fprime`` stand for "any differentiable activation": a proof with them
holds for every choice; numeric checks substitute a concrete one.
"""
from __future__ import annotations

import sympy as sp

from derive.maths import dag


class sigmoid(sp.Function):
    """sigma(x) = 1 / (1 + e^{-x})."""

    def fdiff(self, argindex=1):
        s = sigmoid(self.args[0])
        return s * (1 - s)

    @classmethod
    def eval(cls, x):
        if x == 0:  # structural test: assumption queries on large sums cost seconds
            return sp.Rational(1, 2)

    def _eval_rewrite_as_exp(self, x, **kwargs):
        return 1 / (1 + sp.exp(-x))

    def _eval_evalf(self, prec):
        return self.rewrite(sp.exp)._eval_evalf(prec)

    def _eval_is_positive(self):
        return self.args[0].is_extended_real


class dsigmoid(sp.Function):
    """sigma'(x) = sigma(x)(1 - sigma(x)), one atom.  The index normal form
    keeps the product whole: expanded, the sigma' of k layers of a network
    would be 2^k terms.  Never produced by differentiation (sigmoid.fdiff
    is the product), only by :func:`derive.maths.indexform.contract`."""

    def fdiff(self, argindex=1):
        s = sigmoid(self.args[0])
        return s * (1 - s) * (1 - 2 * s)

    def _eval_rewrite_as_exp(self, x, **kwargs):
        s = 1 / (1 + sp.exp(-x))
        return s * (1 - s)

    def _eval_evalf(self, prec):
        return self.rewrite(sp.exp)._eval_evalf(prec)


def unfold(expr):
    """Every sigma'(u) written out as sigma(u)(1 - sigma(u))."""
    if not dag.has(dsigmoid, expr):
        return expr
    return dag.rebuild(expr, lambda e: (lambda s: s * (1 - s))(sigmoid(unfold(e.args[0])))
                       if isinstance(e, dsigmoid) else None)


class step(sp.Function):
    """The ReLU derivative: 1 for x > 0, 0 for x <= 0 (the notes' convention
    at the kink, seed 000 section 3.3: "0 if z <= 0").  Its own derivative is 0
    away from the kink, which is all a gradient through it needs."""

    def fdiff(self, argindex=1):
        return sp.Integer(0)

    @classmethod
    def eval(cls, x):
        if not (x.is_Number or x.is_Symbol):  # ask assumptions of atoms only: cheap
            return None
        if x.is_extended_positive:
            return sp.Integer(1)
        if x.is_extended_nonpositive:
            return sp.Integer(0)

    def _eval_rewrite_as_Piecewise(self, x, **kwargs):
        return sp.Piecewise((1, x > 0), (0, True))


class relu(sp.Function):
    """ReLU(x) = max(0, x)."""

    def fdiff(self, argindex=1):
        return step(self.args[0])

    @classmethod
    def eval(cls, x):
        if not (x.is_Number or x.is_Symbol):
            return None
        if x.is_extended_nonnegative:
            return x
        if x.is_extended_negative:
            return sp.Integer(0)

    def _eval_rewrite_as_Piecewise(self, x, **kwargs):
        return sp.Piecewise((x, x > 0), (0, True))

    def _eval_rewrite_as_Max(self, x, **kwargs):
        return sp.Max(0, x)


class softplus(sp.Function):
    """softplus(x) = log(1 + e^x); its derivative is sigma(x)."""

    def fdiff(self, argindex=1):
        return sigmoid(self.args[0])

    def _eval_rewrite_as_exp(self, x, **kwargs):
        return sp.log(1 + sp.exp(x))

    def _eval_evalf(self, prec):
        return self.rewrite(sp.exp)._eval_evalf(prec)


class absolute(sp.Function):
    """|x| for real x, with derivative sign(x) away from 0.  SymPy's Abs does
    not know a matrix entry is real and leaves its derivative unevaluated."""

    def fdiff(self, argindex=1):
        return sp.sign(self.args[0])

    def _eval_rewrite_as_Piecewise(self, x, **kwargs):
        return sp.Piecewise((x, x >= 0), (-x, True))

    def _eval_evalf(self, prec):
        return sp.Abs(self.args[0])._eval_evalf(prec)


class fprime(sp.Function):
    """f', the derivative of an unspecified activation f."""


class f(sp.Function):
    """An unspecified differentiable activation."""

    def fdiff(self, argindex=1):
        return fprime(self.args[0])


class gprime(sp.Function):
    """g', the derivative of a second unspecified function g."""


class g(sp.Function):
    """A second unspecified differentiable function (for f(v) o g(w))."""

    def fdiff(self, argindex=1):
        return gprime(self.args[0])


# What numeric checks run in place of the unspecified f: any smooth choice is
# a valid instance of a statement proved for all f; sigmoid keeps values O(1).
CONCRETE = {f: sigmoid, fprime: lambda x: sigmoid(x) * (1 - sigmoid(x)),
            g: sp.tanh, gprime: lambda x: 1 - sp.tanh(x) ** 2}


def concretize(expr):
    """Replace f, f' by the concrete activation used for numeric checks."""
    if not dag.has(tuple(CONCRETE), expr):
        return expr
    return dag.rebuild(expr, lambda e: CONCRETE[e.func](*[concretize(a) for a in e.args])
                       if isinstance(e, tuple(CONCRETE)) else None)


def definitions(expr):
    """Expand every function of this module into its definition."""
    return expr.rewrite(sp.exp).rewrite(sp.Piecewise) if dag.has((sigmoid, dsigmoid, relu, step, softplus, absolute), expr) else expr


def kink_rules(expr):
    """Exact identities of ReLU and its derivative, valid for every real t
    (the kink included, with step(0) = 0): relu(t) = t step(t) and
    step(t)^k = step(t).  Applied to a difference after differentiating, so
    that (relu(z) - y) step(z) and (z - y) step(z) compare equal."""
    if not dag.has((relu, step), expr):
        return expr
    expr = expr.replace(relu, lambda t: t * step(t))
    return expr.replace(lambda e: e.is_Pow and isinstance(e.base, step) and e.exp.is_Integer and e.exp > 0,
                        lambda e: e.base)


def relu_branches(name="z"):
    """The two smooth pieces of relu/step, as Gradient.branches: the
    argument positive (relu = identity, step = 1) and negative (both 0)."""
    return ((f"{name} > 0", {relu: lambda t: t, step: lambda t: sp.Integer(1)}),
            (f"{name} < 0", {relu: lambda t: sp.Integer(0), step: lambda t: sp.Integer(0)}))


class fprime_out(sp.Function):
    """f' written through f's output: f'(z) = fprime_out(f(z)).  Generated
    backprop code takes the activations a = f(z) it already has instead of
    recomputing f'(z) from z (seed 002: da/dz = sigma(z)(1 - sigma(z)) = a(1 - a))."""


class gprime_out(sp.Function):
    """g' written through g's output, as fprime_out."""


# The activations of derive.numeric: f, and f' as a function of a = f(z).
# Each pair is proved by the registry entry activation-derivative-from-output.
ACTIVATIONS = {
    "sigmoid": (sigmoid, lambda a: a * (1 - a)),
    "tanh": (sp.tanh, lambda a: 1 - a ** 2),
    "relu": (relu, step),
    "identity": (sp.Lambda(sp.Symbol("t"), sp.Symbol("t")), lambda a: sp.Integer(1)),
}
