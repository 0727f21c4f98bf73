"""Results of a simulation: flat per-replication records and their summary."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from nansei.engine.layout import OUTPUTS, SCRIPTED_OUTPUTS, SERIES_NAMES, TRACE_COLUMNS


def mean_ci(values: np.ndarray, level: float = 0.95) -> tuple[float, float, float, float]:
    """Mean, standard error and Student-t confidence interval of a sample.

    Parameters
    ----------
    values : ndarray (n,)
        Sample; NaNs are dropped.
    level : float
        Confidence level.

    Returns
    -------
    tuple
        ``(mean, sem, low, high)``; NaN where undefined (n = 0, or n = 1 for the CI).
    """
    v = np.asarray(values, dtype=float)
    v = v[~np.isnan(v)]
    n = v.size
    if n == 0:
        return (np.nan, np.nan, np.nan, np.nan)
    m = float(v.mean())
    if n == 1:
        return (m, np.nan, np.nan, np.nan)
    # Student-t quantile: ``scipy.stats.t.ppf(q, df)`` is ``special.stdtrit(df, q)``
    # (bit for bit); importing scipy.special instead of scipy.stats saves ~0.7 s.
    from scipy.special import stdtrit

    sem = float(v.std(ddof=1) / np.sqrt(n))
    half = float(stdtrit(n - 1, 0.5 + level / 2) * sem)
    return (m, sem, m - half, m + half)


@dataclass
class Results:
    """What :func:`nansei.simulate` returns.

    Attributes
    ----------
    records : pandas.DataFrame
        One row per replication: ``run_id``, ``scenario``, ``design_point``,
        ``replication``, ``seed``, the key parameters (``param.*``) and every
        output in :data:`nansei.engine.layout.OUTPUTS`.
    series : pandas.DataFrame or None
        Long table (``replication``, ``step``, ``t_end_h`` and one column per
        series) when series were requested.
    trace : pandas.DataFrame or None
        Event trace of the first replication when requested.
    meta : dict
        Scenario name, seed, replications, versions, run id, wall time.
    """

    records: pd.DataFrame
    series: pd.DataFrame | None = None
    trace: pd.DataFrame | None = None
    meta: dict = field(default_factory=dict)

    def summary(self, level: float = 0.95) -> pd.DataFrame:
        """Mean, standard error and confidence interval of every output.

        Returns
        -------
        pandas.DataFrame
            Indexed by output name, with columns ``mean``, ``sem``, ``ci_low``,
            ``ci_high``, ``n`` (replications with a defined value) and
            ``description``.
        """
        rows = []
        scripted = [o for o in SCRIPTED_OUTPUTS if o[0] in self.records.columns]
        for name, desc in (*OUTPUTS, *scripted, *_evac_descriptions(self.records.columns)):
            col = self.records[name].to_numpy(dtype=float)
            m, sem, lo, hi = mean_ci(col, level)
            rows.append((name, m, sem, lo, hi, int(np.sum(~np.isnan(col))), desc))
        df = pd.DataFrame(
            rows, columns=["output", "mean", "sem", "ci_low", "ci_high", "n", "description"]
        )
        return df.set_index("output")

    def survival_probability(self) -> tuple[float, float]:
        """Fraction of replications with no launcher lost, and its standard error."""
        p = float((self.records["launchers_lost"] == 0).mean())
        n = len(self.records)
        return p, float(np.sqrt(p * (1 - p) / n)) if n else float("nan")


def _evac_descriptions(columns) -> list[tuple[str, str]]:
    """(name, "description (unit)") of the evacuation outputs present in a record table,
    as :mod:`nansei.engine.catalog` states them."""
    from nansei.engine.catalog import describe

    out = []
    for c in columns:
        if c.startswith("evac_"):
            info = describe(c)
            out.append((c, f"{info.description} ({info.unit})" if info.unit else info.description))
    return out


def series_frame(
    series: np.ndarray, step_h: float, reps: np.ndarray, names=SERIES_NAMES
) -> pd.DataFrame:
    """Long table from a ``(R, n_steps, len(names))`` array."""
    r, n_steps, _ = series.shape
    df = pd.DataFrame(series.reshape(r * n_steps, -1), columns=list(names))
    df.insert(0, "t_end_h", np.tile((np.arange(n_steps) + 1) * step_h, r))
    df.insert(0, "step", np.tile(np.arange(n_steps), r))
    df.insert(0, "replication", np.repeat(reps, n_steps))
    return df


def trace_frame(trace: np.ndarray, event_names, site_names) -> pd.DataFrame:
    """Readable event trace from ``(n, 5)`` rows (time, event, entity, site, value)."""
    df = pd.DataFrame(trace, columns=list(TRACE_COLUMNS))
    df["event"] = [event_names[int(c)] for c in df["event"]]
    df["entity"] = df["entity"].astype(int)
    df["site"] = [site_names[int(s)] if s >= 0 else "" for s in df["site"]]
    return df
