"""checks: independent numeric verification of gradients.

``checks.gradcheck(f, args, grads)`` checks claimed gradients of any NumPy
scalar function and returns a Report whose ``status`` is "ok", "failed" or
"undecided" (``bool(report)`` is True only for "ok");
``checks.autodiff.grad`` is a small independent backprop; ``checks.ops``
lets one loss definition run through both.  Nothing here imports derive:
it is the independent reference the symbolic side is compared against.
"""
from . import ops
from .autodiff import grad
from .gradcheck import (GradcheckError, GradcheckUndecidedWarning, Mismatch, Report, TaylorReport, Undecided,
                        complex_safe, gradcheck, taylor_test)

__all__ = ["gradcheck", "taylor_test", "grad", "ops", "complex_safe", "Report", "TaylorReport", "Mismatch",
           "Undecided", "GradcheckError", "GradcheckUndecidedWarning"]
