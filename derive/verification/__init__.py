"""Floor 4: what acts on records: the checks (symbolic, derivation, concrete, numeric, derived) and the derivation engine behind derive.grad."""
