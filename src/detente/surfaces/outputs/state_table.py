"""Big results out fast: the stability result as JSON text streamed in chunks, and as a state
table (one row per feasible state) written to Parquet or CSV in chunks with pyarrow.

Both work from the boolean arrays directly; state strings are built vectorised (a byte grid of
``Y``/``N``), never one Python string per state, so 2**20 states take seconds, not minutes,
and memory stays near the size of the result itself.

``iter_json(result)`` yields exactly the text of ``json.dumps(result.to_dict(), indent=2,
ensure_ascii=False)`` (tests check this):

>>> import json, detente
>>> r = detente.analyze(detente.load("examples/prisoners_dilemma.yaml"), ["nash"])
>>> "".join(iter_json(r)) == json.dumps(r.to_dict(), indent=2, ensure_ascii=False)
True
>>> state_strings(np.array([0, 1, 6]), 3).tolist()
['NNN', 'YNN', 'NYY']
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from detente.analyses.moves import state_bytes, state_strings  # noqa: F401 (doctest)
from detente.model.conflict import Conflict
from detente.model.errors import ArgumentError, ModelError

if TYPE_CHECKING:
    from detente.analyses.stability import StabilityResult

#: States per chunk of output.
CHUNK = 1 << 16
# ----- JSON ---------------------------------------------------------------------------------
def _json_list(codes: np.ndarray, n_options: int, indent: int) -> Iterator[str]:
    """A JSON list of state strings at ``indent`` (as json.dumps(indent=2) lays it out)."""
    if codes.size == 0:
        yield "[]"
        return
    pad = b" " * (indent + 2)
    width = len(pad) + n_options + 4  # pad "state",\n
    yield "[\n"
    for lo in range(0, codes.size, CHUNK):
        part = codes[lo : lo + CHUNK]
        rows = np.empty((part.size, width), dtype=np.uint8)
        rows[:, : len(pad)] = ord(" ")
        rows[:, len(pad)] = ord('"')
        rows[:, len(pad) + 1 : len(pad) + 1 + n_options] = state_bytes(part, n_options)
        rows[:, -3] = ord('"')
        rows[:, -2] = ord(",")
        rows[:, -1] = ord("\n")
        text = rows.tobytes().decode("ascii")
        if lo + CHUNK >= codes.size:
            text = text[:-2] + "\n"  # no comma after the last item
        yield text
    yield " " * indent + "]"


def iter_json(result: StabilityResult) -> Iterator[str]:
    """The JSON of ``result.to_dict()`` (indent 2), in chunks, from the boolean arrays."""
    c = result.conflict
    lists: list[np.ndarray] = []

    def hole(codes: np.ndarray) -> str:
        lists.append(codes)
        return f"\x00{len(lists) - 1}\x00"

    concepts: dict[str, Any] = {}
    for concept, mask in result.stable.items():
        concepts[concept] = {
            "equilibria": hole(c.feasible[np.asarray(mask).all(axis=0)]),
            "stable_for": {dm: hole(c.feasible[mask[i]]) for i, dm in enumerate(c.dm_names)},
        }
    skeleton = {**result.header(), "concepts": concepts}
    text = json.dumps(skeleton, indent=2, ensure_ascii=False)
    # Each hole is a JSON string '"\u0000k\u0000"'; split the text around them.
    parts = text.split('"\\u0000')
    yield parts[0]
    for part in parts[1:]:
        number, rest = part.split('\\u0000"', 1)
        line_start = text.rfind("\n", 0, text.find('"\\u0000' + number + '\\u0000"')) + 1
        indent = len(text[line_start:]) - len(text[line_start:].lstrip(" "))
        if c.levels:  # level names: not one letter per option
            strings = c.space.texts(lists[int(number)]).tolist()
            listed = json.dumps(strings, indent=2, ensure_ascii=False)
            yield listed.replace("\n", "\n" + " " * indent)
        else:
            yield from _json_list(lists[int(number)], c.n_options, indent)
        yield rest


def _json_rows(c: Conflict, shown: int, indent: int) -> Iterator[str]:
    """The ``states`` list of ``show``'s JSON (the first ``shown`` states), in chunks."""
    from detente.analyses.stability import display_ranks

    if shown == 0:
        yield "[]"
        return
    p0, p1, p2 = (" " * (indent + k) for k in (2, 4, 6))
    ranks_part = ",\n".join(
        f"{p2}{json.dumps(dm, ensure_ascii=False).replace('%', '%%')}: %d" for dm in c.dm_names
    )
    template = (
        f'{p0}{{\n{p1}"number": %d,\n{p1}"state": "%s",\n{p1}"ranks": {{\n{ranks_part}\n'
        f'{p1}}},\n{p1}"status_quo": %s\n{p0}}}'
    )
    ranks = display_ranks(c.ranks)
    sq = -1 if c.status_quo is None else c.status_quo
    yield "[\n"
    for lo in range(0, shown, CHUNK // 4):
        hi = min(shown, lo + CHUNK // 4)
        codes = c.feasible[lo:hi]
        names = c.space.texts(codes).tolist()
        cols = [ranks[i, lo:hi].tolist() for i in range(len(c.dms))]
        flags = ["true" if x == sq else "false" for x in codes.tolist()]
        rows = [
            template % (lo + k + 1, names[k], *(col[k] for col in cols), flags[k])
            for k in range(hi - lo)
        ]
        yield ",\n".join(rows) + (",\n" if hi < shown else "\n")
    yield " " * indent + "]"


def iter_summary_json(c: Conflict, shown: int | None = None) -> Iterator[str]:
    """The JSON of ``model_summary(c, shown).to_dict()`` (indent 2), in chunks: the states are
    formatted straight from the arrays, never held as one Python object each.

    >>> import detente
    >>> from detente.analyses.summary import model_summary
    >>> c = detente.load("examples/elmira.yaml")
    >>> "".join(iter_summary_json(c, 5)) == json.dumps(model_summary(c, 5).to_dict(), indent=2,
    ...                                                ensure_ascii=False)
    True
    """
    from detente.analyses.summary import model_summary

    shown = c.n_states if shown is None else min(shown, c.n_states)
    skeleton = model_summary(c, 0).to_dict()
    skeleton["states"] = "\x00rows\x00"
    skeleton["states_hidden"] = c.n_states - shown
    text = json.dumps(skeleton, indent=2, ensure_ascii=False)
    marker = '"\\u0000rows\\u0000"'
    at = text.index(marker)
    line_start = text.rfind("\n", 0, at) + 1
    indent = len(text[line_start:]) - len(text[line_start:].lstrip(" "))
    yield text[:at]
    yield from _json_rows(c, shown, indent)
    yield text[at + len(marker):]


# ----- Parquet and CSV ------------------------------------------------------------------------
def table_columns(result: StabilityResult | None, conflict: Conflict) -> list[str]:
    """Column names of the state table, in order."""
    c = conflict
    cols = ["number", "code", "state"]
    cols += [f"rank {dm}" for dm in c.dm_names]
    if result is not None:
        for concept in result.stable:
            cols.append(concept)
            cols += [f"{concept} {dm}" for dm in c.dm_names]
    return cols


def _batches(result: StabilityResult | None, conflict: Conflict) -> Iterator[Any]:
    import pyarrow as pa

    from detente.analyses.stability import display_ranks

    c = conflict
    ranks = display_ranks(c.ranks)
    names = table_columns(result, c)
    for lo in range(0, c.n_states, CHUNK):
        hi = min(c.n_states, lo + CHUNK)
        codes = c.feasible[lo:hi]
        if c.levels:  # level names: not one letter per option
            strings = c.space.texts(codes)
        else:
            grid = np.ascontiguousarray(state_bytes(codes, c.n_options))
            strings = grid.view(f"S{max(c.n_options, 1)}").ravel()
        arrays: list[Any] = [
            pa.array(np.arange(lo + 1, hi + 1, dtype=np.int64)),
            pa.array(codes.astype(np.int64)),
            pa.array(strings.astype(object), type=pa.string()),
        ]
        arrays += [pa.array(ranks[i, lo:hi].astype(np.int64)) for i in range(len(c.dms))]
        if result is not None:
            for mask in result.stable.values():
                part = np.asarray(mask[:, lo:hi])
                arrays.append(pa.array(part.all(axis=0)))
                arrays += [pa.array(part[i]) for i in range(len(c.dms))]
        yield pa.RecordBatch.from_arrays(arrays, names=names)


def write_table(result: StabilityResult | None, conflict: Conflict, path: str | Path,
                fmt: str) -> int:
    """Write the state table (every feasible state; with stability columns when ``result``
    is given) to ``path`` as ``parquet`` or ``csv``, one chunk of rows at a time, through a
    temporary file renamed at the end. Returns the number of rows.

    Columns: ``number`` (1-based state number), ``code`` (bit k = option k), ``state`` (Y/N
    per option), ``rank <DM>`` (1 = most preferred), and per concept a column that is true at
    equilibria and a ``<concept> <DM>`` column per DM (stable for that DM).
    """
    import os
    import tempfile

    import pyarrow as pa
    import pyarrow.csv as pa_csv
    import pyarrow.parquet as pq

    from detente._files import file_mode

    if fmt not in ("parquet", "csv"):
        raise ArgumentError(f"table format must be parquet or csv, got {fmt!r}")
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise ModelError(f"cannot write the file: the folder '{folder}' does not exist",
                         source=str(target))
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    os.close(fd)
    tmp = Path(name)
    try:
        os.chmod(tmp, file_mode(target))
        batches = _batches(result, conflict)
        first = next(batches)
        schema: pa.Schema = first.schema
        writer: Any
        if fmt == "parquet":
            writer = pq.ParquetWriter(  # type: ignore[no-untyped-call,unused-ignore]
                str(tmp), schema, compression="zstd")
            write = writer.write_batch
        else:
            writer = pa_csv.CSVWriter(  # type: ignore[attr-defined,unused-ignore]
                str(tmp), schema)
            write = writer.write_batch
        with writer:
            write(first)
            for batch in batches:
                write(batch)
        os.replace(tmp, target)
    except OSError as exc:
        raise ModelError(f"cannot write the file: {exc.strerror or exc}",
                         source=str(target)) from None
    finally:
        if tmp.exists():
            tmp.unlink()
    return conflict.n_states
