"""Floor 5: what renders records and verdicts: reports and the PDF, generated NumPy, Jupyter display."""
