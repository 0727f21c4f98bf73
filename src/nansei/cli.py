"""Command-line interface: a thin adapter over the Python API.

Every command turns bad input into a one-screen message and exit code 2; no
traceback reaches the user for a scenario problem.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from nansei import __version__

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


def _load(source: str):
    """Load a scenario or exit with the validation message (exit code 2)."""
    from nansei.scenario import ScenarioError, load_scenario

    try:
        return load_scenario(source)
    except ScenarioError as exc:
        err_console.print(f"[bold red]Invalid scenario[/] {source}")
        err_console.print(str(exc), markup=False, highlight=False)
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
) -> None:
    """Validate a scenario file; print the problems with field paths and lines."""
    sc = _load(scenario)
    console.print(f"[green]OK[/] {scenario}: scenario '{sc.name}' is valid.")


@app.command()
def show(
    scenario: Annotated[str, typer.Argument(help="A YAML file or a built-in scenario name.")],
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Summarise a scenario: geography, forces, Red, legal set, civil, assumptions."""
    from nansei.scenario import summarize

    summary = summarize(_load(scenario))
    if as_json:
        typer.echo(json.dumps(summary, indent=2, default=str))
        return
    _print_summary(summary)


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
        at = Table(title="Labelled assumptions")
        at.add_column("id", style="bold")
        at.add_column("assumption")
        at.add_column("conf.")
        for a in assumptions:
            if isinstance(a, dict):
                at.add_row(str(a.get("id", "")), str(a.get("text", "")), str(a.get("confidence", "")))
            else:
                at.add_row("", str(a), "")
        console.print(at)


@app.command()
def gazetteer(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Print the sourced gazetteer of islands (C-grade figures are assumptions)."""
    from nansei.geo.gazetteer import load_gazetteer

    gaz = load_gazetteer()
    if as_json:
        typer.echo(json.dumps(gaz.to_dict(), indent=2, default=str))
        return
    table = Table(title="Nansei islands (confidence: A official, B press, C assumption)")
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


@app.command()
def demo() -> None:
    """Run the main job on the embedded default scenario (kyodo-2021)."""
    sc = _load("kyodo-2021")
    from nansei.scenario import summarize

    _print_summary(summarize(sc))
    console.print("[green]kyodo-2021 validated.[/]")


if __name__ == "__main__":  # pragma: no cover
    app()
