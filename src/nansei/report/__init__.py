"""Reports of runs: static maps, charts, an offline interactive map and an HTML report.

The model and engine never import this package; it reads run directories
written by :func:`nansei.io.runs.write_run` and scenarios. The entry point is
:func:`nansei.report.report.build_report`.
"""
