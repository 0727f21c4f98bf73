"""Experiments: factors over a base scenario, designs, replications, executors.

>>> from nansei.experiment import load_experiment, builtin_experiments
>>> "kyodo-dwell-killchain" in builtin_experiments()
True
"""

from .errors import ExperimentError
from .executors import ExecutorSpec, parse_executor
from .runner import (
    BatchKeys,
    ExperimentResult,
    SweepReport,
    batch_keys,
    run_experiment,
    sweep,
)
from .spec import Experiment, builtin_experiments, load_experiment

__all__ = [
    "BatchKeys",
    "ExecutorSpec",
    "Experiment",
    "ExperimentError",
    "ExperimentResult",
    "SweepReport",
    "batch_keys",
    "builtin_experiments",
    "load_experiment",
    "parse_executor",
    "run_experiment",
    "sweep",
]
