"""``python -m nansei``: the same command line as the ``nansei`` script."""

from nansei.cli import app

if __name__ == "__main__":
    app(prog_name="nansei")
