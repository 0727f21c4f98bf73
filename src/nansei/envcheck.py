"""Environment checks made before any simulation starts: output paths, seeds, ports and
the Dask scheduler address. Each failure is one line naming the option (:class:`EnvError`).

>>> try:
...     check_seed(2**64, "--seed")
... except EnvError as exc:
...     print(exc)
--seed: 18446744073709551616 is out of range; allowed: 0 .. 9223372036854775807
"""

from __future__ import annotations

import os
import re
import socket
from pathlib import Path

__all__ = [
    "MAX_SEED",
    "EnvError",
    "check_output_dir",
    "check_output_file",
    "check_port",
    "check_scheduler",
    "check_seed",
]

#: Seeds are stored as int64: 0 .. 2**63 - 1.
MAX_SEED = 2**63 - 1


class EnvError(ValueError):
    """An option that cannot work in this environment; ``str()`` is one line."""

    def __init__(self, option: str, message: str) -> None:
        super().__init__(f"{option}: {message}")
        self.option = option
        self.reason = message


def _existing_parent(path: Path) -> Path:
    probe = path.absolute()
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    return probe


def _writable_dir(d: Path) -> bool:
    return os.access(d, os.W_OK | os.X_OK)


def check_output_dir(path: Path | str, option: str) -> None:
    """``path`` is a directory we can write in, or can be created as one.

    Raises
    ------
    EnvError
        If it is a file, or it (or the nearest existing folder above it) is not writable.
    """
    path = Path(path)
    if path.exists():
        if not path.is_dir():
            raise EnvError(option, f"{path} is a file, not a directory")
        if not _writable_dir(path):
            raise EnvError(option, f"directory {path} is not writable")
        return
    parent = _existing_parent(path)
    if not parent.is_dir():
        raise EnvError(option, f"cannot create {path}: {parent} is a file")
    if not _writable_dir(parent):
        raise EnvError(option, f"cannot create {path}: {parent} is not writable")


def check_output_file(path: Path | str, option: str) -> None:
    """``path`` is a file we can create or replace (its folder exists and is writable).

    Raises
    ------
    EnvError
    """
    path = Path(path)
    if path.is_dir():
        raise EnvError(option, f"{path} is a directory, not a file")
    folder = path.absolute().parent
    if not folder.is_dir():
        raise EnvError(option, f"folder {folder} does not exist")
    if not _writable_dir(folder) or (path.exists() and not os.access(path, os.W_OK)):
        raise EnvError(option, f"{path} is not writable")


def check_seed(seed: int | None, option: str) -> None:
    """``seed`` is None or in ``0 .. 2**63 - 1`` (it is stored as int64).

    Raises
    ------
    EnvError
    """
    if seed is not None and not 0 <= int(seed) <= MAX_SEED:
        raise EnvError(option, f"{seed} is out of range; allowed: 0 .. {MAX_SEED}")


def check_port(host: str, port: int, option: str = "--port") -> None:
    """``port`` is in 1 .. 65535 and free on ``host`` (a socket can bind it now).

    Raises
    ------
    EnvError
    """
    if not 1 <= int(port) <= 65535:
        raise EnvError(option, f"{port} is out of range; allowed: 1 .. 65535")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise EnvError("--host", f"cannot resolve {host!r}: {exc.strerror}") from None
    family, kind, proto, _, addr = infos[0]
    with socket.socket(family, kind, proto) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(addr)
        except OSError as exc:
            raise EnvError(option, f"cannot listen on {host}:{port}: {exc.strerror}") from None


_ADDRESS = re.compile(
    r"^(?:(?P<scheme>[a-z+]+)://)?(?P<host>\[[^\]]+\]|[^\s:/\[\]]+):(?P<port>\d+)$"
)


def check_scheduler(address: str, option: str = "executor", timeout_s: float = 5.0) -> None:
    """A Dask scheduler address is ``[tcp|tls://]HOST:PORT`` and something listens there.

    Raises
    ------
    EnvError
    """
    m = _ADDRESS.match(address.strip())
    if not m:
        raise EnvError(option, f"invalid Dask scheduler address {address!r}; allowed: "
                       "tcp://HOST:PORT, tls://HOST:PORT or HOST:PORT")  # fmt: skip
    scheme, host, port = m.group("scheme") or "tcp", m.group("host").strip("[]"), m["port"]
    if scheme not in ("tcp", "tls"):
        raise EnvError(option, f"unsupported scheme {scheme!r} in {address!r}; allowed: tcp, tls")
    if not 1 <= int(port) <= 65535:
        raise EnvError(option, f"port {port} of {address!r} is out of range; allowed: 1 .. 65535")
    try:
        with socket.create_connection((host, int(port)), timeout=timeout_s):
            pass
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise EnvError(option, f"cannot reach the Dask scheduler at {address}: {reason}") from None
