"""NumPy printed from derive's proved statements by `python -m derive codegen`.

Do not edit: tests/test_numeric.py fails when this file differs from what
the registry prints.  Import from derive.numeric.
In the *_into twins out is positional: ufunc(x, y, out), and
reduce(array, axis, dtype, out, keepdims).
"""
import numpy as np

from derive.maths import kernels as _k


# activations f and f' through the output a = f(z) (activation-derivative-from-output)

def sigmoid(x):
    return _k.sigmoid(x)


def sigmoid_prime_from_output(a):
    return (a * (1 - a))


def sigmoid_prime_from_output_into(a, out):
    """In place: out[...] = sigmoid_prime_from_output(a); returns out."""
    np.subtract(1, a, out)
    np.multiply(a, out, out)
    return out


def tanh(x):
    return np.tanh(x)


def tanh_prime_from_output(a):
    return (1 - (a ** 2))


def tanh_prime_from_output_into(a, out):
    """In place: out[...] = tanh_prime_from_output(a); returns out."""
    np.square(a, out)
    np.subtract(1, out, out)
    return out


def relu(x):
    return _k.relu(x)


def relu_prime_from_output(a):
    return _k.step(a)


def relu_prime_from_output_into(a, out):
    """In place: out[...] = relu_prime_from_output(a); returns out."""
    np.greater(a, 0, out)
    return out


def identity(x):
    return x


def identity_prime_from_output(a):
    return 1


def identity_prime_from_output_into(a, out):
    """In place: out[...] = identity_prime_from_output(a); returns out."""
    out[...] = 1
    return out


def sigmoid_prime(x):
    _s0 = _k.sigmoid(x)
    return ((1 - _s0) * _s0)


def tanh_prime(x):
    return (1 - (np.tanh(x) ** 2))


# kernels of the batched network (derive.numeric.mlp_loss_and_grads)

def softmax_ce_cols(Z, Y):
    """network-output-deltas (seed 004, pages 1-2, generalized (derive.numeric)): Output deltas of the batched network: softmax-CE, BCE, MSE, both layouts.

    Convention: examples as the m columns of Z, Y (k x m), or as the m rows of Zr, Yr (m x k); softmax over each example; the labels of each example sum to 1 (one-hot); BCE per unit, Y in [0, 1]; g any output activation. Generalizes softmax-ce-gradient, bce-sigmoid-delta and output-layer-mse to a batch mean
    Kernel of derive.numeric; returns (the loss, d/dZ)."""
    m = Z.shape[-1]
    _s0 = _k.log_softmax(Z, axis=-2)
    _s1 = (1 / m)
    _s2 = np.exp(_s0)
    return ((-_s1) * (_s0 * Y).sum(), _s1 * (_s2 - Y))


def softmax_ce_cols_into(Z, Y, out, col):
    """network-output-deltas (seed 004, pages 1-2, generalized (derive.numeric)): Output deltas of the batched network: softmax-CE, BCE, MSE, both layouts.

    Convention: examples as the m columns of Z, Y (k x m), or as the m rows of Zr, Yr (m x k); softmax over each example; the labels of each example sum to 1 (one-hot); BCE per unit, Y in [0, 1]; g any output activation. Generalizes softmax-ce-gradient, bce-sigmoid-delta and output-layer-mse to a batch mean
    In-place twin of softmax_ce_cols: overwrites Z with log softmax(Z), writes d/dZ into out (C-contiguous float64, shaped like Z) and returns (the loss, out); col: scratch of the shape of Z.max(axis=-2, keepdims=True). Allocates nothing."""
    m = Z.shape[-1]
    np.maximum.reduce(Z, -2, None, col, True)
    np.subtract(Z, col, Z)
    np.exp(Z, out)
    np.add.reduce(out, -2, None, col, True)
    np.log(col, col)
    np.subtract(Z, col, Z)
    np.multiply(Z, Y, out)
    loss = (-(1 / m)) * np.add.reduce(out, None)
    np.exp(Z, out)
    np.subtract(out, Y, out)
    np.multiply(1 / m, out, out)
    return loss, out


def softmax_ce_rows(Zr, Yr):
    """network-output-deltas (seed 004, pages 1-2, generalized (derive.numeric)): Output deltas of the batched network: softmax-CE, BCE, MSE, both layouts.

    Convention: examples as the m columns of Z, Y (k x m), or as the m rows of Zr, Yr (m x k); softmax over each example; the labels of each example sum to 1 (one-hot); BCE per unit, Y in [0, 1]; g any output activation. Generalizes softmax-ce-gradient, bce-sigmoid-delta and output-layer-mse to a batch mean
    Kernel of derive.numeric; returns (the loss, d/dZr)."""
    m = Zr.shape[-2]
    _s0 = _k.log_softmax(Zr, axis=-1)
    _s1 = (1 / m)
    _s2 = np.exp(_s0)
    return ((-_s1) * (_s0 * Yr).sum(), _s1 * (_s2 - Yr))


def softmax_ce_rows_into(Zr, Yr, out, col):
    """network-output-deltas (seed 004, pages 1-2, generalized (derive.numeric)): Output deltas of the batched network: softmax-CE, BCE, MSE, both layouts.

    Convention: examples as the m columns of Z, Y (k x m), or as the m rows of Zr, Yr (m x k); softmax over each example; the labels of each example sum to 1 (one-hot); BCE per unit, Y in [0, 1]; g any output activation. Generalizes softmax-ce-gradient, bce-sigmoid-delta and output-layer-mse to a batch mean
    In-place twin of softmax_ce_rows: overwrites Zr with log softmax(Zr), writes d/dZr into out (C-contiguous float64, shaped like Zr) and returns (the loss, out); col: scratch of the shape of Zr.max(axis=-1, keepdims=True). Allocates nothing."""
    m = Zr.shape[-2]
    np.maximum.reduce(Zr, -1, None, col, True)
    np.subtract(Zr, col, Zr)
    np.exp(Zr, out)
    np.add.reduce(out, -1, None, col, True)
    np.log(col, col)
    np.subtract(Zr, col, Zr)
    np.multiply(Zr, Yr, out)
    loss = (-(1 / m)) * np.add.reduce(out, None)
    np.exp(Zr, out)
    np.subtract(out, Yr, out)
    np.multiply(1 / m, out, out)
    return loss, out


def bce_cols(Z, Y):
    """network-output-deltas (seed 004, pages 1-2, generalized (derive.numeric)): Output deltas of the batched network: softmax-CE, BCE, MSE, both layouts.

    Convention: examples as the m columns of Z, Y (k x m), or as the m rows of Zr, Yr (m x k); softmax over each example; the labels of each example sum to 1 (one-hot); BCE per unit, Y in [0, 1]; g any output activation. Generalizes softmax-ce-gradient, bce-sigmoid-delta and output-layer-mse to a batch mean
    Kernel of derive.numeric; returns (the loss, d/dZ)."""
    m = Z.shape[-1]
    _s0 = (1 / m)
    return ((-_s0) * (((1 - Y) * (_k.log_sigmoid((-Z)))) + ((_k.log_sigmoid(Z)) * Y)).sum(), _s0 * (_k.sigmoid(Z) - Y))


def bce_rows(Zr, Yr):
    """network-output-deltas (seed 004, pages 1-2, generalized (derive.numeric)): Output deltas of the batched network: softmax-CE, BCE, MSE, both layouts.

    Convention: examples as the m columns of Z, Y (k x m), or as the m rows of Zr, Yr (m x k); softmax over each example; the labels of each example sum to 1 (one-hot); BCE per unit, Y in [0, 1]; g any output activation. Generalizes softmax-ce-gradient, bce-sigmoid-delta and output-layer-mse to a batch mean
    Kernel of derive.numeric; returns (the loss, d/dZr)."""
    m = Zr.shape[-2]
    _s0 = (1 / m)
    return ((-_s0) * (((1 - Yr) * (_k.log_sigmoid((-Zr)))) + ((_k.log_sigmoid(Zr)) * Yr)).sum(), _s0 * (_k.sigmoid(Zr) - Yr))


def mse_cols(Y, A, dg):
    """network-output-deltas (seed 004, pages 1-2, generalized (derive.numeric)): Output deltas of the batched network: softmax-CE, BCE, MSE, both layouts.

    Convention: examples as the m columns of Z, Y (k x m), or as the m rows of Zr, Yr (m x k); softmax over each example; the labels of each example sum to 1 (one-hot); BCE per unit, Y in [0, 1]; g any output activation. Generalizes softmax-ce-gradient, bce-sigmoid-delta and output-layer-mse to a batch mean
    Kernel of derive.numeric; returns (the loss, d/dZ)."""
    m = Y.shape[-1]
    _s0 = (A - Y)
    _s1 = (1 / m)
    return (((1/2) * _s1) * (_s0 ** 2).sum(), _s1 * (_s0 * (dg(A))))


def mse_rows(Yr, A, dg):
    """network-output-deltas (seed 004, pages 1-2, generalized (derive.numeric)): Output deltas of the batched network: softmax-CE, BCE, MSE, both layouts.

    Convention: examples as the m columns of Z, Y (k x m), or as the m rows of Zr, Yr (m x k); softmax over each example; the labels of each example sum to 1 (one-hot); BCE per unit, Y in [0, 1]; g any output activation. Generalizes softmax-ce-gradient, bce-sigmoid-delta and output-layer-mse to a batch mean
    Kernel of derive.numeric; returns (the loss, d/dZr)."""
    m = Yr.shape[-2]
    _s0 = (A - Yr)
    _s1 = (1 / m)
    return (((1/2) * _s1) * (_s0 ** 2).sum(), _s1 * (_s0 * (dg(A))))


def layer_backward_cols(W, D, lam, A, df):
    """network-layer-backward (seed 004, page 2, generalized (derive.numeric)): One layer of the batched network, both layouts, with L2 regularization.

    Convention: columns: W (k x n) out x in, P (n x m) the pre-activations of the layer below, m examples as columns; rows: W (n x k) in x out, examples as rows; J = sum(D o Z) + lam ||W||^2 so that dJ/dZ = D, any upstream gradient; f any activation. BP2-BP4 of backprop-four-equations, batched, with seed 001's penalty lam sum theta^2
    Kernel of derive.numeric; returns (d/dW, d/db, d/dP)."""
    return (((2 * lam) * W + D @ A.T), D.sum(axis=-1, keepdims=True), ((W.T @ D) * (df(A))))


def layer_backward_cols_into(W, D, lam, A, df, out, tmp):
    """network-layer-backward (seed 004, page 2, generalized (derive.numeric)): One layer of the batched network, both layouts, with L2 regularization.

    Convention: columns: W (k x n) out x in, P (n x m) the pre-activations of the layer below, m examples as columns; rows: W (n x k) in x out, examples as rows; J = sum(D o Z) + lam ||W||^2 so that dJ/dZ = D, any upstream gradient; f any activation. BP2-BP4 of backprop-four-equations, batched, with seed 001's penalty lam sum theta^2
    In-place twin of layer_backward_cols: writes (d/dW, d/db, d/dP) into out, a tuple of C-contiguous float64 arrays of their shapes, and returns it; tmp: scratch shaped like A, for f'(A). Allocates only the term 2 lam W."""
    np.matmul(D, A.T, out[0])
    np.add(out[0], (2*lam) * W, out[0])
    np.add.reduce(D, -1, None, out[1], True)
    np.matmul(W.T, D, out[2])
    df(A, tmp)
    np.multiply(out[2], tmp, out[2])
    return out


def input_layer_backward_cols(W, D, lam, A):
    """network-layer-backward (seed 004, page 2, generalized (derive.numeric)): One layer of the batched network, both layouts, with L2 regularization.

    Convention: columns: W (k x n) out x in, P (n x m) the pre-activations of the layer below, m examples as columns; rows: W (n x k) in x out, examples as rows; J = sum(D o Z) + lam ||W||^2 so that dJ/dZ = D, any upstream gradient; f any activation. BP2-BP4 of backprop-four-equations, batched, with seed 001's penalty lam sum theta^2
    Kernel of derive.numeric; returns (d/dW, d/db)."""
    return (((2 * lam) * W + D @ A.T), D.sum(axis=-1, keepdims=True))


def input_layer_backward_cols_into(W, D, lam, A, out):
    """network-layer-backward (seed 004, page 2, generalized (derive.numeric)): One layer of the batched network, both layouts, with L2 regularization.

    Convention: columns: W (k x n) out x in, P (n x m) the pre-activations of the layer below, m examples as columns; rows: W (n x k) in x out, examples as rows; J = sum(D o Z) + lam ||W||^2 so that dJ/dZ = D, any upstream gradient; f any activation. BP2-BP4 of backprop-four-equations, batched, with seed 001's penalty lam sum theta^2
    In-place twin of input_layer_backward_cols: writes (d/dW, d/db) into out, a tuple of C-contiguous float64 arrays of their shapes, and returns it. Allocates only the term 2 lam W."""
    np.matmul(D, A.T, out[0])
    np.add(out[0], (2*lam) * W, out[0])
    np.add.reduce(D, -1, None, out[1], True)
    return out


def layer_backward_cols_noreg(W, D, A, df):
    """network-layer-backward (seed 004, page 2, generalized (derive.numeric)): One layer of the batched network, both layouts, with L2 regularization.

    Convention: columns: W (k x n) out x in, P (n x m) the pre-activations of the layer below, m examples as columns; rows: W (n x k) in x out, examples as rows; J = sum(D o Z) + lam ||W||^2 so that dJ/dZ = D, any upstream gradient; f any activation. BP2-BP4 of backprop-four-equations, batched, with seed 001's penalty lam sum theta^2
    Kernel of derive.numeric; returns (d/dW, d/db, d/dP)."""
    return (D @ A.T, D.sum(axis=-1, keepdims=True), ((W.T @ D) * (df(A))))


def layer_backward_cols_noreg_into(W, D, A, df, out, tmp):
    """network-layer-backward (seed 004, page 2, generalized (derive.numeric)): One layer of the batched network, both layouts, with L2 regularization.

    Convention: columns: W (k x n) out x in, P (n x m) the pre-activations of the layer below, m examples as columns; rows: W (n x k) in x out, examples as rows; J = sum(D o Z) + lam ||W||^2 so that dJ/dZ = D, any upstream gradient; f any activation. BP2-BP4 of backprop-four-equations, batched, with seed 001's penalty lam sum theta^2
    In-place twin of layer_backward_cols_noreg: writes (d/dW, d/db, d/dP) into out, a tuple of C-contiguous float64 arrays of their shapes, and returns it; tmp: scratch shaped like A, for f'(A). Allocates nothing."""
    np.matmul(D, A.T, out[0])
    np.add.reduce(D, -1, None, out[1], True)
    np.matmul(W.T, D, out[2])
    df(A, tmp)
    np.multiply(out[2], tmp, out[2])
    return out


def input_layer_backward_cols_noreg(W, D, A):
    """network-layer-backward (seed 004, page 2, generalized (derive.numeric)): One layer of the batched network, both layouts, with L2 regularization.

    Convention: columns: W (k x n) out x in, P (n x m) the pre-activations of the layer below, m examples as columns; rows: W (n x k) in x out, examples as rows; J = sum(D o Z) + lam ||W||^2 so that dJ/dZ = D, any upstream gradient; f any activation. BP2-BP4 of backprop-four-equations, batched, with seed 001's penalty lam sum theta^2
    Kernel of derive.numeric; returns (d/dW, d/db)."""
    return (D @ A.T, D.sum(axis=-1, keepdims=True))


def input_layer_backward_cols_noreg_into(W, D, A, out):
    """network-layer-backward (seed 004, page 2, generalized (derive.numeric)): One layer of the batched network, both layouts, with L2 regularization.

    Convention: columns: W (k x n) out x in, P (n x m) the pre-activations of the layer below, m examples as columns; rows: W (n x k) in x out, examples as rows; J = sum(D o Z) + lam ||W||^2 so that dJ/dZ = D, any upstream gradient; f any activation. BP2-BP4 of backprop-four-equations, batched, with seed 001's penalty lam sum theta^2
    In-place twin of input_layer_backward_cols_noreg: writes (d/dW, d/db) into out, a tuple of C-contiguous float64 arrays of their shapes, and returns it. Allocates nothing."""
    np.matmul(D, A.T, out[0])
    np.add.reduce(D, -1, None, out[1], True)
    return out


def layer_backward_rows(Wr, Dr, lam, A, df):
    """network-layer-backward (seed 004, page 2, generalized (derive.numeric)): One layer of the batched network, both layouts, with L2 regularization.

    Convention: columns: W (k x n) out x in, P (n x m) the pre-activations of the layer below, m examples as columns; rows: W (n x k) in x out, examples as rows; J = sum(D o Z) + lam ||W||^2 so that dJ/dZ = D, any upstream gradient; f any activation. BP2-BP4 of backprop-four-equations, batched, with seed 001's penalty lam sum theta^2
    Kernel of derive.numeric; returns (d/dWr, d/dbr, d/dPr)."""
    return (((2 * lam) * Wr + A.T @ Dr), Dr.sum(axis=-2, keepdims=True), ((Dr @ Wr.T) * (df(A))))


def layer_backward_rows_into(Wr, Dr, lam, A, df, out, tmp):
    """network-layer-backward (seed 004, page 2, generalized (derive.numeric)): One layer of the batched network, both layouts, with L2 regularization.

    Convention: columns: W (k x n) out x in, P (n x m) the pre-activations of the layer below, m examples as columns; rows: W (n x k) in x out, examples as rows; J = sum(D o Z) + lam ||W||^2 so that dJ/dZ = D, any upstream gradient; f any activation. BP2-BP4 of backprop-four-equations, batched, with seed 001's penalty lam sum theta^2
    In-place twin of layer_backward_rows: writes (d/dWr, d/dbr, d/dPr) into out, a tuple of C-contiguous float64 arrays of their shapes, and returns it; tmp: scratch shaped like A, for f'(A). Allocates only the term 2 lam W."""
    np.matmul(A.T, Dr, out[0])
    np.add(out[0], (2*lam) * Wr, out[0])
    np.add.reduce(Dr, -2, None, out[1], True)
    np.matmul(Dr, Wr.T, out[2])
    df(A, tmp)
    np.multiply(out[2], tmp, out[2])
    return out


def input_layer_backward_rows(Wr, Dr, lam, A):
    """network-layer-backward (seed 004, page 2, generalized (derive.numeric)): One layer of the batched network, both layouts, with L2 regularization.

    Convention: columns: W (k x n) out x in, P (n x m) the pre-activations of the layer below, m examples as columns; rows: W (n x k) in x out, examples as rows; J = sum(D o Z) + lam ||W||^2 so that dJ/dZ = D, any upstream gradient; f any activation. BP2-BP4 of backprop-four-equations, batched, with seed 001's penalty lam sum theta^2
    Kernel of derive.numeric; returns (d/dWr, d/dbr)."""
    return (((2 * lam) * Wr + A.T @ Dr), Dr.sum(axis=-2, keepdims=True))


def input_layer_backward_rows_into(Wr, Dr, lam, A, out):
    """network-layer-backward (seed 004, page 2, generalized (derive.numeric)): One layer of the batched network, both layouts, with L2 regularization.

    Convention: columns: W (k x n) out x in, P (n x m) the pre-activations of the layer below, m examples as columns; rows: W (n x k) in x out, examples as rows; J = sum(D o Z) + lam ||W||^2 so that dJ/dZ = D, any upstream gradient; f any activation. BP2-BP4 of backprop-four-equations, batched, with seed 001's penalty lam sum theta^2
    In-place twin of input_layer_backward_rows: writes (d/dWr, d/dbr) into out, a tuple of C-contiguous float64 arrays of their shapes, and returns it. Allocates only the term 2 lam W."""
    np.matmul(A.T, Dr, out[0])
    np.add(out[0], (2*lam) * Wr, out[0])
    np.add.reduce(Dr, -2, None, out[1], True)
    return out


def layer_backward_rows_noreg(Wr, Dr, A, df):
    """network-layer-backward (seed 004, page 2, generalized (derive.numeric)): One layer of the batched network, both layouts, with L2 regularization.

    Convention: columns: W (k x n) out x in, P (n x m) the pre-activations of the layer below, m examples as columns; rows: W (n x k) in x out, examples as rows; J = sum(D o Z) + lam ||W||^2 so that dJ/dZ = D, any upstream gradient; f any activation. BP2-BP4 of backprop-four-equations, batched, with seed 001's penalty lam sum theta^2
    Kernel of derive.numeric; returns (d/dWr, d/dbr, d/dPr)."""
    return (A.T @ Dr, Dr.sum(axis=-2, keepdims=True), ((Dr @ Wr.T) * (df(A))))


def layer_backward_rows_noreg_into(Wr, Dr, A, df, out, tmp):
    """network-layer-backward (seed 004, page 2, generalized (derive.numeric)): One layer of the batched network, both layouts, with L2 regularization.

    Convention: columns: W (k x n) out x in, P (n x m) the pre-activations of the layer below, m examples as columns; rows: W (n x k) in x out, examples as rows; J = sum(D o Z) + lam ||W||^2 so that dJ/dZ = D, any upstream gradient; f any activation. BP2-BP4 of backprop-four-equations, batched, with seed 001's penalty lam sum theta^2
    In-place twin of layer_backward_rows_noreg: writes (d/dWr, d/dbr, d/dPr) into out, a tuple of C-contiguous float64 arrays of their shapes, and returns it; tmp: scratch shaped like A, for f'(A). Allocates nothing."""
    np.matmul(A.T, Dr, out[0])
    np.add.reduce(Dr, -2, None, out[1], True)
    np.matmul(Dr, Wr.T, out[2])
    df(A, tmp)
    np.multiply(out[2], tmp, out[2])
    return out


def input_layer_backward_rows_noreg(Wr, Dr, A):
    """network-layer-backward (seed 004, page 2, generalized (derive.numeric)): One layer of the batched network, both layouts, with L2 regularization.

    Convention: columns: W (k x n) out x in, P (n x m) the pre-activations of the layer below, m examples as columns; rows: W (n x k) in x out, examples as rows; J = sum(D o Z) + lam ||W||^2 so that dJ/dZ = D, any upstream gradient; f any activation. BP2-BP4 of backprop-four-equations, batched, with seed 001's penalty lam sum theta^2
    Kernel of derive.numeric; returns (d/dWr, d/dbr)."""
    return (A.T @ Dr, Dr.sum(axis=-2, keepdims=True))


def input_layer_backward_rows_noreg_into(Wr, Dr, A, out):
    """network-layer-backward (seed 004, page 2, generalized (derive.numeric)): One layer of the batched network, both layouts, with L2 regularization.

    Convention: columns: W (k x n) out x in, P (n x m) the pre-activations of the layer below, m examples as columns; rows: W (n x k) in x out, examples as rows; J = sum(D o Z) + lam ||W||^2 so that dJ/dZ = D, any upstream gradient; f any activation. BP2-BP4 of backprop-four-equations, batched, with seed 001's penalty lam sum theta^2
    In-place twin of input_layer_backward_rows_noreg: writes (d/dWr, d/dbr) into out, a tuple of C-contiguous float64 arrays of their shapes, and returns it. Allocates nothing."""
    np.matmul(A.T, Dr, out[0])
    np.add.reduce(Dr, -2, None, out[1], True)
    return out


# one function per proved gradient: matrices may carry leading batch axes (..., rows, cols);
# scalars that meet matrices then need shape (..., 1, 1)

def gradient_example__dx(x, y):
    """d/dx of gradient_example (one formula)."""
    return (2 * x)


def gradient_example__dy(x, y):
    """d/dy of gradient_example (one formula)."""
    return (-(np.sin(y)))


def gradient_example(x, y):
    """gradient-example (seed 000, 1.5.1): A gradient: ∇(x² + cos y).

    Convention: scalars x, y
    Returns {'x', 'y'}: the gradients d/dx, d/dy."""
    return {'x': gradient_example__dx(x, y), 'y': gradient_example__dy(x, y)}


def scalar_chain_rule__dx(x):
    """d/dx of scalar_chain_rule (one formula)."""
    return (2 * x * np.cos((x ** 2)))


def scalar_chain_rule(x):
    """scalar-chain-rule (seed 000, 1.5.3): Chain rule: d/dx sin(x²).

    Convention: scalar x
    Returns {'x'}: the gradients d/dx."""
    return {'x': scalar_chain_rule__dx(x)}


def hadamard_jacobian(v, w, u):
    """hadamard-jacobian (seed 000, 3.2.2): Jacobian of the Hadamard product: ∂(v ∘ w)/∂v = diag(w).

    Convention: column vectors of length n; proved through d(u^T (v o w))/dv = diag(w) u = w o u for an arbitrary u, which determines the Jacobian (it is symmetric)
    Returns {'v'}: the gradients d/dv."""
    return {'v': (w * u)}


def sum_reduction_part1(v):
    """sum-reduction (seed 000, 3.2.4): Gradient of a sum reduction: ∂ sum(v)/∂v = 𝟏ᵀ.

    Convention: v a column vector of length n; gradients written as columns (the notes write the row Jacobian)
    Returns {'v'}: the gradients d/dv."""
    n = v.shape[-2]
    return {'v': np.ones((n, 1))}


def sum_reduction_part2(v):
    """sum-reduction (seed 000, 3.2.4): Gradient of a sum reduction: ∂ sum(v)/∂v = 𝟏ᵀ.

    Convention: v a column vector of length n; gradients written as columns (the notes write the row Jacobian)
    Returns {'v'}: the gradients d/dv."""
    n = v.shape[-2]
    return {'v': 2 * (np.ones((n, 1)))}


def backprop_four_equations_part1(zL, u, fprime=sigmoid_prime):
    """backprop-four-equations (seed 000, 4.2): The four equations of backpropagation (BP1–BP4), any depth L.

    Convention: out x in, column vectors. Each equation is local to one layer: by the multivariate chain rule dC/dz^l depends on the layers above only through delta^{l+1} = dC/dz^{l+1}, so it is proved for C = u^T a^L (BP1) and C = d^T z^{l+1} (BP2-BP4) with u, d arbitrary vectors standing for the upstream gradient, at symbolic sizes; induction on l = L-1, ..., 1 gives every depth.
    Returns {'zL'}: the gradients d/dzL."""
    return {'zL': (u * (fprime(zL)))}


def backprop_four_equations_part2(z, W, b, d, f=sigmoid, fprime=sigmoid_prime):
    """backprop-four-equations (seed 000, 4.2): The four equations of backpropagation (BP1–BP4), any depth L.

    Convention: out x in, column vectors. Each equation is local to one layer: by the multivariate chain rule dC/dz^l depends on the layers above only through delta^{l+1} = dC/dz^{l+1}, so it is proved for C = u^T a^L (BP1) and C = d^T z^{l+1} (BP2-BP4) with u, d arbitrary vectors standing for the upstream gradient, at symbolic sizes; induction on l = L-1, ..., 1 gives every depth.
    Returns {'z', 'b', 'W'}: the gradients d/dz, d/db, d/dW."""
    return {'z': (((np.swapaxes(W, -1, -2)) @ d) * (fprime(z))), 'b': d, 'W': d @ (f((np.swapaxes(z, -1, -2))))}


def jacobian_example_part1__dx(x, y):
    """d/dx of jacobian_example_part1 (one formula)."""
    return 2


def jacobian_example_part1__dy(x, y):
    """d/dy of jacobian_example_part1 (one formula)."""
    return (3 * (y ** 2))


def jacobian_example_part1(x, y):
    """jacobian-example (seed 000, 1.5.2): A Jacobian: F = [2x + y³, eʸ − 13x].

    Convention: scalars x, y; row i of J is the gradient of F_i
    Returns {'x', 'y'}: the gradients d/dx, d/dy."""
    return {'x': jacobian_example_part1__dx(x, y), 'y': jacobian_example_part1__dy(x, y)}


def jacobian_example_part2__dx(x, y):
    """d/dx of jacobian_example_part2 (one formula)."""
    return -13


def jacobian_example_part2__dy(x, y):
    """d/dy of jacobian_example_part2 (one formula)."""
    return np.exp(y)


def jacobian_example_part2(x, y):
    """jacobian-example (seed 000, 1.5.2): A Jacobian: F = [2x + y³, eʸ − 13x].

    Convention: scalars x, y; row i of J is the gradient of F_i
    Returns {'x', 'y'}: the gradients d/dx, d/dy."""
    return {'x': jacobian_example_part2__dx(x, y), 'y': jacobian_example_part2__dy(x, y)}


def jacobian_chain_rule_part1__dx(x, y):
    """d/dx of jacobian_chain_rule_part1 (one formula)."""
    return (2 * x * np.cos((y + (x ** 2))))


def jacobian_chain_rule_part1__dy(x, y):
    """d/dy of jacobian_chain_rule_part1 (one formula)."""
    return np.cos((y + (x ** 2)))


def jacobian_chain_rule_part1(x, y):
    """jacobian-chain-rule (seed 000, 1.5.4): Vector chain rule: F = [sin g₁, ln g₂], g = [x² + y, y³].

    Convention: scalars x, y > 0; the rows of the product diag(...) J_g are the claimed gradients
    Returns {'x', 'y'}: the gradients d/dx, d/dy."""
    return {'x': jacobian_chain_rule_part1__dx(x, y), 'y': jacobian_chain_rule_part1__dy(x, y)}


def jacobian_chain_rule_part2__dx(x, y):
    """d/dx of jacobian_chain_rule_part2 (one formula)."""
    return 0


def jacobian_chain_rule_part2__dy(x, y):
    """d/dy of jacobian_chain_rule_part2 (one formula)."""
    return (3 * (1 / y))


def jacobian_chain_rule_part2(x, y):
    """jacobian-chain-rule (seed 000, 1.5.4): Vector chain rule: F = [sin g₁, ln g₂], g = [x² + y, y³].

    Convention: scalars x, y > 0; the rows of the product diag(...) J_g are the claimed gradients
    Returns {'x', 'y'}: the gradients d/dx, d/dy."""
    return {'x': jacobian_chain_rule_part2__dx(x, y), 'y': jacobian_chain_rule_part2__dy(x, y)}


def elementwise_jacobian_part1(v, w, u, fprime=sigmoid_prime, gprime=tanh_prime):
    """elementwise-jacobian (seed 000, 3.2.1): Jacobians of elementwise binary operations are diagonal.

    Convention: column vectors of length n; f, g any differentiable functions (numerics: sigmoid, tanh); each Jacobian J is proved through d(u^T y)/d v = J^T u = diag(.) u for an arbitrary u
    Returns {'v', 'w'}: the gradients d/dv, d/dw."""
    return {'v': (u * (fprime(v))), 'w': (u * (gprime(w)))}


def elementwise_jacobian_part2(v, w, u, fprime=sigmoid_prime, gprime=tanh_prime):
    """elementwise-jacobian (seed 000, 3.2.1): Jacobians of elementwise binary operations are diagonal.

    Convention: column vectors of length n; f, g any differentiable functions (numerics: sigmoid, tanh); each Jacobian J is proved through d(u^T y)/d v = J^T u = diag(.) u for an arbitrary u
    Returns {'v', 'w'}: the gradients d/dv, d/dw."""
    return {'v': (u * (fprime(v))), 'w': (-((gprime(w)) * u))}


def elementwise_jacobian_part3(v, w, u, f=sigmoid, fprime=sigmoid_prime, g=tanh, gprime=tanh_prime):
    """elementwise-jacobian (seed 000, 3.2.1): Jacobians of elementwise binary operations are diagonal.

    Convention: column vectors of length n; f, g any differentiable functions (numerics: sigmoid, tanh); each Jacobian J is proved through d(u^T y)/d v = J^T u = diag(.) u for an arbitrary u
    Returns {'v', 'w'}: the gradients d/dv, d/dw."""
    return {'v': ((u * (fprime(v))) * (g(w))), 'w': ((u * (f(v))) * (gprime(w)))}


def elementwise_jacobian_part4(v, w, u, f=sigmoid, fprime=sigmoid_prime, g=tanh, gprime=tanh_prime):
    """elementwise-jacobian (seed 000, 3.2.1): Jacobians of elementwise binary operations are diagonal.

    Convention: column vectors of length n; f, g any differentiable functions (numerics: sigmoid, tanh); each Jacobian J is proved through d(u^T y)/d v = J^T u = diag(.) u for an arbitrary u
    Returns {'v', 'w'}: the gradients d/dv, d/dw."""
    _s0 = g(w)
    return {'v': ((u * (fprime(v))) * (_s0 ** (-1))), 'w': (-((f(v)) * (gprime(w)) * ((_s0 ** 2) ** (-1)) * u))}


def scalar_expansion_part1(x, v, u):
    """scalar-expansion (seed 000, 3.2.3): Derivatives of scalar expansion: ∂(xv)/∂x = v, ∂(xv)/∂v = xI.

    Convention: scalar x, column vector v of length n; each Jacobian proved through u^T times it, u arbitrary
    Returns {'x', 'v'}: the gradients d/dx, d/dv."""
    return {'x': (np.swapaxes(u, -1, -2)) @ v, 'v': x * u}


def scalar_expansion_part2(x, u):
    """scalar-expansion (seed 000, 3.2.3): Derivatives of scalar expansion: ∂(xv)/∂x = v, ∂(xv)/∂v = xI.

    Convention: scalar x, column vector v of length n; each Jacobian proved through u^T times it, u arbitrary
    Returns {'x'}: the gradients d/dx."""
    return {'x': (np.swapaxes(u, -1, -2)).sum(axis=-1, keepdims=True)}


def neuron_gradient_part1(w, x, b, fprime=sigmoid_prime):
    """neuron-gradient (seed 000, 3.3): Gradient of one neuron a = σ(wᵀx + b), smooth and ReLU.

    Convention: w, x column vectors of length n, b a 1 x 1 matrix; gradients written as columns; sigma any activation (f). ReLU'(0) = 0 (the notes' convention); each branch of ReLU is proved, and the numeric check samples integers so that z = 0 occurs, where the one-sided test applies
    Returns {'w', 'b'}: the gradients d/dw, d/db."""
    _s0 = fprime(((np.swapaxes(w, -1, -2)) @ x + b))
    return {'w': x @ _s0, 'b': _s0}


def neuron_gradient_part2(w, x, b):
    """neuron-gradient (seed 000, 3.3): Gradient of one neuron a = σ(wᵀx + b), smooth and ReLU.

    Convention: w, x column vectors of length n, b a 1 x 1 matrix; gradients written as columns; sigma any activation (f). ReLU'(0) = 0 (the notes' convention); each branch of ReLU is proved, and the numeric check samples integers so that z = 0 occurs, where the one-sided test applies
    Returns {'w', 'b'}: the gradients d/dw, d/db."""
    _s0 = _k.step(((np.swapaxes(w, -1, -2)) @ x + b))
    return {'w': x @ _s0, 'b': _s0}


def mse_relu_neuron(w, X, y, b):
    """mse-relu-neuron (seed 000, 3.4-3.5): Mean squared error of a ReLU neuron.

    Convention: examples x_i are the m columns of X (n x m), y is 1 x m, b a 1 x 1 matrix; the sum over z_i > 0 is the Hadamard product with step(z) (step(0) = 0); gradients as columns
    Returns {'w', 'b'}: the gradients d/dw, d/db."""
    m = X.shape[-1]
    _s0 = (np.swapaxes(X, -1, -2)) @ w
    _s1 = (1 / m)
    _s2 = (np.swapaxes(w, -1, -2)) @ X
    return {'w': _s1 * (X @ ((np.swapaxes(b, -1, -2) + _s0 - (np.swapaxes(y, -1, -2))) * (_k.step((np.swapaxes(b, -1, -2) + _s0))))), 'b': _s1 * (((b + _s2 - y) * (_k.step((b + _s2)))).sum(axis=-1, keepdims=True))}


def sigmoid_derivative__dx(x):
    """d/dx of sigmoid_derivative (one formula)."""
    _s0 = sigmoid(x)
    return ((1 - _s0) * _s0)


def sigmoid_derivative(x):
    """sigmoid-derivative (seed 001, lines 100-130 (also seed 002)): σ′(x) = σ(x)(1 − σ(x)).

    Convention: scalar x; applied elementwise to vectors
    Returns {'x'}: the gradients d/dx."""
    return {'x': sigmoid_derivative__dx(x)}


def softmax_ce_gradient(theta, y):
    """softmax-ce-gradient (seed 001, lines 20-75, 527-630): Cross-entropy through softmax: ∂L/∂θ = ŷ − y.

    Convention: column vectors of length n; y one-hot, or any y whose entries sum to 1 (the assumption is used)
    Returns {'theta'}: the gradients d/dtheta."""
    return {'theta': (_k.softmax(theta, axis=-2) - y)}


def window_score_gradients(W, x, b, v, f=sigmoid, fprime=sigmoid_prime):
    """window-score-gradients (seed 001, lines 940-1340): Window score s = vᵀf(Wx + b): ∂s/∂W = δxᵀ, ∂s/∂x = Wᵀδ.

    Convention: x in R^n, W in R^{h x n} (the notes: n = 20, h = 8), v, b in R^h; f any differentiable activation
    Returns {'v', 'W', 'b', 'x'}: the gradients d/dv, d/dW, d/db, d/dx."""
    _s0 = (W @ x + b)
    _s1 = fprime(_s0)
    _s2 = (_s1 * v)
    return {'v': f(_s0), 'W': _s2 @ (np.swapaxes(x, -1, -2)), 'b': (v * _s1), 'x': (np.swapaxes(W, -1, -2)) @ _s2}


def two_layer_delta_recursion(W1, b1, W2, b2, x, v, f=sigmoid, fprime=sigmoid_prime):
    """two-layer-delta-recursion (seed 001, lines 1080-1110): Two-layer score: δ₂ = (W₂ᵀδ₃) ∘ f′(z₂).

    Convention: x in R^n, W1 (h x n), W2 (k x h), v in R^k; f any differentiable activation
    Returns {'W2', 'b2', 'W1', 'b1', 'x'}: the gradients d/dW2, d/db2, d/dW1, d/db1, d/dx."""
    _s0 = (W1 @ x + b1)
    _s1 = fprime((W2 @ (f(_s0)) + b2))
    _s2 = (_s1 * v)
    _s3 = np.swapaxes(x, -1, -2)
    _s4 = np.swapaxes(W1, -1, -2)
    _s5 = (((np.swapaxes(W2, -1, -2)) @ _s2) * (fprime(_s0)))
    return {'W2': _s2 @ (f((_s3 @ _s4 + np.swapaxes(b1, -1, -2)))), 'b2': (v * _s1), 'W1': _s5 @ _s3, 'b1': _s5, 'x': _s4 @ _s5}


def softmax_jacobian(theta, u):
    """softmax-jacobian (seed 001, lines 457-470): Jacobian of softmax: diag(ŷ) − ŷŷᵀ.

    Convention: column vectors of length n; the Jacobian J is symmetric, so it is proved through d(u^T softmax(theta))/d theta = J u for an arbitrary vector u, which determines J
    Returns {'theta'}: the gradients d/dtheta."""
    _s0 = _k.softmax(theta, axis=-2)
    return {'theta': ((u * _s0) - (_s0 @ (np.swapaxes(_s0, -1, -2)) @ u))}


def least_squares_gradient(theta, X, y):
    """least-squares-gradient (seed 001, least squares, gradient descent): Least squares: ∇J = Σᵢ(θᵀxⁱ − yⁱ)xⁱ.

    Convention: examples x^(i) are the m columns of X (n x m), y is 1 x m; the sum over i is X (X^T theta - y^T)
    Returns {'theta'}: the gradients d/dtheta."""
    return {'theta': X @ ((np.swapaxes(X, -1, -2)) @ theta - (np.swapaxes(y, -1, -2)))}


def l2_regularization(theta, lam):
    """l2-regularization (seed 001, softmax classifier, regularization): L2 penalty: ∇(λ Σθ²) = 2λθ.

    Convention: theta a column vector of length n, lambda a scalar
    Returns {'theta'}: the gradients d/dtheta."""
    return {'theta': (2 * lam) * theta}


def two_layer_input_gradient(x, W1, b1, W2, b2, y):
    """two-layer-input-gradient (seed 001, lines 800-935): Two-layer softmax network, rows: ∂J/∂x.

    Convention: row vectors: x is 1 x Dx, W1 is Dx x H, W2 is H x Dy, softmax along the row; y sums to 1
    Returns {'x'}: the gradients d/dx."""
    _s0 = _k.sigmoid((x @ W1 + b1))
    return {'x': (((_k.softmax((_s0 @ W2 + b2), axis=-1) - y) @ (np.swapaxes(W2, -1, -2))) * (1 - _s0) * _s0) @ (np.swapaxes(W1, -1, -2))}


def softmax_classifier_part1(W, X, Y, lam):
    """softmax-classifier (seed 001, softmax classifier, regularization): Softmax classifier with L2 penalty.

    Convention: W is C x d, examples are the N columns of X (d x N), labels the columns of Y (C x N), each summing to 1 (one-hot); theta = W in the penalty; dJ/dx for one example
    Returns {'W'}: the gradients d/dW."""
    N = X.shape[-1]
    return {'W': ((2 * lam) * W + (1 / N) * ((_k.softmax(W @ X, axis=-2) - Y) @ (np.swapaxes(X, -1, -2))))}


def softmax_classifier_part2(W, x, y):
    """softmax-classifier (seed 001, softmax classifier, regularization): Softmax classifier with L2 penalty.

    Convention: W is C x d, examples are the N columns of X (d x N), labels the columns of Y (C x N), each summing to 1 (one-hot); theta = W in the penalty; dJ/dx for one example
    Returns {'x'}: the gradients d/dx."""
    return {'x': (np.swapaxes(W, -1, -2)) @ (_k.softmax(W @ x, axis=-2) - y)}


def max_margin_gradient(W, x, xc, b, v, f=sigmoid, fprime=sigmoid_prime):
    """max-margin-gradient (seed 001, max-margin loss, lines 940-1000): Max-margin loss J = max(0, 1 − s + s_c).

    Convention: s = v^T f(W x + b) for the true window x, s_c the same for a corrupt window x_c; the indicator is 0 at the kink (ReLU'(0) = 0). Both branches are proved; the numeric check is placed on the kink
    Returns {'v', 'W', 'b', 'x', 'xc'}: the gradients d/dv, d/dW, d/db, d/dx, d/dxc."""
    _s0 = (W @ x + b)
    _s1 = f(_s0)
    _s2 = (W @ xc + b)
    _s3 = f(_s2)
    _s4 = np.swapaxes(v, -1, -2)
    _s5 = _k.step((_s4 @ _s3 + np.eye(1) - (_s4 @ _s1)))
    _s6 = ((fprime(_s2)) * v)
    _s7 = ((fprime(_s0)) * v)
    _s8 = np.swapaxes(W, -1, -2)
    return {'v': (_s3 - _s1) @ _s5, 'W': (_s6 @ _s5 @ (np.swapaxes(xc, -1, -2)) - (_s7 @ _s5 @ (np.swapaxes(x, -1, -2)))), 'b': (_s6 - _s7) @ _s5, 'x': (-(_s8 @ _s7 @ _s5)), 'xc': _s8 @ _s6 @ _s5}


def multivariate_chain_rule__dx1(x1, x2):
    """d/dx1 of multivariate_chain_rule (one formula)."""
    _s0 = np.exp(((x2 ** 2) + np.sin(x1)))
    return ((x2 * (np.cos((x1 * x2)) + _s0)) + (x1 * x2 * np.cos(x1) * _s0))


def multivariate_chain_rule__dx2(x1, x2):
    """d/dx2 of multivariate_chain_rule (one formula)."""
    _s0 = (x2 ** 2)
    _s1 = np.exp((_s0 + np.sin(x1)))
    return ((x1 * (np.cos((x1 * x2)) + _s1)) + (2 * x1 * _s0 * _s1))


def multivariate_chain_rule(x1, x2):
    """multivariate-chain-rule (seed 001, lines 1590-1620): Multivariate chain rule: ∂Z/∂X = Σᵢ ∂Z/∂Yᵢ ∂Yᵢ/∂X.

    Convention: an instance: Z = Y1 e^{Y2} + sin Y1, Y1 = x1 x2, Y2 = sin x1 + x2^2; the claim is assembled from the partials of Z in Y and of Y in X, and compared with the derivative of the composite
    Returns {'x1', 'x2'}: the gradients d/dx1, d/dx2."""
    return {'x1': multivariate_chain_rule__dx1(x1, x2), 'x2': multivariate_chain_rule__dx2(x1, x2)}


def skip_gram_gradients_part1(U, v, y):
    """skip-gram-gradients (seed 001, word2vec, lines 140-210): Skip-gram gradients, softmax and negative sampling.

    Convention: U is w x d with the output vectors u_w as rows, v_c in R^d, y the one-hot row index of o (any y summing to 1); for negative sampling u_o in R^d and the K negative vectors u_k are the columns of Uk (d x K)
    Returns {'v', 'U'}: the gradients d/dv, d/dU."""
    _s0 = (_k.softmax(U @ v, axis=-2) - y)
    return {'v': (np.swapaxes(U, -1, -2)) @ _s0, 'U': _s0 @ (np.swapaxes(v, -1, -2))}


def skip_gram_gradients_part2(v, uo, Uk):
    """skip-gram-gradients (seed 001, word2vec, lines 140-210): Skip-gram gradients, softmax and negative sampling.

    Convention: U is w x d with the output vectors u_w as rows, v_c in R^d, y the one-hot row index of o (any y summing to 1); for negative sampling u_o in R^d and the K negative vectors u_k are the columns of Uk (d x K)
    Returns {'v', 'uo', 'Uk'}: the gradients d/dv, d/duo, d/dUk."""
    _s0 = (_k.sigmoid(((np.swapaxes(uo, -1, -2)) @ v)) - (np.eye(1)))
    return {'v': (Uk @ (1 - (_k.sigmoid((-((np.swapaxes(Uk, -1, -2)) @ v))))) + uo @ _s0), 'uo': v @ _s0, 'Uk': v @ (1 - (_k.sigmoid((-((np.swapaxes(v, -1, -2)) @ Uk)))))}


def glove_gradient(U, V, P, f=sigmoid):
    """glove-gradient (seed 001, GloVe, lines 211-220): GloVe objective: ∂J/∂uᵢ.

    Convention: u_i, v_j are the columns of U (d x A) and V (d x B); P (A x B) positive co-occurrence counts, f any weighting function. The notes write the target as P_ij where GloVe uses log P_ij; the gradient has the same form for either target. dJ/dV = U (f(P) o R) is proved too
    Returns {'U', 'V'}: the gradients d/dU, d/dV."""
    _s0 = np.swapaxes(P, -1, -2)
    return {'U': V @ (((np.swapaxes(V, -1, -2)) @ U - (np.log(_s0))) * (f(_s0))), 'V': U @ (((np.swapaxes(U, -1, -2)) @ V - (np.log(P))) * (f(P)))}


def output_layer_mse(W, a0, b, y):
    """output-layer-mse (seed 002, Output layer, pages 2-3): Output layer with squared error (in × out): δ = (a − y) ∘ σ′(z).

    Convention: in x out: W is (n, k), a^{L-1} in R^n, z = W^T a^{L-1} + b in R^k
    Returns {'W', 'b'}: the gradients d/dW, d/db."""
    _s0 = _k.sigmoid(((np.swapaxes(a0, -1, -2)) @ W + np.swapaxes(b, -1, -2)))
    _s1 = _k.sigmoid(((np.swapaxes(W, -1, -2)) @ a0 + b))
    return {'W': a0 @ ((1 - _s0) * (_s0 - (np.swapaxes(y, -1, -2))) * _s0), 'b': ((_s1 - y) * (_s1 * (1 - _s1)))}


def bce_sigmoid_delta__dz(z, y):
    """d/dz of bce_sigmoid_delta (one formula)."""
    return (sigmoid(z) - y)


def bce_sigmoid_delta(z, y):
    """bce-sigmoid-delta (seed 002, Binary Cross Entropy, page 5): Binary cross-entropy through σ: ∂L/∂z = ŷ − y.

    Convention: scalars z, y (y in [0, 1])
    Returns {'z'}: the gradients d/dz."""
    return {'z': bce_sigmoid_delta__dz(z, y)}


def hidden_layer_delta(W, a0, b, W2, d):
    """hidden-layer-delta (seed 002, Hidden layers, pages 3-4): Hidden-layer delta and weight gradient (in × out).

    Convention: in x out: W^l is (n, h), z^l = W^{lT} a^{l-1} + b^l, W^{l+1} is (h, k); the layer above enters through delta^{l+1} = d, an arbitrary vector (L = d^T z^{l+1}, as in backprop-four-equations)
    Returns {'W', 'b', 'a0'}: the gradients d/dW, d/db, d/da0."""
    _s0 = _k.sigmoid(((np.swapaxes(a0, -1, -2)) @ W + np.swapaxes(b, -1, -2)))
    _s1 = W2 @ d
    _s2 = _k.sigmoid(((np.swapaxes(W, -1, -2)) @ a0 + b))
    _s3 = (1 - _s2)
    return {'W': a0 @ (((np.swapaxes(d, -1, -2)) @ (np.swapaxes(W2, -1, -2))) * (1 - _s0) * _s0), 'b': (_s1 * (_s2 * _s3)), 'a0': W @ (_s1 * _s3 * _s2)}


def derivative_rules_part1__dx(x):
    """d/dx of derivative_rules_part1 (one formula)."""
    return (3 * (x ** 2))


def derivative_rules_part1(x):
    """derivative-rules (seed 003, Common Derivatives; Chain Rule): Common derivatives and two chain-rule examples.

    Convention: x > 0 where a log or a real power needs it; n and k are symbols (numeric check at n = 3, k = 2)
    Returns {'x'}: the gradients d/dx."""
    return {'x': derivative_rules_part1__dx(x)}


def derivative_rules_part2__dx(x):
    """d/dx of derivative_rules_part2 (one formula)."""
    return 0


def derivative_rules_part2(x):
    """derivative-rules (seed 003, Common Derivatives; Chain Rule): Common derivatives and two chain-rule examples.

    Convention: x > 0 where a log or a real power needs it; n and k are symbols (numeric check at n = 3, k = 2)
    Returns {'x'}: the gradients d/dx."""
    return {'x': derivative_rules_part2__dx(x)}


def derivative_rules_part3__dx(x):
    """d/dx of derivative_rules_part3 (one formula)."""
    return np.exp(x)


def derivative_rules_part3(x):
    """derivative-rules (seed 003, Common Derivatives; Chain Rule): Common derivatives and two chain-rule examples.

    Convention: x > 0 where a log or a real power needs it; n and k are symbols (numeric check at n = 3, k = 2)
    Returns {'x'}: the gradients d/dx."""
    return {'x': derivative_rules_part3__dx(x)}


def derivative_rules_part4__dx(x):
    """d/dx of derivative_rules_part4 (one formula)."""
    return (1 / x)


def derivative_rules_part4(x):
    """derivative-rules (seed 003, Common Derivatives; Chain Rule): Common derivatives and two chain-rule examples.

    Convention: x > 0 where a log or a real power needs it; n and k are symbols (numeric check at n = 3, k = 2)
    Returns {'x'}: the gradients d/dx."""
    return {'x': derivative_rules_part4__dx(x)}


def derivative_rules_part5__dx(x):
    """d/dx of derivative_rules_part5 (one formula)."""
    return (2 * (1 / x))


def derivative_rules_part5(x):
    """derivative-rules (seed 003, Common Derivatives; Chain Rule): Common derivatives and two chain-rule examples.

    Convention: x > 0 where a log or a real power needs it; n and k are symbols (numeric check at n = 3, k = 2)
    Returns {'x'}: the gradients d/dx."""
    return {'x': derivative_rules_part5__dx(x)}


def derivative_rules_part6__dx(x):
    """d/dx of derivative_rules_part6 (one formula)."""
    return (3 * (x ** 2) * np.exp((x ** 3)))


def derivative_rules_part6(x):
    """derivative-rules (seed 003, Common Derivatives; Chain Rule): Common derivatives and two chain-rule examples.

    Convention: x > 0 where a log or a real power needs it; n and k are symbols (numeric check at n = 3, k = 2)
    Returns {'x'}: the gradients d/dx."""
    return {'x': derivative_rules_part6__dx(x)}


def partial_derivatives__dx1(x1, x2):
    """d/dx1 of partial_derivatives (one formula)."""
    return ((2 * x1) + (3 * x2))


def partial_derivatives__dx2(x1, x2):
    """d/dx2 of partial_derivatives (one formula)."""
    return ((3 * x1) + (4 * x2))


def partial_derivatives(x1, x2):
    """partial-derivatives (seed 003, Partial Derivatives): Partial derivatives of x₁² + 2x₂² + 3x₁x₂.

    Convention: scalars x1, x2
    Returns {'x1', 'x2'}: the gradients d/dx1, d/dx2."""
    return {'x1': partial_derivatives__dx1(x1, x2), 'x2': partial_derivatives__dx2(x1, x2)}


def bce_layer_backward_part1(W, A, b, Y):
    """bce-layer-backward (seed 003, Backpropagation, output layer): A σ output layer with mean binary cross-entropy.

    Convention: out x in, the N examples are columns: A (n x N), W (k x n), b (k x 1), Y (k x N) in [0, 1]
    Returns {'W', 'A', 'b'}: the gradients d/dW, d/dA, d/db."""
    N = A.shape[-1]
    _s0 = (_k.sigmoid((W @ A + b)) - Y)
    _s1 = (1 / N)
    return {'W': _s1 * (_s0 @ (np.swapaxes(A, -1, -2))), 'A': _s1 * ((np.swapaxes(W, -1, -2)) @ _s0), 'b': _s1 * (_s0.sum(axis=-1, keepdims=True))}


def bce_layer_backward_part2(Y, Z):
    """bce-layer-backward (seed 003, Backpropagation, output layer): A σ output layer with mean binary cross-entropy.

    Convention: out x in, the N examples are columns: A (n x N), W (k x n), b (k x 1), Y (k x N) in [0, 1]
    Returns {'Z'}: the gradients d/dZ."""
    N = Y.shape[-1]
    return {'Z': (1 / N) * (_k.sigmoid(Z) - Y)}


def multivariate_chain_rule_example__dx(x):
    """d/dx of multivariate_chain_rule_example (one formula)."""
    return (1 + (4 * x))


def multivariate_chain_rule_example(x):
    """multivariate-chain-rule-example (seed 004, page 3, Multivariate Chain Rule): Multivariate chain rule: f(g₁, g₂) = 2g₁ + g₂, g₁ = x², g₂ = x.

    Convention: scalar x
    Returns {'x'}: the gradients d/dx."""
    return {'x': multivariate_chain_rule_example__dx(x)}


def logistic_regression_batched_part1(w, b, X, y):
    """logistic-regression-batched (seed 004, page 1, Backpropagation for logistic regression): Logistic regression over a batch (examples as columns).

    Convention: X is n x m (the notes' P x m), w is n x 1, b a scalar, y and z are 1 x m; the notes' per-example dJ/dz = a - y is m dJ/dz
    Returns {'w', 'b'}: the gradients d/dw, d/db."""
    m = X.shape[-1]
    _s0 = np.ones((m, 1))
    _s1 = (1 / m)
    return {'w': _s1 * (X @ (_k.sigmoid((b * _s0 + (np.swapaxes(X, -1, -2)) @ w)) - (np.swapaxes(y, -1, -2)))), 'b': _s1 * ((_k.sigmoid((b * (np.ones((1, m))) + (np.swapaxes(w, -1, -2)) @ X)) - y).sum(axis=-1, keepdims=True))}


def logistic_regression_batched_part2(y, z):
    """logistic-regression-batched (seed 004, page 1, Backpropagation for logistic regression): Logistic regression over a batch (examples as columns).

    Convention: X is n x m (the notes' P x m), w is n x 1, b a scalar, y and z are 1 x m; the notes' per-example dJ/dz = a - y is m dJ/dz
    Returns {'z'}: the gradients d/dz."""
    m = y.shape[-1]
    return {'z': (1 / m) * (_k.sigmoid(z) - y)}


def batched_backprop_part1(W, A, b, D):
    """batched-backprop (seed 004, page 2, Back propagation): Batched backprop, one layer at a time (in × out, examples as columns).

    Convention: in x out: W_{l+1} is (n_l, n_{l+1}) = (n, k), Z_{l+1} = W_{l+1}^T A_l + b 1^T; dJ/dZ, dJ/dA as in the notes are per-example (m times the gradient of the mean); the layer above is an arbitrary D = m dJ/dZ_{l+1}, f any activation; W0 (p, n) is the layer below
    Returns {'A', 'W', 'b'}: the gradients d/dA, d/dW, d/db."""
    m = A.shape[-1]
    _s0 = (1 / m)
    return {'A': _s0 * (W @ D), 'W': _s0 * (A @ (np.swapaxes(D, -1, -2))), 'b': _s0 * (D.sum(axis=-1, keepdims=True))}


def batched_backprop_part2(W, D, Z, fprime=sigmoid_prime):
    """batched-backprop (seed 004, page 2, Back propagation): Batched backprop, one layer at a time (in × out, examples as columns).

    Convention: in x out: W_{l+1} is (n_l, n_{l+1}) = (n, k), Z_{l+1} = W_{l+1}^T A_l + b 1^T; dJ/dZ, dJ/dA as in the notes are per-example (m times the gradient of the mean); the layer above is an arbitrary D = m dJ/dZ_{l+1}, f any activation; W0 (p, n) is the layer below
    Returns {'Z'}: the gradients d/dZ."""
    m = D.shape[-1]
    return {'Z': (1 / m) * ((W @ D) * (fprime(Z)))}


def batched_backprop_part3(W, D, W0, A0, b0, fprime=sigmoid_prime):
    """batched-backprop (seed 004, page 2, Back propagation): Batched backprop, one layer at a time (in × out, examples as columns).

    Convention: in x out: W_{l+1} is (n_l, n_{l+1}) = (n, k), Z_{l+1} = W_{l+1}^T A_l + b 1^T; dJ/dZ, dJ/dA as in the notes are per-example (m times the gradient of the mean); the layer above is an arbitrary D = m dJ/dZ_{l+1}, f any activation; W0 (p, n) is the layer below
    Returns {'W0', 'b0'}: the gradients d/dW0, d/db0."""
    m = D.shape[-1]
    _s0 = (1 / m)
    return {'W0': _s0 * (A0 @ (((np.swapaxes(D, -1, -2)) @ (np.swapaxes(W, -1, -2))) * (fprime((np.swapaxes(b0, -1, -2) + (np.swapaxes(A0, -1, -2)) @ W0))))), 'b0': _s0 * (((W @ D) * (fprime((b0 + (np.swapaxes(W0, -1, -2)) @ A0)))).sum(axis=-1, keepdims=True))}


def layout_equivalence_part1(W, a, b, d, fprime=sigmoid_prime):
    """layout-equivalence (seed 004, conventions of seeds 000-004): The three layouts give the same gradients.

    Convention: one layer s = d^T f(W a + b) with W (k x n); each layout's formula is written for its own matrix (M = W^T) and input (x = a^T), mapped back to W and a, and proved to be the gradient in W and a: so the three agree for every W, a, b, d and activation f
    Returns {'W', 'a'}: the gradients d/dW, d/da."""
    _s0 = ((fprime((W @ a + b))) * d)
    return {'W': _s0 @ (np.swapaxes(a, -1, -2)), 'a': (np.swapaxes(W, -1, -2)) @ _s0}


def layout_equivalence_part2(W, a, b, d, fprime=sigmoid_prime):
    """layout-equivalence (seed 004, conventions of seeds 000-004): The three layouts give the same gradients.

    Convention: one layer s = d^T f(W a + b) with W (k x n); each layout's formula is written for its own matrix (M = W^T) and input (x = a^T), mapped back to W and a, and proved to be the gradient in W and a: so the three agree for every W, a, b, d and activation f
    Returns {'W', 'a'}: the gradients d/dW, d/da."""
    _s0 = ((fprime((W @ a + b))) * d)
    return {'W': _s0 @ (np.swapaxes(a, -1, -2)), 'a': (np.swapaxes(W, -1, -2)) @ _s0}


def layout_equivalence_part3(W, a, b, d, fprime=sigmoid_prime):
    """layout-equivalence (seed 004, conventions of seeds 000-004): The three layouts give the same gradients.

    Convention: one layer s = d^T f(W a + b) with W (k x n); each layout's formula is written for its own matrix (M = W^T) and input (x = a^T), mapped back to W and a, and proved to be the gradient in W and a: so the three agree for every W, a, b, d and activation f
    Returns {'W', 'a'}: the gradients d/dW, d/da."""
    _s0 = ((fprime((W @ a + b))) * d)
    return {'W': _s0 @ (np.swapaxes(a, -1, -2)), 'a': (np.swapaxes(W, -1, -2)) @ _s0}


def network_output_deltas_part1(Z, Y):
    """network-output-deltas (seed 004, pages 1-2, generalized (derive.numeric)): Output deltas of the batched network: softmax-CE, BCE, MSE, both layouts.

    Convention: examples as the m columns of Z, Y (k x m), or as the m rows of Zr, Yr (m x k); softmax over each example; the labels of each example sum to 1 (one-hot); BCE per unit, Y in [0, 1]; g any output activation. Generalizes softmax-ce-gradient, bce-sigmoid-delta and output-layer-mse to a batch mean
    Returns {'Z'}: the gradients d/dZ."""
    m = Z.shape[-1]
    return {'Z': (1 / m) * (_k.softmax(Z, axis=-2) - Y)}


def network_output_deltas_part2(Zr, Yr):
    """network-output-deltas (seed 004, pages 1-2, generalized (derive.numeric)): Output deltas of the batched network: softmax-CE, BCE, MSE, both layouts.

    Convention: examples as the m columns of Z, Y (k x m), or as the m rows of Zr, Yr (m x k); softmax over each example; the labels of each example sum to 1 (one-hot); BCE per unit, Y in [0, 1]; g any output activation. Generalizes softmax-ce-gradient, bce-sigmoid-delta and output-layer-mse to a batch mean
    Returns {'Zr'}: the gradients d/dZr."""
    m = Zr.shape[-2]
    return {'Zr': (1 / m) * (_k.softmax(Zr, axis=-1) - Yr)}


def network_output_deltas_part3(Z, Y):
    """network-output-deltas (seed 004, pages 1-2, generalized (derive.numeric)): Output deltas of the batched network: softmax-CE, BCE, MSE, both layouts.

    Convention: examples as the m columns of Z, Y (k x m), or as the m rows of Zr, Yr (m x k); softmax over each example; the labels of each example sum to 1 (one-hot); BCE per unit, Y in [0, 1]; g any output activation. Generalizes softmax-ce-gradient, bce-sigmoid-delta and output-layer-mse to a batch mean
    Returns {'Z'}: the gradients d/dZ."""
    m = Z.shape[-1]
    return {'Z': (1 / m) * (_k.sigmoid(Z) - Y)}


def network_output_deltas_part4(Zr, Yr):
    """network-output-deltas (seed 004, pages 1-2, generalized (derive.numeric)): Output deltas of the batched network: softmax-CE, BCE, MSE, both layouts.

    Convention: examples as the m columns of Z, Y (k x m), or as the m rows of Zr, Yr (m x k); softmax over each example; the labels of each example sum to 1 (one-hot); BCE per unit, Y in [0, 1]; g any output activation. Generalizes softmax-ce-gradient, bce-sigmoid-delta and output-layer-mse to a batch mean
    Returns {'Zr'}: the gradients d/dZr."""
    m = Zr.shape[-2]
    return {'Zr': (1 / m) * (_k.sigmoid(Zr) - Yr)}


def network_output_deltas_part5(Z, Y, g=tanh, gprime=tanh_prime):
    """network-output-deltas (seed 004, pages 1-2, generalized (derive.numeric)): Output deltas of the batched network: softmax-CE, BCE, MSE, both layouts.

    Convention: examples as the m columns of Z, Y (k x m), or as the m rows of Zr, Yr (m x k); softmax over each example; the labels of each example sum to 1 (one-hot); BCE per unit, Y in [0, 1]; g any output activation. Generalizes softmax-ce-gradient, bce-sigmoid-delta and output-layer-mse to a batch mean
    Returns {'Z'}: the gradients d/dZ."""
    m = Z.shape[-1]
    return {'Z': (1 / m) * ((g(Z) - Y) * (gprime(Z)))}


def network_output_deltas_part6(Zr, Yr, g=tanh, gprime=tanh_prime):
    """network-output-deltas (seed 004, pages 1-2, generalized (derive.numeric)): Output deltas of the batched network: softmax-CE, BCE, MSE, both layouts.

    Convention: examples as the m columns of Z, Y (k x m), or as the m rows of Zr, Yr (m x k); softmax over each example; the labels of each example sum to 1 (one-hot); BCE per unit, Y in [0, 1]; g any output activation. Generalizes softmax-ce-gradient, bce-sigmoid-delta and output-layer-mse to a batch mean
    Returns {'Zr'}: the gradients d/dZr."""
    m = Zr.shape[-2]
    return {'Zr': (1 / m) * ((g(Zr) - Yr) * (gprime(Zr)))}


def network_layer_backward_part1(W, P, b, D, lam, f=sigmoid, fprime=sigmoid_prime):
    """network-layer-backward (seed 004, page 2, generalized (derive.numeric)): One layer of the batched network, both layouts, with L2 regularization.

    Convention: columns: W (k x n) out x in, P (n x m) the pre-activations of the layer below, m examples as columns; rows: W (n x k) in x out, examples as rows; J = sum(D o Z) + lam ||W||^2 so that dJ/dZ = D, any upstream gradient; f any activation. BP2-BP4 of backprop-four-equations, batched, with seed 001's penalty lam sum theta^2
    Returns {'W', 'b', 'P'}: the gradients d/dW, d/db, d/dP."""
    return {'W': ((2 * lam) * W + D @ (f((np.swapaxes(P, -1, -2))))), 'b': D.sum(axis=-1, keepdims=True), 'P': (((np.swapaxes(W, -1, -2)) @ D) * (fprime(P)))}


def network_layer_backward_part2(Wr, Pr, br, Dr, lam, f=sigmoid, fprime=sigmoid_prime):
    """network-layer-backward (seed 004, page 2, generalized (derive.numeric)): One layer of the batched network, both layouts, with L2 regularization.

    Convention: columns: W (k x n) out x in, P (n x m) the pre-activations of the layer below, m examples as columns; rows: W (n x k) in x out, examples as rows; J = sum(D o Z) + lam ||W||^2 so that dJ/dZ = D, any upstream gradient; f any activation. BP2-BP4 of backprop-four-equations, batched, with seed 001's penalty lam sum theta^2
    Returns {'Wr', 'br', 'Pr'}: the gradients d/dWr, d/dbr, d/dPr."""
    return {'Wr': ((2 * lam) * Wr + (f((np.swapaxes(Pr, -1, -2)))) @ Dr), 'br': Dr.sum(axis=-2, keepdims=True), 'Pr': ((Dr @ (np.swapaxes(Wr, -1, -2))) * (fprime(Pr)))}


# the per-result functions of each proved gradient
BY_RESULT = {
    'gradient-example': ('gradient_example',),
    'scalar-chain-rule': ('scalar_chain_rule',),
    'hadamard-jacobian': ('hadamard_jacobian',),
    'sum-reduction': ('sum_reduction_part1', 'sum_reduction_part2'),
    'backprop-four-equations': ('backprop_four_equations_part1', 'backprop_four_equations_part2'),
    'jacobian-example': ('jacobian_example_part1', 'jacobian_example_part2'),
    'jacobian-chain-rule': ('jacobian_chain_rule_part1', 'jacobian_chain_rule_part2'),
    'elementwise-jacobian': ('elementwise_jacobian_part1', 'elementwise_jacobian_part2', 'elementwise_jacobian_part3', 'elementwise_jacobian_part4'),
    'scalar-expansion': ('scalar_expansion_part1', 'scalar_expansion_part2'),
    'neuron-gradient': ('neuron_gradient_part1', 'neuron_gradient_part2'),
    'mse-relu-neuron': ('mse_relu_neuron',),
    'sigmoid-derivative': ('sigmoid_derivative',),
    'softmax-ce-gradient': ('softmax_ce_gradient',),
    'window-score-gradients': ('window_score_gradients',),
    'two-layer-delta-recursion': ('two_layer_delta_recursion',),
    'softmax-jacobian': ('softmax_jacobian',),
    'least-squares-gradient': ('least_squares_gradient',),
    'l2-regularization': ('l2_regularization',),
    'two-layer-input-gradient': ('two_layer_input_gradient',),
    'softmax-classifier': ('softmax_classifier_part1', 'softmax_classifier_part2'),
    'max-margin-gradient': ('max_margin_gradient',),
    'multivariate-chain-rule': ('multivariate_chain_rule',),
    'skip-gram-gradients': ('skip_gram_gradients_part1', 'skip_gram_gradients_part2'),
    'glove-gradient': ('glove_gradient',),
    'output-layer-mse': ('output_layer_mse',),
    'bce-sigmoid-delta': ('bce_sigmoid_delta',),
    'hidden-layer-delta': ('hidden_layer_delta',),
    'derivative-rules': ('derivative_rules_part1', 'derivative_rules_part2', 'derivative_rules_part3', 'derivative_rules_part4', 'derivative_rules_part5', 'derivative_rules_part6'),
    'partial-derivatives': ('partial_derivatives',),
    'bce-layer-backward': ('bce_layer_backward_part1', 'bce_layer_backward_part2'),
    'multivariate-chain-rule-example': ('multivariate_chain_rule_example',),
    'logistic-regression-batched': ('logistic_regression_batched_part1', 'logistic_regression_batched_part2'),
    'batched-backprop': ('batched_backprop_part1', 'batched_backprop_part2', 'batched_backprop_part3'),
    'layout-equivalence': ('layout_equivalence_part1', 'layout_equivalence_part2', 'layout_equivalence_part3'),
    'network-output-deltas': ('network_output_deltas_part1', 'network_output_deltas_part2', 'network_output_deltas_part3', 'network_output_deltas_part4', 'network_output_deltas_part5', 'network_output_deltas_part6'),
    'network-layer-backward': ('network_layer_backward_part1', 'network_layer_backward_part2'),
}

__all__ = ['sigmoid', 'sigmoid_prime_from_output', 'sigmoid_prime_from_output_into', 'tanh', 'tanh_prime_from_output', 'tanh_prime_from_output_into', 'relu', 'relu_prime_from_output', 'relu_prime_from_output_into', 'identity', 'identity_prime_from_output', 'identity_prime_from_output_into', 'sigmoid_prime', 'tanh_prime', 'softmax_ce_cols', 'softmax_ce_cols_into', 'softmax_ce_rows', 'softmax_ce_rows_into', 'bce_cols', 'bce_rows', 'mse_cols', 'mse_rows', 'layer_backward_cols', 'layer_backward_cols_into', 'input_layer_backward_cols', 'input_layer_backward_cols_into', 'layer_backward_cols_noreg', 'layer_backward_cols_noreg_into', 'input_layer_backward_cols_noreg', 'input_layer_backward_cols_noreg_into', 'layer_backward_rows', 'layer_backward_rows_into', 'input_layer_backward_rows', 'input_layer_backward_rows_into', 'layer_backward_rows_noreg', 'layer_backward_rows_noreg_into', 'input_layer_backward_rows_noreg', 'input_layer_backward_rows_noreg_into', 'gradient_example', 'scalar_chain_rule', 'hadamard_jacobian', 'sum_reduction_part1', 'sum_reduction_part2', 'backprop_four_equations_part1', 'backprop_four_equations_part2', 'jacobian_example_part1', 'jacobian_example_part2', 'jacobian_chain_rule_part1', 'jacobian_chain_rule_part2', 'elementwise_jacobian_part1', 'elementwise_jacobian_part2', 'elementwise_jacobian_part3', 'elementwise_jacobian_part4', 'scalar_expansion_part1', 'scalar_expansion_part2', 'neuron_gradient_part1', 'neuron_gradient_part2', 'mse_relu_neuron', 'sigmoid_derivative', 'softmax_ce_gradient', 'window_score_gradients', 'two_layer_delta_recursion', 'softmax_jacobian', 'least_squares_gradient', 'l2_regularization', 'two_layer_input_gradient', 'softmax_classifier_part1', 'softmax_classifier_part2', 'max_margin_gradient', 'multivariate_chain_rule', 'skip_gram_gradients_part1', 'skip_gram_gradients_part2', 'glove_gradient', 'output_layer_mse', 'bce_sigmoid_delta', 'hidden_layer_delta', 'derivative_rules_part1', 'derivative_rules_part2', 'derivative_rules_part3', 'derivative_rules_part4', 'derivative_rules_part5', 'derivative_rules_part6', 'partial_derivatives', 'bce_layer_backward_part1', 'bce_layer_backward_part2', 'multivariate_chain_rule_example', 'logistic_regression_batched_part1', 'logistic_regression_batched_part2', 'batched_backprop_part1', 'batched_backprop_part2', 'batched_backprop_part3', 'layout_equivalence_part1', 'layout_equivalence_part2', 'layout_equivalence_part3', 'network_output_deltas_part1', 'network_output_deltas_part2', 'network_output_deltas_part3', 'network_output_deltas_part4', 'network_output_deltas_part5', 'network_output_deltas_part6', 'network_layer_backward_part1', 'network_layer_backward_part2', 'gradient_example__dx', 'gradient_example__dy', 'scalar_chain_rule__dx', 'jacobian_example_part1__dx', 'jacobian_example_part1__dy', 'jacobian_example_part2__dx', 'jacobian_example_part2__dy', 'jacobian_chain_rule_part1__dx', 'jacobian_chain_rule_part1__dy', 'jacobian_chain_rule_part2__dx', 'jacobian_chain_rule_part2__dy', 'sigmoid_derivative__dx', 'multivariate_chain_rule__dx1', 'multivariate_chain_rule__dx2', 'bce_sigmoid_delta__dz', 'derivative_rules_part1__dx', 'derivative_rules_part2__dx', 'derivative_rules_part3__dx', 'derivative_rules_part4__dx', 'derivative_rules_part5__dx', 'derivative_rules_part6__dx', 'partial_derivatives__dx1', 'partial_derivatives__dx2', 'multivariate_chain_rule_example__dx']
