"""Seed 003: "Neural networks: representation and learning"."""
import sympy as sp

from ..registry import Gradient, Mistake, Result

RESULTS = [
    Result(
        id="derivative-rules", seed="003", section="Common Derivatives; Chain Rule",
        title="Common derivatives and two chain-rule examples",
        statement=r"\tfrac{d}{dx}x^n = nx^{n-1},\ \tfrac{d}{dx}k = 0,\ \tfrac{d}{dx}e^x = e^x,\ "
                  r"\tfrac{d}{dx}\log x = \tfrac1x,\ \tfrac{d}{dx}\log(x^2) = \tfrac2x,\ "
                  r"\tfrac{d}{dx}e^{x^3} = 3x^2e^{x^3}",
        convention="x > 0 where a log or a real power needs it; n and k are symbols (numeric check at n = 3, k = 2)",
        how=Gradient(
            shapes={"x": ()},
            build=lambda V: (lambda x, n, k: [
                (x ** n, {"x": n * x ** (n - 1)}), (k + 0 * x, {"x": sp.Integer(0)}), (sp.exp(x), {"x": sp.exp(x)}),
                (sp.log(x), {"x": 1 / x}), (sp.log(x ** 2), {"x": 2 / x}), (sp.exp(x ** 3), {"x": 3 * x ** 2 * sp.exp(x ** 3)}),
            ])(V.x, sp.Integer(3), sp.Integer(2)),
            forward=[lambda F, x: x ** 3, lambda F, x: 2 + 0 * x, lambda F, x: F.exp(x), lambda F, x: F.log(x),
                     lambda F, x: F.log(x * x), lambda F, x: F.exp(x ** 3)],
            sample={"x": "positive"},
        ),
    ),
    Result(
        id="partial-derivatives", seed="003", section="Partial Derivatives",
        title="Partial derivatives of x1^2 + 2 x2^2 + 3 x1 x2",
        statement=r"y = x_1^2 + 2x_2^2 + 3x_1x_2:\ \frac{\partial y}{\partial x_1} = 2x_1 + 3x_2,\ "
                  r"\frac{\partial y}{\partial x_2} = 4x_2 + 3x_1",
        convention="scalars x1, x2",
        how=Gradient(shapes={"x1": (), "x2": ()},
                     build=lambda V: (V.x1 ** 2 + 2 * V.x2 ** 2 + 3 * V.x1 * V.x2,
                                      {"x1": 2 * V.x1 + 3 * V.x2, "x2": 4 * V.x2 + 3 * V.x1}),
                     forward=lambda F, x1, x2: x1 * x1 + 2 * x2 * x2 + 3 * x1 * x2),
    ),
    Result(
        id="mistake-log-chain-rule", seed="003", section="Chain Rule of Derivatives",
        title="Erratum: d/dx log(x^2) = (1/x^2) 2^x",
        statement="", written=r"\frac{d}{dx}\log(x^2) = \frac{1}{x^2}\cdot 2^x", correction=r"\frac{2}{x}",
        convention="the two sides agree at x = 1 and x = 2, so a counterexample must look further",
        how=Mistake(lambda: (lambda x: dict(lhs=sp.diff(sp.log(x ** 2), x), rhs=2 ** x / x ** 2, positive=(x,)))(
            sp.Symbol("x", positive=True)), correct="derivative-rules"),
    ),
]
