"""Seed 001: lecture notes on word vectors, softmax and backprop (CS224n style).

Column vectors and W of shape (out, in) unless an entry says otherwise.  The
notes have no section numbers; `section` cites the seed's line numbers.
"""
import numpy as np
import sympy as sp

from derive.maths.functions import relu_branches, sigmoid
from derive.matrix.mexpr import dim, variables
from derive.records import Facts, Gradient, Identity, Mistake, Result
from derive.verification.facts import close, exact, holds
from derive.verification.statements import route

_WINDOW = {"W": "h,n", "x": "n,1", "b": "h,1", "v": "h,1"}
_TWO = {"W1": "h,n", "b1": "h,1", "W2": "k,h", "b2": "k,1", "x": "n,1", "v": "k,1"}
_TWO_WHERE = {"z2": "W1 @ x + b1", "a2": "f(z2)", "z3": "W2 @ a2 + b2", "d3": "v * fprime(z3)"}
_ROW = {"x": "1,Dx", "W1": "Dx,H", "b1": "1,H", "W2": "H,Dy", "b2": "1,Dy", "y": "1,Dy"}
_ROW_WHERE = {"h": "sigmoid(x @ W1 + b1)", "yhat": "softmax(h @ W2 + b2, axis=1)"}
_LSQ = {"theta": "n,1", "X": "n,m", "y": "1,m", "alpha": ""}
_ID, _ZERO = relu_branches("margin")
_x, _y, _V = sp.Symbol("x", real=True), sp.Symbol("y", real=True), variables(_LSQ)

# The notes' routes, entry by entry: each step is proved to follow from the one before.
_WIN_IX = {"z(r)": "Sum(W[r, k] * x[k, 0], (k, 0, n - 1)) + b[r, 0]", "s": "Sum(v[i, 0] * f(z(i)), (i, 0, h - 1))"}
_WINDOW_ROUTE = (
    route(r"\frac{\partial s}{\partial W_{pq}}", _WINDOW, [
        ("Derivative(s, W[p, q])", r"$s = \sum_i v_i f(z_i)$, $z_i = \sum_k W_{ik} x_k + b_i$"),
        ("Sum(v[i, 0] * fprime(z(i)) * Derivative(z(i), W[p, q]), (i, 0, h - 1))", r"chain rule through each $z_i$"),
        ("Sum(v[i, 0] * fprime(z(i)) * KroneckerDelta(i, p, (0, h - 1)) * x[q, 0], (i, 0, h - 1))",
         r"$\partial z_i / \partial W_{pq} = \delta_{ip} x_q$"),
        ("v[p, 0] * fprime(z(p)) * x[q, 0]", r"only $i = p$ remains"),
        ("lang('(v * fprime(W @ x + b)) @ x.T')[p, q]",
         r"$\delta_p = v_p f'(z_p)$: entry $(p, q)$ of $\boldsymbol\delta\mathbf{x}^{\top}$")],
        r"\frac{\partial s}{\partial \mathbf{W}} = \boldsymbol\delta\mathbf{x}^{\top}", _WIN_IX),
    route(r"\frac{\partial s}{\partial x_{q}}", _WINDOW, [
        ("Derivative(s, x[q, 0])", r"the same $s$"),
        ("Sum(v[i, 0] * fprime(z(i)) * Derivative(z(i), x[q, 0]), (i, 0, h - 1))", r"chain rule through each $z_i$"),
        ("Sum(v[i, 0] * fprime(z(i)) * W[i, q], (i, 0, h - 1))", r"$\partial z_i / \partial x_q = W_{iq}$"),
        ("lang('W.T @ (v * fprime(W @ x + b))')[q, 0]",
         r"$\sum_i W_{iq}\delta_i$: entry $q$ of $\mathbf{W}^{\top}\boldsymbol\delta$")],
        r"\frac{\partial s}{\partial \mathbf{x}} = \mathbf{W}^{\top}\boldsymbol\delta", _WIN_IX))

def _onto_the_kink(F, vals):
    """Scale v so that 1 - s + s_c = 0 (to rounding): the central stencil
    then crosses the hinge, where the one-sided interval test applies."""
    a, ac = (F.sigmoid(vals["W"] @ vals[x] + vals["b"]) for x in ("x", "xc"))
    vals["v"] = vals["v"] / (vals["v"].T @ (a - ac)).item()
    return vals


def _gradient_check_symbolic():
    x, eps, u, F, M = sp.symbols("x epsilon u F M", positive=True)
    c = sp.symbols("c0:4", real=True)
    quad = c[0] + c[1] * x + c[2] * x ** 2
    cubic = quad + c[3] * x ** 3
    central = lambda p: (p.subs(x, x + eps) - p.subs(x, x - eps)) / (2 * eps)  # noqa: E731
    best = sp.solve(sp.diff(M * eps ** 2 / 6 + u * F / eps, eps), eps)  # truncation + rounding of the difference
    return [exact(r"the central difference is exact for degree $\le 2$", central(quad), sp.diff(quad, x)),
            exact(r"its error for degree 3 is $c_3\epsilon^2$ (not exact)", central(cubic) - sp.diff(cubic, x), c[3] * eps ** 2),
            exact(r"the forward difference of a quadratic errs by $c_2\epsilon$",
                  (quad.subs(x, x + eps) - quad) / eps - sp.diff(quad, x), c[2] * eps),
            holds(r"the error model $M\epsilon^2/6 + uF/\epsilon$ is least at $\epsilon = (3uF/M)^{1/3}$",
                  len(best) == 1 and sp.simplify(best[0] ** 3 - 3 * u * F / M) == 0, f"stationary point {best}")]


def _gradient_check_concrete():
    e, t, J = sp.Rational(1, 10 ** 4), sp.Rational(123456, 1000), lambda a, b: a ** 2 + b ** 2
    central = lambda f, x: (f(x + e) - f(x - e)) / (2 * e)  # noqa: E731
    best = float((3 * sp.Rational(1, 2 ** 53)) ** sp.Rational(1, 3))
    return [exact(r"$J([1, 2]) = 5$", J(1, 2), 5),
            exact(r"$\nabla J([1, 2]) = [2, 4]$ by central differences (exact)",
                  sp.Matrix([central(lambda a: J(a, 2), 1), central(lambda b: J(1, b), 2)]), sp.Matrix([2, 4])),
            exact(r"$123.456^2 = 15241.383936$", t ** 2, sp.Rational(15241383936, 10 ** 6)),
            exact(r"the central difference at $123.456$ is $246.912$", central(lambda s: s ** 2, t), sp.Rational(246912, 1000)),
            holds(r"the best step $(3u)^{1/3}$ for $u = 2^{-53}$, $|f| = |f'''| = 1$, is about $7 \cdot 10^{-6}$",
                  6e-6 < best < 8e-6, f"{best:.2e}")]


def _fd_error(eps, x=123.456):
    """Exact error of the float64 central difference of x^2 (the float result converted exactly to a rational)."""
    return abs(sp.Rational(((x + eps) ** 2 - (x - eps) ** 2) / (2 * eps)) - 2 * sp.Rational(x))


def _gradient_check_numeric():
    e4, e9 = _fd_error(1e-4), _fd_error(1e-9)
    return [close(r"float64 central difference of $\sum x^2$ at $[1, 2]$",
                  [((1 + 1e-4) ** 2 - (1 - 1e-4) ** 2) / 2e-4, ((2 + 1e-4) ** 2 - (2 - 1e-4) ** 2) / 2e-4], [2, 4], 1e-10),
            holds(r"float64 at $123.456$: $\epsilon = 10^{-9}$ errs far more than $\epsilon = 10^{-4}$", e9 > 100 * e4,
                  f"error {float(e9):.2e} at 1e-9 vs {float(e4):.2e} at 1e-4")]


def _refute_epsilon():
    e4, e9 = _fd_error(1e-4), _fd_error(1e-9)
    return e9 > e4, (f"float64 central difference of x^2 at x = 123.456: exact error {float(e9):.3e} with "
                     f"eps = 1e-9 against {float(e4):.3e} with eps = 1e-4 (round-off ~u|f|/eps dominates)")


def _epsilon_range():
    """The correction, computed as the refutation is: eps = 1e-4 .. 1e-6 beats 1e-9."""
    e9, errs = _fd_error(1e-9), {e: _fd_error(e) for e in (1e-4, 1e-5, 1e-6)}
    return all(v < e9 for v in errs.values()), ("exact error of the central difference " + ", ".join(
        f"{float(v):.1e} at eps = {e:.0e}" for e, v in errs.items()) + f", all below {float(e9):.1e} at 1e-9")


def _parameter_count_symbolic():
    Dx, H, Dy = (dim(s) for s in ("Dx", "H", "Dy"))
    shapes = [(Dx, H), (1, H), (H, Dy), (1, Dy)]   # W1, b1, W2, b2 in the row-vector network
    return [exact(r"entries of $\mathbf{W}_1$, $\mathbf{b}_1$, $\mathbf{W}_2$, $\mathbf{b}_2$", sum(a * b for a, b in shapes), (Dx + 1) * H + (H + 1) * Dy)]


def _parameter_count_concrete():
    mats = [sp.MatrixSymbol(n, r, c).as_explicit() for n, r, c in (("W1", 20, 8), ("b1", 1, 8), ("W2", 8, 5), ("b2", 1, 5))]
    return [exact(r"$D_x = 20$, $H = 8$, $D_y = 5$: the entries counted", sum(len(m) for m in mats), (20 + 1) * 8 + (8 + 1) * 5)]


def _parameter_count_numeric():
    n = sum(np.zeros(s).size for s in ((20, 8), (1, 8), (8, 5), (1, 5)))
    return [holds("NumPy parameter arrays", n == 213, f"{n} = 21*8 + 9*5")]


def _ce_example():
    H = -sum(pi * sp.log(qi) for pi, qi in zip([0, 1, 0], [sp.Rational(1, 100), sp.Rational(9, 10), sp.Rational(9, 100)]))
    return [exact(r"$H(p, q) = -\log 0.9$", H, -sp.log(sp.Rational(9, 10))),
            holds(r"$-\log 0.9 = 0.10536$ to 5 places", sp.Rational(105355, 10 ** 6) <= sp.N(H, 50) < sp.Rational(105365, 10 ** 6),
                  f"{sp.N(H, 20)} (50-digit evaluation)")]


def _ce_example_numeric():
    Hf = -float(np.sum(np.array([0.0, 1.0, 0.0]) * np.log([0.01, 0.9, 0.09])))
    return [close(r"float64 $H(p, q)$", Hf, 0.105360515657826, 1e-14), holds("rounds to 0.10536", round(Hf, 5) == 0.10536, f"{Hf:.10f}")]


RESULTS = [
    Result("softmax-shift-invariance", "001", "lines 225-240, 457-470", "softmax(x + c𝟏) = softmax(x)",
           r"\operatorname{softmax}(\mathbf{x} + c\mathbf{1}) = \operatorname{softmax}(\mathbf{x})"
           r"\quad\text{for every scalar } c", convention="x a column vector of length n",
           how=Identity(shapes={"x": "n,1", "c": ""}, lhs="softmax(x + c * ones(n, 1))", rhs="softmax(x)",
                        sizes=({"n": 3},)),
           steps=(route(r"\operatorname{softmax}(\mathbf{x} + c\mathbf{1})_p", {"x": "n,1", "c": ""}, [
               ("softmax(x + c * ones(n))[p, 0]", r"definition, entry $p$"),
               ("exp(x[p, 0] + c) / Sum(exp(x[j, 0] + c), (j, 0, n - 1))", r"$(\mathbf{x} + c\mathbf{1})_j = x_j + c$"),
               # kept apart: SymPy would merge e^c e^{x_p} and cancel e^c before the step is shown
               ("UnevaluatedExpr(Mul(exp(c), exp(x[p, 0]), evaluate=False)) / UnevaluatedExpr(Mul(exp(c), S, "
                "evaluate=False))", r"$e^{x_j + c} = e^c e^{x_j}$; $e^c$ out of the sum"),
               ("exp(x[p, 0]) / S", r"cancel $e^c \neq 0$"),
               ("softmax(x)[p, 0]", r"$\operatorname{softmax}(\mathbf{x})_p$")],
               r"\operatorname{softmax}(\mathbf{x} + c\mathbf{1}) = \operatorname{softmax}(\mathbf{x})",
               {"S": "Sum(exp(x[j, 0]), (j, 0, n - 1))"}),)),
    Result("sigmoid-derivative", "001", "lines 100-130 (also seed 002)", "σ′(x) = σ(x)(1 − σ(x))",
           r"\sigma'(x) = \sigma(x)\,(1 - \sigma(x)),\qquad \sigma(x) = \frac{1}{1 + e^{-x}}",
           convention="scalar x; applied elementwise to vectors",
           # the definition is differentiated, not the rule for sigma: this result is what justifies that rule
           how=Gradient(shapes={"x": ""}, loss="1 / (1 + exp(-x))", claims={"x": "sigmoid(x) * (1 - sigmoid(x))"}),
           steps=(route(r"\frac{d\sigma}{dx}", {"x": ""}, [   # seed 001 lines 100-130, seed 002
               ("Derivative(1 / (1 + exp(-x)), x)", r"$\sigma(x) = (1 + e^{-x})^{-1}$"),
               ("exp(-x) / (1 + exp(-x))**2", r"chain rule: $-(1 + e^{-x})^{-2} \cdot (-e^{-x})$"),
               ("UnevaluatedExpr(1 / (1 + exp(-x))) * UnevaluatedExpr(exp(-x) / (1 + exp(-x)))", "split the fraction"),
               ("UnevaluatedExpr(1 / (1 + exp(-x))) * UnevaluatedExpr(1 - 1 / (1 + exp(-x)))",
                r"$\frac{e^{-x}}{1 + e^{-x}} = 1 - \frac{1}{1 + e^{-x}}$"),
               ("sigmoid(x) * (1 - sigmoid(x))", r"$\sigma(x)\,(1 - \sigma(x))$")], r"\sigma' = \sigma(1 - \sigma)"),),
           justifies=(sigmoid,)),
    Result("softmax-ce-gradient", "001", "lines 20-75, 527-630", "Cross-entropy through softmax: ∂L/∂θ = ŷ − y",
           r"\frac{\partial}{\partial \boldsymbol{\theta}} \Big(-\sum_i y_i \log \hat y_i\Big)"
           r" = \hat{\mathbf{y}} - \mathbf{y},\quad \hat{\mathbf{y}} = \operatorname{softmax}(\boldsymbol\theta),"
           r"\ \textstyle\sum_i y_i = 1",
           convention="column vectors of length n; y one-hot, or any y whose entries sum to 1 (the assumption is used)",
           how=Gradient(shapes={"theta": "n,1", "y": "n,1"}, loss="-(y.T @ log(softmax(theta)))",
                        claims={"theta": "softmax(theta) - y"}, assume=("sum(y) == 1",),
                        sizes=({"n": 3},), sample={"y": "simplex"}),
           steps=(route(r"\frac{\partial L}{\partial \theta_p}", {"theta": "n,1", "y": "n,1"}, [
               ("Derivative(-Sum(y[i, 0] * log(exp(theta[i, 0]) / S), (i, 0, n - 1)), theta[p, 0])",
                r"$L = -\sum_i y_i \log \hat y_i$, $\hat y_i = e^{\theta_i} / \sum_j e^{\theta_j}$"),
               ("Derivative(-Sum(y[i, 0] * theta[i, 0], (i, 0, n - 1)) + Sum(y[i, 0] * log(S), (i, 0, n - 1)), "
                "theta[p, 0])", r"log of a quotient: $\log(e^{\theta_i}/S) = \theta_i - \log S$"),
               ("Derivative(-Sum(y[i, 0] * theta[i, 0], (i, 0, n - 1)) + log(S), theta[p, 0])",
                r"$\sum_i y_i = 1$ (one-hot $\mathbf{y}$)"),
               ("-y[p, 0] + exp(theta[p, 0]) / S", r"cases $i = p$ (1) and $i \ne p$ (0); derivative of $\log S$"),
               ("softmax(theta)[p, 0] - y[p, 0]", r"$\hat y_p = e^{\theta_p}/S$: the claim, entry $p$")],
               r"\frac{\partial L}{\partial \boldsymbol{\theta}} = \hat{\mathbf{y}} - \mathbf{y}",
               {"S": "Sum(exp(theta[j, 0]), (j, 0, n - 1))"}, ("sum(y) == 1",)),)),
    Result("window-score-gradients", "001", "lines 940-1340", "Window score s = vᵀf(Wx + b): ∂s/∂W = δxᵀ, ∂s/∂x = Wᵀδ",
           r"s = \mathbf{v}^{\top} f(\mathbf{W}\mathbf{x} + \mathbf{b}),\ "
           r"\boldsymbol\delta = \mathbf{v} \odot f'(\mathbf{z}):\ "
           r"\frac{\partial s}{\partial \mathbf{v}} = \mathbf{a},\ "
           r"\frac{\partial s}{\partial \mathbf{W}} = \boldsymbol\delta\mathbf{x}^{\top},\ "
           r"\frac{\partial s}{\partial \mathbf{b}} = \boldsymbol\delta,\ "
           r"\frac{\partial s}{\partial \mathbf{x}} = \mathbf{W}^{\top}\boldsymbol\delta",
           convention="x in R^n, W in R^{h x n} (the notes: n = 20, h = 8), v, b in R^h; f any differentiable activation",
           how=Gradient(shapes=_WINDOW, where={"z": "W @ x + b", "delta": "v * fprime(z)"}, loss="v.T @ f(z)",
                        claims={"v": "f(z)", "W": "delta @ x.T", "b": "delta", "x": "W.T @ delta"},
                        sizes=({"h": 3, "n": 2},)),
           steps=_WINDOW_ROUTE),
    Result("two-layer-delta-recursion", "001", "lines 1080-1110", "Two-layer score: δ₂ = (W₂ᵀδ₃) ∘ f′(z₂)",
           r"s = \mathbf{v}^{\top} f(\mathbf{W}_2 f(\mathbf{W}_1\mathbf{x} + \mathbf{b}_1) + \mathbf{b}_2):\ "
           r"\boldsymbol\delta_3 = \mathbf{v}\odot f'(\mathbf{z}_3),\ "
           r"\frac{\partial s}{\partial \mathbf{W}_2} = \boldsymbol\delta_3\mathbf{a}_2^{\top},\ "
           r"\frac{\partial s}{\partial \mathbf{b}_2} = \boldsymbol\delta_3,\ "
           r"\boldsymbol\delta_2 = (\mathbf{W}_2^{\top}\boldsymbol\delta_3)\odot f'(\mathbf{z}_2),\ "
           r"\frac{\partial s}{\partial \mathbf{W}_1} = \boldsymbol\delta_2\mathbf{x}^{\top},\ "
           r"\frac{\partial s}{\partial \mathbf{b}_1} = \boldsymbol\delta_2,\ "
           r"\frac{\partial s}{\partial \mathbf{x}} = \mathbf{W}_1^{\top}\boldsymbol\delta_2",
           convention="x in R^n, W1 (h x n), W2 (k x h), v in R^k; f any differentiable activation",
           how=Gradient(shapes=_TWO, where={**_TWO_WHERE, "d2": "(W2.T @ d3) * fprime(z2)"}, loss="v.T @ f(z3)",
                        claims={"W2": "d3 @ a2.T", "b2": "d3", "W1": "d2 @ x.T", "b1": "d2", "x": "W1.T @ d2"},
                        sizes=({"n": 2, "h": 3, "k": 2},)),
           steps=(route(r"\frac{\partial s}{\partial b_{1,p}}", _TWO, [
               ("Derivative(s, b1[p, 0])", r"$s = \sum_i v_i f(z_{3,i})$, $z_3 = \mathbf{W}_2 f(\mathbf{z}_2) + "
                                           r"\mathbf{b}_2$, $\mathbf{z}_2 = \mathbf{W}_1\mathbf{x} + \mathbf{b}_1$"),
               ("Sum(v[i, 0] * fprime(z3(i)) * Derivative(z3(i), b1[p, 0]), (i, 0, k - 1))",
                r"chain rule through each $z_{3,i}$: $\delta_{3,i} = v_i f'(z_{3,i})$"),
               ("Sum(v[i, 0] * fprime(z3(i)) * W2[i, p], (i, 0, k - 1)) * fprime(z2(p))",
                r"$\partial z_{3,i} / \partial b_{1,p} = W_{2,ip} f'(z_{2,p})$"),
               ("lang('(W2.T @ (v * fprime(W2 @ f(W1 @ x + b1) + b2))) * fprime(W1 @ x + b1)')[p, 0]",
                r"$\delta_{2,p} = (\mathbf{W}_2^{\top}\boldsymbol\delta_3)_p f'(z_{2,p})$: the recursion")],
               r"\boldsymbol\delta_2 = (\mathbf{W}_2^{\top}\boldsymbol\delta_3) \odot f'(\mathbf{z}_2) = "
               r"\frac{\partial s}{\partial \mathbf{b}_1}",
               {"z2(r)": "Sum(W1[r, m] * x[m, 0], (m, 0, n - 1)) + b1[r, 0]",
                "z3(r)": "Sum(W2[r, j] * f(z2(j)), (j, 0, h - 1)) + b2[r, 0]",
                "s": "Sum(v[i, 0] * f(z3(i)), (i, 0, k - 1))"}),)),
    Result("softmax-jacobian", "001", "lines 457-470", "Jacobian of softmax: diag(ŷ) − ŷŷᵀ",
           r"\frac{\partial \operatorname{softmax}(\boldsymbol\theta)}{\partial \boldsymbol\theta}"
           r" = \operatorname{diag}(\hat{\mathbf{y}}) - \hat{\mathbf{y}}\hat{\mathbf{y}}^{\top}",
           convention=("column vectors of length n; the Jacobian J is symmetric, so it is proved through "
                       "d(u^T softmax(theta))/d theta = J u for an arbitrary vector u, which determines J"),
           how=Gradient(shapes={"theta": "n,1", "u": "n,1"}, where={"yhat": "softmax(theta)"}, loss="u.T @ yhat",
                        claims={"theta": "yhat * u - yhat @ (yhat.T @ u)"}, sizes=({"n": 3},))),
    Result("sigmoid-is-two-class-softmax", "001", "lines 228-236", "Two-class softmax is σ: softmax([a, b])₁ = σ(a − b)",
           r"\operatorname{softmax}([a, b])_1 = \sigma(a - b)", convention="scalars a, b",
           how=Identity(shapes={"a": "", "b": ""}, lhs="exp(a) / (exp(a) + exp(b))", rhs="sigmoid(a - b)")),
    Result("mistake-sigmoid-derivative-sign", "001", "scratch work, lines 1179-1190", "Erratum: σ′(x) = −σ(x)",
           "", written=r"\sigma'(x) = -\sigma(x)",
           how=Mistake(shapes={"x": ""}, loss="1 / (1 + exp(-x))", wrt="x", written="-sigmoid(x)",
                       corrected="sigmoid(x) * (1 - sigmoid(x))", correct="sigmoid-derivative")),
    Result("mistake-dh-dz", "001", "two-layer dJ/dx, lines 895-900", "Erratum: dh/dz = σ(z) ∘ σ(1 − z)",
           "", written=r"\frac{dh}{dz} = \sigma(z) \circ \sigma(1 - z)",
           how=Mistake(shapes={"z": ""}, loss="1 / (1 + exp(-z))", wrt="z", written="sigmoid(z) * sigmoid(1 - z)",
                       corrected="sigmoid(z) * (1 - sigmoid(z))", correct="sigmoid-derivative", via={"x": "z"})),
    Result("mistake-window-dx", "001", "window score, lines 1330-1340", "Erratum: ∂s/∂x = δWᵀ",
           "", written=r"\frac{\partial s}{\partial \mathbf{x}} = \boldsymbol\delta \mathbf{W}^{\top}",
           convention="delta is h x 1 and W^T is n x h: the product is undefined unless n = 1",
           how=Mistake(shapes=_WINDOW, where={"z": "W @ x + b", "delta": "v * fprime(z)"}, loss="v.T @ f(z)",
                       wrt="x", written="delta @ W.T", corrected="W.T @ delta", sizes={"h": 3, "n": 2},
                       correct="window-score-gradients")),
    Result("mistake-delta-recursion", "001", "delta recursion, lines 1080-1110", "Erratum: δ₂ = (W₂δ₃) ∘ f′(z₁)",
           "", written=r"\boldsymbol\delta^{(2)} = (\mathbf{W}^{(2)}\boldsymbol\delta^{(3)}) \circ f'(\mathbf{z}^{(1)})",
           convention=("delta2 = ds/dz2 = ds/db1. z1 is read as the input x (a1 = x in the notes' numbering). "
                       "All widths are 2, so the written formula is at least well-typed and is refuted by value."),
           how=Mistake(shapes=_TWO, where=_TWO_WHERE, loss="v.T @ f(z3)", wrt="b1", written="(W2 @ d3) * fprime(x)",
                       corrected="(W2.T @ d3) * fprime(z2)", sizes={"n": 2, "h": 2, "k": 2},
                       correct="two-layer-delta-recursion")),
    Result("mistake-softmax-derivative", "001", "lines 457-470", "Erratum: ∂softmax(θ)/∂θ = σ(θ)(1 − σ(θ))",
           "", written=r"\frac{d}{d\boldsymbol\theta}\operatorname{softmax}(\boldsymbol\theta) = "
                       r"\sigma(\boldsymbol\theta)(1 - \sigma(\boldsymbol\theta))",
           convention=("sigma here is the notes' name for softmax; the claim read as a Jacobian, "
                       "diag(y(1 - y)), applied to a vector u as in softmax-jacobian"),
           how=Mistake(shapes={"theta": "n,1", "u": "n,1"}, where={"yhat": "softmax(theta)"}, loss="u.T @ yhat",
                       wrt="theta", written="yhat * u * (1 - yhat)", corrected="yhat * u - yhat @ (yhat.T @ u)",
                       sizes={"n": 3}, correct="softmax-jacobian")),
    Result("least-squares-gradient", "001", "least squares, gradient descent", "Least squares: ∇J = Σᵢ(θᵀxⁱ − yⁱ)xⁱ",
           r"J = \tfrac12\sum_i (\boldsymbol\theta^{\top}\mathbf{x}^{(i)} - y^{(i)})^2:\ "
           r"\nabla J = \sum_i (\boldsymbol\theta^{\top}\mathbf{x}^{(i)} - y^{(i)})\,\mathbf{x}^{(i)}",
           convention="examples x^(i) are the m columns of X (n x m), y is 1 x m; the sum over i is X (X^T theta - y^T)",
           how=Gradient(shapes={"theta": "n,1", "X": "n,m", "y": "1,m"}, where={"r": "theta.T @ X - y"},
                        loss="r @ r.T / 2", claims={"theta": "X @ r.T"}, sizes=({"n": 2, "m": 3},))),
    Result("l2-regularization", "001", "softmax classifier, regularization", "L2 penalty: ∇(λ Σθ²) = 2λθ",
           r"\frac{\partial}{\partial\boldsymbol\theta}\Big(\lambda\sum_k\theta_k^2\Big) = 2\lambda\boldsymbol\theta",
           convention="theta a column vector of length n, lambda a scalar",
           how=Gradient(shapes={"theta": "n,1", "lam": ""}, loss="lam * (theta.T @ theta)",
                        claims={"theta": "2 * lam * theta"}, sizes=({"n": 3},))),
    # the row-vector network, the classifier, max margin, gradient checking, word vectors
    Result("two-layer-input-gradient", "001", "lines 800-935", "Two-layer softmax network, rows: ∂J/∂x",
           r"\mathbf{h} = \sigma(\mathbf{x}\mathbf{W}_1 + \mathbf{b}_1),\ "
           r"\hat{\mathbf{y}} = \operatorname{softmax}(\mathbf{h}\mathbf{W}_2 + \mathbf{b}_2),\ "
           r"J = \operatorname{CE}(\mathbf{y}, \hat{\mathbf{y}}):\ "
           r"\frac{\partial J}{\partial \mathbf{x}} = \big((\hat{\mathbf{y}} - \mathbf{y})\mathbf{W}_2^{\top}"
           r"\odot\mathbf{h}\odot(1 - \mathbf{h})\big)\mathbf{W}_1^{\top}",
           convention="row vectors: x is 1 x Dx, W1 is Dx x H, W2 is H x Dy, softmax along the row; y sums to 1",
           how=Gradient(shapes=_ROW, where=_ROW_WHERE, loss="-(y @ log(yhat).T)",
                        claims={"x": "((yhat - y) @ W2.T * h * (1 - h)) @ W1.T"}, assume=("sum(y, axis=1) == 1",),
                        sizes=({"Dx": 2, "H": 3, "Dy": 2},), sample={"y": "simplex_rows"})),
    Result("parameter-count", "001", "lines 800-870", "Parameters of the two-layer network",
           r"(D_x + 1)\,H + (H + 1)\,D_y", convention="W1 (Dx x H), b1 (1 x H), W2 (H x Dy), b2 (1 x Dy)",
           how=Facts(_parameter_count_symbolic, _parameter_count_concrete, _parameter_count_numeric)),
    Result("cross-entropy-example", "001", "cross entropy, lines 20-75", "Cross-entropy of one-hot p and q: −log 0.9",
           r"p = [0, 1, 0],\ q = [0.01, 0.9, 0.09]:\ H(p, q) = -\log 0.9 \approx 0.10536",
           convention="natural logarithm; exact rationals for q",
           how=Facts(_ce_example, lambda: _ce_example()[:1], _ce_example_numeric)),
    Result("softmax-classifier", "001", "softmax classifier, regularization", "Softmax classifier with L2 penalty",
           r"J = \frac1N\sum_i -\log P(y_i\mid\mathbf{x}_i) + \lambda\sum\theta^2:\ "
           r"\frac{\partial J}{\partial \mathbf{W}} = \frac1N\sum_i(\hat{\mathbf{y}}_i - \mathbf{y}_i)\mathbf{x}_i^{\top}"
           r" + 2\lambda\mathbf{W},\ \frac{\partial J_i}{\partial \mathbf{x}} = \mathbf{W}^{\top}(\hat{\mathbf{y}} - \mathbf{y})",
           convention=("W is C x d, examples are the N columns of X (d x N), labels the columns of Y (C x N), each summing "
                       "to 1 (one-hot); theta = W in the penalty; dJ/dx for one example"),
           how=Gradient(
               shapes={"W": "C,d", "X": "d,N", "Y": "C,N", "lam": "", "x": "d,1", "y": "C,1"},
               loss=["-sum(Y * log(softmax(W @ X))) / N + lam * sum(W * W)", "-(y.T @ log(softmax(W @ x)))"],
               claims=[{"W": "(softmax(W @ X) - Y) @ X.T / N + 2 * lam * W"}, {"x": "W.T @ (softmax(W @ x) - y)"}],
               assume=("sum(Y, axis=0) == 1", "sum(y) == 1"),
               sizes=({"C": 2, "d": 3, "N": 4},), sample={"Y": "onehot", "y": "onehot"})),
    Result("max-margin-gradient", "001", "max-margin loss, lines 940-1000", "Max-margin loss J = max(0, 1 − s + s_c)",
           r"J = \max(0, 1 - s + s_c):\ \frac{\partial J}{\partial\theta} = "
           r"\Big(\frac{\partial s_c}{\partial\theta} - \frac{\partial s}{\partial\theta}\Big)\,[1 - s + s_c > 0],"
           r"\ \theta\in\{\mathbf{v}, \mathbf{W}, \mathbf{b}, \mathbf{x}, \mathbf{x}_c\}",
           convention=("s = v^T f(W x + b) for the true window x, s_c the same for a corrupt window x_c; the indicator is 0 "
                       "at the kink (ReLU'(0) = 0). Both branches are proved; the numeric check is placed on the kink"),
           how=Gradient(
               shapes={"W": "h,n", "x": "n,1", "xc": "n,1", "b": "h,1", "v": "h,1"},
               where={"a": "f(W @ x + b)", "ac": "f(W @ xc + b)", "d": "v * fprime(W @ x + b)",
                      "dc": "v * fprime(W @ xc + b)", "M": "step(1 - v.T @ a + v.T @ ac)"},  # M: [1 - s + s_c > 0]
               loss="relu(1 - v.T @ a + v.T @ ac)",
               claims={"v": "(ac - a) @ M", "W": "dc @ M @ xc.T - d @ M @ x.T", "b": "(dc - d) @ M",
                       "x": "-(W.T @ d @ M)", "xc": "W.T @ dc @ M"},
               sizes=({"h": 2, "n": 3},), branches=(_ID, _ZERO), adjust=_onto_the_kink)),
    Result("multivariate-chain-rule", "001", "lines 1590-1620", "Multivariate chain rule: ∂Z/∂X = Σᵢ ∂Z/∂Yᵢ ∂Yᵢ/∂X",
           r"\frac{\partial Z}{\partial X} = \sum_i \frac{\partial Z}{\partial Y_i}\frac{\partial Y_i}{\partial X}",
           convention=("an instance: Z = Y1 e^{Y2} + sin Y1, Y1 = x1 x2, Y2 = sin x1 + x2^2; the claim is assembled from "
                       "the partials of Z in Y and of Y in X, and compared with the derivative of the composite"),
           how=Gradient(shapes={"x1": "", "x2": ""}, where={"y1": "x1 * x2", "y2": "sin(x1) + x2**2"},
                        loss="y1 * exp(y2) + sin(y1)",   # claims: dZ/dY1 dY1/dx + dZ/dY2 dY2/dx
                        claims={"x1": "(exp(y2) + cos(y1)) * x2 + y1 * exp(y2) * cos(x1)",
                                "x2": "(exp(y2) + cos(y1)) * x1 + y1 * exp(y2) * (2 * x2)"})),
    Result("gradient-check", "001", "gradient checking, lines 2055-2190", "Gradient checking by central differences",
           r"\frac{\partial J}{\partial\theta_i}\approx\frac{J(\boldsymbol\theta + \epsilon\mathbf{e}_i) - "
           r"J(\boldsymbol\theta - \epsilon\mathbf{e}_i)}{2\epsilon},\ \epsilon\approx 10^{-4};\ "
           r"\text{exact for degree} \le 2;\ J = \textstyle\sum x^2:\ J([1,2]) = 5,\ \nabla J = [2, 4];\ "
           r"123.456^2 = 15241.383936,\ 2\cdot 123.456 = 246.912",
           convention="exact rationals for the worked numbers; float64 for the step-size comparison",
           how=Facts(_gradient_check_symbolic, _gradient_check_concrete, _gradient_check_numeric)),
    Result("skip-gram-gradients", "001", "word2vec, lines 140-210", "Skip-gram gradients, softmax and negative sampling",
           r"J = -\log\frac{\exp(\mathbf{u}_o^{\top}\mathbf{v}_c)}{\sum_w\exp(\mathbf{u}_w^{\top}\mathbf{v}_c)}:\ "
           r"\frac{\partial J}{\partial \mathbf{v}_c} = \mathbf{U}^{\top}(\hat{\mathbf{y}} - \mathbf{y}),\ "
           r"\frac{\partial J}{\partial \mathbf{U}} = (\hat{\mathbf{y}} - \mathbf{y})\mathbf{v}_c^{\top};\quad "
           r"J_{\text{neg}} = -\log\sigma(\mathbf{u}_o^{\top}\mathbf{v}_c) - \sum_k\log\sigma(-\mathbf{u}_k^{\top}\mathbf{v}_c):\ "
           r"\frac{\partial J_{\text{neg}}}{\partial \mathbf{v}_c} = (\sigma(\mathbf{u}_o^{\top}\mathbf{v}_c) - 1)\mathbf{u}_o"
           r" + \sum_k(1 - \sigma(-\mathbf{u}_k^{\top}\mathbf{v}_c))\mathbf{u}_k,\ "
           r"\frac{\partial J_{\text{neg}}}{\partial \mathbf{u}_o} = (\sigma(\mathbf{u}_o^{\top}\mathbf{v}_c) - 1)\mathbf{v}_c,\ "
           r"\frac{\partial J_{\text{neg}}}{\partial \mathbf{u}_k} = (1 - \sigma(-\mathbf{u}_k^{\top}\mathbf{v}_c))\mathbf{v}_c",
           convention=("U is w x d with the output vectors u_w as rows, v_c in R^d, y the one-hot row index of o (any y "
                       "summing to 1); for negative sampling u_o in R^d and the K negative vectors u_k are the columns of "
                       "Uk (d x K)"),
           how=Gradient(
               shapes={"U": "w,d", "v": "d,1", "y": "w,1", "uo": "d,1", "Uk": "d,K"},
               where={"yhat": "softmax(U @ v)", "so": "sigmoid(uo.T @ v)", "sk": "sigmoid(-(Uk.T @ v))"},
               loss=["-(y.T @ log(yhat))", "-log(so) - sum(log(sk))"],
               claims=[{"v": "U.T @ (yhat - y)", "U": "(yhat - y) @ v.T"},
                       {"v": "uo @ (so - 1) + Uk @ (1 - sk)", "uo": "v @ (so - 1)", "Uk": "v @ (1 - sk).T"}],
               assume=("sum(y) == 1",), sizes=({"w": 3, "d": 2, "K": 3},), sample={"y": "onehot"})),
    Result("glove-gradient", "001", "GloVe, lines 211-220", "GloVe objective: ∂J/∂uᵢ",
           r"J = \tfrac12\sum_{i,j} f(P_{ij})(\mathbf{u}_i^{\top}\mathbf{v}_j - \log P_{ij})^2:\ "
           r"\frac{\partial J}{\partial \mathbf{u}_i} = \sum_j f(P_{ij})(\mathbf{u}_i^{\top}\mathbf{v}_j - \log P_{ij})\mathbf{v}_j",
           convention=("u_i, v_j are the columns of U (d x A) and V (d x B); P (A x B) positive co-occurrence counts, f any "
                       "weighting function. The notes write the target as P_ij where GloVe uses log P_ij; the gradient has "
                       "the same form for either target. dJ/dV = U (f(P) o R) is proved too"),
           how=Gradient(shapes={"U": "d,A", "V": "d,B", "P": "A,B"}, where={"R": "U.T @ V - log(P)", "Fw": "f(P)"},
                        loss="sum(Fw * R * R) / 2", claims={"U": "V @ (Fw * R).T", "V": "U @ (Fw * R)"},
                        sizes=({"d": 2, "A": 3, "B": 4},), sample={"P": "positive"})),
    Result("mistake-two-layer-transpose", "001", "two-layer dJ/dx, lines 120-130, 900-925",
           "Erratum: ∂J/∂x = (ŷ − y)W₂ ∘ … W₁ (transposes missing)",
           "", written=r"\frac{dJ}{d\mathbf{x}} = (\hat{\mathbf{y}} - \mathbf{y})\,\mathbf{W}_2 \circ "
                       r"\mathbf{h}\circ(1 - \mathbf{h})\,\mathbf{W}_1",
           convention=("row vectors; (1 x Dy)(H x Dy) is undefined unless H = Dy, so all widths are 2 here and the written "
                       "formula is refuted by value (its dh/dz factor is corrected to isolate the transposes)"),
           how=Mistake(shapes=_ROW, where=_ROW_WHERE, loss="-(y @ log(yhat).T)", wrt="x",
                       written="((yhat - y) @ W2 * h * (1 - h)) @ W1", corrected="((yhat - y) @ W2.T * h * (1 - h)) @ W1.T",
                       sizes={"Dx": 2, "H": 2, "Dy": 2}, assume=("sum(y, axis=1) == 1",), correct="two-layer-input-gradient")),
    Result("mistake-gradient-as-sum", "001", "line 2262", "Erratum: ∂f/∂(x, y) = ∂f/∂x + ∂f/∂y",
           "", written=r"\frac{\partial}{\partial(x, y)}f(x, y) = \frac{\partial f}{\partial x} + \frac{\partial f}{\partial y}",
           convention="judged on f = x^2 + cos y (gradient-example): a gradient is a vector, not the sum of its entries",
           how=Mistake(lambda: (lambda x, y, F: dict(lhs=sp.Matrix([F.diff(x), F.diff(y)]), rhs=F.diff(x) + F.diff(y),
                                                     corrected=sp.Matrix([2 * x, -sp.sin(y)])))(
               _x, _y, _x ** 2 + sp.cos(_y)), correct="gradient-example")),
    Result("mistake-least-squares-sign", "001", "lines 2251-2253, 2323-2345", "Erratum: θ ← θ + α Σ xⁱ(h(xⁱ) − yⁱ) ascends",
           "", written=r"\boldsymbol\theta \leftarrow \boldsymbol\theta + \alpha\sum_i\mathbf{x}^{(i)}(h_\theta(\mathbf{x}^{(i)}) - y^{(i)})",
           convention=("the step theta_new - theta: the descent step (least-squares-gradient) against the written one, "
                       "columns of X as examples, alpha > 0"),
           how=Mistake(lambda: (lambda V, step: dict(lhs=-step, rhs=step, sizes={"n": 2, "m": 2}, positive=(V.alpha,),
                                                     corrected=-step))(_V, _V.alpha * (_V.X * (_V.theta.T * _V.X - _V.y).T)),
                       correct="least-squares-gradient", scale=-sp.Symbol("alpha", real=True))),
    Result("mistake-least-squares-chain-rule", "001", "lines 2297-2304",
           "Erratum: ∇ of (1/2m) Σ(h − y)² = (1/m) Σ ∂(h − y)/∂θ (a factor dropped)",
           "", written=r"\nabla J = \frac1m\sum_i\frac{\partial}{\partial\boldsymbol\theta}(h_\theta(\mathbf{x}^{(i)}) - y^{(i)})",
           convention="J = (1/2m) sum (theta^T x^i - y^i)^2; the chain rule's outer factor (h - y) is missing in the notes",
           how=Mistake(shapes=_LSQ, where={"r": "theta.T @ X - y"}, loss="r @ r.T / (2*m)", wrt="theta",
                       written="X @ ones(m, 1) / m", corrected="X @ r.T / m", sizes={"n": 2, "m": 2},
                       correct="least-squares-gradient", scale=1 / dim("m"))),
    Result("mistake-gradient-check-epsilon", "001", "line 2063", "Erratum: choose ε = 10⁻⁹ for gradient checking",
           "", written=r"\epsilon \approx 10^{-9}",
           convention="judged by the exact error of float64 central differences, which the tool computes",
           how=Mistake(lambda: dict(refute=_refute_epsilon, corrected=_epsilon_range), correct="gradient-check")),
]
