"""derive: the calculus of backpropagation as proved, checked, runnable artifacts.

    import derive
    r = derive.result("window-score-gradients")
    v = r.verify()          # three checks: symbolic, concrete, numeric
    v.ok, [c.detail for c in v.checks]

    derive.claim(lhs, rhs)  # judge any claim: proved / refuted / undecided
"""
from .prove import ClaimVerdict, SumsToOne, claim, gradient
from .registry import Result, Verdict, result, results

__all__ = ["results", "result", "Result", "Verdict", "claim", "ClaimVerdict", "gradient", "SumsToOne"]
