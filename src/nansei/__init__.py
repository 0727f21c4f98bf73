"""nansei: an open, validated and fast simulator for the Nansei Islands contingency.

Everything in this package is unclassified and notional: parameters come from
public sources or are labelled assumptions.

>>> import nansei
>>> res = nansei.simulate("ideal-fixed-delay", replications=50, seed=1)
>>> len(res.records)
50
"""

from nansei.version import __version__

__all__ = ["__version__", "load_scenario", "run_experiment", "simulate", "uncertainty_bands"]


def __getattr__(name: str):
    # Lazy imports keep `nansei --version` and the schema tools fast.
    if name == "simulate":
        from nansei.engine.simulate import simulate

        return simulate
    if name == "run_experiment":
        from nansei.experiment import run_experiment

        return run_experiment
    if name == "load_scenario":
        from nansei.scenario import load_scenario

        return load_scenario
    if name == "uncertainty_bands":
        from nansei.analysis.uncertainty import uncertainty_bands

        return uncertainty_bands

    raise AttributeError(f"module 'nansei' has no attribute {name!r}")
