"""Verification aids: exact results for idealised sub-models of the engine.

See :mod:`nansei.verification.closed_form` and ``docs/verification.md``.
"""
