"""The web workbench: FastAPI routes, Jinja pages and HTMX fragments.

``create_app(Settings(...))`` builds the application; ``nansei serve`` runs it
with uvicorn. Pages: scenarios (browse, fork, upload, edit with located
errors, download), runs (launch, progress, cancel, resume), results (summary
with confidence intervals from :func:`nansei.analysis.summarize`, plotly
histograms, the offline Leaflet map with replay, CSV/Parquet downloads),
compare (two runs side by side with paired differences) and verify (the check
table of :mod:`nansei.verification.checks` at a small, labelled scale).
"""

from __future__ import annotations

import io
import json
import logging
import math
import re
import threading
import time
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from fastapi import FastAPI, File, Form, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from nansei.store import DamagedPartError, StoreError

from .child import run_child
from .form import FORM_PREFIX, ORIG_PREFIX, changed_overrides, form_fields
from .jobs import ACTIVE, TERMINAL, RunManager
from .security import CSRF_FIELD, RequestGuard, csrf_secret, csrf_token, is_loopback
from .workspace import PathRefused, Workspace

__all__ = ["Settings", "create_app"]

log = logging.getLogger("nansei.web")
STATIC = Path(__file__).with_name("static")
#: Outputs drawn as histograms when present and not constant.
CHART_OUTPUTS = (
    "launchers_lost",
    "salvos_fired",
    "time_first_loss_h",
    "red_missiles_wasted",
    "launcher_hours_available",
    "exposure_person_h",
)
VERIFY_SCALE = 0.02
#: Replications re-run (with the run's seed) for the time-series charts of a run.
SERIES_REPS = 200
#: Series drawn over time: (column or prefix, title, unit).
SERIES_CHARTS = (
    ("launchers_alive", "Launchers alive", "launchers"),
    ("salvos", "Salvos fired per step", "salvos"),
    ("red_missiles", "Red missiles spent per step", "missiles"),
    ("remaining.", "Residents remaining, per island", "people"),
)


@dataclass
class Settings:
    """Server settings.

    Attributes
    ----------
    workspace : Path
        The store directory of scenarios and runs.
    host : str
        Bind address (used for the Host-header check on loopback).
    token : str or None
        Required token; ``nansei serve`` makes one for any non-loopback bind.
    max_upload_bytes : int
        Largest request body (uploads included).
    max_scenario_chars : int
        Largest scenario text.
    max_running : int
        Runs executing at once; the rest wait in a queue.
    max_queued : int
        Largest number of runs waiting or running; more get 429.
    max_replications : int
        Largest replications per design point of a web run.
    batch_size : int
        Replications per stored batch (10-100).
    """

    workspace: Path
    host: str = "127.0.0.1"
    token: str | None = None
    max_upload_bytes: int = 1_000_000
    max_scenario_chars: int = 200_000
    max_running: int = 1
    max_queued: int = 20
    max_replications: int = 100_000
    batch_size: int = 20


class UserError(Exception):
    """A problem to show on an error page (never with a traceback)."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def _env() -> Environment:
    env = Environment(
        loader=PackageLoader("nansei.web", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )

    def fmt(x: Any, digits: int = 4) -> str:
        if x is None:
            return ""
        if isinstance(x, float):
            if math.isnan(x):
                return "–"
            if math.isinf(x):
                return "∞" if x > 0 else "-∞"
            return f"{x:.{digits}g}"
        return str(x)

    env.filters["fmt"] = fmt
    # every POST form carries the session's CSRF token; HTMX sends it as a header
    env.globals["csrf_token"] = csrf_token
    env.globals["csrf_field"] = lambda: Markup(
        f'<input type="hidden" name="{CSRF_FIELD}" value="{csrf_token()}">'
    )
    env.filters["when"] = lambda t: (
        "" if not t else time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(float(t)))
    )
    return env


# ---------------------------------------------------------------------------
# helpers


def _problems(
    text: str, limit: int, gazetteers: Path | None = None
) -> tuple[Any, list[dict[str, Any]]]:
    """Validate scenario text; return ``(scenario or None, problems as dicts)``.

    ``gazetteers`` is the workspace folder that holds users' gazetteer files: a relative
    ``geography.theatre.file`` resolves there, and a file elsewhere is refused.
    """
    from nansei.scenario import ScenarioError
    from nansei.scenario.loader import parse_scenario_text

    if len(text) > limit:
        return None, [
            {
                "path": "<document>",
                "line": None,
                "value": f"{len(text)} characters",
                "message": f"scenario too large; the limit is {limit} characters",
                "allowed": None,
            }
        ]
    if not text.strip():
        return None, [
            {
                "path": "<document>",
                "line": None,
                "value": None,
                "message": "the scenario is empty",
                "allowed": None,
            }
        ]
    try:
        return parse_scenario_text(text, "<editor>", gazetteers, gazetteers), []
    except ScenarioError as exc:
        return None, [_problem_dict(p) for p in exc.problems]


def _problem_dict(p) -> dict[str, Any]:
    return {
        "path": p.path,
        "line": p.line,
        "value": p.value,
        "message": p.message,
        "allowed": p.allowed,
    }


_NAME_LINE = re.compile(r"^name:[^\n]*$", re.MULTILINE)


def _valid_name(name: str) -> bool:
    """A saved scenario's name is also its ``name:``: the scenario schema's slug."""
    from nansei.scenario.model import SLUG_PATTERN

    return len(name) <= 64 and re.match(SLUG_PATTERN, name) is not None


def _rename(text: str, sc: Any, name: str) -> str:
    """``text`` with its ``name:`` set to ``name``.

    Replaces the top-level ``name:`` line, keeping the rest of the text (comments
    included), if the result still parses to the same scenario under the new name;
    otherwise (JSON text, a quoted key, a flow mapping) writes the scenario out again.
    """
    from nansei.scenario import ScenarioError, scenario_to_yaml
    from nansei.scenario.loader import parse_scenario_text

    want = sc.model_copy(update={"name": name})
    if _NAME_LINE.search(text):
        edited = _NAME_LINE.sub(f"name: {name}", text, count=1)
        try:
            if parse_scenario_text(edited, "<editor>") == want:
                return edited
        except ScenarioError:
            pass
    return scenario_to_yaml(want, full=False)


def _annotated(text: str, problems: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The lines of ``text`` with the problems of each line attached."""
    by_line: dict[int, list[dict]] = {}
    for p in problems:
        if p["line"]:
            by_line.setdefault(int(p["line"]), []).append(p)
    return [
        {"no": i, "text": line, "problems": by_line.get(i, [])}
        for i, line in enumerate(text.splitlines(), start=1)
    ]


def _int_field(value: str, name: str, low: int, high: int) -> int:
    try:
        n = int(str(value).strip())
    except ValueError:
        raise UserError(
            f"{name}: not a whole number (got {value!r}); allowed: {low}..{high}"
        ) from None
    if not low <= n <= high:
        raise UserError(f"{name}: out of range (got {n}); allowed: {low}..{high}")
    return n


def _safe_label(text: str) -> str:
    label = "".join(c if c.isalnum() or c in "-_." else "-" for c in text)[:48].strip("-.")
    return label or "scenario"


def _key_results(records: pd.DataFrame) -> pd.DataFrame:
    from nansei.report.report import key_results

    return key_results(records)


def _charts(records: pd.DataFrame) -> list[dict[str, Any]]:
    out = []
    for name in CHART_OUTPUTS:
        if name not in records.columns:
            continue
        x = pd.to_numeric(records[name], errors="coerce").dropna()
        if x.empty or x.nunique() < 2:
            continue
        out.append({"kind": "hist", "output": name, "values": [float(v) for v in x.to_numpy()]})
        if len(out) == 4:
            break
    return out


def _run_findings(summary: pd.DataFrame, info: dict[str, Any]) -> list[str]:
    """The run's findings (:func:`nansei.analysis.findings.run_findings`), as ``nansei run``
    prints them."""
    from nansei.analysis.findings import run_findings

    horizon = info["experiment"]["scenario"]["run"]["horizon_h"]
    n = int(summary["n"].max()) if len(summary) else 0
    return run_findings(summary.set_index("output"), n, float(horizon))


def _headline_rows(summary: pd.DataFrame) -> list[dict[str, Any]]:
    """The headline outputs (:data:`nansei.engine.headlines.HEADLINES`) present in the run."""
    from nansei.engine.headlines import HEADLINES

    by = summary.set_index("output")
    rows = []
    for name, label in HEADLINES:
        if name in by.index and by.loc[name, "n"] > 0:
            r = by.loc[name]
            rows.append(
                {"output": name, "label": label, "mean": r["mean"], "lo": r["ci_low"],
                 "hi": r["ci_high"], "n": int(r["n"])}
            )  # fmt: skip
    return rows


def _level(v: Any) -> str:
    """A factor level as text: numbers to 4 significant digits, choices as they are."""
    if isinstance(v, int | float) and not isinstance(v, bool):
        return f"{v:.4g}"
    return str(v)


def _point_label(records: pd.DataFrame, factors: list[str]) -> dict[int, str]:
    first = records.groupby("design_point")[factors].first()
    return {
        int(dp): ", ".join(f"{f.removeprefix('factor.')}={_level(row[f])}" for f in factors)
        for dp, row in first.iterrows()
    }


def _by_point(records: pd.DataFrame) -> tuple[list[dict[str, Any]], list[str], list[str]]:
    """One row per design point: its factor levels, then each output's mean and CI."""
    from nansei.analysis import summarize

    factors = [c for c in records.columns if c.startswith("factor.")]
    outs = [c for c in CHART_OUTPUTS if c in records.columns]
    table = summarize(records, outs, by=("design_point",))
    first = records.groupby("design_point")[factors].first()
    rows = []
    for dp, g in table.groupby("design_point", sort=True):
        row: dict[str, Any] = {"design_point": int(dp), "n": int(g["n"].max())}
        row["factors"] = [_level(first.loc[dp, f]) for f in factors]  # numbers or choices
        row["outputs"] = [
            (float(r.mean), float(r.ci_low), float(r.ci_high)) for r in g.itertuples()
        ]
        rows.append(row)
    return rows, [f.removeprefix("factor.") for f in factors], outs


def _point_charts(records: pd.DataFrame) -> list[dict[str, Any]]:
    """Per output: the mean and 95 % CI at each design point (points kept apart)."""
    from nansei.analysis import summarize

    factors = [c for c in records.columns if c.startswith("factor.")]
    labels = _point_label(records, factors)
    out = []
    for name in CHART_OUTPUTS:
        if name not in records.columns:
            continue
        t = summarize(records, [name], by=("design_point",)).dropna(subset=["mean"])
        if t.empty:
            continue
        out.append(
            {
                "kind": "points",
                "output": name,
                "x": [int(v) for v in t["design_point"]],
                "y": [float(v) for v in t["mean"]],
                "lo": [None if v != v else float(v) for v in t["ci_low"]],  # NaN: n < 2
                "hi": [None if v != v else float(v) for v in t["ci_high"]],
                "labels": [labels.get(int(v), "") for v in t["design_point"]],
            }
        )
        if len(out) == 4:
            break
    return out


def _script_json(obj: Any) -> str:
    return json.dumps(obj, separators=(",", ":")).replace("</", "<\\/")


# ---------------------------------------------------------------------------
# the application


def create_app(settings: Settings) -> FastAPI:
    """Build the workbench application.

    Parameters
    ----------
    settings : Settings

    Returns
    -------
    FastAPI
        With the request guard (token, Host, Origin, body size) installed.
    """
    ws = Workspace(settings.workspace)
    manager = RunManager(ws, settings.max_running)
    env = _env()
    verify_lock = threading.Lock()
    map_lock = threading.Lock()
    series_lock = threading.Lock()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        manager.start()
        try:
            yield
        finally:
            manager.stop()

    app = FastAPI(title="nansei workbench", lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.manager = manager
    app.state.workspace = ws
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    def page(template: str, code: int = 200, /, **ctx: Any) -> HTMLResponse:
        html = env.get_template(template).render(token_required=settings.token is not None, **ctx)
        return HTMLResponse(html, status_code=code)

    # -- errors ---------------------------------------------------------------

    @app.exception_handler(UserError)
    async def user_error(request: Request, exc: UserError):
        return page("error.html.j2", exc.status, status=exc.status, message=str(exc))

    @app.exception_handler(PathRefused)
    async def refused(request: Request, exc: PathRefused):
        return page("error.html.j2", 404, status=404, message="Not found.")

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException):
        msg = "Not found." if exc.status_code == 404 else str(exc.detail)
        return page("error.html.j2", exc.status_code, status=exc.status_code, message=msg)

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError):
        items = []
        for e in exc.errors():
            loc = ".".join(str(x) for x in e.get("loc", ()) if x not in ("body", "query", "path"))
            items.append(f"{loc}: {e.get('msg', 'invalid')}")
        return page(
            "error.html.j2", 422, status=422, message="Invalid request: " + "; ".join(items)
        )

    @app.exception_handler(StoreError)
    async def store_error(request: Request, exc: StoreError):
        return page("error.html.j2", 409, status=409, message=str(exc))

    @app.exception_handler(Exception)
    async def internal(request: Request, exc: Exception):
        log.exception("internal error on %s", request.url.path)
        return page(
            "error.html.j2",
            500,
            status=500,
            message=f"Internal error ({type(exc).__name__}). Details are in the server log.",
        )

    # -- scenarios --------------------------------------------------------------

    def editor(
        text: str,
        name: str = "",
        status: int = 200,
        source: str = "",
        checked: bool = False,
        problems: list | None = None,
        notice: str = "",
        form_values: dict[str, Any] | None = None,
    ) -> HTMLResponse:
        # the form is drawn from the YAML whenever the YAML itself is valid, also when
        # the form's own values were refused (they are shown again, as typed)
        sc, yaml_problems = _problems(text, settings.max_scenario_chars, ws.gazetteers)
        if problems is None:
            problems = yaml_problems if checked else []
        fields = form_fields(sc) if sc is not None else []
        reps = seed = ""
        if sc is not None:  # the run form starts from the scenario's own run settings
            reps, seed = str(sc.run.replications), str(sc.run.seed)
            if not name:
                name = sc.name
        return page(
            "editor.html.j2",
            status,
            text=text,
            name=name,
            source=source,
            checked=checked,
            problems=problems,
            lines=_annotated(text, problems),
            max_reps=settings.max_replications,
            fields=fields,
            form_prefix=FORM_PREFIX,
            orig_prefix=ORIG_PREFIX,
            default_reps=reps,
            default_seed=seed,
            notice=notice,
            typed={
                k[len(FORM_PREFIX) :]: v
                for k, v in (form_values or {}).items()
                if k.startswith(FORM_PREFIX)
            },
        )

    def with_form(yaml: str, form: dict[str, Any]) -> tuple[Any, list[dict], dict[str, Any]]:
        """The scenario of the editor's YAML with the form's changed fields applied."""
        from nansei.scenario import ScenarioError
        from nansei.scenario.overrides import apply_overrides

        sc, problems = _problems(yaml, settings.max_scenario_chars, ws.gazetteers)
        if problems:
            return None, problems, {}
        changes = changed_overrides(form)
        if not changes:
            return sc, [], {}
        try:
            return apply_overrides(sc, changes, source="form"), [], changes
        except ScenarioError as exc:
            return None, [_problem_dict(p) for p in exc.problems], changes

    @app.get("/", response_class=HTMLResponse)
    def home():
        from nansei.experiment import builtin_experiments
        from nansei.scenario import load_scenario
        from nansei.scenario.loader import builtin_names

        builtins = []
        for n in builtin_names():
            sc = load_scenario(n)
            builtins.append({"name": n, "title": sc.title})
        runs = [manager.progress(r) for r in ws.run_ids()[:10]]
        return page(
            "home.html.j2",
            builtins=builtins,
            saved=ws.saved_scenarios(),
            runs=runs,
            experiments=builtin_experiments(),
            max_upload=settings.max_upload_bytes,
        )

    def builtin_text(name: str) -> str:
        from nansei.scenario.loader import builtin_names, builtin_path

        if name not in builtin_names():
            raise PathRefused(name)
        return builtin_path(name).read_text(encoding="utf-8")

    @app.get("/scenarios/new", response_class=HTMLResponse)
    def new_scenario(fork: str = "ideal-fixed-delay"):
        try:
            text, source = builtin_text(fork), f"built-in {fork}"
        except PathRefused:
            text, source = ws.scenario_path(fork).read_text(encoding="utf-8"), f"saved {fork}"
        return editor(text, name=f"{fork}-copy"[:64], source=f"forked from {source}", checked=True)

    @app.get("/scenarios/builtin/{name}.yaml")
    def download_builtin(name: str):
        return _yaml_download(builtin_text(name), name)

    @app.get("/scenarios/saved/{name}.yaml")
    def download_saved(name: str):
        return _yaml_download(ws.scenario_path(name).read_text(encoding="utf-8"), name)

    @app.get("/scenarios/saved/{name}", response_class=HTMLResponse)
    def saved_scenario(name: str):
        text = ws.scenario_path(name).read_text(encoding="utf-8")
        return editor(text, name=name, source=f"saved {name}", checked=True)

    @app.post("/scenarios/upload", response_class=HTMLResponse)
    async def upload(file: UploadFile = File(...)):
        data = await file.read(settings.max_upload_bytes + 1)
        if len(data) > settings.max_upload_bytes:
            raise UserError(
                f"upload too large; the limit is {settings.max_upload_bytes} bytes", 413
            )
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise UserError(f"the file is not UTF-8 text (byte {exc.start})") from None
        fname = Path(file.filename or "upload.yaml").name
        stem = _safe_label(Path(fname).stem)
        _, problems = _problems(text, settings.max_scenario_chars, ws.gazetteers)
        return editor(
            text,
            name=stem if problems else "",  # a valid file keeps its own name:
            source=f"uploaded {fname}",
            checked=True,
            problems=problems,
            status=200,
        )

    @app.post("/scenarios/validate", response_class=HTMLResponse)
    def validate(yaml: str = Form("")):
        _, problems = _problems(yaml, settings.max_scenario_chars, ws.gazetteers)
        html = env.get_template("_problems.html.j2").render(
            problems=problems, lines=_annotated(yaml, problems), checked=True
        )
        return HTMLResponse(html)

    @app.post("/scenarios/apply", response_class=HTMLResponse)
    async def apply_form(request: Request):
        form = dict(await request.form())
        return await run_in_threadpool(_apply_form, form)

    def _apply_form(form: dict[str, Any]) -> HTMLResponse:
        from nansei.scenario import scenario_to_yaml

        yaml, name = str(form.get("yaml", "")), str(form.get("name", ""))
        sc, problems, changes = with_form(yaml, form)
        if problems:
            return editor(
                yaml, name=name, checked=True, problems=problems, status=422, form_values=form
            )
        if not changes:
            return editor(yaml, name=name, checked=True, notice="The form had no changes.")
        text = scenario_to_yaml(sc, full=False)
        done = "; ".join(f"{k} = {v}" for k, v in changes.items())
        return editor(
            text,
            name=name,
            checked=True,
            notice=f"Applied from the form: {done}. The YAML was rewritten from the scenario "
            "(its comments are not kept).",
        )

    @app.post("/scenarios/save")
    async def save(request: Request):
        form = dict(await request.form())
        return await run_in_threadpool(_save, form)

    def _save(form: dict[str, Any]):
        from nansei.scenario import scenario_to_yaml

        yaml, name = str(form.get("yaml", "")), str(form.get("name", ""))
        if not _valid_name(name):
            raise UserError(
                f"name: invalid (got {name[:60]!r}); allowed: lower-case letters, digits and "
                "'-', starting with a letter or digit, at most 64 characters (the saved file "
                "and the scenario's name: are the same)"
            )
        sc, problems, changes = with_form(yaml, form)
        if problems:
            return editor(
                yaml, name=name, checked=True, problems=problems, status=422, form_values=form
            )
        text = scenario_to_yaml(sc, full=False) if changes else yaml
        if sc.name != name:  # the saved name and the YAML's name: agree
            text = _rename(text, sc, name)
        ws.save_scenario(name, text)
        return RedirectResponse(f"/scenarios/saved/{name}", status_code=303)

    # -- runs -----------------------------------------------------------------------

    def check_capacity() -> None:
        active = sum(1 for r in ws.run_ids() if ws.info(r).get("status") in ACTIVE)
        if active >= settings.max_queued:
            raise UserError(
                f"too many runs waiting ({active}); the limit is {settings.max_queued}. "
                "Wait for some to finish or cancel them.",
                429,
            )

    @app.post("/runs")
    async def launch(request: Request):
        form = dict(await request.form())
        return await run_in_threadpool(_launch, form)

    def _launch(form: dict[str, Any]):
        yaml, name = str(form.get("yaml", "")), str(form.get("name", ""))
        sc, problems, _ = with_form(yaml, form)
        if problems:
            return editor(
                yaml, name=name, checked=True, problems=problems, status=422, form_values=form
            )
        # an empty field means the scenario's own run settings
        replications = str(form.get("replications", "")).strip() or str(sc.run.replications)
        seed = str(form.get("seed", "")).strip() or str(sc.run.seed)
        reps = _int_field(replications, "replications", 1, settings.max_replications)
        seed_n = _int_field(seed, "seed", 0, 2**63 - 1)
        check_capacity()
        from nansei.scenario import scenario_to_yaml

        label = _safe_label(name or sc.name)
        exp = {
            "name": f"web-{label}"[:64],
            "scenario": sc.model_dump(mode="json", by_alias=True),
            "replications": reps,
            "seed": seed_n,
            "batch_size": settings.batch_size,
        }
        rid = manager.submit(label, exp, scenario_to_yaml(sc), "simulation")
        return RedirectResponse(f"/runs/{rid}", status_code=303)

    @app.post("/experiments")
    def launch_experiment(
        experiment: str = Form(...), replications: str = Form("20"), seed: str = Form("")
    ):
        from nansei.experiment import ExperimentError, builtin_experiments, load_experiment
        from nansei.experiment.design import make_design
        from nansei.scenario import load_scenario, scenario_to_yaml

        if experiment not in builtin_experiments():
            raise UserError(
                f"experiment: unknown (got {experiment[:60]!r}); allowed: "
                + ", ".join(builtin_experiments())
            )
        reps = _int_field(replications, "replications", 1, settings.max_replications)
        try:
            exp = load_experiment(experiment)
            changes: dict[str, Any] = {"replications": reps}
            if seed.strip():
                changes["seed"] = _int_field(seed, "seed", 0, 2**63 - 1)
            exp = load_experiment({**exp.canonical(), **changes})
            points = make_design(exp).points
        except ExperimentError as exc:
            raise UserError(str(exc)) from None
        if points * reps > settings.max_replications:
            raise UserError(
                f"replications: {points} design points x {reps} = {points * reps} in all; "
                f"the limit is {settings.max_replications}"
            )
        check_capacity()
        sc = load_scenario(exp.base_scenario())
        doc = {**exp.canonical(), "_points": points}
        rid = manager.submit(exp.name, doc, scenario_to_yaml(sc), "experiment")
        return RedirectResponse(f"/runs/{rid}", status_code=303)

    @app.get("/runs", response_class=HTMLResponse)
    def runs_page():
        runs = [manager.progress(r) for r in ws.run_ids()]
        return page("runs.html.j2", runs=runs)

    @app.get("/runs/{run_id}", response_class=HTMLResponse)
    def run_page(run_id: str):
        info = manager.progress(run_id)
        return page("run.html.j2", run=info, terminal=info["status"] in TERMINAL)

    @app.get("/runs/{run_id}/progress", response_class=HTMLResponse)
    def run_progress(run_id: str):
        info = manager.progress(run_id)
        terminal = info["status"] in TERMINAL
        html = env.get_template("_progress.html.j2").render(run=info, terminal=terminal)
        # 286 tells HTMX to stop polling
        return HTMLResponse(html, status_code=286 if terminal else 200)

    @app.get("/api/runs/{run_id}")
    def run_json(run_id: str):
        info = manager.progress(run_id)
        info.pop("experiment", None)
        return JSONResponse(info)

    @app.post("/runs/{run_id}/cancel")
    def cancel(run_id: str):
        manager.cancel(run_id)
        return RedirectResponse(f"/runs/{run_id}", status_code=303)

    @app.post("/runs/{run_id}/resume")
    def resume(run_id: str):
        if not manager.resume(run_id):
            raise UserError("only an interrupted, cancelled or failed run can be resumed", 409)
        return RedirectResponse(f"/runs/{run_id}", status_code=303)

    @app.get("/runs/{run_id}/results", response_class=HTMLResponse)
    def results(run_id: str):
        info = manager.progress(run_id)
        if info.get("kind") == "study":
            path = ws.run_dir(run_id) / "study" / "findings.json"
            doc = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None
            html = env.get_template("_study_results.html.j2").render(run=info, doc=doc)
            return HTMLResponse(html)
        try:
            records = manager.records(run_id)
        except DamagedPartError as exc:
            html = env.get_template("_results.html.j2").render(
                run=info, n=0, damaged=[d.describe() for d in exc.damage]
            )
            return HTMLResponse(html)
        ctx: dict[str, Any] = {"run": info, "n": len(records), "by_point": None}
        if len(records):
            if info.get("kind") == "experiment":
                # an experiment: every number stays with its design point (never pooled)
                ctx["by_point"], ctx["factors"], ctx["outputs"] = _by_point(records)
                ctx["charts_json"] = _script_json(_point_charts(records))
            else:
                summary = _key_results(records)
                ctx["findings"] = _run_findings(summary, info)
                ctx["headlines"] = _headline_rows(summary)
                ctx["summary"] = summary.to_dict(orient="records")
                ctx["charts_json"] = _script_json(_charts(records))
        html = env.get_template("_results.html.j2").render(**ctx)
        return HTMLResponse(html)

    @app.get("/runs/{run_id}/map", response_class=HTMLResponse)
    def run_map(run_id: str):
        if manager.progress(run_id).get("kind") == "study":
            raise UserError("a study has no single map; its brief shows what it found", 404)
        path = ws.run_dir(run_id) / "map.html"
        if not path.is_file():
            with map_lock:
                if not path.is_file():  # replication 0 again, in a child process
                    info = manager.progress(run_id)
                    run_child(_build_map, str(ws.run_dir(run_id)), int(info.get("seed", 0)))
        return HTMLResponse(path.read_text(encoding="utf-8"))

    @app.get("/runs/{run_id}/series.json")
    def run_series(run_id: str):
        path = ws.run_dir(run_id) / "series.json"
        if not path.is_file():
            info = manager.progress(run_id)
            if info.get("kind") != "simulation":
                raise UserError(
                    f"series are drawn for a simulation run; this run is a {info.get('kind')}",
                    409,
                )
            if info["status"] not in TERMINAL:
                raise UserError("the series are drawn once the run has ended", 409)
            if int(info.get("done") or 0) < 1:
                raise UserError("this run has no stored replications", 409)
            with series_lock:
                if not path.is_file():  # the first replications again, in a child process
                    reps = min(SERIES_REPS, int(info["done"]))
                    seed = int(info.get("seed", 0))
                    run_child(_build_series, str(ws.run_dir(run_id)), seed, reps)
        return Response(path.read_text(encoding="utf-8"), media_type="application/json")

    @app.get("/runs/{run_id}/records.csv")
    def records_csv(run_id: str):
        records = manager.records(run_id)
        if records.empty:
            raise UserError("this run has no stored records yet", 404)
        buf = io.StringIO()
        records.to_csv(buf, index=False)
        return Response(
            buf.getvalue(),
            media_type="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{run_id}-records.csv"'},
        )

    @app.get("/runs/{run_id}/records.parquet")
    def records_parquet(run_id: str):
        records = manager.records(run_id)
        if records.empty:
            raise UserError("this run has no stored records yet", 404)
        buf = io.BytesIO()
        records.to_parquet(buf, index=False)
        return Response(
            buf.getvalue(),
            media_type="application/vnd.apache.parquet",
            headers={"Content-Disposition": f'attachment; filename="{run_id}-records.parquet"'},
        )

    @app.get("/runs/{run_id}/scenario.yaml")
    def run_scenario(run_id: str):
        text = (ws.run_dir(run_id) / "scenario.yaml").read_text(encoding="utf-8")
        return _yaml_download(text, run_id)

    # -- studies ------------------------------------------------------------------

    def _study_rows() -> list[dict[str, Any]]:
        from nansei.experiment.design import make_design
        from nansei.study import builtin_studies, load_study
        from nansei.study.spec import experiment_of

        rows = []
        for name in builtin_studies():
            st = load_study(name)
            arms = st.arms()
            points = make_design(experiment_of(st, arms[0])).points
            rows.append(
                {"name": st.name, "title": st.title, "user": st.user,
                 "question": " ".join(st.question.split()), "answer": st.answer.kind,
                 "arms": [a.words() for a in arms], "points": points,
                 "replications": st.replications,
                 "total": points * st.replications * len(arms)}
            )  # fmt: skip
        return rows

    @app.get("/studies", response_class=HTMLResponse)
    def studies_page():
        runs = [manager.progress(r) for r in ws.run_ids()]
        return page(
            "studies.html.j2",
            studies=_study_rows(),
            runs=[r for r in runs if r.get("kind") == "study"],
            max_reps=settings.max_replications,
        )

    @app.post("/studies")
    def launch_study(study: str = Form(...), replications: str = Form("")):
        import yaml as yaml_lib

        from nansei.study import builtin_studies, load_study

        if study not in builtin_studies():
            raise UserError(
                f"study: unknown (got {study[:60]!r}); allowed: " + ", ".join(builtin_studies())
            )
        row = next(r for r in _study_rows() if r["name"] == study)
        st = load_study(study)
        reps = st.replications
        if replications.strip():
            reps = _int_field(replications, "replications", 2, settings.max_replications)
        total = row["total"] // st.replications * reps
        if total > settings.max_replications:
            raise UserError(
                f"replications: {total // reps} variant-points x {reps} = {total} in all; "
                f"the limit is {settings.max_replications}"
            )
        check_capacity()
        doc = {"study": study, "replications": reps, "seed": st.seed, "_points": total // reps}
        text = yaml_lib.safe_dump(st.base_scenario(), sort_keys=False, allow_unicode=True)
        rid = manager.submit(study, doc, text, "study")
        return RedirectResponse(f"/runs/{rid}", status_code=303)

    @app.get("/runs/{run_id}/brief", response_class=HTMLResponse)
    def study_brief(run_id: str):
        path = ws.run_dir(run_id) / "study" / "brief.html"
        if not path.is_file():
            raise UserError("this run has no study brief (yet)", 404)
        return HTMLResponse(path.read_text(encoding="utf-8"))

    # -- compare ------------------------------------------------------------------

    @app.get("/compare", response_class=HTMLResponse)
    def compare(a: str = "", b: str = ""):
        runs = [manager.progress(r) for r in ws.run_ids()]
        if not a and not b:  # by default the two most recent finished runs, older as A
            done = [
                r["id"] for r in runs if r["status"] == "finished" and r.get("kind") == "simulation"
            ]
            if len(done) >= 2:
                b, a = done[0], done[1]
        ctx: dict[str, Any] = {"runs": runs, "a": a, "b": b, "table": None}
        if a and b and a == b:
            raise UserError(f"a, b: the same run ({a}); choose two different runs to compare")
        if a and b:
            ctx.update(_compare(a, b))
        return page("compare.html.j2", **ctx)

    def _compare(a: str, b: str) -> dict[str, Any]:
        from nansei.analysis.compare import paired_difference

        ra, rb = manager.records(a), manager.records(b)
        ia, ib = manager.progress(a), manager.progress(b)
        for rid, rec in ((a, ra), (b, rb)):
            if rec.empty:
                raise UserError(f"run {rid} has no stored records yet", 409)
            if "design_point" in rec and rec["design_point"].nunique() > 1:
                raise UserError(
                    f"run {rid} is an experiment with several design points; compare its "
                    "factor levels on its results page",
                    409,
                )
        sa, sb = _key_results(ra), _key_results(rb)
        table = sa.merge(sb, on="output", suffixes=("_a", "_b"))
        outputs = [o for o in table["output"] if o in ra.columns and o in rb.columns]
        common = [c for c in ra.columns if c in rb.columns and (c in outputs or c == "replication")]
        both = pd.concat(
            [ra[common].assign(**{"factor.run": "A"}), rb[common].assign(**{"factor.run": "B"})],
            ignore_index=True,
        )
        diff = paired_difference(both, "run", "A", "B", outputs)
        table = table.merge(
            diff[["output", "pairs", "mean_diff", "ci_low", "ci_high", "sem", "sem_unpaired"]],
            on="output",
            how="left",
        )
        return {
            "table": table.to_dict(orient="records"),
            "run_a": ia,
            "run_b": ib,
            "same_seed": ia.get("seed") == ib.get("seed"),
        }

    # -- verify ---------------------------------------------------------------------

    @app.get("/verify", response_class=HTMLResponse)
    def verify_page():
        path = ws.root / "verification.json"
        stored = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None
        return page("verify.html.j2", stored=stored, scale=VERIFY_SCALE)

    @app.post("/verify")
    def verify_run():
        if not verify_lock.acquire(blocking=False):
            raise UserError("a check run is already in progress; try again shortly", 409)
        try:
            t0 = time.perf_counter()
            rows = run_child(_verify_child, VERIFY_SCALE)  # in a child process
            wall = time.perf_counter() - t0
        finally:
            verify_lock.release()
        doc = {"scale": VERIFY_SCALE, "ran": time.time(), "wall_s": wall, "rows": rows}
        path = ws.root / "verification.json"
        tmp = path.with_name(".verification.json.tmp")
        tmp.write_text(json.dumps(doc, indent=1), encoding="utf-8")
        tmp.replace(path)
        return RedirectResponse("/verify", status_code=303)

    @app.get("/api/csrf")
    def csrf():
        """The session's CSRF token, for scripts (the response also sets the session
        cookie it belongs to); send it back as ``X-CSRF-Token`` on state changes."""
        return JSONResponse({"token": csrf_token(), "header": "X-CSRF-Token"})

    return RequestGuard(
        app,
        token=settings.token,
        loopback_only=is_loopback(settings.host),
        max_body=settings.max_upload_bytes + 64_000,
        secret=csrf_secret(settings.workspace),
    )


def _yaml_download(text: str, name: str) -> Response:
    return Response(
        text,
        media_type="application/x-yaml",
        headers={"Content-Disposition": f'attachment; filename="{name}.yaml"'},
    )


def _verify_child(send, scale: float) -> list[dict[str, Any]]:
    """In a child process: the check table at ``scale``, as JSON rows."""
    from nansei.verification.checks import run_checks

    return json.loads(run_checks(scale=scale).to_json(orient="records"))


def _theatre_page(sc, compiled, strikes, title: str) -> str:
    """A self-contained page with the static map of an abstract theatre (PNG inline)."""
    import base64
    import html as html_lib

    from nansei.report import charts
    from nansei.report.static_map import DPI
    from nansei.report.theatre_map import theatre_map

    png = charts.png_bytes(theatre_map(sc, compiled, strikes, title), dpi=DPI)
    uri = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    t = html_lib.escape(title)
    return (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{t}</title></head>"
        f"<body><h1>{t}</h1><p>An abstract theatre, drawn on its own plane (km along the "
        "front and beyond the front line; no real place). The interactive map covers the "
        f"Nansei gazetteer only.</p><img alt='map of the abstract theatre' src='{uri}' "
        "style='max-width:100%'></body></html>"
    )


def _build_series(send, run_dir: str, seed: int, reps: int) -> None:
    """Write ``series.json``: the mean and 95 % CI band of each series over time.

    Re-runs the first ``reps`` replications with the run's seed (the same random
    numbers as the stored ones). Runs in a child process.
    """
    from nansei.engine.simulate import simulate
    from nansei.report.charts import band
    from nansei.scenario.loader import parse_scenario_text

    run_dir = Path(run_dir)
    sc = parse_scenario_text((run_dir / "scenario.yaml").read_text(encoding="utf-8"))
    series = simulate(sc, replications=reps, seed=seed, series=True).series
    charts = []
    for key, title, unit in SERIES_CHARTS:
        cols = [c for c in series.columns if c == key or (key.endswith(".") and c.startswith(key))]
        lines = []
        for col in cols:
            b = band(series, col)
            lines.append(
                {
                    "name": col.removeprefix(key) if key.endswith(".") else title,
                    "t": [float(v) for v in b["t_end_h"]],
                    "mean": [float(v) for v in b["mean"]],
                    "lo": [None if v != v else float(v) for v in b["ci_low"]],
                    "hi": [None if v != v else float(v) for v in b["ci_high"]],
                }
            )
        if lines:
            charts.append({"column": key, "title": title, "unit": unit, "lines": lines})
    doc = {"replications": reps, "seed": seed, "step_h": sc.run.series_step_h, "charts": charts}
    tmp = run_dir / ".series.json.tmp"
    tmp.write_text(json.dumps(doc, separators=(",", ":")), encoding="utf-8")
    tmp.replace(run_dir / "series.json")


def _build_map(send, run_dir: str, seed: int) -> None:
    """Write ``map.html``: the run's layers and replication 0's replay (re-run with its seed).

    Runs in a child process (:func:`nansei.web.child.run_child`)."""
    from nansei.engine.compile import compile_scenario
    from nansei.engine.simulate import simulate
    from nansei.report.html_map import render_map
    from nansei.report.layers import scenario_layers
    from nansei.report.replay import build_replay
    from nansei.scenario.loader import parse_scenario_text
    from nansei.scenario.resolve import theatre

    run_dir = Path(run_dir)
    sc = parse_scenario_text((run_dir / "scenario.yaml").read_text(encoding="utf-8"))
    compiled = compile_scenario(sc)
    res = simulate(sc, replications=1, seed=seed, trace=True, series=True)
    replay = None
    used = None
    if res.trace is not None:
        s0 = None if res.series is None else res.series[res.series["replication"] == 0]
        replay = build_replay(res.trace, compiled, float(sc.run.horizon_h), s0)
        used = list(res.trace.loc[res.trace["event"] == "arrive", "site"])
    title = f"{sc.name}: replication 0 (seed {seed})"
    if theatre(sc) is not None:  # no coastlines or islands: the theatre on its own plane
        html = _theatre_page(sc, compiled, None if replay is None else replay.strikes, title)
    else:
        html = render_map(scenario_layers(sc, compiled, used), replay, title)
    tmp = run_dir / ".map.html.tmp"
    tmp.write_text(html, encoding="utf-8")
    tmp.replace(run_dir / "map.html")
