"""The record types of the catalog: plain data, nothing that proves or renders.

A :class:`Result` says where a result comes from, what it states (in the
notes' own convention) and how it is established, by one of four kinds:

* :class:`Gradient`: "the gradient of this scalar w.r.t. these variables is
  this formula", written in derive's expression language (text).
* :class:`Identity`: "lhs = rhs", in the language as well.
* :class:`Facts`: results that are not one equation (worked numbers,
  limits, inequalities): lists of exact checks, each an argument of its own.
* :class:`Mistake`: a claim as the notes wrote it, refuted beside the
  correct result.

The checks that act on these records live in :mod:`derive.verification`, the
reports in :mod:`derive.render`, the records themselves in :mod:`derive.notes`, iterated by :mod:`derive.catalog`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable


@dataclass(frozen=True)
class Step:
    """One line of a derivation: an expression as written (SymPy, derivatives
    left unevaluated) and the reason that leads to it."""

    expr: object
    reason: str          # LaTeX (text mode) for the right-hand column
    display: str = None  # LaTeX shown instead of expr (a long first step: "s as stated")


@dataclass(frozen=True)
class Derivation:
    """A chain of equal expressions: the notes' route to a result."""

    title: str            # e.g. "d s / d W, entry (p, q)" (LaTeX math)
    steps: tuple          # Step, first the quantity, last the claim
    conclusion: str = ""  # LaTeX math after the chain, e.g. the matrix form
    assume: tuple = ()


@dataclass(frozen=True)
class Export:
    """A kernel of derive.numeric printed from one part of a Gradient.

    part: which (loss, claims) pair; wrt: which gradients to return (all by
    default), after the loss's value when `value`; given: pairs (argument,
    variable) where the caller passes a = f(variable) that it already has,
    and f'(variable) is then taken from a (f' through the output, proved in
    activation-derivative-from-output); zero: scalar variables set to 0 (a
    variant without regularization)."""

    name: str
    part: int = 0
    wrt: tuple = None
    value: bool = False
    given: tuple = ()
    zero: tuple = ()


@dataclass(frozen=True)
class Gradient:
    """The gradient of `loss` w.r.t. each variable of `claims` is that claim.

    loss: text in derive's language (a list of texts for several losses,
    with `claims` a list of dicts); `where` names subexpressions, in order,
    that the loss and the claims may use (`z = W @ x + b`); shapes: variable
    -> shape over size names ("h,n", "n,1", "" for a scalar).  The numeric
    check runs the loss on checks/' independent backprop.

    Only what the language cannot state is built in SymPy instead: then
    `build(V)` -> (scalar, {variable: claim}) (or a list) and `forward(F, **arrays)`,
    the loss written independently in NumPy (F = checks.ops)."""

    shapes: dict
    loss: object = None
    claims: object = None
    where: dict = field(default_factory=dict)
    sizes: tuple = ({},)
    sample: dict = field(default_factory=dict)
    assume: tuple = ()
    # non-smooth results: (label, {function: replacement}) per branch, e.g.
    # ("z > 0", {relu: identity, step: 1}); each branch is proved as well
    branches: tuple = ()
    # move the numeric sample, e.g. onto a kink: adjust(F, vals) -> vals
    adjust: Callable = None
    exports: tuple = ()   # Export records: kernels of derive.numeric printed from this result
    build: Callable = None
    forward: object = None


@dataclass(frozen=True)
class Identity:
    """lhs = rhs, texts in the language over `shapes`; the numeric check
    runs lhs on checks/' independent NumPy.  Or, for what the language cannot
    state, build(V) -> (lhs, rhs) with reference(F, **arrays) computing lhs."""

    shapes: dict
    lhs: str = None
    rhs: str = None
    where: dict = field(default_factory=dict)
    sizes: tuple = ({},)
    sample: dict = field(default_factory=dict)
    assume: tuple = ()
    build: Callable = None
    reference: Callable = None


@dataclass(frozen=True)
class Fact:
    """One fact of a Facts record, as its check established it.

    label: what the fact says, text with inline math between dollar signs
    ("exact for degree $\\le 2$"); ok: whether it holds.  An exact fact keeps
    its two sides whole (SymPy, never cut short): `rel` is "=" when their
    difference was shown to be 0 (by `how`, e.g. "expansion") and "!="
    when it was not.  Any other fact says what establishes it in `detail`
    (words and values); an exact one's detail is its sides in plain text."""

    label: str
    ok: bool
    detail: str = ""
    lhs: object = None
    rhs: object = None
    rel: str = "="
    how: str = ""

    @property
    def exact(self):
        return self.lhs is not None


@dataclass(frozen=True)
class Facts:
    """Each of symbolic/concrete/numeric is a function returning a list of
    Fact (derive.verification.facts: exact, holds, close; a plain
    (label, ok, detail) is read as one); all must hold.  None: that check
    does not apply."""

    symbolic_facts: Callable
    concrete_facts: Callable = None
    numeric_facts: Callable = None


@dataclass(frozen=True)
class Mistake:
    """A claim as the notes wrote it, refuted, beside its correction.

    In the language: the gradient of `loss` w.r.t. `wrt` was written as
    `written`; `corrected` is the right form (texts over `shapes` at the
    concrete `sizes`, where a product the notes wrote may be undefined).  Otherwise build() -> dict(lhs=..., rhs=...,
    corrected=..., sizes=..., assume=..., positive=...) in SymPy, or
    dict(refute=func, corrected=func) for a claim that is not an equation.
    `correct` is the id of the right result; `via` renames its variables to
    this erratum's and `scale` is the factor between the correction and its claim."""

    build: Callable = None
    correct: str = ""
    shapes: dict = None
    loss: str = None
    wrt: str = None
    written: str = None
    corrected: str = None
    where: dict = field(default_factory=dict)
    sizes: dict = None
    assume: tuple = ()
    via: dict = field(default_factory=dict)
    scale: object = 1


@dataclass(frozen=True)
class Result:
    id: str
    seed: str
    section: str
    title: str
    statement: str          # LaTeX, in the note's own convention
    how: object             # Gradient | Identity | Facts | Mistake
    convention: str = ""
    written: str = ""       # mistakes: the claim as the notes wrote it (LaTeX, a quotation)
    steps: tuple = ()       # Derivation records: the notes' route (default: index level)
    code: tuple = ()        # functions of derive.numeric shown in the report besides the result's own
    # functions whose derivative rule (fdiff) this result is the proof of:
    # none of its checks may differentiate through them (that would assume it)
    justifies: tuple = ()

    @property
    def is_mistake(self):
        return isinstance(self.how, Mistake)

    @property
    def expected(self):
        return "refuted" if self.is_mistake else "proved"
