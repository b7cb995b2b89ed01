"""python -m derive bench --growth: its tables run (tiny sizes here; the figures are the README's)."""
from derive import gradbench


def test_the_chain_has_every_layer_and_parameter():
    expr, shapes, wrt = gradbench.chain(2)
    assert expr == "v.T @ sigmoid(W2 @ sigmoid(W1 @ x + b1) + b2)"
    assert wrt == ["W1", "b1", "W2", "b2"] and shapes["W1"] == "h,n" and shapes["W2"] == "h,h"


def test_growth_tables_measure_fresh_processes():
    lines = []
    rows = gradbench.records_growth((2,), out=lines.append)
    assert rows[0]["records"] == 2 and rows[0]["rc"] == 0 and rows[0]["checks"] > 2
    assert lines[2].startswith("| 2 | ")
    rows = gradbench.depth_growth(range(1, 2), out=lines.append)
    assert rows[0][1]["status"] == "proved" and lines[-1].startswith("| 1 | 2 | ")
