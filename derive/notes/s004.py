"""Seed 004: batched backprop in NumPy (examples as columns)."""
import sympy as sp

from derive.matrix.mexpr import dim, hadamard, ones, variables
from derive.matrix.prove import explicit_gradient as gradient
from derive.records import Export, Gradient, Identity, Mistake, Result

_m = dim("m")
_LOG = {"w": "n,1", "b": "", "X": "n,m", "y": "1,m", "z": "1,m"}
_BATCH = {"W": "n,k", "A": "n,m", "b": "k,1", "D": "k,m", "Z": "n,m", "W0": "p,n", "A0": "p,m", "b0": "n,1"}
# the layer above enters through D = m dJ/dZ_{l+1} (the notes' per-example dJdz):
# J = (1/m) sum(D o Z_{l+1}) has exactly that gradient in Z_{l+1}
_DB2 = {"n": 2, "k": 3, "m": 2, "p": 3}


def _db2_shape(V):
    # J of batched-backprop, part 1, in SymPy: a matrix of the written shape is not a formula of the language
    J = (1 / _m) * (ones("k").T * hadamard(V.D, V.W.T * V.A + V.b * ones(1, "m")) * ones("m"))
    return dict(lhs=gradient(J, V.b, _DB2), rhs=sp.MatrixSymbol("dJdb2", 2, 1).as_explicit(), sizes=_DB2,
                corrected=(1 / _m) * V.D * ones("m"))


# The kernels derive.numeric imports are printed from network-output-deltas and network-layer-backward (Export).
_LAYER_EXPORTS = tuple(
    Export(f"{kind}layer_backward_{layout}{reg}", part, wrt=wrt, given=(("A", P),), zero=zero)
    for layout, part, W, b, P in (("cols", 0, "W", "b", "P"), ("rows", 1, "Wr", "br", "Pr"))
    for reg, zero in (("", ()), ("_noreg", ("lam",))) for kind, wrt in (("", None), ("input_", (W, b))))

RESULTS = [
    Result("multivariate-chain-rule-example", "004", "page 3, Multivariate Chain Rule",
           "Multivariate chain rule: f(g₁, g₂) = 2g₁ + g₂, g₁ = x², g₂ = x",
           r"\frac{d}{dx} f(g_1(x), g_2(x)) = 2x\cdot 2 + 1\cdot 1 = 4x + 1", convention="scalar x",
           how=Gradient(shapes={"x": ""}, where={"g1": "x**2", "g2": "x"}, loss="2 * g1 + g2",
                        claims={"x": "2 * x * 2 + 1 * 1"})),  # df/dg1 dg1/dx + df/dg2 dg2/dx
    Result("trig-cancellation", "004", "page 1", "A cancellation: (cos C / sin Z)(sin Z / sin C)",
           r"\frac{\cos C}{\sin Z}\cdot\frac{\sin Z}{\sin C} = \frac{\cos C}{\sin C},\quad \sin Z \ne 0",
           convention="scalars C, Z with sin C and sin Z non-zero",
           how=Identity(shapes={"C": (), "Z": ()},
                        # the two fractions kept apart, as written: SymPy would cancel sin Z on construction
                        build=lambda V: (sp.UnevaluatedExpr(sp.cos(V.C) / sp.sin(V.Z)) * sp.UnevaluatedExpr(sp.sin(V.Z) / sp.sin(V.C)),
                                         sp.cos(V.C) / sp.sin(V.C)),
                        reference=lambda F, C, Z: (F.cos(C) / F.sin(Z)) * (F.sin(Z) / F.sin(C)),
                        sample={"C": "positive", "Z": "positive"})),
    # batched backprop, examples as columns (pages 1-2)
    Result("logistic-regression-batched", "004", "page 1, Backpropagation for logistic regression",
           "Logistic regression over a batch (examples as columns)",
           r"\mathbf{z} = b + \mathbf{w}^{\top}\mathbf{X},\ \mathbf{a} = \sigma(\mathbf{z}),\ "
           r"J = -\frac1m\sum_i[y_i\log a_i + (1 - y_i)\log(1 - a_i)]:\ "
           r"\frac{\partial J}{\partial \mathbf{z}} = \frac{\mathbf{a} - \mathbf{y}}{m},\ "
           r"\frac{\partial J}{\partial b} = \operatorname{mean}(\mathbf{a} - \mathbf{y}),\ "
           r"\frac{\partial J}{\partial \mathbf{w}} = \frac1m\mathbf{X}(\mathbf{a} - \mathbf{y})^{\top}\ (n\times 1)",
           convention=("X is n x m (the notes' P x m), w is n x 1, b a scalar, y and z are 1 x m; the notes' per-example "
                       "dJ/dz = a - y is m dJ/dz"),
           how=Gradient(shapes=_LOG, where={"a": "sigmoid(w.T @ X + b)"},
                        loss=["-sum(y * log(a) + (1 - y) * log(1 - a)) / m",
                              "-sum(y * log(sigmoid(z)) + (1 - y) * log(1 - sigmoid(z))) / m"],
                        claims=[{"w": "X @ (a - y).T / m", "b": "(a - y) @ ones(m, 1) / m"}, {"z": "(sigmoid(z) - y) / m"}],
                        sizes=({"n": 2, "m": 3},), sample={"y": "binary"})),
    Result("batched-backprop", "004", "page 2, Back propagation",
           "Batched backprop, one layer at a time (in × out, examples as columns)",
           r"\frac{\partial J}{\partial \mathbf{A}_l} = \mathbf{W}_{l+1}\frac{\partial J}{\partial \mathbf{Z}_{l+1}}\ (n_l\times m),\ "
           r"\frac{\partial J}{\partial \mathbf{Z}_l} = \frac{\partial J}{\partial \mathbf{A}_l}\odot\frac{\partial \mathbf{A}_l}{\partial \mathbf{Z}_l},\ "
           r"\frac{\partial J}{\partial \mathbf{b}_l} = \operatorname{mean}_{\text{examples}}\frac{\partial J}{\partial \mathbf{Z}_l}\ (n_l\times 1),\ "
           r"\frac{\partial J}{\partial \mathbf{W}_l} = \frac1m\mathbf{A}_{l-1}\frac{\partial J}{\partial \mathbf{Z}_l}^{\top}\ (n_{l-1}\times n_l)",
           convention=("in x out: W_{l+1} is (n_l, n_{l+1}) = (n, k), Z_{l+1} = W_{l+1}^T A_l + b 1^T; dJ/dZ, dJ/dA as in the "
                       "notes are per-example (m times the gradient of the mean); the layer above is an arbitrary D = "
                       "m dJ/dZ_{l+1}, f any activation; W0 (p, n) is the layer below"),
           how=Gradient(
               shapes=_BATCH, where={"Zl": "W0.T @ A0 + b0 @ ones(1, m)", "dZ": "(W @ D) * fprime(Zl)"},
               loss=["sum(D * (W.T @ A + b @ ones(1, m))) / m", "sum(D * (W.T @ f(Z) + b @ ones(1, m))) / m",
                     "sum(D * (W.T @ f(Zl) + b @ ones(1, m))) / m"],
               claims=[{"A": "W @ D / m", "W": "A @ D.T / m", "b": "D @ ones(m, 1) / m"},
                       {"Z": "(W @ D) * fprime(Z) / m"},
                       {"W0": "A0 @ dZ.T / m", "b0": "dZ @ ones(m, 1) / m"}],
               sizes=({"n": 2, "k": 3, "m": 4, "p": 3},))),
    Result("mistake-db2-shape", "004", "page 2, dJ/db2", "Erratum: ∂J/∂b₂ has shape (m, 1)",
           "", written=r"\frac{\partial J}{\partial \mathbf{b}_2}:\ \text{shape } (m, 1)",
           convention="judged at n2 = 3 units and m = 2 examples: the derived gradient against a matrix of the written shape",
           how=Mistake(lambda: _db2_shape(variables(_BATCH)), correct="batched-backprop")),
    Result("mistake-logistic-missing-mean", "004", "page 1, J(b, w)", "Erratum: J = −Σ[…] with gradients (1/m) X(a − y)ᵀ",
           "", written=r"J = -\sum_i[\dots],\quad \frac{\partial J}{\partial \mathbf{w}} = \frac1m\mathbf{X}(\mathbf{a} - \mathbf{y})^{\top}",
           convention="the gradient of the J the notes wrote (a sum) against the gradient they wrote (of the mean)",
           how=Mistake(shapes=_LOG, where={"a": "sigmoid(w.T @ X + b)"}, loss="-sum(y * log(a) + (1 - y) * log(1 - a))",
                       wrt="w", written="X @ (a - y).T / m", corrected="X @ (a - y).T", sizes={"n": 2, "m": 2},
                       correct="logistic-regression-batched", scale=_m)),
    Result("layout-equivalence", "004", "conventions of seeds 000-004", "The three layouts give the same gradients",
           r"\text{out}\times\text{in: } \frac{\partial s}{\partial \mathbf{W}} = \boldsymbol\delta\mathbf{a}^{\top};\ "
           r"\text{in}\times\text{out } (\mathbf{M} = \mathbf{W}^{\top}):\ \frac{\partial s}{\partial \mathbf{M}} = \mathbf{a}\boldsymbol\delta^{\top}"
           r" = (\boldsymbol\delta\mathbf{a}^{\top})^{\top};\ \text{rows } (\mathbf{x} = \mathbf{a}^{\top}):\ "
           r"\frac{\partial s}{\partial \mathbf{M}} = \mathbf{x}^{\top}\boldsymbol\delta_r,\ "
           r"\frac{\partial s}{\partial \mathbf{x}} = \boldsymbol\delta_r\mathbf{M}^{\top} = (\mathbf{W}^{\top}\boldsymbol\delta)^{\top}",
           convention=("one layer s = d^T f(W a + b) with W (k x n); each layout's formula is written for its own matrix (M = W^T) "
                       "and input (x = a^T), mapped back to W and a, and proved to be the gradient in W and a: so the three "
                       "agree for every W, a, b, d and activation f"),
           how=Gradient(
               shapes={"W": "k,n", "a": "n,1", "b": "k,1", "d": "k,1"},
               # M = W^T the in x out matrix, x = a^T the row input, dr = delta^T the row delta
               where={"z": "W @ a + b", "delta": "d * fprime(z)", "M": "W.T", "x": "a.T", "dr": "(d * fprime(z)).T"},
               loss=["d.T @ f(z)", "d.T @ f(M.T @ a + b)", "f(x @ M + b.T) @ d"],
               claims=[{"W": "delta @ a.T", "a": "W.T @ delta"},       # out x in (seeds 000, 001)
                       {"W": "(a @ delta.T).T", "a": "M @ delta"},     # in x out (seeds 002, 004)
                       {"W": "(x.T @ dr).T", "a": "(dr @ M.T).T"}],   # rows (seed 001)
               sizes=({"k": 2, "n": 3},))),
    # The batched network of derive.numeric: the notes' per-layer results (BP1-BP4, seed 000; batched-backprop;
    # layout-equivalence) at any batch size, in both layouts, with the three output losses.  The output losses'
    # sums are written 1^T M 1, as the statement writes them: their kernels return the loss, printed from it.
    Result("network-output-deltas", "004", "pages 1-2, generalized (derive.numeric)",
           "Output deltas of the batched network: softmax-CE, BCE, MSE, both layouts",
           r"J = -\tfrac1m\mathbf{1}^{\top}(\mathbf{Y}\odot\log\operatorname{softmax}(\mathbf{Z}))\mathbf{1}:\ "
           r"\frac{\partial J}{\partial \mathbf{Z}} = \tfrac1m(\operatorname{softmax}(\mathbf{Z}) - \mathbf{Y});\ "
           r"J_{\text{BCE}}:\ \tfrac1m(\sigma(\mathbf{Z}) - \mathbf{Y});\ "
           r"J = \tfrac1{2m}\mathbf{1}^{\top}(g(\mathbf{Z}) - \mathbf{Y})^{\circ 2}\mathbf{1}:\ "
           r"\tfrac1m(g(\mathbf{Z}) - \mathbf{Y})\odot g'(\mathbf{Z})",
           convention=("examples as the m columns of Z, Y (k x m), or as the m rows of Zr, Yr (m x k); softmax over each "
                       "example; the labels of each example sum to 1 (one-hot); BCE per unit, Y in [0, 1]; g any output "
                       "activation. Generalizes softmax-ce-gradient, bce-sigmoid-delta and output-layer-mse to a batch mean"),
           how=Gradient(
               shapes={"Z": "k,m", "Y": "k,m", "Zr": "m,k", "Yr": "m,k"},
               # BCE's log(1 - sigma(Z)) written log sigma(-Z) (activation-derivative-from-output): the kernel stays stable
               loss=["-(ones(1, k) @ (Y * log(softmax(Z, axis=0))) @ ones(m, 1)) / m",
                     "-(ones(1, m) @ (Yr * log(softmax(Zr, axis=1))) @ ones(k, 1)) / m",
                     "-(ones(1, k) @ (Y * log(sigmoid(Z)) + (1 - Y) * log(sigmoid(-Z))) @ ones(m, 1)) / m",
                     "-(ones(1, m) @ (Yr * log(sigmoid(Zr)) + (1 - Yr) * log(sigmoid(-Zr))) @ ones(k, 1)) / m",
                     "ones(1, k) @ (g(Z) - Y) ** 2 @ ones(m, 1) / (2 * m)",
                     "ones(1, m) @ (g(Zr) - Yr) ** 2 @ ones(k, 1) / (2 * m)"],
               claims=[{"Z": "(softmax(Z, axis=0) - Y) / m"}, {"Zr": "(softmax(Zr, axis=1) - Yr) / m"},
                       {"Z": "(sigmoid(Z) - Y) / m"}, {"Zr": "(sigmoid(Zr) - Yr) / m"},
                       {"Z": "(g(Z) - Y) * gprime(Z) / m"}, {"Zr": "(g(Zr) - Yr) * gprime(Zr) / m"}],
               sizes=({"k": 2, "m": 3},), sample={"Y": "onehot", "Yr": "onehot_rows"},
               assume=("sum(Y, axis=0) == 1", "sum(Yr, axis=1) == 1"),
               exports=(Export("softmax_ce_cols", 0, value=True), Export("softmax_ce_rows", 1, value=True),
                        Export("bce_cols", 2, value=True), Export("bce_rows", 3, value=True),
                        Export("mse_cols", 4, value=True, given=(("A", "Z"),)),
                        Export("mse_rows", 5, value=True, given=(("A", "Zr"),))))),
    Result("network-layer-backward", "004", "page 2, generalized (derive.numeric)",
           "One layer of the batched network, both layouts, with L2 regularization",
           r"\mathbf{Z} = \mathbf{W}f(\mathbf{P}) + \mathbf{b}\mathbf{1}^{\top},\ \boldsymbol\Delta = \frac{\partial J}{\partial \mathbf{Z}}:\ "
           r"\frac{\partial J}{\partial \mathbf{W}} = \boldsymbol\Delta f(\mathbf{P})^{\top} + 2\lambda\mathbf{W},\ "
           r"\frac{\partial J}{\partial \mathbf{b}} = \boldsymbol\Delta\mathbf{1},\ "
           r"\frac{\partial J}{\partial \mathbf{P}} = (\mathbf{W}^{\top}\boldsymbol\Delta)\odot f'(\mathbf{P});\ "
           r"\text{rows: } \mathbf{Z} = f(\mathbf{P})\mathbf{W} + \mathbf{1}\mathbf{b}:\ "
           r"f(\mathbf{P})^{\top}\boldsymbol\Delta + 2\lambda\mathbf{W},\ \mathbf{1}^{\top}\boldsymbol\Delta,\ "
           r"(\boldsymbol\Delta\mathbf{W}^{\top})\odot f'(\mathbf{P})",
           convention=("columns: W (k x n) out x in, P (n x m) the pre-activations of the layer below, m examples as columns; "
                       "rows: W (n x k) in x out, examples as rows; J = sum(D o Z) + lam ||W||^2 so that dJ/dZ = D, any "
                       "upstream gradient; f any activation. BP2-BP4 of backprop-four-equations, batched, with seed 001's "
                       "penalty lam sum theta^2"),
           how=Gradient(
               shapes={"W": "k,n", "P": "n,m", "b": "k,1", "D": "k,m", "Wr": "n,k", "Pr": "m,n", "br": "1,k", "Dr": "m,k",
                       "lam": ""},
               loss=["sum(D * (W @ f(P) + b @ ones(1, m))) + lam * sum(W * W)",
                     "sum(Dr * (f(Pr) @ Wr + ones(m, 1) @ br)) + lam * sum(Wr * Wr)"],
               claims=[{"W": "D @ f(P).T + 2 * lam * W", "b": "D @ ones(m, 1)", "P": "(W.T @ D) * fprime(P)"},
                       {"Wr": "f(Pr).T @ Dr + 2 * lam * Wr", "br": "ones(1, m) @ Dr", "Pr": "(Dr @ Wr.T) * fprime(Pr)"}],
               sizes=({"k": 2, "m": 4, "n": 3},), exports=_LAYER_EXPORTS)),
]
