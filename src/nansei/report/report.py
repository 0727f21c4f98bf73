"""Self-contained HTML report of a run directory.

``build_report(run_dir)`` writes ``report.html`` (images as base64, Leaflet
inlined, no external request), plus ``map.html``, ``map.png`` and the chart
PNGs beside it for slides. Every mean and confidence interval comes from
:func:`nansei.analysis.summarize`, the function behind ``nansei analyze``.
"""

from __future__ import annotations

import base64
import platform
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import pandas as pd

from nansei.analysis import summarize
from nansei.engine.headlines import HEADLINES
from nansei.report import charts
from nansei.report.html_map import map_data, script_json
from nansei.report.layers import scenario_layers
from nansei.report.replay import build_replay
from nansei.report.rundir import RunDir, load_run
from nansei.report.static_map import DPI, static_map
from nansei.report.templating import environment
from nansei.report.theatre_map import theatre_map
from nansei.report.verification import verification_status
from nansei.scenario.resolve import theatre

#: Charts of the brief, in order (the daily series with their confidence bands, then the
#: actions blocked by law); the report prints them on the first two A4 pages with the map.
BRIEF_CHARTS = ("survival", "salvos", "evacuees", "stocks", "blocked")
_PACKAGES = ("nansei", "numpy", "numba", "pandas", "scipy", "pyarrow", "matplotlib", "jinja2")


def _no_nan(rows: list[dict]) -> list[dict]:
    """NaN (e.g. the mean of a time that never occurs) as None: ``null`` in the HTML."""
    return [
        {k: (None if isinstance(v, float) and v != v else v) for k, v in r.items()} for r in rows
    ]


def key_results(records: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """Means and confidence intervals of every output, exactly as ``summarize`` gives them.

    Adds ``no_launcher_lost`` (1 if a replication lost no launcher), whose mean is the
    probability that no launcher is lost, and each output's ``subsystem``,
    ``description`` and ``unit`` as :mod:`nansei.engine.catalog` reads them from the
    layouts.
    """
    from nansei.engine.catalog import describe

    out = summarize(records, level=level)
    if "launchers_lost" in records:
        flag = pd.DataFrame({"no_launcher_lost": (records["launchers_lost"] == 0).astype(float)})
        out = pd.concat([summarize(flag, level=level), out], ignore_index=True)
    infos = [describe(name) for name in out["output"]]
    out["subsystem"] = [i.subsystem for i in infos]
    out["description"] = [i.description for i in infos]
    out["unit"] = [i.unit for i in infos]
    return out.reset_index(drop=True)


def grouped_results(rows: list[dict]) -> list[dict]:
    """Key-result rows by subsystem, in :data:`nansei.engine.catalog.SUBSYSTEMS` order:
    ``[{"key", "title", "rows"}]``."""
    from nansei.engine.catalog import SUBSYSTEMS

    return [
        {"key": key, "title": title, "rows": [r for r in rows if r["subsystem"] == key]}
        for key, title in SUBSYSTEMS
        if any(r["subsystem"] == key for r in rows)
    ]


def _with_bands(rows: list[dict], bands: pd.DataFrame | None) -> list[dict]:
    """Key-result rows with the 5-95 % band over parameter uncertainty, where the run has
    one (``band_low``, ``band_high``; None otherwise)."""
    by = {} if bands is None else bands.set_index("output")
    for r in rows:
        hit = r["output"] in getattr(by, "index", ())
        r["band_low"] = float(by.loc[r["output"], "low"]) if hit else None
        r["band_high"] = float(by.loc[r["output"], "high"]) if hit else None
    return rows


def _drivers(ranking: pd.DataFrame | None, outputs: list[str], top: int = 3) -> list[dict]:
    """The uncertain parameters that drive each output (PRCC interval excluding 0), in the
    order of ``outputs``; at most ``top`` per output."""
    if ranking is None:
        return []
    rows = []
    for out in outputs:
        sub = ranking[(ranking["output"] == out) & ranking["prcc"].notna()]
        sub = sub[(sub["ci_low"] > 0) | (sub["ci_high"] < 0)].sort_values("rank").head(top)
        for _, r in sub.iterrows():
            rows.append(
                {"output": out, "parameter": r["parameter"], "prcc": float(r["prcc"]),
                 "ci_low": float(r["ci_low"]), "ci_high": float(r["ci_high"])}
            )  # fmt: skip
    return rows


def _png_uri(data: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(data).decode()


def _versions(meta: dict) -> dict:
    rows = {"python (report)": platform.python_version()}
    for pkg in _PACKAGES:
        try:
            rows[f"{pkg} (report)"] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            continue
    rows.update({k: str(v) for k, v in meta.items() if k.endswith("_version")})
    return rows


def _sources(sc) -> list[dict]:
    from nansei.scenario.resolve import gazetteer

    out = [
        {"what": f"munition {m.id}", "source": m.source, "confidence": m.confidence}
        for m in sc.blue.munitions
    ]
    for sid, s in gazetteer(sc).sources.items():
        out.append(
            {
                "what": f"gazetteer [{sid}]",
                "source": f"{s.title} {s.url or ''}".strip(),
                "confidence": "",
            }
        )
    return out


def _scenario_rows(sc) -> list[tuple[str, str]]:
    from nansei.scenario import summarize as scenario_summary

    rows = []
    for key, value in scenario_summary(sc).items():
        if key == "assumptions":
            continue
        if isinstance(value, list | tuple):
            value = ", ".join(str(v) for v in value)
        elif isinstance(value, dict):
            value = "; ".join(f"{k}: {v}" for k, v in value.items())
        rows.append((str(key), str(value)))
    return rows


def _replay(run: RunDir, compiled):
    if run.trace is None:
        return None
    s0 = None if run.series is None else run.series[run.series["replication"] == 0]
    return build_replay(run.trace, compiled, float(run.scenario.run.horizon_h), s0)


def _reproduce(run: RunDir) -> str:
    m = run.meta
    return (
        f"nansei run {run.path / 'scenario.yaml'} --reps {m.get('replications')} "
        f"--seed {m.get('seed')} --series --trace --out {run.path}"
    )


def build_report(
    run_dir: str | Path,
    out: str | Path | None = None,
    verify_scale: float = 0.02,
    findings: list[str] | None = None,
) -> Path:
    """Write the HTML report of a run directory.

    The report opens with a brief that prints on at most two A4 pages: the findings, the
    headline charts with their confidence bands and the map with its legend. An appendix
    follows: every output grouped by subsystem (collapsed on screen, printed in full), the
    assumptions and sources, the verification and validation status, versions and seeds.

    Parameters
    ----------
    run_dir : str or Path
        Directory written by ``nansei run --out`` or ``nansei demo``.
    out : str or Path, optional
        Report file; default ``run_dir/report.html``. ``map.html``,
        ``map.png`` and ``chart-*.png`` are written beside it.
    verify_scale : float
        If the run has no ``verification.json``, run the check suite at this
        replication scale and label it a quick check; 0 skips it ("not run").
    findings : list of str, optional
        Sentences that answer the run's question, computed from its numbers
        (``nansei.analysis.findings``); rendered first, as the "Findings" section, in
        the given order. None leaves the section out.

    Returns
    -------
    Path
        The report file.
    """
    run = load_run(run_dir)
    out = Path(out) if out is not None else run.path / "report.html"
    out.parent.mkdir(parents=True, exist_ok=True)
    compiled = run.compiled()
    replay = _replay(run, compiled)
    used = (
        None if run.trace is None else list(run.trace.loc[run.trace["event"] == "arrive", "site"])
    )
    layers = scenario_layers(run.scenario, compiled, used)
    title = f"{run.scenario.name}: {run.scenario.title}"
    strikes = None if replay is None else replay.strikes
    map_title = f"{run.scenario.name}, replication 0 (strikes and used sites)"
    abstract = theatre(run.scenario) is not None
    if abstract:  # its own plane: no coastlines, islands or evacuation plan
        fig = theatre_map(run.scenario, compiled, strikes, map_title)
    else:
        fig = static_map(layers, strikes, map_title)
    map_png = charts.png_bytes(fig, dpi=DPI)
    (out.parent / "map.png").write_bytes(map_png)
    chart_pngs = {
        k: charts.png_bytes(f) for k, f in charts.run_charts(run.records, run.series).items()
    }
    for name, data in chart_pngs.items():
        (out.parent / f"chart-{name}.png").write_bytes(data)

    from nansei.report.html_map import render_map

    if not abstract:
        (out.parent / "map.html").write_text(render_map(layers, replay, title), encoding="utf-8")
    sc = run.scenario
    results = _with_bands(_no_nan(key_results(run.records).to_dict(orient="records")), run.bands)
    brief = [k for k in BRIEF_CHARTS if k in chart_pngs]
    html = (
        environment()
        .get_template("report.html.j2")
        .render(
            title=title,
            scenario=sc,
            meta=run.meta,
            findings=None if findings is None else [str(f) for f in findings],
            groups=grouped_results(results),
            n_outputs=len(results),
            has_bands=run.bands is not None,
            drivers=_drivers(run.ranking, [name for name, _ in HEADLINES]),
            n_reps=len(run.records),
            scenario_rows=_scenario_rows(sc),
            assumptions=list(sc.assumptions),
            sources=_sources(sc),
            map_png=_png_uri(map_png),
            brief_charts={k: _png_uri(chart_pngs[k]) for k in brief},
            other_charts={k: _png_uri(v) for k, v in chart_pngs.items() if k not in brief},
            abstract_theatre=abstract,
            coast_credit=layers.coast_credit,
            evac_plan=bool(layers.evacuation),
            data_json=None if abstract else script_json(map_data(layers, replay)),
            verification=verification_status(run.verification, verify_scale),
            versions=_versions(run.meta),
            reproduce=_reproduce(run),
            generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            replay_summary=None
            if replay is None
            else {
                "strikes": len(replay.strikes),
                "wasted": int(replay.strikes["wasted"].sum()),
                "destroyed": len(replay.destroyed),
            },
        )
    )
    out.write_text(html, encoding="utf-8")
    return out
