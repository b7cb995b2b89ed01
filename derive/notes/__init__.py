"""The catalog, one module per seed of the notes, in the notes' order."""
from . import s000, s001

ALL = [*s000.RESULTS, *s001.RESULTS]
