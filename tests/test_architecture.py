"""The house has floors, each importing only the floors below it, and no circle.

1 maths: the language and the mathematics; 2 matrix: matrix expressions and
their forms, claims; 3 records: plain data; 4 verification: the checks and
the derivation engine; 5 render: reports, generated NumPy, display; 6 the
notes (the records, data), the catalog that iterates them, and the CLI on top.  A module's floor is its folder's; the
generated NumPy (numeric, _generated) sits with the rendering that prints
it.  Imports are read from the source (ast), so a lazy import inside a
function is seen too, and is refused: none may hide a circle.
"""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLOORS = {"maths": 1, "matrix": 2, "records": 3, "verification": 4, "render": 5, "notes": 6, "catalog": 6}
TOP = {"numeric": 5, "_generated": 5, "examples": 6, "gradbench": 6, "bench": 6, "cli": 6, "__main__": 6,
       "testing": 6}


def _modules():
    out = {}
    for p in sorted((ROOT / "derive").rglob("*.py")):
        parts = p.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = p
    return out


def floor(name):
    parts = name.split(".")
    if len(parts) == 1:
        return 7  # the package itself: the public API over everything
    return FLOORS[parts[1]] if parts[1] in FLOORS else TOP[parts[1]]


def _imports(name, path):
    """[(imported derive module, line, inside a function)]."""
    tree = ast.parse(path.read_text())
    top = {id(n) for n in tree.body}
    mods = _modules()
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{name}: relative import at line {node.lineno}"
            targets = [f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in mods else node.module
                       for a in node.names]
        elif isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        else:
            continue
        out += [(t, node.lineno, id(node) not in top) for t in targets if t.split(".")[0] == "derive" and t != name]
    return out


def _graph():
    return {name: _imports(name, path) for name, path in _modules().items()}


def test_every_module_has_a_floor():
    for name in _modules():
        assert floor(name) in range(1, 8), name


def test_imports_go_down_only():
    bad = [f"{m} (floor {floor(m)}) imports {t} (floor {floor(t)}) at line {line}"
           for m, deps in _graph().items() for t, line, _ in deps if t in _modules() and floor(t) > floor(m)]
    assert not bad, "\n".join(bad)


def test_the_notes_are_data():
    """A record module names records, functions and facts; how they are shown
    or iterated is not its business (so adding a result touches one file)."""
    bad = [f"{m} imports {t} at line {line}" for m, deps in _graph().items() if m.startswith("derive.notes")
           for t, line, _ in deps if t.split(".")[1] in ("render", "catalog", "cli")]
    assert not bad, "\n".join(bad)


def test_no_lazy_import_of_derive():
    """Only the package's PEP 562 __getattr__ (start-up time of derive.numeric) imports on demand."""
    bad = [f"{m} imports {t} inside a function at line {line}"
           for m, deps in _graph().items() for t, line, lazy in deps if lazy and m != "derive"]
    assert not bad, "\n".join(bad)


def test_no_import_circle():
    mods = _modules()
    graph = {m: {t if t in mods else t.rsplit(".", 1)[0] for t, _, _ in deps} & set(mods) - {"derive"}
             for m, deps in _graph().items()}
    index, low, stack, on, circles, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                circles.append(sorted(comp))

    for v in graph:
        if v not in index:
            visit(v)
    assert not circles, circles


def test_the_independent_side_imports_nothing_of_derive():
    for p in (ROOT / "checks").rglob("*.py"):
        tree = ast.parse(p.read_text())
        names = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
        names += [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
        assert not [n for n in names if n.split(".")[0] == "derive"], p


def test_records_are_plain_data():
    """Floor 3 imports nothing but the standard library (and floor 1/2 objects it names)."""
    for p in (ROOT / "derive" / "records").rglob("*.py"):
        tree = ast.parse(p.read_text())
        mods = [n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
        mods += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
        assert all(m.split(".")[0] in ("__future__", "dataclasses", "typing", "derive") for m in mods), (p, mods)
        assert not [m for m in mods if m.startswith("derive.") and not m.startswith("derive.records")], (p, mods)
