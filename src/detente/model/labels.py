"""Short labels of option values, and a state in words.

An option may carry ``labels``: value → a short phrase saying what is true when the option
has that value (``Y``/``N`` for a yes/no option, a level name for an option with levels), e.g.
``{"Y": "Israel accepts", "N": "Israel refuses"}``. A state *in words* lists, in option
order, the label of each option's value; an unlabelled yes/no option that is taken reads as
its name and one that is not taken is left out; an unlabelled levelled option reads as
``name level``.

>>> words({"accept": "Y", "deploy": "N", "corridor": "reduced"},
...       {"accept": {"Y": "Israel accepts"}, "deploy": {"N": "US forces withdrawn"}},
...       {"corridor"})
'Israel accepts; US forces withdrawn; corridor reduced'
>>> words({"accept": "N"}, {}, set())
'no option taken'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from detente.model.errors import ModelError

#: Longest label accepted (labels are short phrases, shown inside sentences and tables).
MAX_LABEL = 80
#: A state in which no option is taken and no label applies.
NOTHING = "no option taken"
#: The values a yes/no option's labels may name.
YES_NO = ("Y", "N")

#: Labels as the model keeps them: (value, label) pairs, hashable.
Labels = tuple[tuple[str, str], ...]


def label_problem(labels: object, values: Iterable[str]) -> tuple[str | None, str] | None:
    """Why ``labels`` are not valid labels for an option taking ``values``: ``(key, why)``
    (key ``None`` when the whole mapping is wrong), or ``None`` when they are."""
    allowed = tuple(values)
    if not isinstance(labels, Mapping):
        return None, f"labels must map {', '.join(allowed)} to short texts"
    for key, text in labels.items():
        if key not in allowed:
            return str(key), (
                f"labels name {key!r}, which is not a value of this option; "
                f"expected one of {', '.join(allowed)}"
            )
        if not isinstance(text, str) or not text.strip():
            return str(key), f"the label of {key} must be a non-empty text"
        if len(text) > MAX_LABEL or "\n" in text:
            return str(key), (
                f"the label of {key} must be one short line (at most "
                f"{MAX_LABEL} characters), got {len(text)} characters"
            )
    return None


def check_labels(option: str, labels: Labels, values: Iterable[str]) -> None:
    """Raise a :class:`ModelError` naming ``option`` when its labels are not valid."""
    problem = label_problem(dict(labels), values)
    if problem is not None:
        raise ModelError(f"option {option!r}: {problem[1]}")


def words(
    values: Mapping[str, str],
    labels: Mapping[str, Mapping[str, str]],
    levelled: set[str] | frozenset[str],
) -> str:
    """What is true in a state whose options (as people see them) have ``values``."""
    parts: list[str] = []
    for name, value in values.items():
        own = labels.get(name, {})
        if value in own:
            parts.append(own[value])
        elif name in levelled:
            parts.append(f"{name} {value}")
        elif value == "Y":
            parts.append(name)
    return "; ".join(parts) or NOTHING


__all__ = ["MAX_LABEL", "NOTHING", "YES_NO", "Labels", "check_labels", "label_problem", "words"]
