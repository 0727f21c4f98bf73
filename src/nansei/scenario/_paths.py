"""Follow pydantic error locations through input data and through the schema."""

from __future__ import annotations

import types
import typing
from typing import Any

from pydantic import BaseModel

__all__ = ["model_keys_at", "walk"]


def walk(
    data: Any, loc: tuple[Any, ...], missing_ok: bool = False
) -> tuple[tuple[str | int, ...], int | None, Any]:
    """Follow ``loc`` through the input data, dropping union tags.

    Returns the cleaned path, the position of the first dropped tag (or None),
    and the tag itself.
    """
    path: list[str | int] = []
    cur = data
    union_at: int | None = None
    tag = None
    for i, part in enumerate(loc):
        last = i == len(loc) - 1
        if isinstance(cur, dict) and part in cur:
            path.append(part)
            cur = cur[part]
        elif isinstance(cur, dict) and not isinstance(part, int) and str(part) in map(str, cur):
            key = next(k for k in cur if str(k) == str(part))
            path.append(part)
            cur = cur[key]
        elif isinstance(cur, list | tuple) and isinstance(part, int) and 0 <= part < len(cur):
            path.append(part)
            cur = cur[part]
        elif isinstance(cur, dict) and last and missing_ok:
            path.append(part)  # a missing key
            cur = None
        elif isinstance(cur, dict | list | tuple):
            if union_at is None:
                union_at, tag = len(path), part
        else:
            # scalar input (e.g. a shorthand number or a union of scalar types)
            if union_at is None:
                union_at, tag = len(path), part
            break
    return tuple(path), union_at, tag


def _unwrap(tp: Any) -> list[Any]:
    """Flatten Annotated / Union / Optional into candidate types."""
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(tp)[0])
    if origin in (typing.Union, types.UnionType):
        out: list[Any] = []
        for arg in typing.get_args(tp):
            out.extend(_unwrap(arg))
        return out
    return [tp]


def model_keys_at(root: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """Return the allowed keys of the model(s) that own the last element of ``loc``."""
    cands: list[Any] = [root]
    for part in loc[:-1]:
        nxt: list[Any] = []
        for cand in cands:
            for tp in _unwrap(cand):
                origin = typing.get_origin(tp)
                if isinstance(tp, type) and issubclass(tp, BaseModel):
                    fields = {(f.alias or n): f for n, f in tp.model_fields.items()}
                    fields.update(tp.model_fields)
                    if isinstance(part, str) and part in fields:
                        nxt.append(fields[part].annotation)
                    kind = tp.model_fields.get("kind")
                    tags = typing.get_args(kind.annotation) if kind else ()
                    if part == tp.__name__ or part in tags:
                        nxt.append(tp)
                elif origin in (list, tuple) and isinstance(part, int):
                    nxt.extend(typing.get_args(tp)[:1])
                elif origin is dict:
                    args = typing.get_args(tp)
                    if len(args) == 2:
                        nxt.append(args[1])
        cands = nxt
    keys: list[str] = []
    for cand in cands:
        for tp in _unwrap(cand):
            if isinstance(tp, type) and issubclass(tp, BaseModel):
                for name, f in tp.model_fields.items():
                    key = f.alias or name
                    if key not in keys:
                        keys.append(key)
    return keys
