"""Floor 2: matrix expressions and their index-level, explicit, NumPy and LaTeX forms; claims and zero tests. Imports only derive.maths."""
