"""Seed 002: backprop for the output and hidden layers.

Convention "in x out": W is (n_{l-1}, n_l), z = W^T a + b, so dL/dW = a delta^T.
"""
import sympy as sp

from ..functions import sigmoid
from ..mexpr import apply, hadamard
from ..registry import Gradient, Result

_dsig = lambda t: sigmoid(t) * (1 - sigmoid(t))  # noqa: E731  proved in sigmoid-derivative

RESULTS = [
    Result(
        id="output-layer-mse", seed="002", section="Output layer, pages 2-3",
        title="Output layer with squared error (in x out)",
        statement=r"L = \tfrac12\sum_i (y_i - a_i)^2,\ \mathbf{a} = \sigma(\mathbf{W}^{\top}\mathbf{a}^{L-1} + \mathbf{b}):\ "
                  r"\boldsymbol\delta = (\mathbf{a} - \mathbf{y})\odot\sigma'(\mathbf{z}),\ "
                  r"\frac{\partial L}{\partial \mathbf{W}} = \mathbf{a}^{L-1}\boldsymbol\delta^{\top},\ "
                  r"\frac{\partial L}{\partial \mathbf{b}} = \boldsymbol\delta",
        convention="in x out: W is (n, k), a^{L-1} in R^n, z = W^T a^{L-1} + b in R^k",
        how=Gradient(
            shapes={"W": ("n", "k"), "a0": ("n", 1), "b": ("k", 1), "y": ("k", 1)},
            build=lambda V: (lambda z: (lambda r: (
                sp.Rational(1, 2) * (r.T * r),
                {"W": V.a0 * hadamard(apply(sigmoid, z) - V.y, apply(_dsig, z)).T,
                 "b": hadamard(apply(sigmoid, z) - V.y, apply(_dsig, z))}))(V.y - apply(sigmoid, z)))(V.W.T * V.a0 + V.b),
            forward=lambda F, W, a0, b, y: 0.5 * F.sum((y - F.sigmoid(W.T @ a0 + b)) ** 2),
            sizes=({"n": 3, "k": 2},),
        ),
    ),
    Result(
        id="bce-sigmoid-delta", seed="002", section="Binary Cross Entropy, page 5",
        title="Binary cross-entropy through a sigmoid: delta = y_hat - y",
        statement=r"L = -[y\log\hat y + (1 - y)\log(1 - \hat y)],\ \hat y = \sigma(z):\ "
                  r"\frac{\partial L}{\partial z} = \Big(-\frac{y}{\hat y} + \frac{1 - y}{1 - \hat y}\Big)\hat y(1 - \hat y) = \hat y - y",
        convention="scalars z, y (y in [0, 1])",
        how=Gradient(shapes={"z": (), "y": ()},
                     build=lambda V: (-(V.y * sp.log(sigmoid(V.z)) + (1 - V.y) * sp.log(1 - sigmoid(V.z))),
                                      {"z": sigmoid(V.z) - V.y}),
                     forward=lambda F, z, y: -(y * F.log(F.sigmoid(z)) + (1 - y) * F.log(1 - F.sigmoid(z))),
                     sample={"y": "unit"}),
    ),
]
