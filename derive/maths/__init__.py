"""Floor 1: the language and the mathematics (parsing and shapes, elementwise functions, index normal form, kernels). Imports nothing of derive above it."""
