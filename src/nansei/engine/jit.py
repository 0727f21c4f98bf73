"""The kernel's compiler: ``@kernel`` (Numba ``njit``) with a cache that cannot go stale.

Every compiled function of the engine is decorated with :func:`kernel`. It is
``numba.njit(cache=True)`` with two differences:

* **One compile per function.** Numba compiles a separate version of a called
  function for every distinct literal argument (``push(s, t, EV_ARRIVE, ...)``
  and ``push(s, t, EV_FIRE, ...)`` would be two compiles). The kernel's
  dispatcher types arguments without their literal values, so each helper is
  compiled once; that is most of what keeps the cold compile short
  (``docs/performance.md``).
* **A cache keyed on every kernel source.** Numba's own cache checks only the
  file that holds a function, so editing a helper module compiled into the
  kernel would leave stale machine code running. Here the cache folder is named
  after a SHA-256 of the source of every module compiled into the kernel (and
  of the modules whose constants they read), of Numba and llvmlite's versions:
  any edit selects a new folder and a fresh compile (:func:`source_digest`).

The cache lives in ``nansei/engine/__pycache__/kernel-<digest>`` when the
package folder is writable, else in ``$XDG_CACHE_HOME/nansei`` (or
``~/.cache/nansei``); ``NANSEI_CACHE_DIR`` overrides both. Older kernel folders
in the same place are removed when a new one is made.

Under ``NUMBA_DISABLE_JIT=1`` the decorator returns the plain Python function.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import ClassVar

import llvmlite
import numba
from numba.core import caching, codegen, compiler, config, types
from numba.core.dispatcher import _FunctionCompiler
from numba.core.registry import CPUDispatcher

ENGINE_DIR = Path(__file__).resolve().parent
PACKAGE_DIR = ENGINE_DIR.parent
_MARK = "@kernel"  # a module that uses the decorator is compiled into the kernel
_KEEP_OLD = 2  # kernel cache folders of other digests kept (the most recent ones)


def kernel_modules() -> list[Path]:
    """Source files whose code or constants are compiled into the kernel.

    Every engine module that uses :func:`kernel`, and every ``nansei`` module they
    import (transitively): their module-level constants are frozen into the
    machine code.
    """
    todo = [p for p in sorted(ENGINE_DIR.glob("*.py")) if _MARK in p.read_text("utf-8")]
    seen: dict[Path, None] = {}
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen[path] = None
        todo.extend(_nansei_imports(path))
    return sorted(seen)


def _nansei_imports(path: Path) -> list[Path]:
    """Files of the package's own modules that ``path`` imports at module level."""
    tree = ast.parse(path.read_text("utf-8"))
    own = PACKAGE_DIR.name
    names = []
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(own):
            names.append(node.module)
            names.extend(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            names.extend(a.name for a in node.names if a.name.startswith(own))
    files = []
    for name in names:
        rel = Path(*name.split(".")[1:])
        for cand in (PACKAGE_DIR / rel.with_suffix(".py"), PACKAGE_DIR / rel / "__init__.py"):
            if cand.is_file() and cand != PACKAGE_DIR / "__init__.py":
                files.append(cand)
    return files


@functools.lru_cache(maxsize=1)
def source_digest() -> str:
    """SHA-256 (hex, 16 characters) of the kernel sources and the compiler versions."""
    h = hashlib.sha256()
    h.update(f"numba {numba.__version__} llvmlite {llvmlite.__version__}".encode())
    for path in kernel_modules():
        h.update(str(path.relative_to(PACKAGE_DIR)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def _writable(folder: Path) -> bool:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tempfile.TemporaryFile(dir=folder).close()
    except OSError:
        return False
    return True


@functools.lru_cache(maxsize=1)
def cache_dir() -> Path:
    """The folder of this kernel's compiled code (created, older digests pruned)."""
    name = f"kernel-{source_digest()}"
    env = os.environ.get("NANSEI_CACHE_DIR")
    if env:
        bases = [Path(env)]
    else:
        xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        bases = [ENGINE_DIR / "__pycache__", Path(xdg) / "nansei"]
    for base in bases:
        if _writable(base / name):
            _prune(base, name)
            return base / name
    raise RuntimeError(
        f"no writable folder for the compiled kernel (tried {', '.join(map(str, bases))}); "
        "set NANSEI_CACHE_DIR to a writable folder"
    )


def _prune(base: Path, keep: str) -> None:
    """Remove kernel folders of other digests (their sources no longer exist)."""
    old = sorted(
        (p for p in base.glob("kernel-*") if p.is_dir() and p.name != keep),
        key=lambda p: p.stat().st_mtime,
    )
    for path in old[: max(len(old) - _KEEP_OLD, 0)]:
        shutil.rmtree(path, ignore_errors=True)


class _KernelLocator(caching._CacheLocator):
    """Numba cache locator: one folder per kernel source digest."""

    def __init__(self, py_func, py_file):
        self._lineno = py_func.__code__.co_firstlineno
        self._path = str(cache_dir())

    def get_cache_path(self):
        return self._path

    def get_source_stamp(self):
        return source_digest()

    def get_disambiguator(self):
        return str(self._lineno)

    @classmethod
    def from_function(cls, py_func, py_file):
        return cls(py_func, py_file)


class _KernelCacheImpl(caching.CompileResultCacheImpl):
    _locator_classes: ClassVar[list] = [_KernelLocator]


class _KernelCache(caching.FunctionCache):
    _impl_class = _KernelCacheImpl


#: Numba versions whose internals :class:`_LinkOnlyLibrary` and :class:`_KernelCompiler`
#: were read against (``numba/core/codegen.py``, ``dispatcher.py``); outside them, or
#: without those internals, every function compiles and caches as with plain
#: ``numba.njit``: slower to compile, the same machine code. A test fails when the
#: installed Numba falls outside, so that the range is reviewed, not silently dropped.
_NUMBA_TESTED = ((0, 59), (0, 68))
#: Whether functions without a Python wrapper get a link-only library.
LINK_ONLY = (
    _NUMBA_TESTED[0] <= tuple(int(x) for x in numba.__version__.split(".")[:2]) <= _NUMBA_TESTED[1]
    and all(
        hasattr(codegen.JITCodeLibrary, name)
        for name in (
            "_optimize_final_module",
            "_finalize_dynamic_globals",
            "_verify_declare_only_symbols",
        )
    )
    and hasattr(_FunctionCompiler, "_compile_core")
)


class _LinkOnlyLibrary(codegen.JITCodeLibrary):
    """Code of a kernel function that only other compiled functions call.

    Numba links the LLVM module of a callee into each of its callers, optimises
    the caller's whole module and emits its machine code; then the caller is linked
    into its own callers, and so on up the call tree. A function without a Python
    wrapper is never called on its own, so its library stops after the
    function-level passes: its module is not optimised as a whole, not turned into
    machine code and not cached. The entry points callable from Python (the batch
    entries, the evacuation sub-model) optimise and emit the whole tree once, and
    only they are cached. This took the cold compile of ``kyodo-2021`` from 62 s to
    57 s and made the kernel slightly faster (``docs/performance.md``).
    """

    @property
    def codegen(self):
        return _LinkOnlyCodegen(self._codegen)

    def _optimize_final_module(self):
        pass  # the caller's module passes optimise this code after inlining

    def _finalize_final_module(self):
        # Numba's version adds the module to the JIT engine and emits machine code
        self._finalize_dynamic_globals()
        self._verify_declare_only_symbols()
        self._finalized = True


class _LinkOnlyCodegen:
    """The shared code generator, seen from a link-only library: its code is never
    loaded on its own, so there is no environment address to set."""

    def __init__(self, inner):
        self._inner = inner

    def set_env(self, env_name, env):
        pass

    def __getattr__(self, name):
        return getattr(self._inner, name)


class _KernelCompiler(_FunctionCompiler):
    """Numba's function compiler, with a link-only library for internal functions."""

    def _compile_core(self, args, return_type):
        flags = compiler.Flags()
        self.targetdescr.options.parse_as_flags(flags, self.targetoptions)
        library = None
        if LINK_ONLY and flags.no_cpython_wrapper and flags.no_cfunc_wrapper:
            ctx = self.targetdescr.target_context
            library = _LinkOnlyLibrary(ctx.codegen(), self.py_func.__qualname__)
        cres = compiler.compile_extra(
            self.targetdescr.typing_context,
            self.targetdescr.target_context,
            self.py_func,
            args=args,
            return_type=return_type,
            flags=flags,
            locals=self.locals,
            library=library,
            pipeline_class=self.pipeline_class,
        )
        if cres.typing_error is not None:
            raise cres.typing_error
        if library is None:
            _set_linked_environments(cres)
        return cres


def _set_linked_environments(cres) -> None:
    """Point the environment globals of the link-only functions inside an entry point's
    machine code at their environments (Numba sets only a function's own when it
    compiles it, and a link-only function is never loaded on its own). Without this, a
    callee that needs its environment (``print``, an exception carrying runtime values)
    fails with "missing Environment". A cache load sets them itself
    (``CompileResult._rebuild``)."""
    from numba.core.environment import lookup_environment

    for gv in cres.library._final_module.global_variables:
        if gv.name.startswith("_ZN08NumbaEnv"):
            env = lookup_environment(gv.name)
            if env is not None:
                cres.library.codegen.set_env(gv.name, env)


class KernelDispatcher(CPUDispatcher):
    """``CPUDispatcher`` that compiles calls without literal argument types, gives
    functions without a Python wrapper a link-only library, and caches in the
    digest-keyed folder."""

    def __init__(self, py_func, locals, targetoptions):
        super().__init__(py_func, locals=locals, targetoptions=targetoptions)
        self._compiler = _KernelCompiler(
            py_func, self.targetdescr, targetoptions, locals, compiler.Compiler
        )

    def get_call_template(self, args, kws):
        args = tuple(types.unliteral(a) for a in args)
        kws = {k: types.unliteral(v) for k, v in kws.items()}
        return super().get_call_template(args, kws)

    def enable_caching(self):
        self._cache = _KernelCache(self.py_func)


class _LinkOnlyDispatcher(KernelDispatcher):
    """A kernel function without a Python wrapper: callable from compiled code only.
    Numba would otherwise call a null pointer and end the process."""

    def __call__(self, *args, **kwargs):
        raise TypeError(
            f"{self.py_func.__module__}.{self.py_func.__qualname__} is compiled without a "
            "Python wrapper (@kernel without python=True): call it from a kernel function, "
            "or run it as plain Python with nansei.engine.jit.plain_python"
        )


def plain_python(func):
    """``func`` run as plain Python: its Python source, calling the Python source of every
    kernel function it calls (recursively), as under ``NUMBA_DISABLE_JIT=1`` but for this
    call only.

    For one-off calls from Python of small kernel functions (the legal timeline's means
    when a scenario compiles): the first compiled call in a process starts Numba (about
    0.3 s), which a process that hands the replications to workers never needs otherwise.
    The arithmetic is the same; the tests compare both. Only kernel functions named as
    globals of the function (and, recursively, of those) are replaced: one reached as
    ``module.func``, through a closure or from a comprehension would still run compiled,
    and a recursive kernel function is not supported.
    """
    if not isinstance(func, KernelDispatcher):
        return func  # under NUMBA_DISABLE_JIT the decorator returned the Python function
    return _plain(func.py_func)


@functools.cache
def _plain(py_func):
    import types as pytypes

    glob = dict(py_func.__globals__)
    for name in py_func.__code__.co_names:
        value = glob.get(name)
        if isinstance(value, KernelDispatcher):
            glob[name] = _plain(value.py_func)
    return pytypes.FunctionType(
        py_func.__code__, glob, py_func.__name__, py_func.__defaults__, py_func.__closure__
    )


def kernel(
    func=None,
    *,
    nrt: bool = False,
    python: bool = False,
    inline: bool | None = None,
    ir_inline: bool = False,
):
    """Compile ``func`` into the kernel (nopython; entry points cached in :func:`cache_dir`).

    Parameters
    ----------
    func : function
    nrt : bool
        Keep Numba's reference counting. Only functions that allocate need it
        (workspaces, seeding, the batch entry points); everything the replication
        loop calls runs without it (``docs/engine.md``).
    python : bool
        Callable from Python, not only from compiled code. Without it Numba builds
        no Python wrapper for the function, which halves the cold compile (the
        wrapper of a function taking the model and state unpacks about 80 arrays),
        and the function is link-only: compiled into its callers' machine code and
        not cached on its own (:class:`_LinkOnlyLibrary`).
    inline : bool, optional
        Ask LLVM to inline the function into its callers (``alwaysinline``; the
        default for functions that are not callable from Python). A call that is
        not inlined passes the model and the state as several hundred scalars, so
        the hot helpers must be inlined; rare paths opt out to keep the compile
        short.
    ir_inline : bool
        Inline the function's Numba IR into its one caller instead (no separate
        compile; used for the replication loop inside the batch entry point, so the
        whole kernel is optimised once).
    """
    if func is None:
        return functools.partial(kernel, nrt=nrt, python=python, inline=inline, ir_inline=ir_inline)
    if config.DISABLE_JIT:
        return func
    opts = {"nopython": True, "_nrt": nrt, "forceinline": not python if inline is None else inline}
    if ir_inline:
        opts["inline"] = "always"
    if not python:
        opts["no_cpython_wrapper"] = True
        opts["no_cfunc_wrapper"] = True
    cls = KernelDispatcher if python else _LinkOnlyDispatcher
    disp = cls(py_func=func, locals={}, targetoptions=opts)
    if python or not LINK_ONLY:  # a link-only function's code is cached in its callers'
        disp.enable_caching()
    return disp
