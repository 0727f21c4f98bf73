"""Command-line interface: a thin adapter over the Python API.

Every command turns bad input into a one-screen message and exit code 2; no
traceback reaches the user for a scenario problem.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from nansei.engine.headlines import HEADLINES
from nansei.version import __version__

app = typer.Typer(
    name="nansei",
    help="Nansei Islands contingency simulator and planning workbench (unclassified, notional).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
err_console = Console(stderr=True)


def _version_callback(value: bool) -> None:
    if value:
        console.print(f"nansei {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version_callback, is_eager=True, help="Print version."),
    ] = False,
) -> None:
    """Nansei Islands contingency simulator (unclassified, notional)."""
    global console, err_console
    # measure the terminal (COLUMNS) at each command, not once at import: a process that
    # runs several commands (tests, notebooks) may change its width between them
    console, err_console = Console(), Console(stderr=True)
    _quick_exit()


_EXIT_HOOKED = False


def _quick_exit() -> None:
    """Make interpreter teardown cheap for a command-line process (once per process).

    With Numba's registries loaded the process holds ~160,000 tracked objects, and the
    cyclic collections of interpreter teardown spent ~0.3-0.4 s traversing them. Freezing
    them at exit (``gc.freeze``, an ``atexit`` hook) skips that; memory goes back to the OS
    anyway. Output files are closed by then; ``atexit`` hooks registered later still run.
    """
    global _EXIT_HOOKED
    if not _EXIT_HOOKED:
        import atexit
        import gc

        def freeze() -> None:
            # DuckDB's nanobind module reports its still-alive objects as leaks when a
            # frozen heap keeps them from being freed: let commands using it tear down.
            if "duckdb" not in sys.modules:
                gc.freeze()

        atexit.register(freeze)
        _EXIT_HOOKED = True


def _load(source: str, overrides: list[str] | None = None, fix_uncertain: bool = False):
    """Load a scenario (with ``--set`` overrides) or exit with the validation message
    (exit code 2). With ``fix_uncertain`` (run, validate), an override of an uncertain
    parameter's path or of a field above it drops that parameter from the block."""
    from nansei.scenario import ScenarioError, load_scenario

    try:
        sc = load_scenario(source, overrides=overrides or None)
    except ScenarioError as exc:
        err_console.print(f"[bold red]Invalid scenario[/] {source}")
        err_console.print(str(exc), markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(code=2) from None
    if fix_uncertain and overrides and sc.uncertain is not None:
        from nansei.scenario.overrides import normalize_overrides
        from nansei.scenario.uncertain import drop_overridden

        sc, dropped = drop_overridden(sc, list(normalize_overrides(overrides)))
        if dropped:
            err_console.print(
                "--set fixes what uncertain: varied; not uncertain in this run: "
                + ", ".join(dropped),
                style="dim",
                highlight=False,
                soft_wrap=True,
            )
    return sc


#: The ``--set PATH=VALUE`` option of run, validate and show.
SetOption = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        metavar="PATH=VALUE",
        help="Override a field, e.g. --set red.kill_chain.delay_h.median=4 "
        "--set blue.launchers[0].count=6 (repeatable; the value is read as YAML).",
    ),
]


def _overrides(sets: list[str] | None) -> dict:
    """The ``--set`` options as ``{path: value}`` (exit 2 with the reason if malformed)."""
    from nansei.scenario import ScenarioError
    from nansei.scenario.overrides import normalize_overrides

    try:
        return normalize_overrides(sets or [])
    except ScenarioError as exc:
        err_console.print(str(exc), markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(code=2) from None


@app.command()
def scenarios() -> None:
    """List the built-in scenarios."""
    from nansei.scenario import builtin_names, load_scenario

    table = Table(title="Built-in scenarios")
    table.add_column("name", style="bold")
    table.add_column("title")
    table.add_column("horizon (h)", justify="right")
    for name in builtin_names():
        sc = load_scenario(name)
        table.add_row(name, sc.title, f"{sc.run.horizon_h:g}")
    console.print(table)


@app.command()
def validate(
    scenario: Annotated[str, typer.Argument(help="A YAML file or a built-in scenario name.")],
    sets: SetOption = None,
) -> None:
    """Validate a scenario file; print the problems with field paths and lines."""
    sc = _load(scenario, sets, fix_uncertain=True)
    _check_uncertain(scenario, sc)
    with_sets = f" with {len(sets)} override(s)" if sets else ""
    console.print(f"[green]OK[/] {scenario}{with_sets}: scenario '{sc.name}' is valid.")


@app.command()
def show(
    scenario: Annotated[str, typer.Argument(help="A YAML file or a built-in scenario name.")],
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
    as_yaml: Annotated[
        bool,
        typer.Option(
            "--yaml", help="Print the scenario as YAML, to save, edit and run (nansei run FILE)."
        ),
    ] = False,
    sets: SetOption = None,
) -> None:
    """Summarise a scenario: geography, forces, Red, legal set, civil, assumptions."""
    from nansei.scenario import summarize

    sc = _load(scenario, sets)
    if as_yaml:
        typer.echo(_scenario_yaml(scenario, sc, sets), nl=False)
        return
    summary = summarize(sc)
    if as_json:
        typer.echo(json.dumps(summary, indent=2, default=str))
        return
    _print_summary(summary)


def _scenario_yaml(source: str, sc, sets: list[str] | None) -> str:
    """The YAML of a scenario: a built-in's or a file's own text (comments and sources
    kept), or, with overrides or YAML text, the validated scenario without its defaults."""
    from nansei.scenario import builtin_names, builtin_path, scenario_to_yaml

    if not sets:
        if source in builtin_names():
            return builtin_path(source).read_text(encoding="utf-8")
        path = Path(source)
        if "\n" not in source and path.is_file():
            return path.read_text(encoding="utf-8-sig")
    head = f"# {source}" if "\n" not in source else "# scenario"
    if sets:
        head += " with --set " + " --set ".join(sets)
    head += "\n# (written by nansei show --yaml; fields at their defaults are left out)\n"
    return head + scenario_to_yaml(sc, full=False)


def _print_summary(summary: dict) -> None:
    assumptions = summary.get("assumptions", [])
    table = Table(title=f"Scenario {summary.get('name', '')}", show_header=False)
    table.add_column("item", style="bold")
    table.add_column("value")
    for key, value in summary.items():
        if key == "assumptions":
            continue
        if isinstance(value, (list, tuple)):
            value = ", ".join(str(v) for v in value)
        elif isinstance(value, dict):
            value = "; ".join(f"{k}: {v}" for k, v in value.items())
        table.add_row(str(key), str(value))
    console.print(table)
    if assumptions:
        at = Table(title="Labelled assumptions (confidence: A official, B press, C estimate)")
        at.add_column("id", style="bold", overflow="fold")
        at.add_column("assumption", ratio=1)
        if console.width >= 120:
            at.add_column("source", ratio=1)
        at.add_column("conf.", justify="center", no_wrap=True)
        for a in assumptions:
            cells = [str(a["id"]), " ".join(str(a["text"]).split())]
            if console.width >= 120:
                cells.append(" ".join(str(a["source"]).split()))
            at.add_row(*cells, str(a["confidence"]))
        console.print(at)


@app.command()
def gazetteer(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
    file: Annotated[
        Path | None,
        typer.Option("--file", help="A gazetteer file to check and print (default: built-in)."),
    ] = None,
    scenario: Annotated[
        str | None,
        typer.Option("--scenario", help="Print the gazetteer this scenario plays on."),
    ] = None,
) -> None:
    """Print a sourced gazetteer of islands (C-grade figures are assumptions).

    Without options, the built-in Nansei gazetteer; with --file, a user's gazetteer file
    (validated like the built-in one: every problem with its line, value and what is
    allowed; exit code 2); with --scenario, the gazetteer that scenario plays on.
    """
    from nansei.geo.gazetteer import GazetteerError
    from nansei.geo.geodata import load_geodata
    from nansei.scenario.resolve import gazetteer_file

    if file is not None and scenario is not None:
        err_console.print("give --file or --scenario, not both")
        raise typer.Exit(code=2)
    path = str(file) if file is not None else None
    if scenario is not None:
        path = gazetteer_file(_load(scenario))
    try:
        geo = load_geodata(path)
    except GazetteerError as exc:
        err_console.print(f"[bold red]Invalid gazetteer[/] {exc.source}")
        err_console.print(str(exc), markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(code=2) from None
    gaz = geo.gazetteer
    if as_json:
        typer.echo(json.dumps(gaz.to_dict(), indent=2, default=str))
        return
    name = "Nansei islands" if geo.builtin else f"Islands of {geo.path}"
    table = Table(title=f"{name} (confidence: A official, B press, C assumption)")
    for col in ("id", "name", "lat", "lon", "area km²", "population", "airports", "ports"):
        table.add_column(col)
    for isl in gaz.islands:
        airports = [a.icao for a in gaz.airports if a.island == isl.id]
        ports = [p.name for p in gaz.ports if p.island == isl.id]
        table.add_row(
            isl.id,
            isl.name,
            f"{isl.lat:.3f}",
            f"{isl.lon:.3f}",
            f"{isl.area_km2.value:,.1f} ({isl.area_km2.confidence})",
            f"{isl.population.value:,} ({isl.population.confidence})",
            ", ".join(airports),
            ", ".join(ports),
        )
    console.print(table)
    if not geo.builtin:
        outline = "simple outline (a disc per island)" if geo.outline == "simple" else "file"
        console.print(
            f"coastlines: {outline}; candidate sites: {len(geo.sites)}; sea zones: "
            f"{len(gaz.sea_zones)}; evacuation plan: "
            f"{'yes' if gaz.evacuation_plan is not None else 'none'}",
            highlight=False,
        )


@app.command()
def schema(
    out: Annotated[
        Path | None, typer.Option("--out", help="Write to this file instead of stdout.")
    ] = None,
) -> None:
    """Export the scenario JSON Schema (for editor validation of scenario files)."""
    from nansei.scenario import json_schema

    text = json.dumps(json_schema(), indent=2)
    if out is None:
        typer.echo(text)
    else:
        out.write_text(text + "\n", encoding="utf-8")
        console.print(f"Wrote {out}")


def _progress_bar():
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("reps"),
        TimeElapsedColumn(),
        TextColumn("eta"),
        TimeRemainingColumn(),
        console=err_console,
        transient=False,
    )


def _check_environment(
    *, out: Path | None = None, seed: int | None = None, csv: Path | None = None
) -> None:
    """Check output paths and the seed before any simulation starts (one-line errors naming
    the option, exit code 2)."""
    from nansei.envcheck import EnvError, check_output_dir, check_output_file, check_seed

    try:
        check_seed(seed, "--seed")
        if out is not None:
            check_output_dir(out, "--out")
        if csv is not None:
            check_output_file(csv, "--csv")
    except EnvError as exc:
        err_console.print(str(exc), markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(code=2) from None


def _write_or_fail(option: str, target: Path, write):
    """Run ``write()``; an OS error (full disk, permissions) becomes one line naming the
    option (exit code 1). The writers leave no temporary file behind."""
    try:
        return write()
    except OSError as exc:
        err_console.print(
            f"{option}: cannot write {target}: {exc.strerror or exc}",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
        raise typer.Exit(code=1) from None


def _run(
    scenario: str,
    reps: int | None,
    seed: int | None,
    workers: int,
    out: Path | None,
    as_json: bool,
    series: bool,
    trace: bool,
    sets: list[str] | None = None,
    show_all: bool = False,
    uncertainty: bool = True,
):
    _check_environment(out=out, seed=seed)
    if workers > 1:
        # Fork the workers now, while this process runs one thread (the progress bar starts
        # one) and before pandas: they do Numba's start-up while this process imports
        # pandas and loads and compiles the scenario (see nansei.workerpool).
        from nansei import workerpool

        workerpool.prestart(workers)
    try:
        sc = _load(scenario, sets, fix_uncertain=True)
        if uncertainty:
            _check_uncertain(scenario, sc, hint=True)
        res = _simulate(sc, reps, seed, workers, series, trace)
        if sets:  # recorded with the run (the run id already differs: the scenario changed)
            res.meta["overrides"] = _overrides(sets)
        unc = None
        if uncertainty and sc.uncertain is not None:  # on the same (warm) workers
            unc = _uncertainty(sc, seed, workers)
            res.meta["uncertainty"] = unc.meta
    finally:
        if workers > 1:
            workerpool.discard()  # ends the shared pool (or one left unused by an error)
    summary = res.summary()
    if out is not None:
        from nansei.io.runs import write_run, write_uncertainty

        def write() -> Path:
            written = write_run(res, sc, out, summary=summary)
            if unc is not None:
                write_uncertainty(unc, written)
            return written

        path = _write_or_fail("--out", out, write)
    else:
        path = None
    if as_json:
        payload = {
            "meta": res.meta,
            "findings": _findings(summary, sc),
            "summary": summary.reset_index().to_dict(orient="records"),
        }
        if unc is not None:
            payload["uncertainty"] = {
                "bands": unc.bands.reset_index().to_dict(orient="records"),
                "ranking": unc.ranking.to_dict(orient="records"),
            }
        if path is not None:
            payload["out"] = str(path)
        typer.echo(json.dumps(payload, indent=2, default=_json_default))
        return res, path
    _print_results(res, summary, sc, show_all, path, unc)
    return res, path


def _check_uncertain(source: str, sc, hint: bool = False) -> None:
    """Check the ``uncertain:`` block against the scenario before anything is simulated
    (exit 2 with every problem)."""
    from nansei.scenario import ScenarioError
    from nansei.scenario.uncertain import validate_uncertain

    try:
        validate_uncertain(sc, source)
    except ScenarioError as exc:
        err_console.print(f"[bold red]Invalid scenario[/] {source}")
        err_console.print(str(exc), markup=False, highlight=False, soft_wrap=True)
        if hint:
            err_console.print(
                "fix the uncertain: block (a --set may have replaced a field it varies), "
                "or run with --no-uncertainty",
                highlight=False,
            )
        raise typer.Exit(code=2) from None


def _uncertainty(sc, seed, workers):
    """The outer Latin hypercube of the scenario's ``uncertain:`` block, with a progress
    bar (exit 2 with the reason if a point's combination of values is invalid)."""
    from nansei.analysis.uncertainty import uncertainty_bands
    from nansei.scenario import ScenarioError

    unc = sc.uncertain
    with _progress_bar() as bar:
        task = bar.add_task(
            f"uncertainty: {unc.points} points x {unc.replications} reps",
            total=unc.points * unc.replications,
        )

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        try:
            return uncertainty_bands(sc, seed=seed, workers=workers, progress=progress)
        except ScenarioError as exc:
            err_console.print(str(exc), markup=False, highlight=False, soft_wrap=True)
            raise typer.Exit(code=2) from None


def _simulate(sc, reps, seed, workers, series, trace):
    from nansei.engine.simulate import simulate
    from nansei.scenario import ScenarioError

    with _progress_bar() as bar:
        # Until the first batch is back the kernel is loading, or compiling on a first run.
        task = bar.add_task(
            f"starting {sc.name} (a first run compiles the kernel: about a minute)",
            total=reps or sc.run.replications,
        )

        warm = [workers > 1]

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total, description=f"simulating {sc.name}")
            if warm[0]:  # this process waits for its workers: import what comes next
                warm[0] = False
                import threading

                threading.Thread(target=_import_for_results, daemon=True).start()

        try:
            return simulate(sc, reps, seed, workers, series=series, trace=trace, progress=progress)
        except ScenarioError as exc:
            err_console.print(str(exc), markup=False, highlight=False, soft_wrap=True)
            raise typer.Exit(code=2) from None


def _import_for_results() -> None:
    """Import what the summary and the files need (~0.3 s with 2 workers: this process then
    never ran the kernel, whose Numba start-up imports part of SciPy): run in a thread while
    the workers simulate, it leaves the serial end of the run."""
    try:
        import pyarrow.parquet  # noqa: F401
        import scipy.special  # noqa: F401
    except ImportError:
        pass


def _json_default(obj):
    import numpy as np

    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, float) and obj != obj:
        return None
    return str(obj)


_SUPPLY = {"pods_delivered", "fuel_delivered_l"}


def _num(x: float) -> str:
    """A number for a terminal table: thousands separators, about four digits."""
    if x != x:
        return "n/a"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    if x == 0 or abs(x) >= 0.01:
        return f"{x:.4g}"
    return f"{x:.2g}"


def _headline_rows(summary, sc) -> list[tuple[str, str, str, str]]:
    """(output, label, mean, 95% CI) of the headline outputs present in this run."""
    rows = []
    n_total = int(summary.loc["launchers", "n"]) if "launchers" in summary.index else 0
    combat = sc.blue.total_launchers() > 0
    for name, label in HEADLINES:
        if name not in summary.index or (name in _SUPPLY and not sc.sustainment.enabled):
            continue
        if not combat and not name.startswith("evac_"):
            continue  # an evacuation-only scenario
        r = summary.loc[name]
        if name == "launchers_lost" and "launchers" in summary.index:
            label += f" (of {_num(summary.loc['launchers', 'mean'])})"
        elif int(r["n"]) < n_total:  # NaN when it did not happen (no loss, not complete)
            label += f", in {int(r['n']):,} of {n_total:,} reps"
        rows.append((name, label, _num(r["mean"]), _ci(r)))
    return rows


def _flow(value) -> str:
    """A value as it would be typed after ``--set PATH=`` (YAML flow style)."""
    import yaml

    try:
        text = yaml.safe_dump(value, default_flow_style=True, width=10_000).strip()
    except yaml.YAMLError:
        return str(value)
    return text.removesuffix("\n...").strip()


def _ci(row) -> str:
    if row["ci_low"] != row["ci_low"]:
        return ""
    return f"[{_num(row['ci_low'])}, {_num(row['ci_high'])}]"


def _band(unc, name: str) -> str:
    """The band of an output over parameter uncertainty, as ``[low, high]``."""
    if unc is None or name not in unc.bands.index:
        return ""
    b = unc.bands.loc[name]
    if b["low"] != b["low"]:
        return ""
    return f"[{_num(b['low'])}, {_num(b['high'])}]"


def _band_title(unc) -> str:
    lo, hi = unc.meta["band"]
    return f"{100 * lo:g}–{100 * hi:g}% band"


def _print_results(
    res, summary, sc, show_all: bool = False, path: Path | None = None, unc=None
) -> None:
    """Headline outputs (or every output with ``show_all``) fitted to the terminal: labels
    and names wrap or fold, numbers keep their full width, nothing is cut. With
    uncertainty bands (``unc``), a band column and the ranking of the parameters."""
    m = res.meta
    title = (
        f"{m['scenario']}: {m['replications']:,} replications, seed {m['seed']}, "
        f"run {m['run_id']} ({m['reps_per_s']:,.0f} reps/s)"
    )
    load_s = m["kernel_load_s"]  # None with workers: each loads it inside the timed loop
    if load_s is not None and load_s >= 5.0:  # a first run on this machine, or an engine edit
        title += (
            f"; the kernel compiled first in {load_s:.0f} s "
            "(cached: later runs load it in about a second)"
        )
    overrides = m.get("overrides") or {}
    if overrides:
        console.print(
            "overrides: " + ", ".join(f"{k}={_flow(v)}" for k, v in overrides.items()),
            markup=False,
            highlight=False,
        )
    if show_all:
        rows = [
            (str(name), str(name), _num(r["mean"]), _ci(r), str(r["description"]))
            for name, r in summary.iterrows()
            if name not in ("events", "overflow")
        ]
        first, extra = "output", "description"
    else:
        rows = [(*r, r[0]) for r in _headline_rows(summary, sc)]
        first, extra = "headline", "output"
    bands = [_band(unc, r[0]) for r in rows] if unc is not None else []
    mean_w = max([4, *(len(r[2]) for r in rows)])
    ci_w = max([6, *(len(r[3]) for r in rows)])
    band_w = max([len(_band_title(unc)), *(len(b) for b in bands)]) + 3 if unc else 0
    label_w = max(len(r[1]) for r in rows)
    # the last column (the output's name, or its description) only when it fits
    extra_w = max(len(r[4]) for r in rows) if not show_all else 30
    wide = console.width >= min(label_w, 44) + mean_w + ci_w + band_w + extra_w + 13
    # a narrow terminal: the band goes under the CI, in the same column
    stack = unc is not None and console.width < min(label_w, 24) + mean_w + ci_w + band_w + 10
    if unc is not None:
        m = unc.meta
        title += (
            f"; uncertainty: {m['points']} points x {m['replications']:,} reps over "
            f"{len(m['parameters'])} parameters"
        )
    _print_findings(summary, sc, res.meta)
    table = Table(title=title, title_justify="left", show_lines=False)
    table.add_column(first, style="bold", overflow="fold", ratio=None)
    table.add_column("mean", justify="right", no_wrap=True, min_width=mean_w)
    if stack:
        table.add_column(
            f"95% CI\n{_band_title(unc)}",
            justify="right",
            no_wrap=True,
            min_width=max(ci_w, band_w - 3),
        )
    else:
        table.add_column("95% CI", justify="right", no_wrap=True, min_width=ci_w)
        if unc is not None:
            table.add_column(_band_title(unc), justify="right", no_wrap=True, min_width=band_w - 3)
    if wide:
        table.add_column(extra, style="dim", overflow="fold", no_wrap=not show_all)
    for k, (_name, label, mean, ci, more) in enumerate(rows):
        if stack:
            cells = [label, mean, f"{ci}\n{bands[k]}"]
        else:
            cells = [label, mean, ci, *([bands[k]] if unc is not None else [])]
        table.add_row(*cells, *([more] if wide else []))
    console.print(table)
    if unc is not None:
        _print_ranking(unc, [(r[0], r[1]) for r in rows])
    p, se = res.survival_probability()
    console.print(f"P(no launcher lost) = {p:.4f} ± {1.96 * se:.4f} (95%)")
    total = sum(1 for n in summary.index if n not in ("events", "overflow"))
    where = [] if show_all else ["--all prints every output"]
    where.append("--json gives them to programs")
    if path is not None:
        where.append(f"{path / 'summary.csv'} holds the table, records.parquet every replication")
    else:
        where.append("--out DIR writes the table and every replication's record")
    lead = f"{len(rows)} of {total} outputs shown" if not show_all else f"{total} outputs"
    console.print(f"{lead}; " + "; ".join(where) + ".", style="dim", highlight=False)


def _findings(summary, sc) -> list[str]:
    """The run's findings in sentences (:func:`nansei.analysis.findings.run_findings`)."""
    from nansei.analysis.findings import run_findings

    n = int(summary["n"].max()) if len(summary) else 0
    return run_findings(summary, n, float(sc.run.horizon_h))


def _print_findings(summary, sc, meta) -> None:
    """A few findings above the headline table: sentences with 95% CIs."""
    lines = _findings(summary, sc)
    if not lines:
        return
    console.print(f"[bold]Findings[/] ({meta['replications']:,} replications, 95% CIs):")
    for line in lines:
        console.print(f"- {line}", markup=False, highlight=False)


def _print_ranking(unc, rows: list[tuple[str, str]], top: int = 3) -> None:
    """The uncertain parameters that drive each headline output: up to ``top`` whose PRCC
    interval excludes 0 (else the strongest one, dimmed), with PRCC and 95% CI."""
    from rich.markup import escape

    lo, hi = unc.meta["band"]
    console.print(
        f"95% CI: Monte Carlo error of the mean at the scenario's values. "
        f"{_band_title(unc)}: {100 * lo:g}th to {100 * hi:g}th percentile of the mean over "
        "the uncertain parameters (Latin hypercube; the same seeds at every point).",
        style="dim",
        highlight=False,
    )
    table = Table(
        title="What drives each output: partial rank correlation (PRCC) with the uncertain "
        "parameters",
        title_justify="left",
    )
    table.add_column("headline: parameter", overflow="fold")
    table.add_column("PRCC", justify="right", no_wrap=True)
    table.add_column("95% CI", justify="right", no_wrap=True)
    rank = unc.ranking
    for name, label in rows:
        sub = rank[(rank["output"] == name) & (rank["prcc"] == rank["prcc"])]
        if sub.empty:
            continue
        clear = sub[(sub["ci_low"] > 0) | (sub["ci_high"] < 0)].head(top)
        shown, dim = (clear, False) if not clear.empty else (sub.head(1), True)
        table.add_row(f"[bold]{escape(label)}[/]", "", "")
        for r in shown.itertuples(index=False):
            ci = f"[{r.ci_low:+.2f}, {r.ci_high:+.2f}]" if r.ci_low == r.ci_low else ""
            table.add_row(
                "  " + escape(r.parameter), f"{r.prcc:+.2f}", ci, style="dim" if dim else None
            )
    console.print(table)
    console.print(
        f"PRCC +1: the output rises with the parameter, -1: it falls (others held fixed). "
        f"Up to {top} parameters whose interval excludes 0; dim: none does, the strongest "
        "is shown. --out DIR writes every point and the full ranking.",
        style="dim",
        highlight=False,
    )


@app.command()
def run(
    scenario: Annotated[str, typer.Argument(help="A YAML file or a built-in scenario name.")],
    reps: Annotated[int | None, typer.Option("--reps", help="Replications.")] = None,
    seed: Annotated[int | None, typer.Option("--seed", help="Root seed.")] = None,
    workers: Annotated[int, typer.Option("--workers", help="Worker processes.")] = 1,
    out: Annotated[Path | None, typer.Option("--out", help="Write records to this dir.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
    series: Annotated[bool, typer.Option("--series", help="Also keep daily series.")] = False,
    trace: Annotated[bool, typer.Option("--trace", help="Keep replication 0's events.")] = False,
    sets: SetOption = None,
    show_all: Annotated[
        bool, typer.Option("--all", help="Print every output, not only the headlines.")
    ] = False,
    no_uncertainty: Annotated[
        bool,
        typer.Option(
            "--no-uncertainty",
            help="Skip the uncertainty bands of the scenario's uncertain: block.",
        ),
    ] = False,
) -> None:
    """Simulate a scenario and print its headline outcomes with 95% confidence intervals
    (and, with an uncertain: block, the band over parameter uncertainty)."""
    try:
        _run(
            scenario, reps, seed, workers, out, as_json, series, trace, sets, show_all,
            uncertainty=not no_uncertainty,
        )  # fmt: skip
    except KeyboardInterrupt:
        _interrupted(
            "nothing was written (a run keeps no partial results); run the same command "
            "again to start over, or use `nansei sweep` for a run that resumes"
        )


def _interrupted(what: str) -> None:
    """Ctrl-C: one line saying what is kept and how to go on, exit code 130 (no traceback).
    The worker processes were stopped by whoever ran them."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C does not cut the line
    err_console.print(f"[yellow]interrupted:[/] {what}", highlight=False, soft_wrap=True)
    raise typer.Exit(code=130)


@app.command()
def verify(
    check: Annotated[
        list[str] | None, typer.Option("--check", help="Run only these checks.")
    ] = None,
    scale: Annotated[float, typer.Option("--scale", help="Scale replications.")] = 1.0,
    seed: Annotated[int, typer.Option("--seed", help="Root seed.")] = 20211224,
    workers: Annotated[int, typer.Option("--workers", help="Worker processes.")] = 1,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
    validation: Annotated[
        bool | None,
        typer.Option(
            "--validation/--no-validation",
            help="Also compare the built-in Ukraine case with the public record (default: "
            "on unless --check names checks).",
        ),
    ] = None,
) -> None:
    """Run the model's check suite against exact results (pass within 4 SE), then the
    validation against the public record."""
    from nansei.verification.checks import REGISTRY, run_checks

    names = check or None
    if names:
        unknown = [n for n in names if n not in REGISTRY]
        if unknown:
            err_console.print(
                f"Unknown check(s): {', '.join(unknown)}. Allowed: {', '.join(REGISTRY)}"
            )
            raise typer.Exit(code=2)
    with err_console.status("verifying") as status:
        table = run_checks(
            names,
            scale=scale,
            seed=seed,
            workers=workers,
            progress=lambda n: status.update(f"verifying {n}"),
        )
    do_validation = (not names) if validation is None else validation
    vtable = None
    if do_validation:
        from nansei.verification.validation import run_validation

        with err_console.status("validating") as status:
            vtable = run_validation(scale=scale, seed=seed, workers=workers, progress=status.update)
    if as_json:
        if vtable is None:
            typer.echo(table.to_json(orient="records", indent=2))
        else:
            import json

            doc = {
                "checks": json.loads(table.to_json(orient="records")),
                "validation": json.loads(vtable.to_json(orient="records")),
            }
            typer.echo(json.dumps(doc, indent=2))
    else:
        t = Table(title="nansei verify: simulated vs exact")
        t.add_column("check", overflow="fold")
        for col in ("expected", "simulated", "SE", "test", "reps", "result"):
            t.add_column(col, justify="right", no_wrap=col not in ("test", "SE"))
        for _, r in table.iterrows():
            t.add_row(
                r["check"],
                _fmt_value(r["expected"]),
                _fmt_value(r["simulated"]),
                "-" if r["se"] == 0 or r["se"] != r["se"] else f"{r['se']:.3g}",
                _check_test(REGISTRY.get(r["check"]), r),
                f"{int(r['replications']):,}",
                "[green]pass[/]" if r["passed"] else "[red]FAIL[/]",
            )
        console.print(t)
        console.print(
            "test: z = (simulated - expected) / SE passes within ±4; 'exact' is an identity "
            "that must hold with zero error; 'within ±x' is a published figure given as "
            "'about', which passes within that tolerance.",
            style="dim",
            highlight=False,
        )
        if vtable is not None:
            _print_validation(vtable)
    if not table["passed"].all():
        raise typer.Exit(code=1)


def _print_validation(vtable) -> None:
    """The validation rows: reference, source and grade, band, simulated value with its
    95 % interval, pass or FAIL (failures are shown, never hidden)."""
    t = Table(title="validation against the record (ukraine-himars-2022)")
    t.add_column("row", overflow="fold")
    t.add_column("source (grade)", overflow="fold")
    for col in ("band", "simulated [95% CI]", "result"):
        t.add_column(col, justify="right")
    for _, r in vtable.iterrows():
        band = f"{_fmt_value(r['band_low'])} .. {_fmt_value(r['band_high'])}"
        sim = (
            f"{_fmt_value(r['simulated'])} [{_fmt_value(r['ci_low'])}, {_fmt_value(r['ci_high'])}]"
        )
        t.add_row(
            r["row"],
            f"{r['source']} ({r['grade']})",
            band,
            sim,
            "[green]pass[/]" if r["passed"] else "[red]FAIL[/]",
        )
    console.print(t)
    failed = int((~vtable["passed"]).sum())
    console.print(
        f"{failed} of {len(vtable)} validation rows fail. "
        + (
            "The model lacks the mechanisms docs/validation.md names; the exact checks "
            "above decide the exit status."
            if failed
            else "The Ukraine case reproduces the record within its bands."
        ),
        style="dim",
        highlight=False,
    )


def _check_test(check, r) -> str:
    """How a check row passed or failed, in words (``verification.base.result_words``)."""
    from nansei.verification.base import result_words

    return result_words(check, r)


def _fmt_value(x: float) -> str:
    """A check's value (:func:`nansei.verification.base.fmt_value`)."""
    from nansei.verification.base import fmt_value

    return fmt_value(x)


@app.command()
def demo(
    reps: Annotated[int, typer.Option("--reps", help="Replications.")] = 2000,
    out: Annotated[Path, typer.Option("--out", help="Output directory.")] = Path("runs/demo"),
) -> None:
    """Run the main job: kyodo-2021 on local processes, records to runs/demo."""
    _print_summary(_summary("kyodo-2021"))
    _, path = _run("kyodo-2021", reps, None, 1, out, False, True, True)
    console.print(f"[green]Demo done.[/] Report data: [bold]{path}[/]")
    report_path = _write_report(path, None, 0.02)
    console.print(f"Report: [bold]{report_path.resolve()}[/]")


def _write_report(run_dir: Path, out: Path | None, verify_scale: float) -> Path:
    """Build the HTML report of a run directory, or exit 2 with a one-line reason."""
    from nansei.report.report import build_report

    with err_console.status("writing report"):
        try:
            return build_report(run_dir, out, verify_scale=verify_scale)
        except FileNotFoundError as exc:
            err_console.print(str(exc), markup=False, highlight=False)
            raise typer.Exit(code=2) from None


@app.command()
def report(
    run_dir: Annotated[Path, typer.Argument(help="A run directory (nansei run --out DIR).")],
    out: Annotated[
        Path | None, typer.Option("--out", help="Report file (default DIR/report.html).")
    ] = None,
    verify_scale: Annotated[
        float,
        typer.Option(
            "--verify-scale",
            help="Quick-check scale if DIR has no verification.json (0: do not run the checks).",
        ),
    ] = 0.02,
) -> None:
    """Write a self-contained HTML report (map, charts, results with CIs) of a run."""
    path = _write_report(run_dir, out, verify_scale)
    console.print(f"Report: [bold]{path.resolve()}[/]")


def _summary(name: str) -> dict:
    from nansei.scenario import summarize

    return summarize(_load(name))


# ---------------------------------------------------------------------------
# experiments: sweep, status, analyze, compact


def _experiment_fail(exc) -> None:
    err_console.print(str(exc), markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(code=2)


@app.command()
def sweep(
    experiment: Annotated[str, typer.Argument(help="Experiment YAML file or built-in name.")],
    executor: Annotated[
        str, typer.Option("--executor", help="local | dask | dask=ADDRESS | 'shard K/N'.")
    ] = "local",
    workers: Annotated[int, typer.Option("--workers", help="Worker processes.")] = 1,
    out: Annotated[
        Path | None, typer.Option("--out", help="Store directory (default runs/NAME).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable report.")] = False,
) -> None:
    """Run (or resume) an experiment: design points x replications into a crash-safe store."""
    from nansei.experiment import ExperimentError, load_experiment, parse_executor
    from nansei.experiment import sweep as run_sweep

    try:
        exp = load_experiment(experiment)
        spec = parse_executor(executor)
        target = out or Path("runs") / exp.name
        with _progress_bar() as bar:
            task = bar.add_task(f"sweep {exp.name} ({spec.describe()})", total=None)

            def progress(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            report = run_sweep(exp, target, spec, workers, progress)
    except ExperimentError as exc:
        _experiment_fail(exc)
    except KeyboardInterrupt:  # before the store was open or its sweep loop started
        _interrupted("finished batches are kept; run the same command again to resume")
    for line in report.extra.get("quarantined", []):
        err_console.print(
            f"damaged part {line}; moved to quarantine/ and recomputed",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
    if as_json:
        payload = {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(report).items()}
        typer.echo(json.dumps(payload, indent=2, default=_json_default))
    else:
        console.print(
            f"{report.status}: {report.batches_run} batches run, {report.batches_skipped} "
            f"already stored, of {report.batches_total}; {report.replications_run:,} "
            f"replications in {report.wall_s:.1f} s. Store: [bold]{report.out}[/]"
        )
        design = report.extra.get("design")
        if design and design.get("max_abs_correlation") is not None:
            console.print(design["orthogonality"], markup=False, highlight=False)
    if report.status == "interrupted":
        _interrupted(
            f"{report.batches_run + report.batches_skipped} of {report.batches_total} batches "
            "are stored and kept; run the same command again to resume"
        )


# ---------------------------------------------------------------------------
# studies: a question answered end to end


@app.command()
def studies() -> None:
    """List the built-in studies: who asks, and the question each answers."""
    from nansei.study import builtin_studies, load_study

    t = Table(title="built-in studies (nansei study NAME --out DIR)", title_justify="left")
    t.add_column("study", style="bold", no_wrap=True)
    t.add_column("who asks", no_wrap=False)
    t.add_column("question", overflow="fold")
    for name in builtin_studies():
        st = load_study(name)
        t.add_row(name, st.user, " ".join(st.question.split()))
    console.print(t)
    console.print(
        "Your own: a YAML file (docs/studies.md); nansei study my-study.yaml --out DIR.",
        style="dim",
        highlight=False,
    )


@app.command()
def study(
    name: Annotated[str, typer.Argument(help="A built-in study name or a study YAML file.")],
    out: Annotated[
        Path | None, typer.Option("--out", help="Output directory (default runs/NAME).")
    ] = None,
    workers: Annotated[int, typer.Option("--workers", help="Worker processes.")] = 1,
    reps: Annotated[
        int | None,
        typer.Option("--reps", help="Replications per variant and point (default: the study's)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable findings.")] = False,
    check: Annotated[
        bool, typer.Option("--check", help="Validate the study and say its size; run nothing.")
    ] = False,
) -> None:
    """Run a study (resumes if DIR holds it) and write its brief, which opens with the answer."""
    from nansei.scenario import ScenarioError
    from nansei.study import load_study, run_study

    try:
        st = load_study(name)
        if reps is not None:
            st = st.with_replications(reps, "--reps")
        if check:
            _print_study_size(st)
            return
        target = out or Path("runs") / st.name
        _check_environment(out=target)
        n_arms = len(st.arms())
        with _progress_bar() as bar:
            task = bar.add_task(
                f"starting study {st.name} (a first run compiles the kernel: about a minute)",
                total=None,
            )

            def progress(done: int, total: int) -> None:
                what = f"study {st.name}, {n_arms} variant(s)"
                bar.update(task, completed=done, total=total, description=what)

            result = run_study(st, target, workers, progress)
    except ScenarioError as exc:  # the study, or an experiment problem (e.g. --workers)
        _experiment_fail(exc)
    except KeyboardInterrupt:
        _interrupted("finished batches are kept; run the same command again to resume")
    if as_json:
        payload = {
            "study": st.name,
            "question": " ".join(st.question.split()),
            "findings": result.findings,
            "brief": str(target / "brief.md"),
            "meta": result.meta,
        }
        typer.echo(json.dumps(payload, indent=2, default=_json_default))
        return
    console.print(f"[bold]{st.title or st.name}[/]", highlight=False)
    console.print(" ".join(st.question.split()), style="italic", highlight=False)
    for line in result.findings:
        console.print(f"- {line}", markup=False, highlight=False)
    console.print(f"Brief: [bold]{(target / 'brief.md').resolve()}[/]", highlight=False)


def _print_study_size(st) -> None:
    """``--check``: the study is valid; variants, design points and replications."""
    from nansei.experiment.design import make_design
    from nansei.study.spec import experiment_of

    arms = st.arms()
    points = make_design(experiment_of(st, arms[0])).points
    total = len(arms) * points * st.replications
    console.print(
        f"valid study {st.name}: {len(arms)} variant(s) x {points} design point(s) x "
        f"{st.replications:,} replications = {total:,} replications; answer: {st.answer.kind}",
        highlight=False,
    )


def _open_store(directory: Path):
    from nansei.store import ResultStore, StoreError

    try:
        return ResultStore.open(directory)
    except StoreError as exc:
        err_console.print(str(exc), markup=False, highlight=False)
        raise typer.Exit(code=2) from None


@app.command()
def status(
    directory: Annotated[Path, typer.Argument(help="Store directory written by sweep.")],
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
    content_hash: Annotated[
        bool, typer.Option("--hash", help="Also print the records' content hash.")
    ] = False,
) -> None:
    """Progress of a sweep: batches and replications stored, runs with start and end times."""
    from nansei.experiment.runner import store_status

    store = _open_store(directory)
    info = store_status(store, content_hash)
    if as_json:
        typer.echo(json.dumps(info, indent=2, default=_json_default))
        if content_hash and info["content_hash"] is None:
            raise typer.Exit(code=2)
        return
    console.print(
        f"[bold]{info['experiment']}[/] ({info['design_kind']}, {info['design_points']} points "
        f"x {info['replications']} reps): {info['batches_done']}/{info['batches_total']} "
        f"batches, {info['replications_done']:,}/{info['replications_total']:,} replications"
        f" ({'complete' if info['complete'] else 'incomplete'})"
    )
    t = Table(title="runs")
    for col in ("run", "started", "ended", "status", "executor", "workers", "batches"):
        t.add_column(col)
    for r in info["runs"]:
        t.add_row(
            str(r["run_no"]),
            r["started"],
            r["ended"] or "",
            r["status"],
            r["executor"],
            str(r["workers"]),
            f"{r['batches_done']}/{r['batches_planned']}",
        )
    console.print(t)
    for d in info["damaged_parts"]:
        err_console.print(
            f"damaged part {d['part']}: {d['error']}; resume the sweep to quarantine and "
            "recompute it",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
    if content_hash:
        if info["content_hash"] is None:
            err_console.print(
                f"no records hash: {len(info['damaged_parts'])} damaged part(s) in {directory}",
                markup=False,
                highlight=False,
                soft_wrap=True,
            )
            raise typer.Exit(code=2)
        console.print(f"records sha256: {info['content_hash']}")


@app.command()
def analyze(
    directory: Annotated[Path, typer.Argument(help="A sweep store or a `run --out` directory.")],
    output: Annotated[
        list[str] | None, typer.Option("--output", "-o", help="Outputs (default: all).")
    ] = None,
    half_width: Annotated[
        float | None,
        typer.Option("--half-width", help="Replications needed for this CI half-width."),
    ] = None,
    compare: Annotated[
        str | None, typer.Option("--compare", help="Paired comparison: FACTOR or FACTOR=A,B.")
    ] = None,
    ranking: Annotated[
        str,
        typer.Option(
            "--ranking",
            help="Sensitivity ranking of an lhs, sobol or nolh design: prcc (partial rank "
            "correlation) or regression (least-squares effects over each factor's range).",
        ),
    ] = "prcc",
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
    csv: Annotated[Path | None, typer.Option("--csv", help="Also write the table here.")] = None,
) -> None:
    """Means with 95% CIs per design point; replications needed; paired comparisons; a
    sensitivity ranking (space-filling designs) or SALib indices (saltelli, morris)."""
    from nansei.experiment.analyze import AnalyzeError, analyze_directory

    _check_environment(csv=csv)
    try:
        result = analyze_directory(directory, output, half_width, compare, ranking)
    except AnalyzeError as exc:
        err_console.print(str(exc), markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(code=2) from None
    if csv is not None:
        _write_or_fail("--csv", csv, lambda: _atomic_csv(result["summary"], csv))
    if as_json:
        payload = {k: v.to_dict(orient="records") for k, v in result.items()}
        typer.echo(json.dumps(payload, indent=2, default=_json_default))
        return
    for name, df in result.items():
        t = Table(title=name)
        for col in df.columns:
            num = df[col].dtype.kind in "fiu"
            t.add_column(str(col), justify="right" if num else "left", overflow="fold")
        digits = ".3g" if name == "ranking" else ".5g"
        for row in df.itertuples(index=False):
            t.add_row(*[format(v, digits) if isinstance(v, float) else str(v) for v in row])
        console.print(t)
        if name == "ranking":
            console.print(_RANKING_NOTE.get(str(df.columns[3]), ""), style="dim")


#: What a ranking table's estimate means, by its column name.
_RANKING_NOTE = {
    "prcc": "prcc: partial rank correlation of the factor with the per-point mean (+1 rises, "
    "-1 falls, the other factors held fixed), 95% Fisher-z interval; rank 1 is the largest "
    "|prcc|. --ranking regression gives effects in the output's unit.",
    "effect": "effect: least-squares change of the per-point mean from the factor's lowest to "
    "its highest value (output's unit), 95% t interval; src: standardised coefficient (the "
    "rank key); r2: share of the variation between points the linear model explains.",
}


def _atomic_csv(df, path: Path) -> None:
    """Write ``df`` as CSV via a temporary file and a rename (removed if writing fails)."""
    import os

    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        df.to_csv(tmp, index=False)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


@app.command()
def compact(
    directory: Annotated[Path, typer.Argument(help="Store directory written by sweep.")],
) -> None:
    """Merge the batch parts of every complete design point into one Parquet file."""
    from nansei.experiment.runner import compact_store
    from nansei.store import StoreError

    store = _open_store(directory)
    try:
        n, files = compact_store(store)
    except StoreError as exc:
        err_console.print(str(exc), markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(code=2) from None
    console.print(f"compacted {n} design points; {files} part files now")


@app.command()
def serve(
    store: Annotated[
        Path, typer.Option("--store", help="Workspace directory for scenarios and runs.")
    ] = Path("nansei-web"),
    host: Annotated[str, typer.Option(help="Bind address; non-loopback needs a token.")] = (
        "127.0.0.1"
    ),
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    token: Annotated[
        str | None, typer.Option(help="Token required on every request (generated if needed).")
    ] = None,
    max_running: Annotated[
        int, typer.Option("--max-running", min=1, max=16, help="Runs at once; more queue.")
    ] = 1,
) -> None:
    """Open the local web workbench (scenarios, runs, results, compare, verify)."""
    try:
        from nansei.web import serve as run_server
    except ImportError as exc:  # pragma: no cover - web extras missing
        console.print(f"[red]the web workbench needs: pip install 'nansei[web]' ({exc})[/]")
        raise typer.Exit(code=2) from None
    from nansei.envcheck import check_output_dir, check_port
    from nansei.web.server import resolve_token

    try:
        resolve_token(host, token)
        check_output_dir(store, "--store")
        check_port(host, port, "--port")
    except ValueError as exc:  # EnvError is a ValueError too
        err_console.print(str(exc), markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(code=2) from None
    run_server(store, host=host, port=port, token=token, max_running=max_running)


if __name__ == "__main__":  # pragma: no cover
    app()
