"""Reading GMCR+ ``.gmcr`` files: JSON text → plain data, with errors that name the line and
column (the format is described here; :mod:`detente.formats.gmcr.builder` turns the data into a
model, :mod:`detente.formats.gmcr.writer` writes one).

What the format is, and where that comes from
---------------------------------------------
GMCR+ itself is closed source and publishes no file specification. The format below was
learnt from the public files of GMCR-py (github.com/onp/gmcr-py, by Oskar Petersons; its README
credits Rami Kinsara, Keith Hipel and Marc Kilgour). GMCR-py is *not* open source: its
repository carries a proprietary end-user licence agreement. It reads and writes the same
``.gmcr`` JSON: ``data_01_conflictModel.py`` (``export_rep``/``json_import``/``from_json``
of each class),
``data_03_gmcrUtilities.py`` (state numbering, payoffs), ``data_02_conflictSolvers.py``
(irreversible moves), ``savefile-schema.json`` and the example files shipped with it. No code
or example file was copied. Top-level keys:

``options``
    List of ``{"name": str, "permittedDirection": "both" | "fwd" | "back"}``. ``fwd``: the option
    may be taken (N→Y) but never undone; ``back``: it may only be dropped (Y→N). Names need not
    be unique or identifiers (GMCR-py examples hold two options called ``"Full"``).
``decisionMakers``
    List of ``{"name", "options", "preferences", ...}``. ``options`` are **0-based** indices into
    the top-level list. ``preferences`` are prioritised conditions, most important first; a
    state scores ``2**(n-1-k)`` for each condition k it satisfies (exactly detente's
    :class:`~detente.model.preferences.StatementPreference`).
``infeasibles``
    List of conditions; a state matching any of them is infeasible.
``useManualPreferenceRanking`` (``useManualPreferenceVectors`` in older files)
    One flag for the whole conflict. When true every DM carries ``preferenceRanking`` (older:
    ``preferenceVector``): feasible state numbers, most preferred first, a nested list being a
    tie; the ``preferences`` lists are then kept but not used.
``coalitions``
    Partition of the DMs: each item a DM index (0-based) or a list of DM indices.

A **condition** is a list of ``[option index, "Y" | "N"]`` pairs (a conjunction); a
**compound condition** is ``{"compound": true, "members": [condition, ...]}`` and holds when
any member holds (a disjunction). GMCR-py has no other operators: IF and IFF do not exist in the
file. **States**: option k of the list is bit k (``Y`` = 1), and feasible states are numbered
from 1 in increasing order of that code. GMCR-py regroups the options by decision maker on
loading (DM order, then each DM's ``options`` order) before it numbers states, so detente
does the same: the model's option order is that grouped order (for files GMCR-py saved, it is
the file's order).

Written by GMCR-py, derived, ignored here: ``payoffs`` (per DM), ``coalitionsFull``,
``program``, ``version`` and ``nodes`` (its visualiser export). ``name`` and ``description``
are detente's own additions (GMCR-py ignores unknown keys): the model's name and description.
Per-DM ``misperceptions`` (GMCR-py's ``DecisionMaker.misperceptions``, a list of conditions as
``infeasibles``: the states that DM misperceives, which it can neither move to nor from) are
read as that DM's ``blind_spots`` (one Y/N/- pattern per condition, per member of a compound
one) and written back; any other key is refused, so nothing with model meaning is dropped
silently. GMCR-py requires ``permittedDirection``,
``preferences``, ``infeasibles`` and the flag; detente reads their absence as ``both``, no
conditions and false. An empty ``coalitions`` list means every DM acts alone.
"""

from __future__ import annotations

import json
from typing import Any

from detente.model.errors import ModelError


def read_json(text: str, source: str = "<string>") -> Any:
    """GMCR+ JSON text → plain data (a leading byte-order mark dropped), or a ModelError with
    the line and column of the first JSON error."""
    try:
        raw = json.loads(text.removeprefix("\ufeff"))
    except json.JSONDecodeError as exc:
        raise ModelError(
            f"not valid JSON: {exc.msg}", source=source, line=exc.lineno, column=exc.colno
        ) from None
    except RecursionError:
        raise ModelError("not valid JSON: nested too deeply", source=source) from None
    return raw


__all__ = ["read_json"]
