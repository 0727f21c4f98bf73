"""nansei: an open, validated and fast simulator for the Nansei Islands contingency.

Everything in this package is unclassified and notional: parameters come from
public sources or are labelled assumptions.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
