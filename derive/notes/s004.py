"""Seed 004: batched backprop in NumPy (examples as columns)."""
import sympy as sp

from ..registry import Gradient, Identity, Result

RESULTS = [
    Result(
        id="multivariate-chain-rule-example", seed="004", section="page 3, Multivariate Chain Rule",
        title="Multivariate chain rule: f(g1, g2) = 2 g1 + g2, g1 = x^2, g2 = x",
        statement=r"\frac{d}{dx} f(g_1(x), g_2(x)) = 2x\cdot 2 + 1\cdot 1 = 4x + 1",
        convention="scalar x",
        how=Gradient(shapes={"x": ()},
                     build=lambda V: (2 * V.x ** 2 + V.x, {"x": 2 * V.x * 2 + 1 * 1}),
                     forward=lambda F, x: 2 * x * x + x),
    ),
    Result(
        id="trig-cancellation", seed="004", section="page 1",
        title="A cancellation: (cos C / sin Z)(sin Z / sin C)",
        statement=r"\frac{\cos C}{\sin Z}\cdot\frac{\sin Z}{\sin C} = \frac{\cos C}{\sin C},\quad \sin Z \ne 0",
        convention="scalars C, Z with sin C and sin Z non-zero",
        how=Identity(shapes={"C": (), "Z": ()},
                     build=lambda V: (sp.cos(V.C) / sp.sin(V.Z) * (sp.sin(V.Z) / sp.sin(V.C)), sp.cos(V.C) / sp.sin(V.C)),
                     reference=lambda F, C, Z: (F.cos(C) / F.sin(Z)) * (F.sin(Z) / F.sin(C)),
                     sample={"C": "positive", "Z": "positive"}),
    ),
]
