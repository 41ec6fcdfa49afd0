"""The SQLite store: models and every saved version of each (SQLAlchemy Core, WAL mode), and
the background jobs' records.

Saving is optimistic: a save names the version it was edited from, and succeeds only if
that is still the latest; otherwise :class:`StaleVersion` and nothing changes. The check
and the write are one ``BEGIN IMMEDIATE`` transaction, so two concurrent saves of the same
version cannot both succeed. Versions are never overwritten or deleted.

Named what-if scenarios (:meth:`Store.put_scenario`) are kept per model, one per name; a
save under a taken name replaces that scenario.

Jobs are recorded when they are submitted, start and finish (with their result), so a
finished job's result outlives the server; a job left queued or running by a server process
that no longer exists is marked interrupted when the next server opens the store.

>>> import tempfile, pathlib
>>> store = Store(pathlib.Path(tempfile.mkdtemp()) / "t.db")
>>> ref = store.create("name: x", "x")
>>> store.save(ref.id, "name: y", "y", expected=1).version
2
>>> [v.version for v in store.versions(ref.id)]
[1, 2]
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    delete,
    event,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine

metadata = MetaData()

models = Table(
    "models", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String, nullable=False),
    Column("version", Integer, nullable=False),
    Column("created", String, nullable=False),
    Column("updated", String, nullable=False),
)

versions = Table(
    "versions", metadata,
    Column("model_id", Integer, ForeignKey("models.id"), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("name", String, nullable=False),
    Column("yaml", Text, nullable=False),
    Column("created", String, nullable=False),
)


jobs = Table(
    "jobs", metadata,
    Column("id", String, primary_key=True),
    Column("kind", String, nullable=False),
    Column("meta", Text, nullable=False),  # JSON object
    Column("state", String, nullable=False),
    Column("steps", Integer, nullable=False),
    Column("done_steps", Integer, nullable=False),
    Column("message", Text, nullable=False),
    Column("result", Text),  # JSON, or NULL
    Column("error", Text),  # JSON, or NULL
    Column("created", Float, nullable=False),
    Column("finished", Float),
    Column("pid", Integer, nullable=False),  # the server process that ran it
)

scenarios = Table(
    "scenarios", metadata,
    Column("model_id", Integer, ForeignKey("models.id"), primary_key=True),
    Column("name", String, primary_key=True),
    Column("scenario", Text, nullable=False),  # JSON object (analyses/whatif's shape)
    Column("created", String, nullable=False),
)

#: Named scenarios kept per model (a save beyond it is refused).
MAX_SCENARIOS = 200

#: Finished jobs kept in the store (oldest dropped first).
KEEP_JOBS = 200
#: Results longer than this (characters of JSON) are not stored; the job's record says so.
MAX_RESULT_CHARS = 32 << 20
#: The error of a job whose server stopped before it finished.
INTERRUPTED = {"type": "Interrupted",
               "text": "the server stopped before this job finished; start it again"}

JOB_FIELDS = ("id", "kind", "meta", "state", "steps", "done_steps", "message", "result",
              "error", "created", "finished")


class NotFound(LookupError):
    """No such model or version."""


class StaleVersion(Exception):
    """A save named a version that is no longer the latest."""

    def __init__(self, model_id: int, given: int, latest: int) -> None:
        super().__init__(
            f"model {model_id} is at version {latest}, not {given}: it was saved meanwhile; "
            "reload it, merge your edits and save again"
        )
        self.model_id, self.given, self.latest = model_id, given, latest


@dataclass(frozen=True)
class ModelRef:
    """A model's id, latest version and name."""

    id: int
    version: int
    name: str
    updated: str
    #: False when a save found its text equal to the latest version's (nothing was stored).
    changed: bool = True


@dataclass(frozen=True)
class SavedScenario:
    """A named what-if scenario of a model (its JSON form)."""

    model_id: int
    name: str
    scenario: dict[str, Any]
    created: str


class TooManyScenarios(Exception):
    """A model already holds :data:`MAX_SCENARIOS` named scenarios."""


@dataclass(frozen=True)
class Version:
    """One saved version of a model."""

    model_id: int
    version: int
    name: str
    yaml: str
    created: str


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _engine(path: Path) -> Engine:
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        f"sqlite:///{path}", connect_args={"check_same_thread": False, "timeout": 30}
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (below)
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _alive(pid: int) -> bool:
    """Whether a process with this id exists (on this machine; always True on Windows,
    where signal 0 is not a probe)."""
    if os.name == "nt":
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


class Store:
    """Models and their versions in one SQLite file (created if missing)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.engine = _engine(path)
        metadata.create_all(self.engine)

    @contextmanager
    def _tx(self) -> Iterator[Connection]:
        with self.engine.begin() as conn:
            yield conn

    def journal_mode(self) -> str:
        with self._tx() as conn:
            return str(conn.exec_driver_sql("PRAGMA journal_mode").scalar())

    def create(self, yaml: str, name: str) -> ModelRef:
        """Store a new model as version 1."""
        now = _now()
        with self._tx() as conn:
            new_id = conn.execute(
                insert(models).values(name=name, version=1, created=now, updated=now)
            ).inserted_primary_key
            assert new_id is not None
            model_id = int(new_id[0])
            conn.execute(insert(versions).values(model_id=model_id, version=1, name=name,
                                                 yaml=yaml, created=now))
        return ModelRef(model_id, 1, name, now)

    def save(self, model_id: int, yaml: str, name: str, *, expected: int) -> ModelRef:
        """Store a new version if ``expected`` is the latest; else :class:`StaleVersion`. A
        text equal to the latest version's stores nothing: the latest is returned with
        ``changed=False`` (whichever version it was edited from)."""
        now = _now()
        with self._tx() as conn:
            same = self._unchanged(conn, model_id, yaml)
            if same is not None:
                return same
            done = conn.execute(
                update(models)
                .where(models.c.id == model_id, models.c.version == expected)
                .values(version=models.c.version + 1, name=name, updated=now)
            ).rowcount
            if done != 1:
                latest = conn.execute(
                    select(models.c.version).where(models.c.id == model_id)
                ).scalar()
                if latest is None:
                    raise NotFound(f"no model {model_id}")
                raise StaleVersion(model_id, expected, int(latest))
            conn.execute(insert(versions).values(model_id=model_id, version=expected + 1,
                                                 name=name, yaml=yaml, created=now))
        return ModelRef(model_id, expected + 1, name, now)

    @staticmethod
    def _unchanged(conn: Connection, model_id: int, yaml: str) -> ModelRef | None:
        """The model's latest version as a ``changed=False`` ref if its text is ``yaml``."""
        row = conn.execute(
            select(models.c.version, models.c.name, models.c.updated, versions.c.yaml)
            .join(versions, (versions.c.model_id == models.c.id)
                  & (versions.c.version == models.c.version))
            .where(models.c.id == model_id)
        ).one_or_none()
        if row is None or row.yaml != yaml:
            return None
        return ModelRef(model_id, int(row.version), row.name, row.updated, changed=False)

    def get(self, model_id: int, version: int | None = None) -> Version:
        """The latest version of a model (or the given one); :class:`NotFound` if none."""
        with self._tx() as conn:
            if version is None:
                version = conn.execute(
                    select(models.c.version).where(models.c.id == model_id)
                ).scalar()
                if version is None:
                    raise NotFound(f"no model {model_id}")
            row = conn.execute(
                select(versions).where(versions.c.model_id == model_id,
                                       versions.c.version == version)
            ).one_or_none()
        if row is None:
            raise NotFound(f"model {model_id} has no version {version}")
        return Version(row.model_id, row.version, row.name, row.yaml, row.created)

    def all(self) -> list[ModelRef]:
        """Every model, most recently saved first."""
        with self._tx() as conn:
            rows = conn.execute(
                select(models).order_by(models.c.updated.desc(), models.c.id.desc())
            ).all()
        return [ModelRef(r.id, r.version, r.name, r.updated) for r in rows]

    def versions(self, model_id: int) -> list[Version]:
        """Every saved version of a model, oldest first (texts included)."""
        with self._tx() as conn:
            rows = conn.execute(
                select(versions).where(versions.c.model_id == model_id)
                .order_by(versions.c.version)
            ).all()
        if not rows:
            raise NotFound(f"no model {model_id}")
        return [Version(r.model_id, r.version, r.name, r.yaml, r.created) for r in rows]

    # ---- named what-if scenarios ----------------------------------------------------------
    def put_scenario(self, model_id: int, name: str, scenario: dict[str, Any]) -> SavedScenario:
        """Save ``scenario`` under ``name`` (replacing one of that name); :class:`NotFound`
        for no such model, :class:`TooManyScenarios` past :data:`MAX_SCENARIOS`."""
        now = _now()
        text = json.dumps(scenario, sort_keys=True)
        with self._tx() as conn:
            if conn.execute(select(models.c.id).where(models.c.id == model_id)).scalar() is None:
                raise NotFound(f"no model {model_id}")
            held = conn.execute(select(scenarios.c.name).where(
                scenarios.c.model_id == model_id)).scalars().all()
            if name not in held and len(held) >= MAX_SCENARIOS:
                raise TooManyScenarios(
                    f"model {model_id} already holds {len(held)} named scenarios, the most "
                    "kept; delete one first")
            stmt = sqlite_insert(scenarios).values(model_id=model_id, name=name,
                                                   scenario=text, created=now)
            conn.execute(stmt.on_conflict_do_update(
                index_elements=[scenarios.c.model_id, scenarios.c.name],
                set_={"scenario": text, "created": now}))
        return SavedScenario(model_id, name, json.loads(text), now)

    def get_scenario(self, model_id: int, name: str) -> SavedScenario:
        """A named scenario; :class:`NotFound` if the model has none of that name."""
        with self._tx() as conn:
            row = conn.execute(select(scenarios).where(
                scenarios.c.model_id == model_id, scenarios.c.name == name)).one_or_none()
        if row is None:
            raise NotFound(f"model {model_id} has no scenario named {name!r}")
        return SavedScenario(row.model_id, row.name, json.loads(row.scenario), row.created)

    def list_scenarios(self, model_id: int) -> list[SavedScenario]:
        """A model's named scenarios, by name."""
        with self._tx() as conn:
            rows = conn.execute(select(scenarios).where(scenarios.c.model_id == model_id)
                                .order_by(scenarios.c.name)).all()
        return [SavedScenario(r.model_id, r.name, json.loads(r.scenario), r.created)
                for r in rows]

    def delete_scenario(self, model_id: int, name: str) -> bool:
        """Delete a named scenario; whether there was one."""
        with self._tx() as conn:
            done = conn.execute(delete(scenarios).where(
                scenarios.c.model_id == model_id, scenarios.c.name == name)).rowcount
        return bool(done)

    # ---- jobs ----------------------------------------------------------------------------
    def put_job(self, job: dict[str, Any]) -> None:
        """Insert or update a job's record (``JOB_FIELDS``; ``meta``, ``result`` and
        ``error`` as JSON-able values; ``pid``, the server process, defaults to this one). A
        result above :data:`MAX_RESULT_CHARS` is left out and the message says so; finished
        jobs beyond :data:`KEEP_JOBS` are dropped."""
        row = {k: job[k] for k in JOB_FIELDS}
        row["meta"] = json.dumps(job["meta"])
        row["error"] = None if job["error"] is None else json.dumps(job["error"])
        result = None if job["result"] is None else json.dumps(job["result"])
        if result is not None and len(result) > MAX_RESULT_CHARS:
            row["message"] = (f"{job['message']} (its result, {len(result) / 2**20:.0f} MiB of "
                              "JSON, is kept only while this server runs)")
            result = None
        row["result"] = result
        row["pid"] = job.get("pid", os.getpid())
        stmt = sqlite_insert(jobs).values(**row)
        stmt = stmt.on_conflict_do_update(index_elements=[jobs.c.id],
                                          set_={k: stmt.excluded[k] for k in row if k != "id"})
        with self._tx() as conn:
            conn.execute(stmt)
            if row["finished"] is not None:
                newest = (select(jobs.c.id).where(jobs.c.finished.is_not(None))
                          .order_by(jobs.c.finished.desc()).limit(KEEP_JOBS))
                conn.execute(delete(jobs).where(jobs.c.finished.is_not(None),
                                                jobs.c.id.not_in(newest)))

    def get_job(self, job_id: str) -> dict[str, Any] | None:
        """A job's record (``JOB_FIELDS``, JSON decoded), or None."""
        with self._tx() as conn:
            row = conn.execute(select(jobs).where(jobs.c.id == job_id)).one_or_none()
        if row is None:
            return None
        out = {k: getattr(row, k) for k in JOB_FIELDS}
        for k in ("meta", "result", "error"):
            out[k] = None if out[k] is None else json.loads(out[k])
        return out

    def interrupt_jobs(self) -> int:
        """Mark as failed (:data:`INTERRUPTED`) the jobs left queued or running by server
        processes that no longer exist; returns how many."""
        with self._tx() as conn:
            rows = conn.execute(select(jobs.c.id, jobs.c.pid).where(
                jobs.c.state.in_(("queued", "running")))).all()
            dead = [r.id for r in rows if not _alive(r.pid)]
            if dead:
                conn.execute(update(jobs).where(jobs.c.id.in_(dead)).values(
                    state="failed", error=json.dumps(INTERRUPTED), finished=time.time(),
                    message="interrupted"))
        return len(dead)

    def count_versions(self) -> int:
        with self._tx() as conn:
            return int(conn.execute(select(func.count()).select_from(versions)).scalar() or 0)

    def close(self) -> None:
        self.engine.dispose()
