"""The catalog, one module per seed of the notes, in the notes' order."""
from . import s000, s001, s002, s003, s004

ALL = [*s000.RESULTS, *s001.RESULTS, *s002.RESULTS, *s003.RESULTS, *s004.RESULTS]
