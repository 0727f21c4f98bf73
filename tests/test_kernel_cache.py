"""The compiled-kernel cache cannot go stale (``nansei.engine.jit``).

Numba's own cache checks only the file that holds a cached function, so an edit
to a helper module compiled into it used to leave old machine code running. The
kernel's cache folder is named after a digest of every kernel source: an edit
selects a new folder and a fresh compile.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import nansei
from nansei.engine import jit

JIT_SOURCE = Path(jit.__file__)


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")


def _run(root: Path, code: str, cache: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(root), NANSEI_CACHE_DIR=str(cache), NUMBA_DEBUG_CACHE="1")
    env.pop("NUMBA_DISABLE_JIT", None)
    return subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )


def _mini_package(root: Path) -> Path:
    """A package laid out like nansei's engine: the real ``jit.py``, a constants module,
    a helper and an entry point compiled into it."""
    eng = root / "minipkg" / "engine"
    _write(root / "minipkg" / "__init__.py", "")
    _write(eng / "__init__.py", "")
    shutil.copy(JIT_SOURCE, eng / "jit.py")
    _write(eng / "consts.py", "K = 1\n")
    _write(
        eng / "helper.py",
        """
        from minipkg.engine.consts import K
        from minipkg.engine.jit import kernel


        @kernel
        def add(x):
            return x + K
        """,
    )
    _write(
        eng / "entry.py",
        """
        from minipkg.engine.helper import add
        from minipkg.engine.jit import kernel


        @kernel(python=True)
        def run(x):
            return add(x) * 10
        """,
    )
    return eng


CALL = "from minipkg.engine.entry import run; print('result', run(1))"


def _result(proc: subprocess.CompletedProcess) -> int:
    line = [x for x in proc.stdout.splitlines() if x.startswith("result")][-1]
    return int(line.split()[1])


def test_editing_a_helper_or_a_constant_module_recompiles(tmp_path):
    eng = _mini_package(tmp_path)
    cache = tmp_path / "cache"
    first = _run(tmp_path, CALL, cache)
    assert _result(first) == 20
    again = _run(tmp_path, CALL, cache)
    assert _result(again) == 20
    assert "data loaded" in again.stdout  # an unchanged tree reuses the compiled code
    # a constant in a module that holds no compiled function
    (eng / "consts.py").write_text("K = 5\n", encoding="utf-8")
    edited = _run(tmp_path, CALL, cache)
    assert _result(edited) == 60
    # the body of a helper compiled into the entry point
    text = (eng / "helper.py").read_text(encoding="utf-8")
    text = text.replace("@kernel\n", "@kernel(nrt=True)\n").replace("x + K", "x + 2 * K")
    (eng / "helper.py").write_text(text, encoding="utf-8")
    assert _result(_run(tmp_path, CALL, cache)) == 110
    folders = sorted(p.name for p in cache.glob("kernel-*"))
    assert 2 <= len(folders) <= 3, folders  # one per digest, older ones pruned


def test_a_copy_of_the_package_with_an_edited_helper_has_another_digest(tmp_path):
    src = Path(nansei.__file__).parent
    dst = tmp_path / "nansei"
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("__pycache__", "*.parquet"))
    code = "from nansei.engine import jit; print('digest', jit.source_digest())"
    cache = tmp_path / "cache"
    same = _run(tmp_path, code, cache).stdout.split()[-1]
    assert same == jit.source_digest()
    helper = dst / "engine" / "detection.py"
    helper.write_text(
        helper.read_text(encoding="utf-8").replace(
            "s.b.out[Y.O_DETECTIONS] += 1", "s.b.out[Y.O_DETECTIONS] += 2"
        ),
        encoding="utf-8",
    )
    assert _run(tmp_path, code, cache).stdout.split()[-1] != same


def test_kernel_sources_cover_every_module_the_kernel_reads():
    files = {p.relative_to(jit.PACKAGE_DIR).as_posix() for p in jit.kernel_modules()}
    for name in ("engine/kernel.py", "engine/supply.py", "engine/layout.py", "engine/rng.py"):
        assert name in files
    assert "scenario/legal.py" in files  # engine/legal.py freezes its action indices
    assert "engine/simulate.py" not in files  # Python driver: editing it recompiles nothing


def test_helpers_are_link_only_and_only_entry_points_are_cached(tmp_path):
    # a helper without a Python wrapper is compiled into its caller's machine code: its
    # library is link-only and it writes nothing to the cache; the entry point does
    _mini_package(tmp_path)
    cache = tmp_path / "cache"
    code = (
        CALL + "\nfrom minipkg.engine import jit, helper"
        "\nlibs = [c.library for c in helper.add.overloads.values()]"
        "\nok = all(isinstance(x, jit._LinkOnlyLibrary) for x in libs)"
        "\nprint('link-only', jit.LINK_ONLY, ok)"
    )
    proc = _run(tmp_path, code, cache)
    assert _result(proc) == 20
    assert "link-only True True" in proc.stdout
    cached = {p.name.split("-")[0] for p in cache.glob("kernel-*/*.nbi")}
    assert cached == {"entry.run"}, cached


def test_a_link_only_helper_keeps_its_environment_and_refuses_python_calls(tmp_path):
    # an exception carrying a runtime value needs the helper's environment inside the
    # entry point's machine code (cold compile, then a cache load); calling the helper
    # itself from Python is a clear TypeError, not a crash
    eng = _mini_package(tmp_path)
    text = (eng / "helper.py").read_text(encoding="utf-8")
    text = text.replace("@kernel\n", "@kernel(nrt=True)\n")  # a raised runtime value
    text = text.replace(
        "    return x + K",
        '    if x > 100:\n        raise ValueError("too big", x)\n    return x + K',
    )
    (eng / "helper.py").write_text(text, encoding="utf-8")
    code = (
        "from minipkg.engine.entry import run\n"
        "from minipkg.engine.helper import add\n"
        "try:\n    run(1000)\nexcept ValueError as e:\n    print('raised', e.args)\n"
        "try:\n    add(1)\nexcept TypeError as e:\n"
        "    print('refused', 'Python wrapper' in str(e))\n"
    )
    cache = tmp_path / "cache"
    for _ in range(2):  # compiled, then loaded from the cache
        out = _run(tmp_path, code, cache).stdout
        assert "raised ('too big', 1000)" in out, out
        assert "refused True" in out, out
