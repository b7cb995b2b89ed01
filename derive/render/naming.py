"""Named subexpressions: a long derivation step printed with the parts it
repeats under names defined once, beside it.

Display only: a name stands for exactly the subexpression it replaces (a
structural replacement, ``xreplace``), and its definition is printed in full
next to the first step that uses it; what was proved is untouched.  A part
that depends on an index summed over around it is named as a function of
that index, ``q_1(i_2)``, so the same definition serves every occurrence.
"""
from __future__ import annotations

import collections
import functools

import sympy as sp
from sympy.printing.str import StrPrinter

from derive.matrix.latex import one_term_collapsed

# a step longer than this (characters of its LaTeX) gets names for what it repeats
LONG = 500
# shortest part worth a name (characters of its SymPy text), and the most names per derivation
SHORTEST = 24
MOST = 8
LETTERS = ("q", "r", "u", "v", "w", "g", "h")


class _StrPrinter(StrPrinter):
    """str(e), each subexpression printed once: a step's every subtree is
    measured, and its parts are printed again inside each larger part."""

    def __init__(self):
        super().__init__()
        self._memo = {}

    def _print(self, expr, **kwargs):
        if kwargs:
            return super()._print(expr, **kwargs)
        key = (expr, self._print_level == 0)  # a Float prints its trailing zeros at the top level only
        try:
            return self._memo[key]
        except KeyError:
            pass
        except TypeError:  # unhashable
            return super()._print(expr)
        if len(self._memo) > 50000:
            self._memo.clear()
        out = self._memo[key] = super()._print(expr)
        return out


_STR = _StrPrinter()


def _str(e):
    """str(e), as SymPy prints it."""
    return _STR.doprint(e)


@functools.lru_cache(maxsize=8192)  # the same subtrees are measured in every round
def _size(e):
    return len(_str(e))


def _key(t, bound):
    """(key, arguments) of t: the indices it leaves free that a sum around it
    binds are its arguments, replaced by parameters in order of appearance,
    and the indices it sums over are renamed in order too.  Equal keys: the
    same expression of its arguments (so one name serves both, q(i), q(k))."""
    free = t.free_symbols & bound  # once: a Sum's free_symbols is costly
    args = list(dict.fromkeys(x for x in sp.preorder_traversal(t) if x in free))
    if not args and not t.has(sp.Sum, sp.Product):
        return t, ()
    count = [0]

    def fresh():
        count[0] += 1
        return sp.Dummy(f"b{count[0]}", dummy_index=count[0], integer=True)

    def canon(e):
        if isinstance(e, (sp.Sum, sp.Product)):
            ren = {v: fresh() for v, _, _ in e.limits}
            lims = [(ren[v], lo.xreplace(ren), hi.xreplace(ren)) for v, lo, hi in e.limits]
            return e.func(canon(e.function.xreplace(ren)), *lims)
        if not e.args or isinstance(e, (sp.MatrixSymbol, sp.Tuple)):
            return e
        return e.func(*[canon(a) for a in e.args])
    try:
        return canon(t.xreplace({v: fresh() for v in args})), tuple(args)
    except Exception:  # a node that cannot be rebuilt from its arguments: compared as it is
        return t, tuple(args)


def _parts(exprs, bound, keys):
    """{key: [(occurrence, its arguments)]} of the subexpressions of exprs worth a name
    (keys: the keys found so far, by subexpression)."""
    found, sigs = {}, {}

    def sig(t):
        # t's shape, every bound index alike and the order of arguments ignored
        # (renaming an index can reorder an Add, a Mul, a KroneckerDelta): parts
        # with one key have one shape, so a shape met once needs no key, and
        # building keys is the costly part
        if t not in sigs:
            sigs[t] = "B" if t in bound else t if not t.args else (
                t.func, frozenset(collections.Counter(sig(a) for a in t.args).items()))
        return sigs[t]
    candidates = [t for e in exprs for t in sp.preorder_traversal(e)
                  if isinstance(t, sp.Basic) and not isinstance(t, (sp.Atom, sp.Tuple, sp.MatrixSymbol))
                  and not isinstance(t, sp.matrices.expressions.matexpr.MatrixElement)]
    shapes = {}
    for t in candidates:
        shapes[sig(t)] = shapes.get(sig(t), 0) + 1
    for t in candidates:
        # the printed size (the costly test) only of a shape met twice; a part
        # whose shape twin is too short to name still has a key of its own
        if shapes[sig(t)] > 1 and _size(t) >= SHORTEST:
            if t not in keys:
                keys[t] = _key(t, bound)
            key, args = keys[t]
            found.setdefault(key, []).append((t, args))
    return found


def _letter(exprs):
    """A letter no symbol of the derivation is named with."""
    used = {str(s.name).split("_")[0].rstrip("0123456789") for e in exprs for s in e.atoms(sp.Symbol, sp.MatrixSymbol)}
    used |= {str(getattr(f.func, "__name__", "")) for e in exprs for f in e.atoms(sp.Function)}
    return next((c for c in LETTERS if c not in used), "q")


def name_parts(exprs, long=None, tex=None):
    """(exprs with the parts the long ones repeat named, [(name, definition)]).

    exprs: the steps of one derivation (SymPy).  Only steps whose printed
    form (tex, default str) is longer than `long` are rewritten; each round
    names the part whose naming saves the most text, until no long step
    repeats a part worth a name.  The definitions are in the order the names
    were made; a later name may appear inside an earlier definition."""
    long = LONG if long is None else long
    printed = {}  # printing a long step is the costly part: once per version of it

    def measure(e):
        if e not in printed:
            printed[e] = len((tex or _str)(e))
        return printed[e]
    exprs = [_collapsed(e) if measure(e) > long else e for e in exprs]
    bound = {v for e in exprs for s in e.atoms(sp.Sum, sp.Product) for v in s.variables}
    keys = {}
    letter = _letter(exprs) if exprs else "q"
    defs = []
    while len(defs) < MOST:
        idx = [k for k, e in enumerate(exprs) if measure(e) > long]
        if not idx:
            break
        found = _parts([exprs[k] for k in idx], bound, keys)
        worth = [key for key, occ in found.items() if len(occ) > 1]
        if not worth:
            break
        key = max(worth, key=lambda k: ((len(found[k]) - 1) * _size(found[k][0][0]), _str(found[k][0][0])))
        part, params = found[key][0]
        label = sp.Function(f"{letter}_{len(defs) + 1}") if params else sp.Symbol(f"{letter}_{len(defs) + 1}")
        # each occurrence is the part at its own arguments
        same = {occ: label(*args) if args else label for occ, args in found[key]}
        for k in idx:
            exprs[k] = exprs[k].xreplace(same)
        defs = [(n, d.xreplace(same)) for n, d in defs] + [(label(*params) if params else label, part)]
    return exprs, [(n, _apart(d)) for n, d in defs]


def _collapsed(e):
    """e with each sum over one value replaced by its term at that value, as
    the printer shows it (matrix.latex: no one-term sums in print), so that
    parts printed alike compare alike."""
    while True:
        sums = [t for t in e.atoms(sp.Sum) if any(lo == hi for _, lo, hi in t.limits)]
        if not sums:
            return e
        e = e.xreplace({t: one_term_collapsed(t) for t in sums})


def _apart(e):
    """e with each index it sums over named apart from the indices it leaves
    free (a bound variable renamed: the same expression).  Inside a step the
    printer keeps them apart; a definition printed alone needs it done."""
    taken = {s.name for s in e.atoms(sp.Symbol)}
    free = {s.name for s in e.free_symbols}
    for total in sorted(e.atoms(sp.Sum, sp.Product), key=str):
        for v in total.variables:
            if v.name in free:
                stem = v.name.rstrip("0123456789").rstrip("_") or "i"
                fresh = next(f"{stem}_{k}" for k in range(1, 1000) if f"{stem}_{k}" not in taken)
                taken.add(fresh)
                e = e.xreplace({total: total.xreplace({v: sp.Symbol(fresh, **v.assumptions0)})})
    return e


def _uses(e, name):
    """Whether e uses the name (at any arguments)."""
    return e.has(name.func) if isinstance(name, sp.core.function.AppliedUndef) else e.has(name)


def first_uses(exprs, defs):
    """{step index: [(name, definition)]}: each definition beside the first step that uses its name
    (or that uses a definition that does)."""
    out, placed = {}, set()
    for k, e in enumerate(exprs):
        here = []
        for name, d in defs:
            if name not in placed and _uses(e, name):
                here.append((name, d))
                placed.add(name)
        changed = True
        while changed:  # names inside the definitions stated here
            changed = False
            for name, d in defs:
                if name not in placed and any(_uses(x, name) for _, x in here):
                    here.append((name, d))
                    placed.add(name)
                    changed = True
        if here:
            out[k] = sorted(here, key=lambda nd: [n for n, _ in defs].index(nd[0]))
    return out


def named_steps(steps, tex):
    """({step index: expression as shown}, {step index: [(name, definition)]})
    for a derivation's steps (Step records; one shown as `display` is left as it is)."""
    idx = [k for k, s in enumerate(steps) if s.display is None]
    named, defs = name_parts([steps[k].expr for k in idx], tex=tex)
    return dict(zip(idx, named)), {idx[k]: v for k, v in first_uses(named, defs).items()}
