"""One printer owns notation: bold matrices and vectors, ^{\\top}, \\odot,
\\sigma, \\operatorname{softmax}, f'.  Every formula in a report that comes
from a SymPy expression goes through :func:`tex`."""
from __future__ import annotations

import re

import sympy as sp
from sympy.printing.latex import LatexPrinter



_GREEK = {"theta": r"\boldsymbol{\theta}", "delta": r"\boldsymbol{\delta}", "lam": r"\boldsymbol{\lambda}"}
# scalar names the notes write as Greek letters
_SCALAR = {"lam": r"\lambda", "eta": r"\eta", "alpha": r"\alpha", "beta": r"\beta", "gamma": r"\gamma",
           "mu": r"\mu", "epsilon": r"\epsilon", "theta": r"\theta"}
_PRIMED = re.compile(r"^([a-z])(\1+)(\d*)$")  # kk0, kkk0: the indexes a normal form adds, k'_0, k''_0


def _bold(name):
    """W -> bold W, W1 -> W_1, xc -> x_c, uo -> u_o, zL -> z_L (one letter and
    its subscript, never a bold word)."""
    base, digits = name.rstrip("0123456789"), name[len(name.rstrip("0123456789")):]
    if base in _GREEK:
        b, sub = _GREEK[base], digits
    else:
        b, sub = rf"\mathbf{{{base[0]}}}", base[1:] + ("," * bool(base[1:] and digits)) + digits
    return f"{b}_{{{sub}}}" if sub else b


def _scalar_name(name):
    """lam -> lambda; kk0 -> k'_0; xc -> x_c; other names as SymPy prints them."""
    m = _PRIMED.match(name)
    if m:
        return m.group(1) + "'" * len(m.group(2)) + (f"_{{{m.group(3)}}}" if m.group(3) else "")
    base, digits = name.rstrip("0123456789"), name[len(name.rstrip("0123456789")):]
    if base in _SCALAR:
        return _SCALAR[base] + (f"_{{{digits}}}" if digits else "")
    return None


class DerivePrinter(LatexPrinter):
    def __init__(self, settings=None):
        super().__init__(settings)
        self._memo = {}  # (subexpression, the sum indices bound around it) -> its LaTeX: steps repeat their parts

    def _print(self, expr, **kwargs):
        # a subexpression prints alike wherever it is, given the indices bound
        # around it (_print_Sum renames an inner index apart from them);
        # a call with options (a power's exponent) is printed each time
        if kwargs:
            return super()._print(expr, **kwargs)
        key = (expr, tuple(getattr(self, "_bound", ())))
        try:
            return self._memo[key]
        except KeyError:
            pass
        except TypeError:  # unhashable (a mutable Matrix)
            return super()._print(expr)
        if len(self._memo) > 50000:
            self._memo.clear()
        out = self._memo[key] = super()._print(expr)
        return out

    def _print_MatrixSymbol(self, e):
        return _bold(e.name)

    def _print_Symbol(self, e, style="plain"):
        return _scalar_name(e.name) or super()._print_Symbol(e, style=style)

    def _print_Identity(self, e):
        # a 1 x 1 identity is the number 1 (v^T f(z) + 1 in matrix form)
        return "1" if e.shape == (1, 1) else r"\mathbf{I}"

    def _print_MatMul(self, e):
        # a Hadamard product or a sum inside a matrix product keeps its brackets:
        # W^T (f'(z) odot v), never W^T f'(z) odot v
        if not any(isinstance(a, (sp.HadamardProduct, sp.MatAdd)) for a in e.args):
            return super()._print_MatMul(e)
        args = list(e.args)
        sign = ""
        if e.could_extract_minus_sign():
            args = args[1:] if args[0] == -1 else [-args[0], *args[1:]]
            sign = "- "
        return sign + " ".join(rf"\left({self._print(a)}\right)" if isinstance(a, (sp.HadamardProduct, sp.MatAdd))
                               else self.parenthesize(a, 1000) if isinstance(a, sp.Add) else self._print(a)
                               for a in args)

    def _print_Sum(self, e):
        # a sum over one value (0 <= i <= 0) is its term: no one-term sums in print
        if any(lo == hi for _, lo, hi in e.limits):
            return self._print(one_term_collapsed(e))
        bound = getattr(self, "_bound", [])
        e = apart_from(e, bound)
        self._bound = bound + [v.name for v, _, _ in e.limits]
        try:
            return super()._print_Sum(e)
        finally:
            self._bound = bound

    def _print_Transpose(self, e):
        inner = self._print(e.arg)
        if not isinstance(e.arg, sp.MatrixSymbol):
            inner = rf"\left({inner}\right)"
        return rf"{inner}^{{\top}}"

    def _print_HadamardProduct(self, e):
        return r" \odot ".join(self.parenthesize(a, 1000) if isinstance(a, (sp.MatAdd, sp.MatMul)) else self._print(a)
                               for a in e.args)

    def _print_ElementwiseApplyFunction(self, e):
        lam = e.function
        body = lam.expr.xreplace({lam.variables[0]: sp.Symbol("@")})
        inner = self._print(e.expr)
        head = self._print(body).replace("@", inner)
        return head

    def _print_Mul(self, e, **kwargs):
        # a step that keeps a numerator and a denominator apart (both
        # UnevaluatedExpr, so SymPy does not cancel them) is still a fraction
        num = [a for a in e.args if isinstance(a, sp.UnevaluatedExpr)]
        den = [a.base for a in e.args if isinstance(a, sp.Pow) and a.exp == -1 and isinstance(a.base, sp.UnevaluatedExpr)]
        if len(num) == 1 and len(den) == 1 and len(e.args) == 2:
            return rf"\frac{{{self._print(num[0].args[0])}}}{{{self._print(den[0].args[0])}}}"
        return super()._print_Mul(e, **kwargs)

    def _print_log(self, e, exp=None):
        # no braces around the argument: a long one can then be broken (render/breaking.py)
        head = rf"\log^{{{exp}}}" if exp else r"\log"
        return rf"{head}\left({self._print(e.args[0])}\right)"

    def _print_Softmax(self, e):
        return rf"\operatorname{{softmax}}\left({self._print(e.arg)}\right)"

    def _print_OneMatrix(self, e):
        return r"\mathbf{1}"

    def _print_sigmoid(self, e, exp=None):
        s = rf"\sigma\left({self._print(e.args[0])}\right)"
        return f"{s}^{{{exp}}}" if exp else s

    def _print_dsigmoid(self, e, exp=None):
        s = rf"\sigma'\left({self._print(e.args[0])}\right)"
        return f"{s}^{{{exp}}}" if exp else s

    def _print_relu(self, e, exp=None):
        return rf"\operatorname{{ReLU}}\left({self._print(e.args[0])}\right)"

    def _print_step(self, e, exp=None):
        # the indicator; amssymb's blackboard bold has no digit 1, so bold 1 (it renders)
        return rf"\mathbf{{1}}\left[{self._print(e.args[0])} > 0\right]"

    def _print_fprime(self, e, exp=None):
        return rf"f'\left({self._print(e.args[0])}\right)"

    def _print_f(self, e, exp=None):
        return rf"f\left({self._print(e.args[0])}\right)"


def apart_from(e, bound):
    """The Sum e with each index that a sum around it already binds (names
    in `bound`) renamed: sum_i (... sum_i x_{i,i}) would read as one index.
    Printing only: a bound index renamed is the same sum."""
    taken = set(bound) | {a.name for a in e.atoms(sp.Symbol)}
    for v, _, _ in e.limits:
        if v.name in bound:
            stem = re.sub(r"_?\d+$", "", v.name)
            fresh = next(f"{stem}_{k}" for k in range(1, 1000) if f"{stem}_{k}" not in taken)
            taken.add(fresh)
            e = e.xreplace({v: sp.Symbol(fresh, **v.assumptions0)})
    return e


def one_term_collapsed(e):
    """The Sum e with each range of one value (lo == hi) replaced by the term at
    that value: how the printer shows it."""
    f, lims = e.function, []
    for v, lo, hi in e.limits:
        if lo == hi:
            f = f.subs(v, lo)
        else:
            lims.append((v, lo, hi))
    return sp.Sum(f, *lims) if lims else f


_PRINTER = DerivePrinter({"mul_symbol": None})


_TEXED = {}  # expression -> its LaTeX: a report measures a step's length, then prints it


def tex(e):
    try:
        return _TEXED[e]  # SymPy's == is structural (2.0*x != 2*x), so an equal key prints alike
    except KeyError:
        pass
    except TypeError:  # unhashable (a mutable Matrix): printed each time
        return _PRINTER.doprint(e)
    if len(_TEXED) > 20000:
        _TEXED.clear()
    out = _TEXED[e] = _PRINTER.doprint(e)
    return out


_ESC = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
        "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
        # OT1 text fonts have no < > |: these come from OML, the LaTeX kernel's defaults
        "<": r"\textless{}", ">": r"\textgreater{}", "|": r"\textbar{}"}


def escape(text):
    return "".join(_ESC.get(ch, ch) for ch in str(text))


# Titles are written in the notes' notation (Unicode): each character they use,
# as TeX typesets it, declared in the report's preamble (pdflatex + inputenc
# would stop at an undeclared one; hyperref puts the characters themselves in
# the PDF's bookmarks).
UNICODE = {
    "σ": r"\sigma", "δ": r"\delta", "θ": r"\theta", "η": r"\eta", "λ": r"\lambda", "α": r"\alpha",
    "ε": r"\varepsilon", "Σ": r"\Sigma", "∂": r"\partial", "∇": r"\nabla", "∘": r"\circ", "−": "-",
    "×": r"\times", "≤": r"\le", "→": r"\to", "←": r"\leftarrow", "′": "'", "ŷ": r"\hat{y}",
    "𝟏": r"\mathbf{1}", "ᵀ": r"^{\top}", "²": "^{2}", "³": "^{3}", "⁹": "^{9}", "⁻": "^{-}", "ⁱ": "^{i}",
    "ˣ": "^{x}", "ʸ": "^{y}", "₁": "_{1}", "₂": "_{2}", "₃": "_{3}", "ᵢ": "_{i}", "ⱼ": "_{j}",
}
_TEXT = {"–": r"\textendash{}", "…": r"\dots{}"}  # text-mode characters


def unicode_preamble():
    """\\DeclareUnicodeCharacter lines for UNICODE and the text-mode characters."""
    return "\n".join([rf"\DeclareUnicodeCharacter{{{ord(c):04X}}}{{\ensuremath{{{t}}}}}" for c, t in UNICODE.items()]
                     + [rf"\DeclareUnicodeCharacter{{{ord(c):04X}}}{{{t}}}" for c, t in _TEXT.items()])
