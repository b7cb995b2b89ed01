"""derive: the calculus of backpropagation as proved, checked, runnable artifacts.

    import derive
    d = derive.grad("v.T @ sigmoid(W @ x + b)", "W",
                    {"v": "h,1", "W": "h,n", "x": "n,1", "b": "h,1"})
    d.text, d.where       # 'delta @ x.T', {'z': 'W @ x + b', 'delta': 'v * sigmoid(z) * (1 - sigmoid(z))'}
    d.verify().ok         # proof at symbolic sizes, exact at concrete sizes, numeric evidence

    r = derive.result("window-score-gradients")   # a result of the notes
    derive.verify(r)                              # its Verdict: every check
    derive.claim(lhs, rhs)  # judge any claim: proved / refuted / undecided
    derive.explicit_gradient(scalar, W, sizes)    # SymPy's entry-by-entry gradient at concrete sizes
    derive.assert_backward(backward, expr, wrt, shapes)  # a hand-written backward vs the proved gradient

    from derive.numeric import mlp_loss_and_grads   # generated NumPy, no SymPy import

The symbolic side is imported on first use (PEP 562), so ``derive.numeric``
loads in milliseconds.  The floors, each importing only those below it:
maths (language, functions, index normal form, kernels), matrix (matrix
expressions and their forms, claims), records (plain data), verification (the
checks and derive.grad), render (reports, generated NumPy, display), notes
(the records) and the catalog that iterates them, with the CLI on top.
"""
__all__ = ["grad", "jacobian", "hessian", "results", "result", "verify", "show", "Result", "Verdict", "claim",
           "ClaimVerdict", "explicit_gradient", "SumsToOne", "assert_backward"]

# where each name lives (the floors: maths, matrix, records, verify, render, catalog)
_FROM = {"ClaimVerdict": "matrix.prove", "SumsToOne": "matrix.prove", "claim": "matrix.prove",
         "explicit_gradient": "matrix.prove",
         "grad": "verification.derived", "jacobian": "verification.derived", "hessian": "verification.derived",
         "Result": "records", "Verdict": "records",
         "result": "catalog", "results": "catalog", "verify": "catalog", "show": "catalog",
         "assert_backward": "testing"}


def __getattr__(name):
    # PEP 562, for start-up time only: `import derive.numeric` must not import SymPy
    if name in _FROM:
        import importlib
        return getattr(importlib.import_module(f".{_FROM[name]}", __name__), name)
    raise AttributeError(f"module 'derive' has no attribute {name!r}")
