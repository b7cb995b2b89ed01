"""derive: the calculus of backpropagation as proved, checked, runnable artifacts.

    import derive
    d = derive.grad("v.T @ sigmoid(W @ x + b)", "W",
                    {"v": "h,1", "W": "h,n", "x": "n,1", "b": "h,1"})
    d.text, d.where       # 'delta @ x.T', {'z': 'W @ x + b', 'delta': 'v * sigmoid(z) * (1 - sigmoid(z))'}
    d.verify().ok         # proof at symbolic sizes, exact at concrete sizes, numeric evidence

    r = derive.result("window-score-gradients")   # a result of the notes
    r.verify()
    derive.claim(lhs, rhs)  # judge any claim: proved / refuted / undecided
    derive.explicit_gradient(scalar, W, sizes)    # SymPy's entry-by-entry gradient at concrete sizes

    from derive.numeric import mlp_loss_and_grads   # generated NumPy, no SymPy import

The symbolic side is imported on first use (PEP 562), so ``derive.numeric``
loads in milliseconds.
"""
__all__ = ["grad", "jacobian", "hessian", "results", "result", "Result", "Verdict", "claim", "ClaimVerdict",
           "explicit_gradient", "SumsToOne"]

_FROM = {"ClaimVerdict": "prove", "SumsToOne": "prove", "claim": "prove", "explicit_gradient": "prove",
         "grad": "derived", "jacobian": "derived", "hessian": "derived",
         "Result": "registry", "Verdict": "registry", "result": "registry", "results": "registry"}


def __getattr__(name):
    if name in _FROM:
        import importlib
        return getattr(importlib.import_module(f".{_FROM[name]}", __name__), name)
    raise AttributeError(f"module 'derive' has no attribute {name!r}")
