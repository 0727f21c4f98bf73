"""Studies: a user's question answered end to end.

A study names the question in words, a base scenario, its variants (sets of overrides) or a
design, paired seeds and the outputs that answer it; ``nansei study NAME --out DIR`` runs it
and writes a brief that opens with the answer, in sentences with intervals.

>>> from nansei.study import builtin_studies
>>> "relocation-vs-kill-chain" in builtin_studies()
True
"""

from .runner import StudyResult, answer_study, run_study
from .spec import Study, StudyError, Variant, builtin_studies, load_study

__all__ = [
    "Study",
    "StudyError",
    "StudyResult",
    "Variant",
    "answer_study",
    "builtin_studies",
    "load_study",
    "run_study",
]
