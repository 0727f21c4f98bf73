"""Reading input files (scenarios, experiments) with a size cap.

A scenario or experiment file is a few kilobytes; a file larger than
:data:`MAX_INPUT_BYTES` is refused after reading at most that many bytes plus
one, so ``nansei validate /dev/zero`` (or a multi-gigabyte file given by
mistake) stops at once with a one-line message naming the file and the cap.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["MAX_INPUT_BYTES", "InputTooLarge", "read_input_bytes"]

#: Largest scenario or experiment file read (bytes); the web upload limit is the same.
MAX_INPUT_BYTES = 1_000_000


class InputTooLarge(ValueError):
    """An input file is over the cap; ``str()`` names the file and the cap."""


def read_input_bytes(path: Path, limit: int = MAX_INPUT_BYTES) -> bytes:
    """The bytes of ``path``, refusing files over ``limit`` bytes.

    Raises
    ------
    InputTooLarge
        If the file has more than ``limit`` bytes (regular files are refused
        from their size alone; devices and pipes after ``limit + 1`` bytes).
    OSError
        As :func:`open` raises it (e.g. ``FileNotFoundError``).
    """
    with open(path, "rb") as fh:
        try:
            size = os.fstat(fh.fileno()).st_size
        except OSError:
            size = 0
        data = b"" if size > limit else fh.read(limit + 1)
    if size > limit or len(data) > limit:
        shown = f"{size:,} bytes" if size > limit else f"more than {limit:,} bytes"
        raise InputTooLarge(
            f"{path}: file too large ({shown}); the limit for scenario and experiment "
            f"files is {limit:,} bytes"
        )
    return data
