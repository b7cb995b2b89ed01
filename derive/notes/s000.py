"""Seed 000: "The Complete Mathematics for Machine Learning and Deep Learning".

Convention "out x in": W^l is (n_l, n_{l-1}) and z^l = W^l a^{l-1} + b^l.
"""
from ..functions import f, fprime
from ..mexpr import apply, hadamard
from ..registry import Gradient, Result

RESULTS = [
    Result(
        id="backprop-four-equations", seed="000", section="4.2",
        title="The four equations of backpropagation, any depth L",
        statement=r"\text{BP1: } \boldsymbol\delta^L = \nabla_{\mathbf{a}} C \odot \sigma'(\mathbf{z}^L);\ "
                  r"\text{BP2: } \boldsymbol\delta^l = ((\mathbf{W}^{l+1})^{\top}\boldsymbol\delta^{l+1}) \odot \sigma'(\mathbf{z}^l);\ "
                  r"\text{BP3: } \frac{\partial C}{\partial \mathbf{b}^l} = \boldsymbol\delta^l;\ "
                  r"\text{BP4: } \frac{\partial C}{\partial \mathbf{W}^l} = \boldsymbol\delta^l (\mathbf{a}^{l-1})^{\top}",
        convention=("out x in, column vectors. Each equation is local to one layer: by the multivariate chain "
                    "rule dC/dz^l depends on the layers above only through delta^{l+1} = dC/dz^{l+1}, so it is proved "
                    "for C = g^T a^L (BP1) and C = d^T z^{l+1} (BP2-BP4) with g, d arbitrary vectors standing for the "
                    "upstream gradient, at symbolic sizes; induction on l = L-1, ..., 1 gives every depth."),
        how=Gradient(
            shapes={"zL": ("m", 1), "g": ("m", 1), "z": ("n", 1), "W": ("m", "n"), "b": ("m", 1), "d": ("m", 1)},
            build=lambda V: [
                (V.g.T * apply(f, V.zL), {"zL": hadamard(V.g, apply(fprime, V.zL))}),                 # BP1
                (V.d.T * (V.W * apply(f, V.z) + V.b),
                 {"z": hadamard(V.W.T * V.d, apply(fprime, V.z)),                                      # BP2
                  "b": V.d,                                                                            # BP3
                  "W": V.d * apply(f, V.z).T}),                                                        # BP4
            ],
            forward=[lambda F, zL, g, **_: g.T @ F.sigmoid(zL),
                     lambda F, z, W, b, d, **_: d.T @ (W @ F.sigmoid(z) + b)],
            sizes=({"m": 2, "n": 3},),
        ),
    ),
]

import sympy as sp  # noqa: E402

from ..mexpr import ones  # noqa: E402
from ..registry import Mistake  # noqa: E402

RESULTS = [
    Result(
        id="gradient-example", seed="000", section="1.5.1",
        title="A gradient: nabla(x^2 + cos y)",
        statement=r"\nabla (x^2 + \cos y) = [2x,\ -\sin y]",
        convention="scalars x, y",
        how=Gradient(shapes={"x": (), "y": ()},
                     build=lambda V: (V.x ** 2 + sp.cos(V.y), {"x": 2 * V.x, "y": -sp.sin(V.y)}),
                     forward=lambda F, x, y: x ** 2 + F.cos(y)),
    ),
    Result(
        id="scalar-chain-rule", seed="000", section="1.5.3",
        title="Chain rule: d/dx sin(x^2)",
        statement=r"\frac{d}{dx}\sin(x^2) = 2x\cos(x^2)\quad (f = \sin g,\ g = x^2)",
        convention="scalar x",
        how=Gradient(shapes={"x": ()},
                     build=lambda V: (sp.sin(V.x ** 2), {"x": 2 * V.x * sp.cos(V.x ** 2)}),
                     forward=lambda F, x: F.sin(x * x)),
    ),
    Result(
        id="hadamard-jacobian", seed="000", section="3.2.2",
        title="Jacobian of the Hadamard product",
        statement=r"\frac{\partial(\mathbf{v}\odot\mathbf{w})}{\partial \mathbf{v}} = \operatorname{diag}(\mathbf{w})",
        convention=("column vectors of length n; proved through d(u^T (v o w))/dv = diag(w) u = w o u for an "
                    "arbitrary u, which determines the Jacobian (it is symmetric)"),
        how=Gradient(shapes={"v": ("n", 1), "w": ("n", 1), "u": ("n", 1)},
                     build=lambda V: (V.u.T * hadamard(V.v, V.w), {"v": hadamard(V.w, V.u)}),
                     forward=lambda F, v, w, u: u.T @ (v * w),
                     sizes=({"n": 3},)),
    ),
    Result(
        id="sum-reduction", seed="000", section="3.2.4",
        title="Gradient of a sum reduction",
        statement=r"\frac{\partial\,\operatorname{sum}(\mathbf{v})}{\partial \mathbf{v}} = \mathbf{1}^{\top},\quad"
                  r"\frac{\partial\,\operatorname{sum}(2\mathbf{v})}{\partial \mathbf{v}} = 2\cdot\mathbf{1}^{\top}",
        convention="v a column vector of length n; gradients written as columns (the notes write the row Jacobian)",
        how=Gradient(shapes={"v": ("n", 1)},
                     build=lambda V: [(ones("n").T * V.v, {"v": ones("n")}),
                                      (ones("n").T * (2 * V.v), {"v": 2 * ones("n")})],
                     forward=[lambda F, v: F.sum(v), lambda F, v: F.sum(2 * v)],
                     sizes=({"n": 3},)),
    ),
    *RESULTS,
    Result(
        id="mistake-gradient-example", seed="000", section="1.5.1",
        title="Erratum: nabla(x^2 + cos y) = [2x, -sin x]",
        statement="", written=r"\nabla (x^2 + \cos y) = [2x,\ -\sin x]", correction=r"[2x,\ -\sin y]",
        how=Mistake(lambda: (lambda x, y: dict(lhs=sp.Matrix([sp.diff(x ** 2 + sp.cos(y), x), sp.diff(x ** 2 + sp.cos(y), y)]),
                                               rhs=sp.Matrix([2 * x, -sp.sin(x)])))(
            sp.Symbol("x", real=True), sp.Symbol("y", real=True)), correct="gradient-example"),
    ),
]
