"""Long analyses as background jobs, with progress and cancel.

A job runs in a worker thread; the analysis reports progress through a callback (one step
per concept for the stability analysis). Cancelling is cooperative: a queued job never
starts, a running one stops at its next progress step. With a journal (the web store), each
job is recorded when it is submitted, starts and finishes, so :meth:`JobRunner.get` still
finds a finished job, with its result, after the server restarts.

>>> jobs = JobRunner(workers=1)
>>> job = jobs.submit("demo", lambda progress: {"answer": 42}, steps=1)
>>> jobs.wait(job.id, 5).to_dict()["state"]
'done'
>>> jobs.shutdown()
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Protocol

from detente.analyses.contract import Progress, ProgressEvent
from detente.model.errors import DetenteError, error_data

logger = logging.getLogger(__name__)


class JobJournal(Protocol):
    """Where job records outlive the server (:class:`~detente.surfaces.web.store.Store`)."""

    def put_job(self, job: dict[str, Any]) -> None: ...

    def get_job(self, job_id: str) -> dict[str, Any] | None: ...


#: A job's work: called with the one progress type of the analyses
#: (:data:`detente.analyses.contract.Progress`): each event sets the job's step, total and
#: message.
Work = Callable[[Progress], dict[str, Any]]
#: Finished jobs kept in memory for their results (oldest dropped first).
KEEP_FINISHED = 200
#: Bytes (of JSON) of finished jobs' results kept in memory; beyond it the oldest results
#: are dropped from memory (the journal still has them, up to its own size limit).
KEEP_RESULT_BYTES = 128 * 2**20


class JobCancelled(Exception):
    """Raised inside a job's progress callback once the job is cancelled."""


@dataclass
class Job:
    """One background analysis and what is known of it."""

    id: str
    kind: str
    steps: int
    meta: dict[str, Any] = field(default_factory=dict)
    state: str = "queued"  # queued, running, done, failed, cancelled
    done_steps: int = 0
    message: str = ""
    result: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    created: float = field(default_factory=time.time)
    finished: float | None = None
    cancel_event: threading.Event = field(default_factory=threading.Event)
    #: Bytes of the result's JSON (measured when the job finished).
    result_bytes: int = 0
    #: True once the result was dropped from memory (read it back from the journal).
    result_dropped: bool = False

    @property
    def finished_ok(self) -> bool:
        return self.state == "done"

    def record(self) -> dict[str, Any]:
        """The fields a journal keeps."""
        return {"id": self.id, "kind": self.kind, "meta": self.meta, "state": self.state,
                "steps": self.steps, "done_steps": self.done_steps, "message": self.message,
                "result": self.result, "error": self.error, "created": self.created,
                "finished": self.finished}

    @staticmethod
    def from_record(row: dict[str, Any]) -> Job:
        return Job(row["id"], row["kind"], row["steps"], row["meta"], row["state"],
                   row["done_steps"], row["message"], row["result"], row["error"],
                   row["created"], row["finished"])

    def to_dict(self, with_result: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id, "kind": self.kind, "state": self.state, **self.meta,
            "progress": {"done": self.done_steps, "total": self.steps,
                         "fraction": round(self.done_steps / self.steps, 4) if self.steps else 0,
                         "message": self.message},
            "error": self.error,
        }
        if with_result:
            out["result"] = self.result
        return out


class JobRunner:
    """Runs jobs on a few worker threads and keeps their state."""

    def __init__(self, workers: int = 1, journal: JobJournal | None = None,
                 keep_result_bytes: int = KEEP_RESULT_BYTES) -> None:
        self._workers = workers
        self._journal = journal
        self.keep_result_bytes = keep_result_bytes
        self._pool: ThreadPoolExecutor | None = None
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()
        self._done = threading.Condition(self._lock)

    def submit(self, kind: str, work: Work, steps: int = 1,
               meta: dict[str, Any] | None = None) -> Job:
        job = Job(uuid.uuid4().hex, kind, max(1, steps), dict(meta or {}))
        with self._lock:
            self._jobs[job.id] = job
            self._forget_old()
            if self._pool is None:  # started on first use (and again after a shutdown)
                self._pool = ThreadPoolExecutor(max_workers=self._workers,
                                                thread_name_prefix="detente-job")
            pool = self._pool
        self._keep(job)
        pool.submit(self._run, job, work)
        return job

    def get(self, job_id: str) -> Job | None:
        """A job of this server, or one the journal recorded (an earlier server's)."""
        with self._lock:
            job = self._jobs.get(job_id)
        if self._journal is not None and (job is None or job.result_dropped):
            row = self._journal.get_job(job_id)
            job = Job.from_record(row) if row is not None else job
        return job

    def results_bytes(self) -> int:
        """Bytes (of JSON) of the finished jobs' results held in memory now."""
        with self._lock:
            return sum(j.result_bytes for j in self._jobs.values() if j.result is not None)

    def cancel(self, job_id: str) -> Job | None:
        """Ask a job to stop; a queued job is cancelled at once. A job recorded by an earlier
        server is returned as it is (it is not running here)."""
        with self._lock:
            job = self._jobs.get(job_id)
            if job is not None:
                job.cancel_event.set()
                queued = job.state == "queued"
                if queued:
                    self._finish(job, "cancelled")
        if job is None:
            return self.get(job_id)
        if queued:
            self._keep(job)
        return job

    def wait(self, job_id: str, timeout: float) -> Job:
        """Block until the job has finished (or ``timeout`` seconds); returns it."""
        deadline = time.monotonic() + timeout
        with self._lock:
            job = self._jobs[job_id]
            while job.finished is None and time.monotonic() < deadline:
                self._done.wait(max(0.0, deadline - time.monotonic()))
            return job

    def shutdown(self) -> None:
        """Cancel every job and stop the workers (a later submit starts new ones)."""
        cancelled = []
        with self._lock:
            for job in self._jobs.values():
                if job.finished is None:
                    job.cancel_event.set()
                    if job.state == "queued":
                        self._finish(job, "cancelled")
                        cancelled.append(job)
            pool, self._pool = self._pool, None
        for job in cancelled:
            self._keep(job)
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)

    # ---- inside the worker -------------------------------------------------------------
    def _run(self, job: Job, work: Work) -> None:
        with self._lock:
            if job.state != "queued":
                return
            job.state = "running"
        self._keep(job)

        def progress(event: ProgressEvent) -> None:
            if job.cancel_event.is_set():
                raise JobCancelled
            with self._lock:
                job.message = event.text()
                if event.total is not None:
                    job.steps = max(1, event.total)
                job.done_steps = min(job.steps, event.step)

        try:
            self._attempt(job, work, progress)
        finally:
            self._keep(job)

    def _attempt(self, job: Job, work: Work, progress: Progress) -> None:
        try:
            if job.cancel_event.is_set():
                raise JobCancelled
            result = work(progress)
            if job.cancel_event.is_set():
                raise JobCancelled
        except JobCancelled:
            with self._lock:
                self._finish(job, "cancelled")
            return
        except DetenteError as exc:
            with self._lock:
                job.error = error_data(exc)
                self._finish(job, "failed")
            return
        except Exception as exc:  # an unexpected bug: report it as a failed job
            with self._lock:
                job.error = {"type": type(exc).__name__, "text": str(exc)}
                self._finish(job, "failed")
            return
        size = len(json.dumps(result, ensure_ascii=False, separators=(",", ":"), default=str))
        with self._lock:
            job.result, job.result_bytes = result, size
            job.done_steps = job.steps
            job.message = "done"
            self._finish(job, "done")
            self._drop_old_results(job)

    def _keep(self, job: Job) -> None:
        """Record the job in the journal (a failure to write only costs the record)."""
        if self._journal is None:
            return
        with self._lock:
            record = job.record()
        try:
            self._journal.put_job(record)
        except Exception as exc:  # a full disk or a locked file must not fail the job
            logger.warning("could not record job %s in the store: %s", job.id, exc)

    def _finish(self, job: Job, state: str) -> None:
        job.state = state
        job.finished = time.time()
        self._done.notify_all()

    def _drop_old_results(self, newest: Job) -> None:
        """Drop the oldest finished results from memory (never ``newest``'s, not yet in the
        journal) until they fit the byte budget."""
        held = [j for j in self._jobs.values() if j.result is not None and j is not newest]
        total = sum(j.result_bytes for j in held) + newest.result_bytes
        for old in sorted(held, key=lambda j: j.finished or 0.0):
            if total <= self.keep_result_bytes:
                break
            total -= old.result_bytes
            old.result, old.result_dropped = None, True

    def _forget_old(self) -> None:
        finished = [j.id for j in self._jobs.values() if j.finished is not None]
        for job_id in finished[: max(0, len(finished) - KEEP_FINISHED)]:
            del self._jobs[job_id]
