"""A record in plain text, Unicode math on one line per formula: what
``python -m derive show ID`` prints.

Two printers: :func:`unicode` prints SymPy (scalars, matrix expressions,
explicit matrices, derivatives left unevaluated) as ``δ xᵀ``, ``Wᵀ δ``,
``σ(z) ⊙ (1 − σ(z))``; :func:`from_latex` reads the LaTeX the records carry
(statements, the notes' claims, reasons of steps) with the small vocabulary
they use.  Nothing here proves: the verdict is passed in.
"""
from __future__ import annotations

import re

import sympy as sp
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction
from sympy.matrices.expressions.matexpr import MatrixElement
from sympy.printing.precedence import PRECEDENCE, precedence
from sympy.printing.pretty.pretty_symbology import pretty_symbol
from sympy.printing.str import StrPrinter

from derive.matrix.latex import apart_from, tex
from derive.records import Derivation, Fact, Gradient, Identity, Mistake
from derive.render import naming
from derive.verification import checks, statements

SUP = dict(zip("0123456789+-−=()nijkT", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ⁿⁱʲᵏᵀ"))
SUB = dict(zip("0123456789+-−=()aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ"))
FUNCS = {"sigmoid": "σ", "dsigmoid": "σ′", "fprime": "f′", "gprime": "g′"}


def _script(text, table, mark):
    """text in super/subscript characters where each has one; else mark(text)."""
    text = text.replace(" ", "")
    have = set(table.values())
    if text and all(ch in table or ch in have for ch in text):
        return "".join(table.get(ch, ch) for ch in text)
    return f"{mark}({text})" if not text.isalnum() else f"{mark}{text}"


def sub(text):
    return _script(text, SUB, "_")


def sup(text):
    return _script(text, SUP, "^")


def _name(name):
    """A symbol's name: Greek letters, digits and _x as subscripts (theta -> θ, W1 -> W₁, _k -> k)."""
    name = name.lstrip("_")
    if name in ("lam", "lambda_"):
        return "λ"
    shown = pretty_symbol(name)
    return shown if all(ch not in shown for ch in "_^") else name


class _Printer(StrPrinter):
    """One-line Unicode; matrices as in the notes (juxtaposed products, ᵀ, ⊙)."""

    def _print_Symbol(self, e):
        return _name(e.name)

    _print_Dummy = _print_Symbol
    _print_MatrixSymbol = _print_Symbol

    def _print_Transpose(self, e):
        inner = self._print(e.arg)
        if not isinstance(e.arg, (sp.MatrixSymbol, sp.Symbol)):
            inner = f"({inner})"
        return inner + "ᵀ"

    def _print_MatMul(self, e):
        coeff, mats = e.as_coeff_matrices()
        parts = [] if coeff == 1 else ["−" if coeff == -1 else self.parenthesize(coeff, PRECEDENCE["Mul"])]
        parts += [self.parenthesize(m, PRECEDENCE["Mul"]) for m in mats]
        text = " ".join(parts)
        return text.replace("− ", "−", 1) if coeff == -1 else text

    def _print_HadamardProduct(self, e):
        return " ⊙ ".join(self.parenthesize(a, PRECEDENCE["Mul"]) for a in e.args)

    def _print_HadamardPower(self, e):
        return f"{self.parenthesize(e.base, PRECEDENCE['Pow'])}^⊙{self._print(e.exp)}"

    def _print_ElementwiseApplyFunction(self, e):
        f = e.function
        if isinstance(f, sp.Lambda) and len(f.variables) == 1:
            body = f.expr
            if isinstance(body, sp.Function) and body.args == f.variables:
                return f"{self._fname(body.func)}({self._print(e.expr)})"
            return self._print(body.xreplace({f.variables[0]: sp.Symbol(f"({self._print(e.expr)})")}))
        return f"{self._print(f)}.({self._print(e.expr)})"

    def _fname(self, func):
        name = getattr(func, "__name__", str(func))
        return FUNCS.get(name, _name(name) if len(name) <= 2 or re.fullmatch(r"[a-z]_\d+", name) else name)

    def _print_Function(self, e):
        return f"{self._fname(e.func)}({', '.join(self._print(a) for a in e.args)})"

    def _print_Softmax(self, e):
        return f"softmax({self._print(e.args[0])})"

    def _print_OneMatrix(self, e):
        return "𝟏"

    def _print_ZeroMatrix(self, e):
        return "0"

    def _print_Identity(self, e):
        return "I"

    def _print_Trace(self, e):
        return f"tr({self._print(e.arg)})"

    def _print_MatrixElement(self, e):
        name = self._print(e.parent)
        idx = [self._print(i) for i in e.indices]
        if e.parent.shape[1] == 1 and e.indices[1] == 0:
            idx = idx[:1]  # an entry of a column vector: x_k
        text = "".join(idx) if all(len(i) == 1 for i in idx) else ",".join(idx)
        shown = sub(text)
        return name + shown if not shown.startswith("_") else f"{name}[{','.join(idx)}]"

    def _print_KroneckerDelta(self, e):
        return "δ" + sub("".join(self._print(a) for a in e.args[:2]))

    def _print_Derivative(self, e):
        wrt = "".join(f"∂{self._print(v)}" + (sup(str(n)) if n != 1 else "") for v, n in e.variable_count)
        order = sum(n for _, n in e.variable_count)
        return f"∂{sup(str(order)) if order != 1 else ''}/{wrt} [{self._print(e.expr)}]"

    def _print_Sum(self, e):
        bound = getattr(self, "_bound", [])
        e = apart_from(e, bound)  # as the book prints it: an inner sum never reuses an outer index
        self._bound = bound + [v.name for v, _, _ in e.limits]
        try:
            out = self.parenthesize(e.function, PRECEDENCE["Mul"] - 1)
        finally:
            self._bound = bound
        for v, lo, hi in reversed(e.limits):
            out = f"Σ{sub(self._print(v))} {out}" if lo == 0 else f"Σ[{self._print(v)}={self._print(lo)}..{self._print(hi)}] {out}"
        return out

    def _print_Pow(self, e, rational=False):
        if e.exp == sp.Rational(1, 2):
            return f"√({self._print(e.base)})"
        if e.exp.is_Integer and e.exp < 0:
            den = sp.Pow(e.base, -e.exp)
            return f"1/{self.parenthesize(den, PRECEDENCE['Mul'] + 1)}"
        base = self.parenthesize(e.base, PRECEDENCE["Pow"])
        exp = self._print(e.exp)
        shown = sup(exp)
        return base + shown if not shown.startswith("^") else f"{base}^{self.parenthesize(e.exp, PRECEDENCE['Pow'])}"

    def _print_exp(self, e):
        return f"exp({self._print(e.args[0])})"

    def _print_Mul(self, e):
        return super()._print_Mul(e).replace("*", "·")

    def _print_Add(self, e, order=None):
        return super()._print_Add(e, order).replace(" - ", " − ")

    def _print_MatAdd(self, e):
        out = ""
        for k, a in enumerate(e.args):
            t = self._print(a)
            neg = t.startswith(("-", "−"))
            t = t[1:] if neg else t
            out += ("−" if neg else "") + t if k == 0 else (" − " if neg else " + ") + t
        return out

    def _print_MatrixBase(self, e):
        rows = ["[" + ", ".join(self._print(x) for x in e.row(i)) + "]" for i in range(e.rows)]
        return "[" + ", ".join(rows) + "]"

    _print_ImmutableDenseMatrix = _print_MatrixBase
    _print_MutableDenseMatrix = _print_MatrixBase

    def _print_Relational(self, e):
        op = {"==": "=", "!=": "≠", "<=": "≤", ">=": "≥"}.get(e.rel_op, e.rel_op)
        return f"{self._print(e.lhs)} {op} {self._print(e.rhs)}"


def unicode(e):
    """SymPy on one line of Unicode math."""
    return _Printer({"order": "none"}).doprint(e).replace("-", "−")


# ----------------------------------------------------------------------------
# LaTeX of the records, read into Unicode
# ----------------------------------------------------------------------------

_SYMBOLS = {
    "partial": "∂", "nabla": "∇", "top": "ᵀ", "odot": "⊙", "circ": "∘", "bigcirc": "○", "oslash": "⊘",
    "cdot": "·", "times": "×", "to": "→", "leftarrow": "←", "approx": "≈", "le": "≤", "leq": "≤", "ge": "≥",
    "geq": "≥", "ne": "≠", "neq": "≠", "in": "∈", "iff": "⇔", "infty": "∞", "mid": "|", "dots": "…",
    "ldots": "…", "cdots": "⋯", "sum": "Σ", "prod": "Π", "lceil": "⌈", "rceil": "⌉", "lfloor": "⌊",
    "rfloor": "⌋", "quad": "  ", "qquad": "    ", "log": "log", "exp": "exp", "sin": "sin", "cos": "cos",
    "tanh": "tanh", "min": "min", "max": "max", "lim": "lim", "left": "", "right": "", "Big": "", "big": "",
    "Bigg": "", "bigg": "", "textstyle": "", "displaystyle": "", "limits": "", "pm": "±", "sqrt": "√",
    "ell": "ℓ", "forall": "∀", "exists": "∃", "Rightarrow": "⇒", "rightarrow": "→", "mapsto": "↦",
    "langle": "⟨", "rangle": "⟩", "|": "‖", "{": "{", "}": "}", ",": " ", " ": " ", ";": " ", "!": "",
    ":": " ", "%": "%", "_": "_", "&": "&", "#": "#",
}
_BINARY = ("odot", "circ", "cdot", "times", "oslash", "approx", "le", "leq", "ge", "geq", "ne", "neq", "iff", "to")
_GREEK = "alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu xi pi rho sigma tau upsilon phi varphi chi psi omega".split()
_ACCENTS = {"hat": "\u0302", "tilde": "\u0303", "bar": "\u0304", "vec": "\u20d7", "dot": "\u0307"}
_KEEP = ("mathbf", "boldsymbol", "mathrm", "mathit", "operatorname", "text", "textrm", "textit", "textbf", "emph",
         "mathcal", "mathbb", "texttt", "bm")
_BB = {"R": "ℝ", "N": "ℕ", "Z": "ℤ", "C": "ℂ", "E": "𝔼"}


def _group(s, i):
    """(the argument at s[i], index after it): a {group} or one token."""
    while i < len(s) and s[i] == " ":
        i += 1
    if i >= len(s):
        return "", i
    if s[i] == "{":
        depth, j = 0, i
        while j < len(s):
            depth += {"{": 1, "}": -1}.get(s[j], 0)
            if depth == 0:
                return s[i + 1:j], j + 1
            j += 1
        return s[i + 1:], len(s)
    if s[i] == "\\":
        m = re.match(r"\\([A-Za-z]+|.)", s[i:])
        return m.group(0), i + len(m.group(0))
    return s[i], i + 1


def _atomic(text):
    return len(text) <= 1 or re.fullmatch(r"[\w′̂∂∇]+|\(.*\)|\[.*\]", text) is not None and text.count("(") <= 1


def from_latex(s):
    """LaTeX math (the records' vocabulary) as Unicode text on one line."""
    out, i = [], 0
    while i < len(s):
        ch = s[i]
        if ch == "\\":
            m = re.match(r"\\([A-Za-z]+|.)", s[i:])
            cmd, i = m.group(1), i + len(m.group(0))
            if cmd in ("frac", "tfrac", "dfrac"):
                a, i = _group(s, i)
                b, i = _group(s, i)
                a, b = from_latex(a), from_latex(b)
                out.append(f"{a if _atomic(a) else f'({a})'}/{b if _atomic(b) else f'({b})'}")
            elif cmd in _ACCENTS:
                a, i = _group(s, i)
                a = from_latex(a)
                out.append(a + _ACCENTS[cmd] if len(a) == 1 else a)
            elif cmd == "mathbb":
                a, i = _group(s, i)
                out.append(_BB.get(a, a))
            elif cmd in _KEEP:
                a, i = _group(s, i)
                out.append(from_latex(a) if not cmd.startswith("text") else _text_mode(a))
            elif cmd == "begin":
                env, i = _group(s, i)
                end = s.find(rf"\end{{{env}}}", i)
                body = s[i:end if end >= 0 else len(s)]
                i = end + len(rf"\end{{{env}}}") if end >= 0 else len(s)
                rows = [r for r in re.split(r"\\\\", body)]
                cells = ["[" + ", ".join(from_latex(c).strip() for c in r.split("&")) + "]" for r in rows]
                out.append(cells[0] if len(cells) == 1 else "[" + ", ".join(cells) + "]")
            elif cmd in _GREEK:
                out.append(pretty_symbol(cmd.replace("var", "")) if cmd != "lambda" else "λ")
            elif cmd in ("Delta", "Gamma", "Theta", "Lambda", "Sigma", "Phi", "Psi", "Omega", "Pi"):
                out.append(pretty_symbol(cmd))
            elif cmd == "sqrt":
                a, i = _group(s, i)
                out.append(f"√({from_latex(a)})")
            elif cmd in _BINARY:
                while out and out[-1].endswith(" "):
                    out[-1] = out[-1].rstrip(" ")
                out.append(f" {_SYMBOLS[cmd]} ")
                while i < len(s) and s[i] == " ":
                    i += 1
            else:
                out.append(_SYMBOLS.get(cmd, cmd))
                if cmd in ("partial", "nabla", "top"):
                    while i < len(s) and s[i] == " ":  # spaces after a symbol's name are not spaces
                        i += 1
        elif ch in "^_":
            a, i = _group(s, i + 1)
            a = from_latex(a)
            out.append(sup(a) if ch == "^" else sub(a))
        elif ch in "{}$":
            i += 1
        elif ch == "~":
            out.append(" ")
            i += 1
        elif ch == "-":
            out.append("−")
            i += 1
        else:
            out.append(ch)
            i += 1
    text = "".join(out).replace("ᵀᵀ", "ᵀ")
    return re.sub(r"  +", " ", text) if "    " not in text else text


def _text_mode(s):
    """Text with $math$ inside (reasons of steps, fact labels, check details);
    text whose dollars do not pair is printed as it is, dollars and all."""
    parts = re.split(r"(?<!\\)\$", s)
    if len(parts) % 2 == 0:
        return s.replace("\\$", "$")
    return "".join(from_latex(p).strip() if k % 2 else p.replace("\\%", "%").replace("\\$", "$").replace("~", " ")
                   for k, p in enumerate(parts))


def text(s):
    """A record's text-mode LaTeX (a reason, a detail) in Unicode."""
    return _text_mode(s)


# ----------------------------------------------------------------------------
# a record
# ----------------------------------------------------------------------------

def _listed(x):
    return list(x) if isinstance(x, (list, tuple)) else [x]


def language_lines(r):
    """The statement as written in derive's language (what `derive grad` reads)."""
    h = r.how
    if isinstance(h, Gradient) and h.loss is not None:
        out = []
        for loss, claims in zip(_listed(h.loss), _listed(h.claims)):
            out.append(f"s = {loss}")
            out += [f"ds/d{n} = {c}" for n, c in claims.items()]
        return [f"{k} = {v}" for k, v in h.where.items()] + out
    if isinstance(h, Identity) and h.lhs is not None:
        return [f"{k} = {v}" for k, v in h.where.items()] + [f"{h.lhs} = {h.rhs}"]
    if isinstance(h, Mistake) and h.written is not None:
        return [f"s = {h.loss}", f"written: ds/d{h.wrt} = {h.written}", f"correct: ds/d{h.wrt} = {h.corrected}"]
    return []


def statement_lines(r):
    """What a Gradient or Identity proves, printed from its SymPy statements."""
    h = r.how
    if isinstance(h, Gradient):
        out = []
        for V, scalar, claims, _ in statements.stated(h):
            out.append(f"s = {unicode(scalar)}")
            out += [f"∂s/∂{unicode(getattr(V, n))} = {unicode(c)}" for n, c in claims.items()]
        return out
    if isinstance(h, Identity):
        lhs, rhs = statements.sides(h)
        return [f"{unicode(lhs)} = {unicode(rhs)}"]
    return []


def derivation_lines(d):
    """A derivation: the quantity, then each step with its reason below it."""
    named, where = naming.named_steps(d.steps, tex)

    def shown(k):
        step = d.steps[k]
        return from_latex(step.display) if step.display is not None else unicode(named[k])
    title = from_latex(d.title)
    pad = " " * len(title)
    out = []
    for k, s in enumerate(d.steps):
        out += [f"{title if k == 0 else pad} = {shown(k)}", f"{pad}     [{text(s.reason)}]"]
        out += [f"{pad}     {'where' if j == 0 else 'and'} {unicode(n)} = {unicode(x)}"
                for j, (n, x) in enumerate(where.get(k, ()))]
    if d.conclusion:
        out.append(f"hence {from_latex(d.conclusion)}")
    return out


def _derivations(r, verdict):
    """The derivations the checks verified (as the report shows them); the
    record's own route when there is no verdict."""
    if verdict is not None:
        for c in verdict.checks:
            if c.name == "derivation" or (c.shown and isinstance(c.shown[0], Derivation)):
                return list(c.shown)
    return list(r.steps)


def _facts(verdict):
    if verdict is None:
        return []
    return verdict.facts


def fact_text(f):
    """A fact as its check established it: an exact one's two sides in full
    and how their difference was shown to be 0; any other its detail."""
    if f.exact:
        return f"{unicode(f.lhs)} {'=' if f.rel == '=' else '≠'} {unicode(f.rhs)}" + (f" ({f.how})" if f.how else "")
    return f.detail


WIDTH = 100  # the terminal lines facts are wrapped to


def wrapped(line, indent):
    """A long line wrapped to WIDTH at spaces, continuation lines indented:
    in the right half of each line, at the space outside the most brackets
    (between the terms of a sum rather than inside one of them)."""
    depth, spaces = 0, []
    for i, ch in enumerate(line):
        depth += (ch in "([{") - (ch in ")]}")
        if ch == " " and line[:i].strip():
            spaces.append((i, depth))
    out, start, width = [], 0, WIDTH
    while len(line) - start > width:
        fits = [(d, -i) for i, d in spaces if start + width // 2 < i <= start + width]
        fits = fits or [(0, -i) for i, d in spaces if start < i <= start + width]
        fits = fits or [(0, -i) for i, d in spaces if i > start][-1:]
        if not fits:
            break
        cut = -min(fits)[1]
        out.append(line[start:cut])
        start, width = cut + 1, WIDTH - indent
    out.append(line[start:])
    return ("\n" + " " * indent).join(out)


def _check_detail(c):
    """A check's detail; a facts check's as its facts (the failed ones when
    it failed), an exact one that holds by its label and how."""
    if not (c.shown and all(isinstance(f, Fact) for f in c.shown)):
        return text(c.detail)
    shown = "; ".join(f"{text(f.label)} ({f.how})" if f.exact and f.ok else f"{text(f.label)}: {fact_text(f)}"
                      for f in c.shown if c.ok or not f.ok)
    return shown if c.ok else "FAILED " + shown


def check_lines(verdict, verbose=True):
    """One line per check: name, kind, ok/FAIL, and (verbose) its detail."""
    out = []
    for c in verdict.checks:
        head = f"{c.name:11s} {c.kind:10s} {'ok' if c.ok else 'FAIL':4s}"
        out.append(f"{head} {_check_detail(c)}" if verbose or not c.ok else head.rstrip())
    return out


def result_text(r, verdict=None, correct=None):
    """The whole record in plain text: statement, derivation, the verdict
    with each check's detail; for a mistake the claim as written, what is
    judged, the counterexample and the correction.  `correct`: the record
    the correction proves equal (for its id and title)."""
    out = [f"{r.id}: {r.title}", f"source:     seed {r.seed}, {r.section}"]
    if r.convention:
        out.append(f"convention: {r.convention}")
    out.append("")
    if isinstance(r.how, Mistake):
        spec = checks.mistake_spec(r.how)
        out.append(f"as the notes write it:  {from_latex(r.written)}")
        if "rhs" in spec:
            out.append(f"judged as:              {unicode(spec['rhs'])}")
        refuted = [c for c in (verdict.checks if verdict else []) if c.kind == "refutation"]
        for c in refuted:
            out.append(f"counterexample:         {text(c.detail)}" if c.ok else f"refutation FAILED:      {text(c.detail)}")
        fix = spec.get("corrected")
        where = f" (the result {r.how.correct})" if r.how.correct else ""
        if fix is not None and not callable(fix):
            out.append(f"correction:             {unicode(fix)}{where}")
        else:
            out.append(f"correction:             as computed by the correction check{where}")
        lang = language_lines(r)
        if lang:
            out += ["", "in derive's language:"] + [f"  {x}" for x in lang]
    else:
        lines = statement_lines(r)
        if lines:
            out += ["statement (printed from the expressions derive proves):"] + [f"  {x}" for x in lines]
        else:
            out += ["statement (the notes' words; what derive checks is each fact below):",
                    f"  {from_latex(r.statement)}"]
        lang = language_lines(r)
        if lang:
            out += ["", "in derive's language:"] + [f"  {x}" for x in lang]
        ds = _derivations(r, verdict)
        for d in ds:
            out += ["", "derivation" + (" (the notes' route)" if verdict is None else "") + ":"]
            out += [f"  {x}" for x in derivation_lines(d)]
        facts = _facts(verdict)
        if facts:
            out += ["", "facts (each established exactly):"]
            out += [wrapped(f"  {'ok  ' if f.ok else 'FAIL'} {text(f.label)}: {fact_text(f)}", 7) for f in facts]
    if verdict is not None:
        out += ["", f"verdict: {verdict.status}"] + [f"  {x}" for x in check_lines(verdict)]
    return "\n".join(out)
