"""The analysis contract: one result header, one progress type.

Every analysis is called the same way::

    name(model, *, concepts=None, engine=None, progress=None, **parameters) -> Result

(``explain(model, state)`` and ``mediate(model, target)`` keep their required positional
argument). Every result's ``to_dict()`` starts with the keys of :class:`ResultHeader`
(:data:`HEADER_KEYS`, in that order): the model's name, options and decision makers, the
concepts analysed, the parameters it was computed with and the detente version, as
pygambit's result record. ``concepts`` is the list of concept keys, or, in results that
give per-concept data there, a mapping keyed by them in the same order.

Progress is reported as :class:`ProgressEvent` values to a :data:`Progress` callable.

>>> h = ResultHeader("m", ("a",), ("A", "B"), ("nash",), {"horizon": 2})
>>> list(h.to_dict()) == list(HEADER_KEYS)
True
>>> h.to_dict()["parameters"]
{'horizon': 2}
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from detente import __version__
from detente.model.conflict import Conflict
from detente.model.errors import AnalysisError

if TYPE_CHECKING:
    from detente.engine import Engine

#: The version written in every result header (the package's ``__version__``).
VERSION: str = __version__

#: The header keys every result's ``to_dict()`` starts with, in this order.
HEADER_KEYS: tuple[str, ...] = (
    "model", "options", "decision_makers", "concepts", "parameters", "detente_version",
)


@dataclass(frozen=True)
class ResultHeader:
    """What was analysed and how: model, options, decision makers, concepts, parameters."""

    model: str
    options: tuple[str, ...]
    decision_makers: tuple[str, ...]
    concepts: tuple[str, ...]
    parameters: Mapping[str, Any] = field(default_factory=dict)
    detente_version: str = VERSION
    #: Options with levels: name → levels, lowest first (``"levels"`` in the JSON, only
    #: when the model has any).
    levels: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The header as plain data, keys in :data:`HEADER_KEYS` order (then ``levels`` when
        the model has levelled options)."""
        out: dict[str, Any] = {
            "model": self.model,
            "options": list(self.options),
            "decision_makers": list(self.decision_makers),
            "concepts": list(self.concepts),
            "parameters": dict(self.parameters),
            "detente_version": self.detente_version,
        }
        if self.levels:
            out["levels"] = {k: list(v) for k, v in self.levels.items()}
        return out


def header(model: Conflict, concepts: Iterable[str],
           parameters: Mapping[str, Any] | None = None, *, name: str | None = None
           ) -> ResultHeader:
    """The header of a result computed on ``model``."""
    return ResultHeader(
        model=model.name if name is None else name,
        options=model.space.column_names,
        decision_makers=tuple(model.dm_names),
        concepts=tuple(concepts),
        parameters=MappingProxyType(dict(parameters or {})),
        levels=MappingProxyType(model.space.level_names),
    )


def own_engine(model: Conflict, engine: Engine | None, who: str) -> Engine:
    """``engine`` if it was built for ``model`` (a new one if None); one of another model is
    refused (its tables would answer for the wrong states)."""
    from detente.engine import Engine

    if engine is None:
        return Engine(model)
    if engine.conflict is not model:
        raise AnalysisError(f"the engine given to {who} was built for another model")
    return engine


def with_header(head: ResultHeader, body: Mapping[str, Any]) -> dict[str, Any]:
    """``head``'s keys first, then ``body``'s; a ``concepts`` in ``body`` (per-concept data
    keyed by concept) replaces the header's list in place; other header keys in ``body``
    are an error of the caller."""
    out = head.to_dict()
    if "concepts" in body:
        out["concepts"] = body["concepts"]
    clash = set(body) & (set(HEADER_KEYS) - {"concepts"})
    if clash:
        raise ValueError(f"result body repeats header keys {sorted(clash)}")
    out.update((k, v) for k, v in body.items() if k != "concepts")
    return out


@dataclass(frozen=True)
class ProgressEvent:
    """One progress report: ``step`` of ``total`` done (``total`` None: unknown), and what is
    being done in words."""

    step: int
    total: int | None = None
    message: str = ""

    @property
    def fraction(self) -> float | None:
        """Done as a fraction 0..1, or None when the total is unknown."""
        if not self.total:
            return None
        return min(1.0, max(0.0, self.step / self.total))

    def text(self) -> str:
        """In words, e.g. ``sampling profiles (3/10)``."""
        count = f"{self.step}/{self.total}" if self.total else ""
        if self.message and count:
            return f"{self.message} ({count})"
        return self.message or count


#: The one progress callback type of every analysis, the web jobs and the CLI progress bar.
Progress = Callable[[ProgressEvent], None]


def report(progress: Progress | None, step: int, total: int | None = None,
           message: str = "") -> None:
    """Send one :class:`ProgressEvent` to ``progress`` if there is one."""
    if progress is not None:
        progress(ProgressEvent(step, total, message))


__all__ = ["HEADER_KEYS", "VERSION", "Progress", "ProgressEvent", "ResultHeader", "header",
           "own_engine", "report", "with_header"]
