"""Errors raised at the model boundary.

Every error says *where* (file, line, column, field) and *what was expected*, so the
command line can print it without a traceback.
"""

from __future__ import annotations

from typing import Any


class DetenteError(Exception):
    """Base class of every error detente raises on purpose."""


class ModelError(DetenteError):
    """A model (or model file) is invalid.

    >>> str(ModelError("unknown option 'x'", source="m.yaml", line=3, field="options[0]"))
    "m.yaml:3: options[0]: unknown option 'x'"
    """

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        line: int | None = None,
        column: int | None = None,
        field: str | None = None,
        detail: str | None = None,
    ) -> None:
        self.message = message
        self.source = source
        self.line = line
        self.column = column
        self.field = field
        self.detail = detail
        super().__init__(str(self))

    def located(
        self,
        *,
        source: str | None = None,
        line: int | None = None,
        column: int | None = None,
        field: str | None = None,
    ) -> ModelError:
        """A copy with location filled in where it was missing."""
        return ModelError(
            self.message,
            source=self.source or source,
            line=self.line if self.line is not None else line,
            column=self.column if self.column is not None else column,
            field=self.field or field,
            detail=self.detail,
        )

    def __str__(self) -> str:
        where = ""
        if self.source:
            where = self.source
            if self.line is not None:
                where += f":{self.line}"
                if self.column is not None:
                    where += f":{self.column}"
            where += ": "
        elif self.line is not None:
            where = f"line {self.line}: "
        if self.field:
            where += f"{self.field}: "
        text = where + self.message
        if self.detail:
            text += "\n" + self.detail
        return text


class ModelTooLargeError(DetenteError):
    """The model is too large to analyse within the memory budget."""


class AnalysisError(DetenteError):
    """An analysis was asked for something the model cannot answer."""


class ArgumentError(AnalysisError, TypeError):
    """A Python API function was called with an argument of the wrong type or value.

    An :class:`AnalysisError` too (what an analysis raises for a parameter it refuses).
    ``parameter`` names the Python parameter at fault (e.g. ``"max_edits"``); surfaces
    translate it to their own name for it (a CLI flag, a web field) and never the analyses.

    >>> isinstance(ArgumentError("horizon must be a whole number"), DetenteError)
    True
    >>> ArgumentError("must be at least 1, got 0", parameter="samples").parameter
    'samples'
    """

    def __init__(self, message: str, *, parameter: str | None = None) -> None:
        self.message = message
        self.parameter = parameter
        super().__init__(message)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_argument_error, (self.message, self.parameter))


def _argument_error(message: str, parameter: str | None) -> ArgumentError:
    """Unpickle an :class:`ArgumentError` (worker processes send them back)."""
    return ArgumentError(message, parameter=parameter)


def error_data(exc: DetenteError) -> dict[str, Any]:
    """An error as plain data: its type and text; for a :class:`ModelError` also message,
    source, line, column, field and detail (``detente validate --format json`` and the web
    API's 422 answers give this).

    >>> error_data(ModelError("bad", line=2, field="name"))["line"]
    2
    """
    data: dict[str, Any] = {"type": type(exc).__name__, "text": str(exc)}
    if isinstance(exc, ModelError):
        data.update(message=exc.message, source=exc.source, line=exc.line, column=exc.column,
                    field=exc.field, detail=exc.detail)
    if isinstance(exc, ArgumentError) and exc.parameter is not None:
        data["parameter"] = exc.parameter
    return data
