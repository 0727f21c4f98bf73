"""The study brief: a Markdown page that opens with the answer, then how it was found.

``write_brief(result, out)`` writes to the study's output directory:

- ``brief.md``: the question, the answer (the findings), the tables behind it, the method
  (scenario, overrides, variants, design, replications, seeds) and where the data are;
- ``brief.html``: the same page as a self-contained HTML file that prints on A4;
- ``findings.json``: the question, the findings and the run's metadata, for programs;
- ``summary.csv`` (means and 95% CIs per variant and design point) and, by answer,
  ``differences.csv``, ``ranking.csv`` or ``timeline.csv``;
- ``study.yaml``: the study as run (base scenario resolved).

Each file is written to a temporary name and renamed into place.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["brief_html", "brief_markdown", "write_brief"]


def _est(r) -> str:
    from nansei.analysis.findings import fmt_estimate

    return fmt_estimate(float(r["mean"]), float(r["ci_low"]), float(r["ci_high"]))


def _md_table(header: list[str], rows: list[list[str]]) -> list[str]:
    esc = [[str(c).replace("|", "\\|") for c in r] for r in rows]
    return [
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---" for _ in header) + "|",
        *("| " + " | ".join(r) + " |" for r in esc),
    ]


def _summary_lines(result) -> list[str]:
    from nansei.analysis.findings import output_meaning

    st = result.study
    s = result.summary
    fcols = [c for c in s.columns if c.startswith("factor.")]
    head = ["variant", *[c.removeprefix("factor.") for c in fcols]]
    groups = s.groupby(["variant", *fcols], sort=False)
    if len(groups) > 40:  # a large design: the CSV holds every point
        return [f"{len(groups)} variant and design-point rows: see `summary.csv`."]
    outs = st.outputs
    header = head + [f"{o}" for o in outs]
    rows = []
    for key, g in groups:
        key = key if isinstance(key, tuple) else (key,)
        g = g.set_index("output")
        rows.append([*(_value(k) for k in key), *(_est(g.loc[o]) for o in outs)])
    lines = _md_table(header, rows)
    lines += ["", "Outputs (meaning and unit from the engine's layout):", ""]
    for o in outs:
        noun, unit = output_meaning(o)
        lines.append(f"- `{o}`: {noun} ({unit or 'no unit'})")
    return lines


def _differences_lines(result) -> list[str]:
    d = result.differences
    fcols = [c for c in d.columns if c.startswith("factor.")]
    header = ["variant", "baseline", *[c.removeprefix("factor.") for c in fcols], "output",
              "pairs", "mean difference [95% CI]", "variance ratio (unpaired/paired)"]  # fmt: skip
    rows = []
    for r in d.to_dict("records"):
        est = _est({"mean": r["mean_diff"], "ci_low": r["ci_low"], "ci_high": r["ci_high"]})
        rows.append(
            [r["variant"], r["baseline"],
             *(_value(r[c]) for c in fcols),
             r["output"], f"{r['pairs']:,}", est, f"{r['variance_ratio']:.1f}"]
        )  # fmt: skip
    return _md_table(header, rows)


def _value(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return f"{v:.4g}" if isinstance(v, float) else str(v)


def _ranking_lines(result) -> list[str]:
    from nansei.analysis.findings import fmt_estimate

    rk = result.ranking
    rows = [
        [r.variant, r.output, str(r.rank), r.factor,
         fmt_estimate(r.prcc, r.ci_low, r.ci_high, signed=True) if r.prcc == r.prcc else "n/a",
         f"{r.p_value:.2g}" if r.p_value == r.p_value else ""]
        for r in rk.itertuples(index=False)
    ]  # fmt: skip
    return _md_table(["variant", "output", "rank", "factor", "PRCC [95% CI]", "p"], rows)


def _timeline_lines(result) -> list[str]:
    rows = [[r.when, r.what] for r in result.timeline.itertuples(index=False)]
    return _md_table(["when", "what"], rows)


def _method_lines(result) -> list[str]:
    st = result.study
    m = result.meta
    base = st.base_scenario().get("name", "(inline)")
    lines = [
        f"- Base scenario: `{base}`"
        + (f", with {_overrides(st.overrides)}" if st.overrides else "")
        + ".",
    ]
    for v in st.arms():
        lines.append(
            f"- Variant `{v.name}` ({v.words()}): "
            + (_overrides(v.overrides) if v.overrides else "the base as it is")
            + "."
        )
    if st.factors:
        fs = ", ".join(f"`{f}`" for f in st.factors)
        lines.append(
            f"- Design: {st.design.kind}, {m['design_points']} points over {fs}, run for every "
            "variant." + (f" {m['orthogonality']}." if m.get("orthogonality") else "")
        )
    lines.append(
        f"- {st.replications:,} replications per variant and design point, seed {st.seed}; "
        f"paired seeds: {m['seed_rule']}."
    )
    if "replication" in m:
        lines.append(f"- Timeline: replication {m['replication']} ({m['replication_rule']}).")
    if "wall_s" in m:
        lines.append(f"- Run time: {m['wall_s']:.0f} s.")
    lines.append(
        "- Intervals are 95% Student-t confidence intervals of the mean over replications "
        "(for differences: of the paired differences; for PRCC: Fisher-z). An interval that "
        "contains 0 is reported as no detectable difference."
    )
    return lines


def _overrides(ov: dict[str, Any]) -> str:
    return ", ".join(f"`{k}={json.dumps(v)}`" for k, v in ov.items())


def brief_markdown(result) -> str:
    """The brief of a study result, as Markdown: the question, then the answer first."""
    st = result.study
    title = st.title or st.name
    lines = [f"# {title}", ""]
    who = f" ({st.user})" if st.user else ""
    lines += [f"**Question{who}.** {' '.join(st.question.split())}", ""]
    lines += ["## Answer", ""]
    lines += [f"- {f}" for f in result.findings] or ["- (no finding: no output is defined)"]
    lines += [""]
    if result.differences is not None:
        lines += ["## Paired differences (variant minus baseline)", ""]
        lines += [*_differences_lines(result), ""]
    if result.ranking is not None:
        lines += ["## Sensitivity ranking (partial rank correlation)", ""]
        lines += [*_ranking_lines(result), ""]
    if result.timeline is not None:
        lines += [f"## Timeline of replication {result.meta['replication']}", ""]
        lines += [*_timeline_lines(result), ""]
    lines += ["## Means by variant and design point (95% CI)", ""]
    lines += [*_summary_lines(result), ""]
    lines += ["## Method", "", *_method_lines(result), ""]
    files = ["`summary.csv`", "`findings.json`", "`study.yaml`", "`stores/<variant>/`"]
    if result.differences is not None:
        files.insert(1, "`differences.csv`")
    if result.ranking is not None:
        files.insert(1, "`ranking.csv`")
    if result.timeline is not None:
        files.insert(1, "`timeline.csv`")
    lines += [
        "## Data",
        "",
        "In this folder: " + ", ".join(files) + " (every replication's record, a crash-safe "
        "store: `nansei analyze stores/<variant>`). Rerunning `nansei study` resumes and "
        "reproduces these numbers.",
        "",
        "_Unclassified and notional: figures come from public sources or are labelled "
        "assumptions (`nansei show SCENARIO`)._",
        "",
    ]
    return "\n".join(lines)


_CSS = """
body { font: 11pt/1.45 system-ui, sans-serif; max-width: 60em; margin: 2em auto; padding: 0 1em;
       color: #111; }
h1 { font-size: 1.5em; margin-bottom: .3em; } h2 { font-size: 1.15em; margin-top: 1.6em; }
table { border-collapse: collapse; font-size: .85em; margin: .5em 0; }
th, td { border: 1px solid #ccc; padding: .2em .45em; text-align: left; vertical-align: top; }
th { background: #f3f3f3; } td.n { white-space: nowrap; }
code { font-size: .92em; background: #f5f5f5; padding: 0 .2em; }
li { margin: .25em 0; } h2#answer + ul li { font-size: 1.05em; }
@page { size: A4; margin: 15mm; } @media print { body { margin: 0; max-width: none; } }
"""


def _inline(text: str) -> str:
    """Escape, then the inline Markdown the brief uses: **bold**, `code`, _emphasis_."""
    import html
    import re

    t = html.escape(text, quote=False)
    t = re.sub(r"`([^`]+)`", r"<code>\1</code>", t)
    t = re.sub(r"\*\*([^*]+)\*\*", r"<strong>\1</strong>", t)
    return re.sub(r"(?<![\w])_([^_]+)_(?![\w])", r"<em>\1</em>", t)


def _cells(line: str) -> list[str]:
    inner = line.strip()[1:-1]
    parts, cur, esc = [], "", False
    for ch in inner:
        if esc:
            cur += ch
            esc = False
        elif ch == "\\":
            esc = True
        elif ch == "|":
            parts.append(cur.strip())
            cur = ""
        else:
            cur += ch
    parts.append(cur.strip())
    return parts


def _td(cell: str) -> str:
    """A table cell; short ones (names, numbers with intervals) do not wrap."""
    short = ' class="n"' if len(cell) <= 28 else ""
    return f"<td{short}>{_inline(cell)}</td>"


def brief_html(markdown: str, title: str) -> str:
    """The brief's Markdown (as :func:`brief_markdown` writes it) as a self-contained HTML
    page: headings, paragraphs, bullet lists and tables, nothing else."""
    import html

    out: list[str] = []
    lines = markdown.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("## "):
            slug = line[3:].split(" ")[0].lower()
            out.append(f'<h2 id="{html.escape(slug)}">{_inline(line[3:])}</h2>')
        elif line.startswith("# "):
            out.append(f"<h1>{_inline(line[2:])}</h1>")
        elif line.startswith("- "):
            items = []
            while i < len(lines) and lines[i].startswith("- "):
                items.append(f"<li>{_inline(lines[i][2:])}</li>")
                i += 1
            out.append("<ul>" + "".join(items) + "</ul>")
            continue
        elif line.startswith("|"):
            rows = []
            while i < len(lines) and lines[i].startswith("|"):
                rows.append(lines[i])
                i += 1
            head = "".join(f"<th>{_inline(c)}</th>" for c in _cells(rows[0]))
            body = "".join("<tr>" + "".join(_td(c) for c in _cells(r)) + "</tr>" for r in rows[2:])
            out.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
            continue
        elif line.strip():
            out.append(f"<p>{_inline(line)}</p>")
        i += 1
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>\n"
        + "\n".join(out)
        + "\n</body></html>\n"
    )


def write_brief(result, out: Path) -> Path:
    """Write ``brief.md`` and its tables to ``out``; return the brief's path."""
    import yaml

    from nansei.io.runs import _atomic_write_bytes, _clean

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    st = result.study
    text_md = brief_markdown(result)
    _atomic_write_bytes(out / "brief.md", text_md.encode())
    html_page = brief_html(text_md, st.title or st.name)
    _atomic_write_bytes(out / "brief.html", html_page.encode())
    doc = {
        "study": st.name,
        "title": st.title,
        "user": st.user,
        "question": " ".join(st.question.split()),
        "answer": st.answer.kind,
        "findings": result.findings,
        "meta": _clean(dict(result.meta)),
    }
    _atomic_write_bytes(out / "findings.json", (json.dumps(doc, indent=2) + "\n").encode())
    _csv(result.summary, out / "summary.csv")
    for name, df in (
        ("differences", result.differences),
        ("ranking", result.ranking),
        ("timeline", result.timeline),
    ):
        if df is not None:
            _csv(df, out / f"{name}.csv")
    text = yaml.safe_dump(st.model_dump(mode="json"), sort_keys=False, allow_unicode=True)
    _atomic_write_bytes(out / "study.yaml", text.encode())
    return out / "brief.md"


def _csv(df: pd.DataFrame, path: Path) -> None:
    from nansei.io.runs import _atomic_write_bytes

    _atomic_write_bytes(path, df.to_csv(index=False).encode())
