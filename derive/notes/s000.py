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
