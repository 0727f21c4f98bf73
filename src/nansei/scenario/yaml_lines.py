"""YAML parsing that keeps line numbers and rejects duplicate keys.

:func:`parse_yaml` composes the text into nodes with ``yaml.CSafeLoader`` (libyaml; the
pure-Python ``yaml.SafeLoader`` where PyYAML lacks it),
checks them (duplicate keys, size with aliases expanded, nesting depth,
recursive aliases), maps every path to its 1-based line and constructs the
Python data. Every failure is a :class:`~nansei.scenario.errors.ScenarioError`.
"""

from __future__ import annotations

from typing import Any

import yaml

from .errors import Problem, ScenarioError

__all__ = ["MAX_CHARS", "MAX_DEPTH", "MAX_NODES", "Lines", "parse_yaml"]

#: Limits on documents: characters, nodes (aliases expanded) and nesting depth.
MAX_CHARS = 5_000_000
MAX_NODES = 200_000
MAX_DEPTH = 60

#: libyaml's parser when PyYAML was built with it (the same nodes, marks and data, about
#: six times faster: 0.02 s instead of 0.12 s for a scenario and the built-in gazetteer),
#: else the pure-Python one.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

#: Map from a path tuple (keys and list indices) to its 1-based line.
Lines = dict[tuple[Any, ...], int]


def _err(message: str, *, line: int | None = None, source: str | None = None) -> ScenarioError:
    return ScenarioError([Problem("<document>", line, None, message)], source)


def _key_text(node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        if node.tag.endswith(":int"):
            try:
                return int(node.value.replace("_", ""), 0)
            except ValueError:
                return node.value
        return node.value
    return None


def _index(node: yaml.Node, source: str) -> Lines:
    """Check the node tree (duplicates, size, depth, cycles) and map paths to lines."""
    lines: Lines = {(): node.start_mark.line + 1}
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def size(n: yaml.Node, depth: int) -> int:
        if depth > MAX_DEPTH:
            raise _err(
                f"document nested too deeply (more than {MAX_DEPTH} levels)",
                line=n.start_mark.line + 1,
                source=source,
            )
        if id(n) in sizes:
            return sizes[id(n)]
        if id(n) in active:
            raise _err(
                "recursive alias (a structure that contains itself)",
                line=n.start_mark.line + 1,
                source=source,
            )
        active.add(id(n))
        total = 1
        if isinstance(n, yaml.MappingNode):
            seen: dict[Any, int] = {}
            for k, v in n.value:
                if isinstance(k, yaml.ScalarNode) and k.tag != "tag:yaml.org,2002:merge":
                    key = (k.tag, k.value)
                    if key in seen:
                        raise _err(
                            f"duplicate key {k.value!r} (first on line {seen[key]})",
                            line=k.start_mark.line + 1,
                            source=source,
                        )
                    seen[key] = k.start_mark.line + 1
                total += size(k, depth + 1) + size(v, depth + 1)
        elif isinstance(n, yaml.SequenceNode):
            for v in n.value:
                total += size(v, depth + 1)
        active.discard(id(n))
        sizes[id(n)] = total
        if total > MAX_NODES:
            raise _err(
                f"document too large (more than {MAX_NODES} values, aliases expanded)",
                line=n.start_mark.line + 1,
                source=source,
            )
        return total

    size(node, 0)

    def walk(n: yaml.Node, path: tuple[Any, ...], seen: set[int]) -> None:
        if id(n) in seen:  # aliases: index each node once
            return
        seen = seen | {id(n)}
        if isinstance(n, yaml.MappingNode):
            for k, v in n.value:
                key = _key_text(k)
                if key is None or key == "<<":
                    continue
                lines.setdefault((*path, key), k.start_mark.line + 1)
                walk(v, (*path, key), seen)
        elif isinstance(n, yaml.SequenceNode):
            for i, v in enumerate(n.value):
                lines.setdefault((*path, i), v.start_mark.line + 1)
                walk(v, (*path, i), seen)

    walk(node, (), set())
    return lines


def _reader_error(exc: yaml.reader.ReaderError, text: str, source: str) -> ScenarioError:
    pos = int(getattr(exc, "position", 0) or 0)
    if _Loader is not yaml.SafeLoader:  # libyaml counts the position in UTF-8 bytes
        line = text.encode("utf-8", "surrogatepass")[:pos].count(b"\n") + 1
    else:
        line = text[:pos].count("\n") + 1
    return _err(f"unacceptable character {exc.character!r} in YAML text", line=line, source=source)


def parse_yaml(text: str, source: str) -> tuple[Any, Lines]:
    if len(text) > MAX_CHARS:
        raise _err(f"document too large (more than {MAX_CHARS} characters)", source=source)
    try:
        loader = _Loader(text)
    except yaml.reader.ReaderError as exc:
        raise _reader_error(exc, text, source) from None
    try:
        try:
            node = loader.get_single_node()
        except yaml.reader.ReaderError as exc:
            raise _reader_error(exc, text, source) from None
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark else None
            if "nesting depth" in str(exc.problem):  # libyaml's own limit (1,000 levels)
                raise _err(
                    f"document nested too deeply (more than {MAX_DEPTH} levels)",
                    line=line,
                    source=source,
                ) from None
            col = f", column {mark.column + 1}" if mark else ""
            what = " ".join(x for x in (exc.context, exc.problem) if x)
            raise _err(f"YAML syntax error{col}: {what}", line=line, source=source) from None
        if node is None:
            raise _err(
                "empty document: expected a mapping with at least schema_version and name",
                line=1,
                source=source,
            )
        lines = _index(node, source)
        try:
            data = loader.construct_document(node)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            raise _err(
                f"YAML error: {exc.problem or exc.context}",
                line=mark.line + 1 if mark else None,
                source=source,
            ) from None
    finally:
        loader.dispose()
    return data, lines
