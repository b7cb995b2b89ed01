"""One printer owns notation: bold matrices and vectors, ^{\\top}, \\odot,
\\sigma, \\operatorname{softmax}, f'.  Every formula in a report that comes
from a SymPy expression goes through :func:`tex`."""
from __future__ import annotations

import sympy as sp
from sympy.printing.latex import LatexPrinter



_GREEK = {"theta": r"\boldsymbol{\theta}", "delta": r"\boldsymbol{\delta}"}


def _bold(name):
    base, digits = name.rstrip("0123456789"), name[len(name.rstrip("0123456789")):]
    b = _GREEK.get(base, rf"\mathbf{{{base}}}")
    return f"{b}_{{{digits}}}" if digits else b


class DerivePrinter(LatexPrinter):
    def _print_MatrixSymbol(self, e):
        return _bold(e.name)

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

    def _print_Softmax(self, e):
        return rf"\operatorname{{softmax}}\left({self._print(e.arg)}\right)"

    def _print_OneMatrix(self, e):
        return r"\mathbf{1}"

    def _print_sigmoid(self, e, exp=None):
        s = rf"\sigma\left({self._print(e.args[0])}\right)"
        return f"{s}^{{{exp}}}" if exp else s

    def _print_relu(self, e, exp=None):
        return rf"\operatorname{{ReLU}}\left({self._print(e.args[0])}\right)"

    def _print_step(self, e, exp=None):
        return rf"\mathbb{{1}}\left[{self._print(e.args[0])} > 0\right]"

    def _print_fprime(self, e, exp=None):
        return rf"f'\left({self._print(e.args[0])}\right)"

    def _print_f(self, e, exp=None):
        return rf"f\left({self._print(e.args[0])}\right)"


_PRINTER = DerivePrinter({"mul_symbol": None})


def tex(e):
    return _PRINTER.doprint(e)


_ESC = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
        "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
        # OT1 text fonts have no < > |: these come from OML, the LaTeX kernel's defaults
        "<": r"\textless{}", ">": r"\textgreater{}", "|": r"\textbar{}"}


def escape(text):
    return "".join(_ESC.get(ch, ch) for ch in str(text))
