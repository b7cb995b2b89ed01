"""Seed 003: "Neural networks: representation and learning"."""
import numpy as np
import sympy as sp

from derive.records import Facts, Gradient, Mistake, Result
from derive.verification.facts import exact, holds

_x, _h = sp.Symbol("x", real=True), sp.Symbol("Delta_x", real=True)
_FUNCS = [("x^2", _x ** 2), ("x^3", _x ** 3), ("e^x", sp.exp(_x)), (r"\sin x", sp.sin(_x)), (r"\sigma(x)", 1 / (1 + sp.exp(-_x)))]


def _quotient_concrete():
    q = ((_x + _h) ** 2 - _x ** 2) / _h
    return [exact(r"for $x^2$ the quotient is $2x + \Delta x$ exactly", sp.cancel(q), 2 * _x + _h),
            exact(r"at $x = 3$, $\Delta x = 1/1000$ it is $6.001$", q.subs({_x: 3, _h: sp.Rational(1, 1000)}), sp.Rational(6001, 1000))]


def _quotient_numeric():
    errs = [abs((np.sin(0.7 + h) - np.sin(0.7)) / h - np.cos(0.7)) for h in (1e-2, 1e-3, 1e-4)]
    return [holds(r"float64: the forward quotient of $\sin$ converges to $\cos$ at the rate of $\Delta x$",
                  all(9 < a / b < 11 for a, b in zip(errs, errs[1:])), f"errors {['%.2e' % e for e in errs]}")]


RESULTS = [
    Result("derivative-rules", "003", "Common Derivatives; Chain Rule", "Common derivatives and two chain-rule examples",
           r"\tfrac{d}{dx}x^n = nx^{n-1},\ \tfrac{d}{dx}k = 0,\ \tfrac{d}{dx}e^x = e^x,\ "
           r"\tfrac{d}{dx}\log x = \tfrac1x,\ \tfrac{d}{dx}\log(x^2) = \tfrac2x,\ \tfrac{d}{dx}e^{x^3} = 3x^2e^{x^3}",
           convention="x > 0 where a log or a real power needs it; n and k are symbols (numeric check at n = 3, k = 2)",
           how=Gradient(shapes={"x": ""}, loss=["x**3", "2 + 0*x", "exp(x)", "log(x)", "log(x**2)", "exp(x**3)"],
                        claims=[{"x": "3 * x**2"}, {"x": "0"}, {"x": "exp(x)"}, {"x": "1 / x"}, {"x": "2 / x"},
                                {"x": "3 * x**2 * exp(x**3)"}], sample={"x": "positive"})),
    Result("partial-derivatives", "003", "Partial Derivatives", "Partial derivatives of x₁² + 2x₂² + 3x₁x₂",
           r"y = x_1^2 + 2x_2^2 + 3x_1x_2:\ \frac{\partial y}{\partial x_1} = 2x_1 + 3x_2,\ "
           r"\frac{\partial y}{\partial x_2} = 4x_2 + 3x_1", convention="scalars x1, x2",
           how=Gradient(shapes={"x1": "", "x2": ""}, loss="x1**2 + 2 * x2**2 + 3 * x1 * x2",
                        claims={"x1": "2 * x1 + 3 * x2", "x2": "4 * x2 + 3 * x1"})),
    Result("mistake-log-chain-rule", "003", "Chain Rule of Derivatives", "Erratum: d/dx log(x²) = (1/x²) 2ˣ",
           "", written=r"\frac{d}{dx}\log(x^2) = \frac{1}{x^2}\cdot 2^x",
           convention="the two sides agree at x = 1 and x = 2, so a counterexample must look further",
           how=Mistake(shapes={"x": ""}, loss="log(x**2)", wrt="x", written="2**x / x**2", corrected="2 / x",
                       correct="derivative-rules")),
    Result("difference-quotient", "003", "Derivatives", "The derivative as the limit of the difference quotient",
           r"\lim_{\Delta x\to 0}\frac{f(x + \Delta x) - f(x)}{\Delta x} = f'(x)",
           convention="proved as a limit for x^2, x^3, e^x, sin x and sigma; the numeric check shows the O(Dx) error",
           how=Facts(lambda: [exact(rf"$\lim_{{\Delta x\to 0}}(f(x + \Delta x) - f(x))/\Delta x = f'(x)$ for $f(x) = {name}$",
                                    sp.limit((e.subs(_x, _x + _h) - e) / _h, _h, 0), sp.diff(e, _x)) for name, e in _FUNCS],
                     _quotient_concrete, _quotient_numeric)),
    Result("bce-layer-backward", "003", "Backpropagation, output layer", "A σ output layer with mean binary cross-entropy",
           r"\mathbf{Z} = \mathbf{W}\mathbf{A} + \mathbf{b},\ \hat{\mathbf{Y}} = \sigma(\mathbf{Z}),\ "
           r"J = -\frac1N\sum[\mathbf{Y}\log\hat{\mathbf{Y}} + (1 - \mathbf{Y})\log(1 - \hat{\mathbf{Y}})]:\ "
           r"\frac{\partial J}{\partial \mathbf{Z}} = \frac{\hat{\mathbf{Y}} - \mathbf{Y}}{N},\ "
           r"\frac{\partial J}{\partial \mathbf{W}} = \frac{\partial J}{\partial \mathbf{Z}}\mathbf{A}^{\top},\ "
           r"\frac{\partial J}{\partial \mathbf{A}} = \mathbf{W}^{\top}\frac{\partial J}{\partial \mathbf{Z}},\ "
           r"\frac{\partial J}{\partial \mathbf{b}} = \frac{\partial J}{\partial \mathbf{Z}}\mathbf{1}",
           convention="out x in, the N examples are columns: A (n x N), W (k x n), b (k x 1), Y (k x N) in [0, 1]",
           how=Gradient(
               shapes={"W": "k,n", "A": "n,N", "b": "k,1", "Y": "k,N", "Z": "k,N"}, where={"Zl": "W @ A + b @ ones(1, N)"},
               loss=["-sum(Y * log(sigmoid(Zl)) + (1 - Y) * log(1 - sigmoid(Zl))) / N",
                     "-sum(Y * log(sigmoid(Z)) + (1 - Y) * log(1 - sigmoid(Z))) / N"],
               claims=[{"W": "(sigmoid(Zl) - Y) @ A.T / N", "A": "W.T @ (sigmoid(Zl) - Y) / N",
                        "b": "(sigmoid(Zl) - Y) @ ones(N, 1) / N"},
                       {"Z": "(sigmoid(Z) - Y) / N"}], sizes=({"k": 2, "n": 3, "N": 4},), sample={"Y": "unit"})),
]
