"""Names in a model file that only the engine can check: the solution concepts the model's
``mediation:`` section asks about. Surfaces call :func:`check_references` right after
loading, so ``detente validate`` and the workbench refuse what the report would later trip on.

>>> import detente
>>> check_references(detente.load("tests/data/ceasefire_2024_coarse.yaml")).name[:4]
'Gaza'
"""

from __future__ import annotations

from detente.engine.registry import parse_concepts
from detente.model.conflict import Conflict
from detente.model.errors import AnalysisError, ModelError


def check_references(model: Conflict) -> Conflict:
    """``model`` if every concept named in ``mediation.concepts`` is known, else a
    :class:`ModelError` naming the file and field."""
    for k, name in enumerate(model.mediation.concepts):
        try:
            parse_concepts([name])
        except AnalysisError as exc:
            raise ModelError(str(exc), source=model.source_file,
                             field=f"mediation.concepts[{k}]") from None
    return model
