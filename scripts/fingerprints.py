"""Fingerprints of simulated records, series and traces, to show that a change is exact.

    .venv/bin/python scripts/fingerprints.py            # print them
    .venv/bin/python scripts/fingerprints.py --write    # refresh tests/data/fingerprints.txt

``tests/test_fingerprints.py`` compares the committed file with a fresh run. Refresh it
only when a change of results is intended, and say why in the commit. To compare two
source trees, run this script in each (``PYTHONPATH=OTHER/src``) and diff the output.
Cases and sizes: :mod:`nansei.verification.fingerprints`.
"""

from __future__ import annotations

import argparse

from nansei.verification.fingerprints import CASES, PINNED, line


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--write", action="store_true", help=f"write {PINNED}")
    args = ap.parse_args()
    lines = []
    for name, changes, reps in CASES:
        lines.append(line(name, changes, reps))
        print(lines[-1], flush=True)
    if args.write:
        PINNED.write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"wrote {PINNED}")


if __name__ == "__main__":
    main()
