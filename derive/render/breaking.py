"""Long formulas on a page: TeX breaks them, derive makes that possible.

TeX breaks a formula in a paragraph after a binary operator or a relation,
but never inside ``\\left( ... \\right)`` (the pair is one box).  A long
formula therefore gets sized delimiters instead (``\\biggl( ... \\biggr)``,
sized by what they enclose and by nesting, as a typesetter would), and a
discretionary times (``\\*``) between parenthesised factors; a short one
keeps ``\\left``/``\\right``.  Each line of a derivation is then a paragraph
(the ``dsteps`` macros of the preamble, :data:`PREAMBLE`): the left-hand
side right-aligned in a column as wide as the widest, ``= step`` after it,
continuation lines indented past the ``=``, and the reason flush right on
the last line (or on a line of its own when it is long).  Nothing is cut at
the page edge and nothing is dropped.
"""
from __future__ import annotations

import re

# the macros the report's preamble defines for these blocks
PREAMBLE = r"""\newlength{\dlhs}\newlength{\dtmp}
\newenvironment{dsteps}{\par\smallskip\begingroup\setlength{\parindent}{0pt}\setlength{\parskip}{2pt}%
  \setlength{\rightskip}{0pt plus .3\linewidth}\setlength{\lineskip}{3pt}\setlength{\dlhs}{0pt}}%
  {\par\endgroup\smallskip}
\newcommand{\dwiden}[1]{\settowidth{\dtmp}{$\displaystyle #1$}\ifdim\dtmp>\dlhs\setlength{\dlhs}{\dtmp}\fi}
\newcommand{\dpar}{\par\noindent\hangindent=\dimexpr\dlhs+2.5em\relax\hangafter=1\relax}
\newcommand{\dline}[2]{\dpar\makebox[\dlhs][r]{$\displaystyle #1$}$\displaystyle{}#2$}
\newcommand{\dwide}[1]{\dpar$\displaystyle #1$\par}
\newcommand{\dreason}[1]{{\unskip\nobreak\hfil\penalty50\hskip2em\hbox{}\nobreak\hfil\textit{#1}%
  \parfillskip=0pt\finalhyphendemerits=0\par}}
\newcommand{\dreasonbelow}[1]{\par{\leftskip=\dimexpr\dlhs+2.5em\relax\rightskip=0pt plus 1fil\noindent
  \small\itshape #1\par}}"""

_SIZES = ["", r"\big", r"\Big", r"\bigg", r"\Bigg"]
_OPEN = re.compile(r"\\(left|right)(?![a-zA-Z])\s*(\\[{}|]|\\[a-zA-Z]+|[()\[\]|./])")
_TALL = re.compile(r"\\(sum|prod|int|frac|dfrac|binom)(?![a-zA-Z])")
_OPERATOR = re.compile(r"\s*(?:[-+=<>&,;]|\\(?:odot|cdot|times|leq|geq|ne|neq|quad|qquad|to|right|middle|mathbin)"
                       r"(?![a-zA-Z])|\\\\|$)")
# most glyphs a formula may have to be kept on one line (\left...\right): a
# longer one gets sized, breakable delimiters
SHORT = 55


def visible(tex):
    """A rough count of the glyphs a formula prints (its width in letters)."""
    t = re.sub(r"\\(left|right|big|Big|bigg|Bigg)[lr]?(?![a-zA-Z])", "", tex)
    t = re.sub(r"\\(mathbf|mathit|mathrm|boldsymbol|operatorname|text|mathbb)\s*", "", t)
    t = re.sub(r"\\frac\{([^{}]*)\}\{([^{}]*)\}", lambda m: max(m.group(1), m.group(2), key=len), t)
    t = re.sub(r"\\[a-zA-Z]+", "x", t)
    t = re.sub(r"[{}\s^_&]", "", t)
    return len(t)


def _pairs(tex):
    """[(open start, open end, close start, close end, depth)] of \\left/\\right,
    or None when they do not nest (or a \\middle is used)."""
    if r"\middle" in tex:
        return None
    stack, out = [], []
    for m in _OPEN.finditer(tex):
        if m.group(1) == "left":
            stack.append((m.start(), m.end(), len(stack)))
        else:
            if not stack:
                return None
            s, e, depth = stack.pop()
            out.append((s, e, m.start(), m.end(), depth))
    return out if not stack else None


def breakable(tex, display=True):
    """The formula with its \\left/\\right pairs replaced by sized delimiters
    (TeX can break inside them) and \\* between parenthesised factors at the
    top level.  A pair around an environment (a matrix) stays as it is."""
    pairs = _pairs(tex)
    if not pairs:
        return tex
    size = {}
    for s, e, cs, ce, depth in sorted(pairs, key=lambda p: -p[4]):  # innermost first
        inner = tex[e:cs]
        if r"\begin" in inner:
            size[s] = None
            continue
        kids = [size[k[0]] for k in pairs if k[0] > s and k[2] < cs and k[4] == depth + 1]
        if any(k is None for k in kids):
            size[s] = None
            continue
        base = (3 if display else 1) if _TALL.search(inner) else 0
        size[s] = min(4, max([base] + [k + 1 for k in kids]))
    edits = []
    for s, e, cs, ce, _ in pairs:
        if size[s] is None:
            continue
        op, cl = _OPEN.match(tex, s).group(2), _OPEN.match(tex, cs).group(2)
        big = _SIZES[size[s]]
        edits.append((s, e, (big + "l" + op) if big else ("" if op == "." else op)))
        edits.append((cs, ce, (big + "r" + cl) if big else ("" if cl == "." else cl)))
    out, last = [], 0
    for s, e, rep in sorted(edits):
        out.append(tex[last:s])
        out.append(rep)
        last = e
    out.append(tex[last:])
    return _times(tex, sorted(edits), "".join(out))


def _times(original, edits, tex):
    """Insert \\* after a closing sized delimiter (and its super/subscript) at
    brace depth 0 when a factor follows."""
    out, depth, i = [], 0, 0
    closers = re.compile(r"\\(?:big|Big|bigg|Bigg)r(?:\\[{}|]|\\[a-zA-Z]+|[)\]|.])")
    while i < len(tex):
        ch = tex[i]
        if ch == "\\" and i + 1 < len(tex) and tex[i + 1] in "{}":
            out.append(tex[i:i + 2])
            i += 2
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        m = closers.match(tex, i) if depth == 0 else None
        if m:
            j = m.end()
            while j < len(tex) and tex[j] in "^_" and j + 1 < len(tex) and tex[j + 1] == "{":
                j = _group_end(tex, j + 1)
            out.append(tex[i:j])
            if j < len(tex) and tex[j] == " " and not _OPERATOR.match(tex, j):
                out.append(r" \*")
            i = j
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def _group_end(tex, i):
    """The index after the brace group that opens at i."""
    depth = 0
    while i < len(tex):
        if tex[i] == "\\":
            i += 2
            continue
        depth += {"{": 1, "}": -1}.get(tex[i], 0)
        i += 1
        if depth == 0:
            return i
    return i


def fit(tex, display=True):
    """A formula as it goes into a paragraph: unchanged when short."""
    return tex if visible(tex) <= SHORT else breakable(_fractions(_exponents(tex)), display)


# longest exponent of e kept as a superscript (a superscript is one box)
EXPONENT = 24
_E = re.compile(r"(?<![\\a-zA-Z])e\^\{")


def _exponents(tex):
    r"""e^{long exponent} -> \exp(long exponent): TeX cannot break a superscript."""
    out, i = [], 0
    while True:
        m = _E.search(tex, i)
        if not m:
            out.append(tex[i:])
            return "".join(out)
        end = _group_end(tex, m.end() - 1)
        body = tex[m.end():end - 1]
        if visible(body) <= EXPONENT:
            out.append(tex[i:end])
        else:
            out.append(tex[i:m.start()] + rf"\exp\left({_exponents(body)}\right)")
        i = end


def _fractions(tex):
    """\frac{long numerator}{short denominator} -> \frac{1}{den} (numerator):
    a fraction is one box, its numerator cannot be broken."""
    out, i = [], 0
    while True:
        j = tex.find(r"\frac{", i)
        if j < 0:
            out.append(tex[i:])
            return "".join(out)
        num_end = _group_end(tex, j + 5)
        den_end = _group_end(tex, num_end)
        num, den = tex[j + 6:num_end - 1], tex[num_end + 1:den_end - 1]
        if visible(num) <= SHORT or num == "1":
            out.append(tex[i:num_end])
            i = num_end
            continue
        num = _fractions(num)
        if visible(den) > 12:  # both long: (numerator) / (denominator), each breakable
            out.append(tex[i:j] + rf"\left({num}\right) \mathbin{{\Big/}} \left({_fractions(den)}\right)")
            i = den_end
            continue
        wrap = _top_level_sum(num)
        out.append(tex[i:j] + rf"\frac{{1}}{{{den}}} " + (rf"\left({num}\right)" if wrap else num))
        i = den_end


def _top_level_sum(tex):
    """Whether tex has a + or - outside every group (a leading minus aside)."""
    depth, i = 0, 0
    while i < len(tex):
        if tex.startswith(r"\left", i) and not tex[i + 5:i + 6].isalpha():
            depth += 1
        elif tex.startswith(r"\right", i) and not tex[i + 6:i + 7].isalpha():
            depth -= 1
        elif tex[i] == "\\":
            i += 2
            continue
        elif tex[i] in "{}":
            depth += 1 if tex[i] == "{" else -1
        elif tex[i] in "+-" and depth == 0 and tex[:i].strip():
            return True
        i += 1
    return False


def separated(statement):
    r"""A statement written in the notes' words: TeX may break it after its
    top-level separators (,\  ;\  :\ ) as well as after its operators."""
    out, depth, i = [], 0, 0
    while i < len(statement):
        if statement[i] == "\\" and i + 1 < len(statement) and statement[i + 1] in "{}":
            out.append(statement[i:i + 2])
            i += 2
            continue
        depth += {"{": 1, "}": -1}.get(statement[i], 0)
        if depth == 0 and statement[i:i + 3] in (",\\ ", ";\\ ", ":\\ "):
            out.append(statement[i:i + 3] + r"\allowbreak ")
            i += 3
            continue
        out.append(statement[i])
        i += 1
    return "".join(out)


def _reason(text):
    if not text:
        return r"\par"
    plain = re.sub(r"\$[^$]*\$", "xxxx", text)
    return rf"\dreason{{{text}}}" if len(plain) <= 48 else rf"\dreasonbelow{{{text}}}"


def steps(rows):
    """rows: [(lhs or None, relation and right-hand side, reason text)], lhs
    None continuing the line above; a dsteps block, one paragraph per row."""
    out = [r"\begin{dsteps}"]
    narrow = [lhs for lhs, _, _ in rows if lhs and visible(lhs) <= 24]
    out += [rf"\dwiden{{{lhs}}}" for lhs in dict.fromkeys(narrow)]
    for lhs, rhs, reason in rows:
        body = fit(rhs)
        if lhs and visible(lhs) > 24:
            out.append(rf"\dwide{{{fit(lhs)}}}")
            out.append(rf"\dline{{}}{{{body}}}{_reason(reason)}")
        else:
            out.append(rf"\dline{{{lhs or ''}}}{{{body}}}{_reason(reason)}")
    out.append(r"\end{dsteps}")
    return "\n".join(out) + "\n"


def split_align(tex):
    """'a &= b \\\\ c &= d' (an aligned block's lines) -> [(a, '= b'), (c, '= d')]."""
    tex = re.sub(r"^\s*\\begin\{aligned\}|\\end\{aligned\}\s*$", "", tex.strip())
    lines, depth, start, i = [], 0, 0, 0
    while i < len(tex):
        if tex[i] == "\\" and tex.startswith("\\\\", i) and depth == 0:
            lines.append(tex[start:i])
            i += 2
            start = i
            continue
        if tex[i] == "\\":
            i += 2
            continue
        depth += {"{": 1, "}": -1}.get(tex[i], 0)
        i += 1
    lines.append(tex[start:])
    out = []
    for ln in lines:
        lhs, amp, rhs = ln.partition("&")
        out.append((lhs.strip(), rhs.strip()) if amp else ("", ln.strip()))
    return out
