"""Input/output: writing runs to disk. The model and engine never import this."""
