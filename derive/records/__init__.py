"""Floor 3: the record types, plain data.  Result and its kinds (Gradient,
Identity, Facts, Mistake), the notes' routes (Step, Derivation), and the
outcome of checking one (Check, Verdict).  Nothing here proves, renders or
knows the catalog; everything that does imports these."""
from derive.records.results import Derivation, Export, Fact, Facts, Gradient, Identity, Mistake, Result, Step
from derive.records.verdict import EVIDENCE, PROOF, REFUTATION, Check, Verdict

__all__ = ["Derivation", "Export", "Fact", "Facts", "Gradient", "Identity", "Mistake", "Result", "Step",
           "EVIDENCE", "PROOF", "REFUTATION", "Check", "Verdict"]
