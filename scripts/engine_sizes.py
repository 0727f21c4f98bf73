"""Sizes of the engine's modules and functions, for the guide of issue 18 (docs/engine.md).

    .venv/bin/python scripts/engine_sizes.py            # largest modules and functions
    .venv/bin/python scripts/engine_sizes.py --top 20

A module's size is its number of lines; a function's is the lines from its ``def`` to its
last line (decorators excluded, docstring included). Guide: no engine module over about
500 lines, no function over about 150.
"""

from __future__ import annotations

import argparse
import ast
from pathlib import Path

ENGINE = Path(__file__).resolve().parents[1] / "src" / "nansei" / "engine"


def sizes(folder: Path = ENGINE) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """(lines, module) and (lines, module:function) of every module, largest first."""
    mods, funcs = [], []
    for path in sorted(folder.glob("*.py")):
        text = path.read_text("utf-8")
        mods.append((len(text.splitlines()), path.name))
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                funcs.append((node.end_lineno - node.lineno + 1, f"{path.name}:{node.name}"))
    return sorted(mods, reverse=True), sorted(funcs, reverse=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--top", type=int, default=8)
    ap.add_argument("--match", default="", help="only modules whose name contains this")
    args = ap.parse_args()
    mods, funcs = sizes()
    print("modules:")
    for n, name in [m for m in mods if args.match in m[1]][: args.top]:
        print(f"  {n:5d}  {name}")
    print("functions:")
    for n, name in [f for f in funcs if args.match in f[1]][: args.top]:
        print(f"  {n:5d}  {name}")


if __name__ == "__main__":
    main()
