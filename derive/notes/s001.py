"""Seed 001: lecture notes on word vectors, softmax and backprop (CS224n style).

Column vectors and W of shape (out, in) unless an entry says otherwise.  The
notes have no section numbers; `section` cites the seed's line numbers.
"""
import sympy as sp

from ..functions import f, fprime, sigmoid
from ..mexpr import Softmax, apply, hadamard, ones
from ..prove import SumsToOne
from ..registry import Gradient, Identity, Mistake, Result

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

RESULTS += [
    Result(
        id="softmax-jacobian", seed="001", section="lines 457-470",
        title="Jacobian of softmax",
        statement=r"\frac{\partial \operatorname{softmax}(\boldsymbol\theta)}{\partial \boldsymbol\theta}"
                  r" = \operatorname{diag}(\hat{\mathbf{y}}) - \hat{\mathbf{y}}\hat{\mathbf{y}}^{\top}",
        convention=("column vectors of length n; the Jacobian J is symmetric, so it is proved through "
                    "d(u^T softmax(theta))/d theta = J u for an arbitrary vector u, which determines J"),
        how=Gradient(
            shapes={"theta": ("n", 1), "u": ("n", 1)},
            build=lambda V: (V.u.T * Softmax(V.theta),
                             {"theta": hadamard(Softmax(V.theta), V.u) - Softmax(V.theta) * (Softmax(V.theta).T * V.u)}),
            forward=lambda F, theta, u: u.T @ F.softmax(theta),
            sizes=({"n": 3},),
        ),
    ),
    Result(
        id="sigmoid-is-two-class-softmax", seed="001", section="lines 228-236",
        title="Sigmoid is two-class softmax",
        statement=r"\operatorname{softmax}([a, b])_1 = \sigma(a - b)",
        convention="scalars a, b",
        how=Identity(
            shapes={"a": (), "b": ()},
            build=lambda V: (sp.exp(V.a) / (sp.exp(V.a) + sp.exp(V.b)), sigmoid(V.a - V.b)),
            reference=lambda F, a, b: F.exp(a) / (F.exp(a) + F.exp(b)),
        ),
    ),
]


def _window(V):
    z = V.W * V.x + V.b
    return V.v.T * apply(f, z), hadamard(V.v, apply(fprime, z))


_WINDOW = {"W": ("h", "n"), "x": ("n", 1), "b": ("h", 1), "v": ("h", 1)}
_TWO = {"W1": ("h", "n"), "b1": ("h", 1), "W2": ("k", "h"), "b2": ("k", 1), "x": ("n", 1), "v": ("k", 1)}


def _vars(shapes):
    from ..mexpr import variables
    return variables(shapes)


RESULTS += [
    Result(
        id="mistake-sigmoid-derivative-sign", seed="001", section="scratch work, lines 1179-1190",
        title="Erratum: sigma'(x) = -sigma(x)",
        statement="", written=r"\sigma'(x) = -\sigma(x)", correction=r"\sigma'(x) = \sigma(x)(1 - \sigma(x))",
        how=Mistake(lambda: (lambda x: dict(lhs=sp.diff(1 / (1 + sp.exp(-x)), x), rhs=-sigmoid(x)))(
            sp.Symbol("x", real=True)), correct="sigmoid-derivative"),
    ),
    Result(
        id="mistake-dh-dz", seed="001", section="two-layer dJ/dx, lines 895-900",
        title="Erratum: dh/dz = sigma(z) o sigma(1 - z)",
        statement="", written=r"\frac{dh}{dz} = \sigma(z) \circ \sigma(1 - z)",
        correction=r"\frac{dh}{dz} = \sigma(z) \circ (1 - \sigma(z))",
        how=Mistake(lambda: (lambda z: dict(lhs=sp.diff(1 / (1 + sp.exp(-z)), z), rhs=sigmoid(z) * sigmoid(1 - z)))(
            sp.Symbol("z", real=True)), correct="sigmoid-derivative"),
    ),
    Result(
        id="mistake-window-dx", seed="001", section="window score, lines 1330-1340",
        title="Erratum: ds/dx = delta W^T",
        statement="", written=r"\frac{\partial s}{\partial \mathbf{x}} = \boldsymbol\delta \mathbf{W}^{\top}",
        correction=r"\frac{\partial s}{\partial \mathbf{x}} = \mathbf{W}^{\top}\boldsymbol\delta"
                   r"\ \text{(column)},\ \boldsymbol\delta^{\top}\mathbf{W}\ \text{(row)}",
        convention="delta is h x 1 and W^T is n x h: the product is undefined unless n = 1",
        how=Mistake(lambda: (lambda V: (lambda s, d: dict(
            lhs=derive_gradient(s, V.x, {"h": 3, "n": 2}), rhs=d * V.W.T, sizes={"h": 3, "n": 2}))(*_window(V)))(
            _vars(_WINDOW)), correct="window-score-gradients"),
    ),
    Result(
        id="mistake-delta-recursion", seed="001", section="delta recursion, lines 1080-1110",
        title="Erratum: delta2 = (W2 delta3) o f'(z1)",
        statement="", written=r"\boldsymbol\delta^{(2)} = (\mathbf{W}^{(2)}\boldsymbol\delta^{(3)}) \circ f'(\mathbf{z}^{(1)})",
        correction=r"\boldsymbol\delta^{(2)} = (\mathbf{W}^{(2)\top}\boldsymbol\delta^{(3)}) \circ f'(\mathbf{z}^{(2)})",
        convention=("delta2 = ds/dz2 = ds/db1. z1 is read as the input x (a1 = x in the notes' numbering). "
                    "All widths are 2, so the written formula is at least well-typed and is refuted by value."),
        how=Mistake(lambda: _delta_recursion_as_written(), correct="two-layer-delta-recursion"),
    ),
    Result(
        id="mistake-softmax-derivative", seed="001", section="lines 457-470",
        title="Erratum: d softmax(theta)/d theta = softmax(theta)(1 - softmax(theta))",
        statement="", written=r"\frac{d}{d\boldsymbol\theta}\operatorname{softmax}(\boldsymbol\theta) = "
                              r"\sigma(\boldsymbol\theta)(1 - \sigma(\boldsymbol\theta))",
        correction=r"\operatorname{diag}(\hat{\mathbf{y}}) - \hat{\mathbf{y}}\hat{\mathbf{y}}^{\top}"
                   r"\ \text{(the notes give only its diagonal)}",
        convention=("sigma here is the notes' name for softmax; the claim read as a Jacobian, "
                    "diag(y(1 - y)), applied to a vector u as in softmax-jacobian"),
        how=Mistake(lambda: _softmax_derivative_as_written(), correct="softmax-jacobian"),
    ),
]


def derive_gradient(scalar, var, sizes):
    from ..prove import gradient
    return gradient(scalar, var, sizes)


def _delta_recursion_as_written():
    V = _vars(_TWO)
    sizes = {"n": 2, "h": 2, "k": 2}
    s = _two_layer(V)[0]
    z3 = V.W2 * apply(f, V.W1 * V.x + V.b1) + V.b2
    d3 = hadamard(V.v, apply(fprime, z3))
    return dict(lhs=derive_gradient(s, V.b1, sizes), rhs=hadamard(V.W2 * d3, apply(fprime, V.x)), sizes=sizes)


def _softmax_derivative_as_written():
    V = _vars({"theta": ("n", 1), "u": ("n", 1)})
    sizes = {"n": 3}
    yhat = Softmax(V.theta)
    written = hadamard(hadamard(yhat, V.u), ones("n") - yhat)  # diag(y(1 - y)) u
    return dict(lhs=derive_gradient(V.u.T * yhat, V.theta, sizes), rhs=written, sizes=sizes)

RESULTS += [
    Result(
        id="least-squares-gradient", seed="001", section="least squares, gradient descent",
        title="Gradient of the least-squares cost",
        statement=r"J = \tfrac12\sum_i (\boldsymbol\theta^{\top}\mathbf{x}^{(i)} - y^{(i)})^2:\ "
                  r"\nabla J = \sum_i (\boldsymbol\theta^{\top}\mathbf{x}^{(i)} - y^{(i)})\,\mathbf{x}^{(i)}",
        convention="examples x^(i) are the m columns of X (n x m), y is 1 x m; the sum over i is X (X^T theta - y^T)",
        how=Gradient(
            shapes={"theta": ("n", 1), "X": ("n", "m"), "y": (1, "m")},
            build=lambda V: (lambda r: (sp.Rational(1, 2) * (r * r.T), {"theta": V.X * r.T}))(V.theta.T * V.X - V.y),
            forward=lambda F, theta, X, y: 0.5 * F.sum((theta.T @ X - y) ** 2),
            sizes=({"n": 2, "m": 3},),
        ),
    ),
    Result(
        id="l2-regularization", seed="001", section="softmax classifier, regularization",
        title="Gradient of the L2 penalty",
        statement=r"\frac{\partial}{\partial\boldsymbol\theta}\Big(\lambda\sum_k\theta_k^2\Big) = 2\lambda\boldsymbol\theta",
        convention="theta a column vector of length n, lambda a scalar",
        how=Gradient(
            shapes={"theta": ("n", 1), "lam": ()},
            build=lambda V: (V.lam * (V.theta.T * V.theta), {"theta": 2 * V.lam * V.theta}),
            forward=lambda F, theta, lam: lam * F.sum(theta * theta),
            sizes=({"n": 3},),
        ),
    ),
]
