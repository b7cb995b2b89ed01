"""Plain record types of a verdict: one Check per argument, and the Verdict
of a result (a catalog entry or a derived gradient).  Nothing here proves
or renders; everything that does imports these."""
from __future__ import annotations

from dataclasses import dataclass

from derive.records.results import Fact

FACT_CHECKS = ("symbolic", "concrete")  # the checks whose facts a report lists as the derivation

PROOF, EVIDENCE, REFUTATION = "proof", "evidence", "refutation"


@dataclass
class Check:
    name: str       # symbolic | concrete | numeric | derivation | derived | refutation | correction ...
    kind: str       # proof (exact), evidence (floating point), refutation
    ok: bool
    detail: str
    seconds: float = 0.0
    # what the check established, for the report to typeset: Derivation records
    # (derivation), (label, ok, detail) rows (facts), LaTeX math (derived)
    shown: tuple = ()


@dataclass
class Verdict:
    id: str
    expected: str   # "proved" for results, "refuted" for mistakes
    checks: list

    @property
    def ok(self):
        return bool(self.checks) and all(c.ok for c in self.checks)

    @property
    def facts(self):
        """The facts the passing symbolic and concrete checks established, in
        order; one that both establish (exact arithmetic is both) once."""
        found = [f for c in self.checks if c.name in FACT_CHECKS and c.ok
                 for f in c.shown if isinstance(f, Fact)]
        return list({(f.label, f.detail): f for f in found}.values())

    @property
    def status(self):
        """expected when every check is ok; "undecided" when the checks that
        are not ok found neither a proof nor a counterexample (their detail
        says "undecided"); else FAILED."""
        if self.ok:
            return self.expected
        if self.checks and all(c.ok or c.detail.startswith("undecided") for c in self.checks):
            return "undecided"
        return "FAILED"

    def _repr_html_(self):
        """Jupyter: the status, then a row per check (kind, ok, what it established)."""
        rows = "".join(f"<tr><td>{_html(c.name)}</td><td>{_html(c.kind)}</td><td>{'ok' if c.ok else 'FAILED'}</td>"
                       f"<td style='text-align:left'>{_html(c.detail)}</td></tr>" for c in self.checks)
        return (f"<p><b>{_html(self.status)}</b>: {_html(self.id)}</p><table><tr><th>check</th><th>kind</th>"
                f"<th>result</th><th style='text-align:left'>detail</th></tr>{rows}</table>")

    def line(self):
        parts = ", ".join(f"{c.name} {'ok' if c.ok else 'FAIL'}" for c in self.checks)
        return f"{self.status:8s} {self.id:38s} {parts}"


def _html(text):
    # plain data: no import beyond the standard dataclasses, so HTML is escaped by hand
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
