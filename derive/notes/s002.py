"""Seed 002: backprop for the output and hidden layers.

Convention "in x out": W is (n_{l-1}, n_l), z = W^T a + b, so dL/dW = a delta^T.
"""
import numpy as np
import sympy as sp

from checks import ops as F
from derive.maths.functions import ACTIVATIONS, relu, sigmoid, step
from derive.records import Facts, Gradient, Result
from derive.verification.facts import close, exact, holds

_z, _t = sp.Symbol("z", real=True), sp.Symbol("t", real=True)
_dsig = sigmoid(_z) * (1 - sigmoid(_z))  # sigma', proved in sigmoid-derivative


def _saturation_symbolic():
    s, dsig = sp.Symbol("s", positive=True), sp.diff(1 / (1 + sp.exp(-_z)), _z)  # s = sigma(z), in (0, 1)
    zp, zn = sp.Symbol("zp", positive=True), sp.Symbol("zn", negative=True)
    return [exact(r"$\frac14 - s(1 - s) = (s - \frac12)^2 \ge 0$, so $\sigma' \le \frac14$", sp.Rational(1, 4) - s * (1 - s),
                  (s - sp.Rational(1, 2)) ** 2),
            exact(r"equality iff $\sigma(z) = \frac12$ iff $z = 0$", sigmoid(0), sp.Rational(1, 2)),
            holds(r"$\sigma$ is injective ($\sigma' > 0$), so $\sigma(z) = \frac12$ only at $z = 0$",
                  sp.solve(sp.Eq(1 / (1 + sp.exp(-_z)), sp.Rational(1, 2)), _z) == [0], "solve gives z = 0 only"),
            exact(r"$\sigma'(z) \to 0$ as $z \to +\infty$", sp.limit(dsig, _z, sp.oo), 0),
            exact(r"$\sigma'(z) \to 0$ as $z \to -\infty$", sp.limit(dsig, _z, -sp.oo), 0),
            exact(r"$\operatorname{ReLU}'(z) = 1$ for $z > 0$", sp.diff(relu(zp), zp), 1), exact(r"$\operatorname{ReLU}'(z) = 0$ for $z < 0$", step(zn), 0)]


def _saturation_concrete():
    d10 = _dsig.subs(_z, 10)
    return [exact(r"$\sigma'(0) = \frac14$", _dsig.subs(_z, 0), sp.Rational(1, 4)),
            holds(r"$\sigma'(10) < 1/20000$ (saturated)", sp.N(d10, 30) < sp.Rational(1, 20000), f"sigma'(10) = {sp.N(d10, 6)}")]


def _saturation_numeric():
    t = np.linspace(-30, 30, 60001)
    d = F.sigmoid(t) * (1 - F.sigmoid(t))
    return [holds(r"float64: the largest $\sigma'$ on $[-30, 30]$ is $\frac14$, at $z = 0$", abs(d.max() - 0.25) < 1e-15 and t[d.argmax()] == 0,
                  f"max {d.max():.17g} at z = {t[d.argmax()]:g}"),
            close(r"float64: $\sigma'(\pm 30) \approx 9.4 \cdot 10^{-14}$", [d[0], d[-1]], [9.357622968839299e-14] * 2, 1e-9)]


def _from_output_symbolic():
    rows = []
    for name, (act, dout) in ACTIVATIONS.items():
        if name == "relu":  # by cases: step(relu(t)) = step(t) on t > 0 and on t <= 0 (step(0) = 0)
            for label, s in (("t > 0", sp.Symbol("tp", positive=True)), (r"t \le 0", sp.Symbol("tn", nonpositive=True))):
                rows.append(exact(rf"relu: $d\operatorname{{ReLU}}/dt = \operatorname{{step}}(\operatorname{{ReLU}}(t))$ "
                                  rf"for ${label}$", sp.diff(act(s), s), dout(act(s))))
        else:
            rows.append(exact(rf"{name}: $da/dt = {sp.latex(dout(sp.Symbol('a')))}$ at $a = \operatorname{{{name}}}(t)$",
                              sp.diff(act(_t), _t), dout(act(_t))))
    return rows + [exact(r"$1 - \sigma(t) = \sigma(-t)$, so $\log(1 - \sigma(z)) = \log \sigma(-z)$ (BCE from logits)",
                         1 - sigmoid(_t), sigmoid(-_t))]


def _from_output_numeric():
    z, h = np.linspace(-4, 4, 81) + 0.05, 1e-6  # off relu's kink
    rows = {"sigmoid": (F.sigmoid, lambda a: a * (1 - a)), "tanh": (F.tanh, lambda a: 1 - a * a),  # f, f' from a
            "relu": (F.relu, lambda a: (a > 0) * 1.0), "identity": (lambda x: x, np.ones_like)}
    return [close(f"float64: {n}: central difference against $f'$ from the output", (f(z + h) - f(z - h)) / (2 * h),
                  d(f(z)), 1e-8) for n, (f, d) in rows.items()]


RESULTS = [
    Result("output-layer-mse", "002", "Output layer, pages 2-3", "Output layer with squared error (in × out): δ = (a − y) ∘ σ′(z)",
           r"L = \tfrac12\sum_i (y_i - a_i)^2,\ \mathbf{a} = \sigma(\mathbf{W}^{\top}\mathbf{a}^{L-1} + \mathbf{b}):\ "
           r"\boldsymbol\delta = (\mathbf{a} - \mathbf{y})\odot\sigma'(\mathbf{z}),\ "
           r"\frac{\partial L}{\partial \mathbf{W}} = \mathbf{a}^{L-1}\boldsymbol\delta^{\top},\ "
           r"\frac{\partial L}{\partial \mathbf{b}} = \boldsymbol\delta",
           convention="in x out: W is (n, k), a^{L-1} in R^n, z = W^T a^{L-1} + b in R^k",
           how=Gradient(shapes={"W": "n,k", "a0": "n,1", "b": "k,1", "y": "k,1"},
                        where={"z": "W.T @ a0 + b", "a": "sigmoid(z)", "delta": "(a - y) * (sigmoid(z) * (1 - sigmoid(z)))"},
                        loss="(y - a).T @ (y - a) / 2", claims={"W": "a0 @ delta.T", "b": "delta"},
                        sizes=({"n": 3, "k": 2},))),
    Result("bce-sigmoid-delta", "002", "Binary Cross Entropy, page 5", "Binary cross-entropy through σ: ∂L/∂z = ŷ − y",
           r"L = -[y\log\hat y + (1 - y)\log(1 - \hat y)],\ \hat y = \sigma(z):\ "
           r"\frac{\partial L}{\partial z} = \Big(-\frac{y}{\hat y} + \frac{1 - y}{1 - \hat y}\Big)\hat y(1 - \hat y) = \hat y - y",
           convention="scalars z, y (y in [0, 1])",
           how=Gradient(shapes={"z": "", "y": ""}, loss="-(y * log(sigmoid(z)) + (1 - y) * log(1 - sigmoid(z)))",
                        claims={"z": "sigmoid(z) - y"}, sample={"y": "unit"})),
    Result("hidden-layer-delta", "002", "Hidden layers, pages 3-4", "Hidden-layer delta and weight gradient (in × out)",
           r"\delta_j^l = \sum_k \delta_k^{l+1} w_{jk}^{l+1}\sigma'(z_j^l),\ "
           r"\frac{\partial L}{\partial w_{ij}^l} = \delta_j^l a_i^{l-1},\ \frac{\partial L}{\partial b_j^l} = \delta_j^l;\ "
           r"\frac{\partial L}{\partial \mathbf{W}^l} = \mathbf{a}^{l-1}(\boldsymbol\delta^l)^{\top}",
           convention=("in x out: W^l is (n, h), z^l = W^{lT} a^{l-1} + b^l, W^{l+1} is (h, k); the layer above enters "
                       "through delta^{l+1} = d, an arbitrary vector (L = d^T z^{l+1}, as in backprop-four-equations)"),
           how=Gradient(shapes={"W": "n,h", "a0": "n,1", "b": "h,1", "W2": "h,k", "d": "k,1"},
                        where={"z": "W.T @ a0 + b", "delta": "(W2 @ d) * (sigmoid(z) * (1 - sigmoid(z)))"},
                        loss="d.T @ (W2.T @ sigmoid(z))", claims={"W": "a0 @ delta.T", "b": "delta", "a0": "W @ delta"},
                        sizes=({"n": 3, "h": 2, "k": 3},))),
    Result("sigmoid-saturation", "002", "Vanishing gradients, page 5", "σ saturates: σ′ ≤ 1/4, and σ′ → 0",
           r"\sigma'(z) \le \tfrac14 \text{ with equality only at } z = 0;\ \sigma'(z)\to 0 \text{ as } |z|\to\infty;\ "
           r"\operatorname{ReLU}'(z) = 1\ (z > 0),\ 0\ (z < 0)",
           convention="scalar z; sigma' = sigma(1 - sigma) (sigmoid-derivative) written with s = sigma(z) in (0, 1)",
           how=Facts(_saturation_symbolic, _saturation_concrete, _saturation_numeric)),
    # da/dz through the output a (line 270), for every activation of derive.numeric
    Result("activation-derivative-from-output", "002", "Output layer, line 270",
           "f′ through the output: σ′ = a(1 − a), tanh′ = 1 − a², ReLU′ = step(a)",
           r"\frac{\partial a}{\partial z} = \sigma(z)(1 - \sigma(z)) = a(1 - a);\ "
           r"\tanh'(z) = 1 - a^2;\ \operatorname{ReLU}'(z) = [a > 0];\ \text{identity}: 1",
           convention=("a = f(z) the activation; backprop can take f' from the a it stored in the forward pass. The "
                       "notes write the sigmoid case; tanh, ReLU and identity are derive's, for derive.numeric"),
           how=Facts(_from_output_symbolic,
                     lambda: [exact(r"sigmoid: $a(1 - a)$ at $z = 0$ is $\frac14$", ACTIVATIONS["sigmoid"][1](sigmoid(0)), sp.Rational(1, 4)),
                              exact(r"tanh: $1 - \tanh(1)^2 = \tanh'(1)$", ACTIVATIONS["tanh"][1](sp.tanh(1)),
                                    sp.diff(sp.tanh(_t), _t).subs(_t, 1))],
                     _from_output_numeric),
           code=tuple(f"{a}_prime_from_output" for a in ACTIVATIONS) + ("tanh_prime",)),
]
