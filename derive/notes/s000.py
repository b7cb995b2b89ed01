"""Seed 000: "The Complete Mathematics for Machine Learning and Deep Learning".

Convention "out x in": W^l is (n_l, n_{l-1}) and z^l = W^l a^{l-1} + b^l.
"""
import math
from itertools import accumulate

import numpy as np
import sympy as sp

from checks import ops as F
from derive.maths.functions import relu, relu_branches, sigmoid
from derive.records import Facts, Gradient, Mistake, Result
from derive.verification.facts import close, exact, holds

_x, _y = sp.Symbol("x", real=True), sp.Symbol("y", real=True)
_ID, _ZERO = relu_branches("z")


def _layer_forward_symbolic():
    W = sp.MatrixSymbol("W", sp.Symbol("n_l", positive=True, integer=True), sp.Symbol("n_lm1", positive=True, integer=True))
    z, t = W * sp.MatrixSymbol("a", W.shape[1], 1) + sp.MatrixSymbol("b", W.shape[0], 1), sp.Symbol("t", nonnegative=True)
    return [holds("shape", z.shape == (W.shape[0], 1), f"(n_l x n_(l-1)) (n_(l-1) x 1) + (n_l x 1) is {z.shape}"),
            exact(r"$\operatorname{ReLU}(t) = t$ for $t \ge 0$", relu(t), t)]


def _layer_forward_concrete():
    W, a = sp.Matrix([[5, 2], [3, 6]]), sp.Matrix([10, 20])
    z = W * a + sp.Matrix([6, 6])
    return [exact(r"$\mathbf{W}\mathbf{a}$", W * a, sp.Matrix([90, 150])), exact(r"$\mathbf{W}\mathbf{a} + 6$", z, sp.Matrix([96, 156])),
            exact(r"$\operatorname{ReLU}(\mathbf{z})$", z.applyfunc(relu), sp.Matrix([96, 156]))]


def _layer_forward_numeric():
    z = np.array([[5.0, 2.0], [3.0, 6.0]]) @ np.array([10.0, 20.0]) + 6.0
    return [close(r"float64 $\mathbf{W}\mathbf{a} + \mathbf{b}$", z, [96, 156]), close(r"float64 $\operatorname{ReLU}$", np.maximum(z, 0), [96, 156])]


def _gd_symbolic():
    eta, th = sp.Symbol("eta", real=True), sp.Symbol("theta", real=True)
    k = sp.Symbol("k", integer=True, nonnegative=True)
    conv = sp.solve_univariate_inequality(sp.Abs(1 - 2 * eta) < 1, eta, relational=False)
    # steepest descent: for |d| = 1, g.d + |g| = (|g|/2) |d + g/|g||^2 >= 0, so g.d >= -|g| with
    # equality at d = -g/|g| (Cauchy-Schwarz); checked as an identity in 3 components
    gv, dv = sp.Matrix(sp.symbols("g0:3", real=True)), sp.Matrix(sp.symbols("d0:3", real=True))
    ng = sp.sqrt(gv.dot(gv))
    return [exact(r"one step on $C = \theta^2$", th - eta * sp.diff(th ** 2, th), (1 - 2 * eta) * th),
            exact(r"$k$ steps: $\theta_k = (1 - 2\eta)^k\theta_0$ (induction step)",
                  (1 - 2 * eta) * ((1 - 2 * eta) ** k * th), (1 - 2 * eta) ** (k + 1) * th),
            holds(r"$|1 - 2\eta| < 1 \iff 0 < \eta < 1$", conv == sp.Interval.open(0, 1), f"solution set {conv}"),
            exact((r"$\mathbf{g}\cdot\mathbf{d} + \|\mathbf{g}\| - (\|\mathbf{g}\|/2)\|\mathbf{d} + \mathbf{g}/\|\mathbf{g}\|\|^2 = "
                   r"(\|\mathbf{g}\|/2)(1 - \|\mathbf{d}\|^2)$, zero for a unit $\mathbf{d}$"),
                  gv.dot(dv) + ng - ng / 2 * (dv + gv / ng).dot(dv + gv / ng), ng / 2 * (1 - dv.dot(dv)))]


def _gd_run(eta, n=6):
    """theta_1 .. theta_n of gradient descent on C = theta^2 from theta_0 = 1 (exact when eta is)."""
    return list(accumulate(range(n), lambda th, _: th - eta * 2 * th, initial=1))[1:]


def _gd_concrete():
    run = lambda e: _gd_run(sp.Rational(e))  # noqa: E731
    return [exact(r"$\eta = 1/2$ reaches the minimum in one step", run("1/2")[0], 0),
            exact(r"$\eta = 1/4$ halves $\theta$", run("1/4")[-1], sp.Rational(1, 64)),
            holds(r"$\eta = 1$ oscillates (no convergence)", run(1) == [(-1) ** (i + 1) for i in range(6)],
                  f"iterates {run(1)}"),
            holds(r"$\eta = 5/4$ overshoots and grows", abs(run("5/4")[-1]) > 1, f"theta_6 = {run('5/4')[-1]}")]


def _gd_numeric():
    a, b = _gd_run(0.99, 2000)[-1], _gd_run(1.01, 2000)[-1]
    return [holds(r"float64: $\eta = 0.99$ converges", abs(a) < 1e-12, f"theta_2000 = {a:.3g}"),
            holds(r"float64: $\eta = 1.01$ diverges", abs(b) > 1e12, f"theta_2000 = {b:.3g}")]


def _node_error_symbolic():
    # C(z) = (1/2)(y - sigma(w1 sigma(z1) + w2 sigma(z2) + b))^2; delta_1 from BP1, BP2
    z1, z2, w1, w2, b, y, D = sp.symbols("z1 z2 w1 w2 b y Delta", real=True)
    u = w1 * sigmoid(z1) + w2 * sigmoid(z2) + b
    C = sp.Rational(1, 2) * (y - sigmoid(u)) ** 2
    delta1 = (sigmoid(u) - y) * sigmoid(u) * (1 - sigmoid(u)) * w1 * sigmoid(z1) * (1 - sigmoid(z1))
    return [exact(r"$C(z_1 + \Delta) = C(z_1) + \delta_1\Delta + O(\Delta^2)$: the first-order coefficient",
                  sp.diff(C.subs(z1, z1 + D), D).subs(D, 0), delta1)]   # the Taylor coefficient of Delta


def _node_error_numeric():
    rng = np.random.default_rng(0)
    W2, b2, y, z = rng.standard_normal((2, 3)), rng.standard_normal(2), rng.standard_normal(2), rng.standard_normal(3)
    C = lambda z: 0.5 * np.sum((y - F.sigmoid(W2 @ F.sigmoid(z) + b2)) ** 2)  # noqa: E731
    a = F.sigmoid(W2 @ F.sigmoid(z) + b2)
    delta = (W2.T @ ((a - y) * a * (1 - a))) * F.sigmoid(z) * (1 - F.sigmoid(z))
    hs = np.array([1e-1, 1e-2, 1e-3])
    rem = np.array([abs(C(z + h * np.eye(3)[1]) - C(z) - delta[1] * h) for h in hs])
    order = np.polyfit(np.log(hs), np.log(rem), 1)[0]
    return [holds(r"float64: the remainder $|C(\mathbf{z} + \Delta\mathbf{e}_j) - C(\mathbf{z}) - \delta_j\Delta|$ shrinks as $\Delta^2$",
                  1.9 <= order <= 2.1, f"fitted order {order:.3f} over D = 1e-1..1e-3")]


def _sgd_exact():
    N, B = 10 ** 6, 120
    return [exact(r"number of minibatches: $\lceil N / B\rceil$", sp.ceiling(sp.Rational(N, B)), 8334),
            exact(r"$N = 8333 \cdot 120 + 40$", sp.Integer(N // B) * B + N % B, N),
            exact(r"the last minibatch holds $N - 8333 \cdot 120$", N - (math.ceil(N / B) - 1) * B, 40)]


def _sgd_numeric():
    sizes = [len(range(10 ** 6)[i:i + 120]) for i in range(0, 10 ** 6, 120)]  # an actual pass over the data
    return [holds("one pass over 1,000,000 examples in slices of 120", (len(sizes), sizes[-1]) == (8334, 40),
                  f"{len(sizes)} minibatches, the last of {sizes[-1]}")]


RESULTS = [
    Result("gradient-example", "000", "1.5.1", "A gradient: ∇(x² + cos y)",
           r"\nabla (x^2 + \cos y) = [2x,\ -\sin y]", convention="scalars x, y",
           how=Gradient(shapes={"x": "", "y": ""}, loss="x**2 + cos(y)", claims={"x": "2*x", "y": "-sin(y)"})),
    Result("scalar-chain-rule", "000", "1.5.3", "Chain rule: d/dx sin(x²)",
           r"\frac{d}{dx}\sin(x^2) = 2x\cos(x^2)\quad (f = \sin g,\ g = x^2)", convention="scalar x",
           how=Gradient(shapes={"x": ""}, loss="sin(x**2)", claims={"x": "2*x*cos(x**2)"})),
    Result("hadamard-jacobian", "000", "3.2.2", "Jacobian of the Hadamard product: ∂(v ∘ w)/∂v = diag(w)",
           r"\frac{\partial(\mathbf{v}\odot\mathbf{w})}{\partial \mathbf{v}} = \operatorname{diag}(\mathbf{w})",
           convention=("column vectors of length n; proved through d(u^T (v o w))/dv = diag(w) u = w o u for an "
                       "arbitrary u, which determines the Jacobian (it is symmetric)"),
           how=Gradient(shapes={"v": "n,1", "w": "n,1", "u": "n,1"}, loss="u.T @ (v * w)", claims={"v": "w * u"},
                        sizes=({"n": 3},))),
    Result("sum-reduction", "000", "3.2.4", "Gradient of a sum reduction: ∂ sum(v)/∂v = 𝟏ᵀ",
           r"\frac{\partial\,\operatorname{sum}(\mathbf{v})}{\partial \mathbf{v}} = \mathbf{1}^{\top},\quad"
           r"\frac{\partial\,\operatorname{sum}(2\mathbf{v})}{\partial \mathbf{v}} = 2\cdot\mathbf{1}^{\top}",
           convention="v a column vector of length n; gradients written as columns (the notes write the row Jacobian)",
           how=Gradient(shapes={"v": "n,1"}, loss=["sum(v)", "sum(2*v)"],
                        claims=[{"v": "ones(n, 1)"}, {"v": "2 * ones(n, 1)"}], sizes=({"n": 3},))),
    Result("backprop-four-equations", "000", "4.2", "The four equations of backpropagation (BP1–BP4), any depth L",
           r"\text{BP1: } \boldsymbol\delta^L = \nabla_{\mathbf{a}} C \odot \sigma'(\mathbf{z}^L);\ "
           r"\text{BP2: } \boldsymbol\delta^l = ((\mathbf{W}^{l+1})^{\top}\boldsymbol\delta^{l+1}) \odot \sigma'(\mathbf{z}^l);\ "
           r"\text{BP3: } \frac{\partial C}{\partial \mathbf{b}^l} = \boldsymbol\delta^l;\ "
           r"\text{BP4: } \frac{\partial C}{\partial \mathbf{W}^l} = \boldsymbol\delta^l (\mathbf{a}^{l-1})^{\top}",
           convention=("out x in, column vectors. Each equation is local to one layer: by the multivariate chain "
                       "rule dC/dz^l depends on the layers above only through delta^{l+1} = dC/dz^{l+1}, so it is proved "
                       "for C = u^T a^L (BP1) and C = d^T z^{l+1} (BP2-BP4) with u, d arbitrary vectors standing for the "
                       "upstream gradient, at symbolic sizes; induction on l = L-1, ..., 1 gives every depth."),
           how=Gradient(shapes={"zL": "m,1", "u": "m,1", "z": "n,1", "W": "m,n", "b": "m,1", "d": "m,1"},
                        loss=["u.T @ f(zL)", "d.T @ (W @ f(z) + b)"],
                        claims=[{"zL": "u * fprime(zL)"},                                    # BP1
                                {"z": "(W.T @ d) * fprime(z)", "b": "d", "W": "d @ f(z).T"}],  # BP2, BP3, BP4
                        sizes=({"m": 2, "n": 3},))),
    Result("mistake-gradient-example", "000", "1.5.1", "Erratum: ∇(x² + cos y) = [2x, −sin x]",
           "", written=r"\nabla (x^2 + \cos y) = [2x,\ -\sin x]",
           how=Mistake(lambda: (lambda F: dict(lhs=sp.Matrix([F.diff(_x), F.diff(_y)]), rhs=sp.Matrix([2 * _x, -sp.sin(_x)]),
                                               corrected=sp.Matrix([2 * _x, -sp.sin(_y)])))(_x ** 2 + sp.cos(_y)),
                       correct="gradient-example")),
    Result("jacobian-example", "000", "1.5.2", "A Jacobian: F = [2x + y³, eʸ − 13x]",
           r"\mathbf{F} = \begin{bmatrix}2x + y^3\\ e^y - 13x\end{bmatrix},\quad "
           r"\mathbf{J} = \begin{bmatrix}2 & 3y^2\\ -13 & e^y\end{bmatrix}",
           convention="scalars x, y; row i of J is the gradient of F_i",
           how=Gradient(shapes={"x": "", "y": ""}, loss=["2*x + y**3", "exp(y) - 13*x"],
                        claims=[{"x": "2", "y": "3 * y**2"}, {"x": "-13", "y": "exp(y)"}])),
    Result("jacobian-chain-rule", "000", "1.5.4", "Vector chain rule: F = [sin g₁, ln g₂], g = [x² + y, y³]",
           r"\mathbf{J}_{\mathbf{F}} = \operatorname{diag}(\cos g_1, 1/g_2)"
           r"\begin{bmatrix}2x & 1\\ 0 & 3y^2\end{bmatrix} = "
           r"\begin{bmatrix}2x\cos(x^2 + y) & \cos(x^2 + y)\\ 0 & 3/y\end{bmatrix}",
           convention="scalars x, y > 0; the rows of the product diag(...) J_g are the claimed gradients",
           how=Gradient(shapes={"x": "", "y": ""}, loss=["sin(x**2 + y)", "log(y**3)"],
                        # row i: diag(cos g1, 1/g2)_ii times row i of J_g = [[2x, 1], [0, 3y^2]]
                        claims=[{"x": "cos(x**2 + y) * (2*x)", "y": "cos(x**2 + y) * 1"},
                                {"x": "1 / y**3 * 0", "y": "1 / y**3 * (3 * y**2)"}], sample={"y": "positive"})),
    Result("layer-forward", "000", "2.1-2.3", "A layer's forward pass z = Wa + b, with the notes' numbers",
           r"\mathbf{z} = \mathbf{W}\mathbf{a} + \mathbf{b},\ \mathbf{W}\in\mathbb{R}^{n_l\times n_{l-1}};\quad "
           r"\begin{bmatrix}5&2\\3&6\end{bmatrix}\begin{bmatrix}10\\20\end{bmatrix} + 6 = "
           r"\begin{bmatrix}96\\156\end{bmatrix},\ \operatorname{ReLU}\to\begin{bmatrix}96\\156\end{bmatrix}",
           convention="out x in, column vectors; the bias 6 is added to every entry",
           how=Facts(_layer_forward_symbolic, _layer_forward_concrete, _layer_forward_numeric)),
    Result("elementwise-jacobian", "000", "3.2.1", "Jacobians of elementwise binary operations are diagonal",
           r"\mathbf{y} = f(\mathbf{v}) \bigcirc g(\mathbf{w}):\ "
           r"\frac{\partial \mathbf{y}}{\partial \mathbf{v}} = \operatorname{diag}\Big(\frac{\partial y_i}{\partial v_i}\Big),\ "
           r"\text{for } +: f'(v_i),\ g'(w_i);\ -: f'(v_i),\ -g'(w_i);\ "
           r"\odot: f'(v_i)g(w_i),\ f(v_i)g'(w_i);\ \oslash: \frac{f'(v_i)}{g(w_i)},\ -\frac{f(v_i)g'(w_i)}{g(w_i)^2}",
           convention=("column vectors of length n; f, g any differentiable functions (numerics: sigmoid, tanh); "
                       "each Jacobian J is proved through d(u^T y)/d v = J^T u = diag(.) u for an arbitrary u"),
           how=Gradient(
               shapes={"v": "n,1", "w": "n,1", "u": "n,1"},
               loss=["u.T @ (f(v) + g(w))", "u.T @ (f(v) - g(w))", "u.T @ (f(v) * g(w))", "u.T @ (f(v) / g(w))"],
               claims=[{"v": "u * fprime(v)", "w": "u * gprime(w)"},
                       {"v": "u * fprime(v)", "w": "-(u * gprime(w))"},
                       {"v": "u * fprime(v) * g(w)", "w": "u * f(v) * gprime(w)"},
                       {"v": "u * fprime(v) / g(w)", "w": "-(u * f(v) * gprime(w) / g(w)**2)"}],
               sizes=({"n": 3},), sample={"w": "positive"})),
    Result("scalar-expansion", "000", "3.2.3", "Derivatives of scalar expansion: ∂(xv)/∂x = v, ∂(xv)/∂v = xI",
           r"\frac{\partial (x\mathbf{v})}{\partial x} = \mathbf{v},\quad "
           r"\frac{\partial (\mathbf{v} + x\mathbf{1})}{\partial x} = \mathbf{1},\quad "
           r"\frac{\partial (x\mathbf{v})}{\partial \mathbf{v}} = x\mathbf{I}",
           convention="scalar x, column vector v of length n; each Jacobian proved through u^T times it, u arbitrary",
           how=Gradient(shapes={"x": "", "v": "n,1", "u": "n,1"}, loss=["u.T @ (x * v)", "u.T @ (v + x * ones(n, 1))"],
                        claims=[{"x": "u.T @ v", "v": "x * u"}, {"x": "u.T @ ones(n, 1)"}], sizes=({"n": 3},))),
    Result("neuron-gradient", "000", "3.3", "Gradient of one neuron a = σ(wᵀx + b), smooth and ReLU",
           r"a = \sigma(\mathbf{w}^{\top}\mathbf{x} + b):\ \frac{\partial a}{\partial \mathbf{w}} = \sigma'(z)\mathbf{x}^{\top},\ "
           r"\frac{\partial a}{\partial b} = \sigma'(z);\quad a = \operatorname{ReLU}(z):\ "
           r"\frac{\partial a}{\partial \mathbf{w}} = \begin{cases}\mathbf{0}^{\top} & z \le 0\\ \mathbf{x}^{\top} & z > 0\end{cases}",
           convention=("w, x column vectors of length n, b a 1 x 1 matrix; gradients written as columns; sigma any "
                       "activation (f). ReLU'(0) = 0 (the notes' convention); each branch of ReLU is proved, and the "
                       "numeric check samples integers so that z = 0 occurs, where the one-sided test applies"),
           how=Gradient(shapes={"w": "n,1", "x": "n,1", "b": "1,1"}, where={"z": "w.T @ x + b"}, loss=["f(z)", "relu(z)"],
                        claims=[{"w": "x @ fprime(z)", "b": "fprime(z)"}, {"w": "x @ step(z)", "b": "step(z)"}],
                        sizes=({"n": 2},), sample={"w": "integer", "x": "integer", "b": "integer"},
                        branches=(_ID, _ZERO))),
    Result("mse-relu-neuron", "000", "3.4-3.5", "Mean squared error of a ReLU neuron",
           r"C = \frac{1}{2m}\sum_i (y_i - a_i)^2,\ a_i = \operatorname{ReLU}(\mathbf{w}^{\top}\mathbf{x}_i + b):\ "
           r"\frac{\partial C}{\partial \mathbf{w}} = \frac1m\sum_{z_i > 0} e_i\mathbf{x}_i^{\top},\ "
           r"\frac{\partial C}{\partial b} = \frac1m\sum_{z_i > 0} e_i,\quad e_i = \mathbf{w}^{\top}\mathbf{x}_i + b - y_i",
           convention=("examples x_i are the m columns of X (n x m), y is 1 x m, b a 1 x 1 matrix; the sum over z_i > 0 is "
                       "the Hadamard product with step(z) (step(0) = 0); gradients as columns"),
           how=Gradient(shapes={"w": "n,1", "X": "n,m", "y": "1,m", "b": "1,1"},
                        where={"z": "w.T @ X + b @ ones(1, m)", "r": "y - relu(z)", "e": "z - y"},
                        loss="r @ r.T / (2*m)",
                        claims={"w": "X @ (e * step(z)).T / m", "b": "(e * step(z)) @ ones(m, 1) / m"},
                        sizes=({"n": 2, "m": 3},), sample={"w": "integer", "X": "integer", "b": "integer"},
                        branches=(_ID, _ZERO))),
    Result("gradient-descent", "000", "3.7-3.8", "Gradient descent: steepest descent; on θ² it converges iff 0 < η < 1",
           r"\boldsymbol\theta \leftarrow \boldsymbol\theta - \eta\nabla C;\ "
           r"\min_{\|\mathbf{d}\| = 1}\nabla C^{\top}\mathbf{d} = -\|\nabla C\| \text{ at } \mathbf{d} = -\nabla C/\|\nabla C\|;\ "
           r"\text{on } C = \theta^2:\ \theta_k = (1 - 2\eta)^k\theta_0 \to 0 \iff 0 < \eta < 1",
           convention="scalar theta for the convergence statement; the steepest-descent identity in 3 components",
           how=Facts(_gd_symbolic, _gd_concrete, _gd_numeric)),
    Result("sgd-batches", "000", "3.8", "Minibatches: 1,000,000 examples in batches of 120",
           r"\lceil 10^6 / 120\rceil = 8334 \text{ minibatches, the last holding } 10^6 - 8333\cdot 120 = 40",
           convention="exact integer arithmetic; the numeric check slices an actual range",
           how=Facts(_sgd_exact, lambda: _sgd_exact()[1:], _sgd_numeric)),
    Result("node-error", "000", "4.1", "The node error δⱼ = ∂C/∂zⱼ is the first-order effect of a change in zⱼ",
           r"\delta_j = \frac{\partial C}{\partial z_j}:\ C(\mathbf{z} + \Delta\mathbf{e}_j) = "
           r"C(\mathbf{z}) + \delta_j\Delta + O(\Delta^2)",
           convention=("proved for C = (1/2)(y - sigma(w1 sigma(z1) + w2 sigma(z2) + b))^2 with delta_1 from BP1-BP2; "
                       "the numeric check fits the order of the remainder on a 3-2 network"),
           how=Facts(_node_error_symbolic, None, _node_error_numeric)),
]
