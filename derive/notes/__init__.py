"""The notes: one module per seed, each a list of records in the page's
order.  Data only; derive.catalog is what iterates them."""
from derive.notes import s000, s001, s002, s003, s004

RESULTS = [*s000.RESULTS, *s001.RESULTS, *s002.RESULTS, *s003.RESULTS, *s004.RESULTS]
