"""Analysis of stored records: summaries with confidence intervals.

The one function every consumer (CLI ``analyze``, reports, web) uses for
means and confidence intervals, so that their numbers agree exactly.
"""

from nansei.analysis.summary import summarize

__all__ = ["summarize"]
