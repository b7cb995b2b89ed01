"""My notes: a layer with a sigmoid, its bias, and a slip I made."""
from derive.records import Gradient, Mistake, Result

SEEDS = {"lecture-3": "Lecture 3: one layer"}

RESULTS = [
    Result("layer-weights", "lecture-3", "p. 2", "∂s/∂W = δxᵀ for s = vᵀσ(Wx + b)",
           r"\frac{\partial s}{\partial W} = \delta x^{\top},\ \delta = v \odot \sigma'(z)",
           how=Gradient(shapes={"W": "h,n", "x": "n,1", "b": "h,1", "v": "h,1"},
                        where={"z": "W @ x + b", "delta": "v * sigmoid(z) * (1 - sigmoid(z))"},
                        loss="v.T @ sigmoid(z)", claims={"W": "delta @ x.T", "b": "delta", "x": "W.T @ delta"},
                        sizes=({"h": 3, "n": 2},))),
    Result("squared-error", "lecture-3", "p. 3", "∂/∂W ½‖Wx − y‖² = (Wx − y)xᵀ",
           r"\frac{\partial}{\partial W}\tfrac12\lVert Wx - y\rVert^2 = (Wx - y)x^{\top}",
           how=Gradient(shapes={"W": "h,n", "x": "n,1", "y": "h,1"}, loss="sum((W @ x - y) ** 2) / 2",
                        claims={"W": "(W @ x - y) @ x.T"}, sizes=({"h": 2, "n": 3},))),
    Result("my-transpose-slip", "lecture-3", "p. 3", "Erratum: ∂s/∂x = δᵀW",
           r"\frac{\partial s}{\partial x} = \delta^{\top} W", written=r"\delta^{\top} W",
           how=Mistake(correct="layer-weights", shapes={"W": "h,n", "x": "n,1", "b": "h,1", "v": "h,1"},
                       where={"z": "W @ x + b", "delta": "v * sigmoid(z) * (1 - sigmoid(z))"},
                       loss="v.T @ sigmoid(z)", wrt="x", written="delta.T @ W", corrected="W.T @ delta",
                       sizes={"h": 3, "n": 2})),
]
