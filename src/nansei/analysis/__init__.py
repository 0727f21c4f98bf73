"""Analysis of stored records: summaries with confidence intervals, precision,
paired comparisons and sensitivity.

:func:`summarize` is the one function every consumer (CLI ``analyze``,
reports, web) uses for means and confidence intervals, so that their numbers
agree exactly.
"""

from nansei.analysis.compare import paired_difference
from nansei.analysis.precision import replications_needed
from nansei.analysis.summary import summarize

__all__ = ["paired_difference", "replications_needed", "summarize"]
