"""derive: the calculus of backpropagation as proved, checked, runnable artifacts.

    import derive
    r = derive.result("window-score-gradients")
    v = r.verify()          # three checks: symbolic, concrete, numeric
    v.ok, [c.detail for c in v.checks]

    derive.claim(lhs, rhs)  # judge any claim: proved / refuted / undecided

    from derive.numeric import mlp_loss_and_grads   # generated NumPy, no SymPy import

The symbolic side is imported on first use (PEP 562), so ``derive.numeric``
loads in milliseconds.
"""
__all__ = ["results", "result", "Result", "Verdict", "claim", "ClaimVerdict", "gradient", "SumsToOne"]

_FROM = {"ClaimVerdict": "prove", "SumsToOne": "prove", "claim": "prove", "gradient": "prove",
         "Result": "registry", "Verdict": "registry", "result": "registry", "results": "registry"}


def __getattr__(name):
    if name in _FROM:
        import importlib
        return getattr(importlib.import_module(f".{_FROM[name]}", __name__), name)
    raise AttributeError(f"module 'derive' has no attribute {name!r}")
