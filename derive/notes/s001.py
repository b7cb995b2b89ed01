"""Seed 001: lecture notes on word vectors, softmax and backprop (CS224n style).

Column vectors and W of shape (out, in) unless an entry says otherwise.  The
notes have no section numbers; `section` cites the seed's line numbers.
"""
import sympy as sp

from ..functions import f, fprime, sigmoid
from ..mexpr import Softmax, apply, hadamard, ones
from ..prove import SumsToOne
from ..registry import Gradient, Identity, Result

RESULTS = [
    Result(
        id="softmax-shift-invariance", seed="001", section="lines 225-240, 457-470",
        title="Softmax is invariant to adding a constant",
        statement=r"\operatorname{softmax}(\mathbf{x} + c\mathbf{1}) = \operatorname{softmax}(\mathbf{x})"
                  r"\quad\text{for every scalar } c",
        convention="x a column vector of length n",
        how=Identity(
            shapes={"x": ("n", 1), "c": ()},
            build=lambda V: (Softmax(V.x + V.c * ones("n")), Softmax(V.x)),
            reference=lambda F, x, c: F.softmax(x + c),
            sizes=({"n": 3},),
        ),
    ),
    Result(
        id="sigmoid-derivative", seed="001", section="lines 100-130 (also seed 002)",
        title="Derivative of the logistic sigmoid",
        statement=r"\sigma'(x) = \sigma(x)\,(1 - \sigma(x)),\qquad \sigma(x) = \frac{1}{1 + e^{-x}}",
        convention="scalar x; applied elementwise to vectors",
        how=Gradient(
            shapes={"x": ()},
            # differentiate the definition, not the engine's rule for sigma:
            # this result is what justifies that rule (sigmoid.fdiff)
            build=lambda V: (1 / (1 + sp.exp(-V.x)), {"x": sigmoid(V.x) * (1 - sigmoid(V.x))}),
            forward=lambda F, x: 1.0 / (1.0 + F.exp(-x)),
        ),
    ),
    Result(
        id="softmax-ce-gradient", seed="001", section="lines 20-75, 527-630",
        title="Gradient of cross-entropy through softmax",
        statement=r"\frac{\partial}{\partial \boldsymbol{\theta}} \Big(-\sum_i y_i \log \hat y_i\Big)"
                  r" = \hat{\mathbf{y}} - \mathbf{y},\quad \hat{\mathbf{y}} = \operatorname{softmax}(\boldsymbol\theta),"
                  r"\ \textstyle\sum_i y_i = 1",
        convention="column vectors of length n; y one-hot, or any y whose entries sum to 1 (the assumption is used)",
        how=Gradient(
            shapes={"theta": ("n", 1), "y": ("n", 1)},
            build=lambda V: (-(V.y.T * apply(sp.log, Softmax(V.theta))),
                             {"theta": Softmax(V.theta) - V.y}),
            forward=lambda F, theta, y: -F.sum(y * F.log(F.softmax(theta))),
            sizes=({"n": 3},),
            sample={"y": "simplex"},
            assume=(SumsToOne("y", "n"),),
        ),
    ),
    Result(
        id="window-score-gradients", seed="001", section="lines 940-1340",
        title="Gradients of the window score s = v^T f(Wx + b)",
        statement=r"s = \mathbf{v}^{\top} f(\mathbf{W}\mathbf{x} + \mathbf{b}),\ "
                  r"\boldsymbol\delta = \mathbf{v} \odot f'(\mathbf{z}):\ "
                  r"\frac{\partial s}{\partial \mathbf{v}} = \mathbf{a},\ "
                  r"\frac{\partial s}{\partial \mathbf{W}} = \boldsymbol\delta\mathbf{x}^{\top},\ "
                  r"\frac{\partial s}{\partial \mathbf{b}} = \boldsymbol\delta,\ "
                  r"\frac{\partial s}{\partial \mathbf{x}} = \mathbf{W}^{\top}\boldsymbol\delta",
        convention="x in R^n, W in R^{h x n} (the notes: n = 20, h = 8), v, b in R^h; f any differentiable activation",
        how=Gradient(
            shapes={"W": ("h", "n"), "x": ("n", 1), "b": ("h", 1), "v": ("h", 1)},
            build=lambda V: (lambda z: (
                V.v.T * apply(f, z),
                {"v": apply(f, z),
                 "W": hadamard(V.v, apply(fprime, z)) * V.x.T,
                 "b": hadamard(V.v, apply(fprime, z)),
                 "x": V.W.T * hadamard(V.v, apply(fprime, z))}))(V.W * V.x + V.b),
            forward=lambda F, W, x, b, v: v.T @ F.sigmoid(W @ x + b),
            sizes=({"h": 3, "n": 2},),
        ),
    ),
    Result(
        id="two-layer-delta-recursion", seed="001", section="lines 1080-1110",
        title="Two-layer score: the delta recursion",
        statement=r"s = \mathbf{v}^{\top} f(\mathbf{W}_2 f(\mathbf{W}_1\mathbf{x} + \mathbf{b}_1) + \mathbf{b}_2):\ "
                  r"\boldsymbol\delta_3 = \mathbf{v}\odot f'(\mathbf{z}_3),\ "
                  r"\frac{\partial s}{\partial \mathbf{W}_2} = \boldsymbol\delta_3\mathbf{a}_2^{\top},\ "
                  r"\frac{\partial s}{\partial \mathbf{b}_2} = \boldsymbol\delta_3,\ "
                  r"\boldsymbol\delta_2 = (\mathbf{W}_2^{\top}\boldsymbol\delta_3)\odot f'(\mathbf{z}_2),\ "
                  r"\frac{\partial s}{\partial \mathbf{W}_1} = \boldsymbol\delta_2\mathbf{x}^{\top},\ "
                  r"\frac{\partial s}{\partial \mathbf{b}_1} = \boldsymbol\delta_2,\ "
                  r"\frac{\partial s}{\partial \mathbf{x}} = \mathbf{W}_1^{\top}\boldsymbol\delta_2",
        convention="x in R^n, W1 (h x n), W2 (k x h), v in R^k; f any differentiable activation",
        how=Gradient(
            shapes={"W1": ("h", "n"), "b1": ("h", 1), "W2": ("k", "h"), "b2": ("k", 1),
                    "x": ("n", 1), "v": ("k", 1)},
            build=lambda V: _two_layer(V),
            forward=lambda F, W1, b1, W2, b2, x, v: v.T @ F.sigmoid(W2 @ F.sigmoid(W1 @ x + b1) + b2),
            sizes=({"n": 2, "h": 3, "k": 2},),
        ),
    ),
]


def _two_layer(V):
    z2 = V.W1 * V.x + V.b1
    a2 = apply(f, z2)
    z3 = V.W2 * a2 + V.b2
    d3 = hadamard(V.v, apply(fprime, z3))
    d2 = hadamard(V.W2.T * d3, apply(fprime, z2))
    return V.v.T * apply(f, z3), {"W2": d3 * a2.T, "b2": d3, "W1": d2 * V.x.T, "b1": d2, "x": V.W1.T * d2}
