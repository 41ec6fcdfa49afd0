"""Long analyses as background jobs, with progress and cancel.

A job runs in a worker thread; the analysis reports progress through a callback (one step
per concept for the stability analysis). Cancelling is cooperative: a queued job never
starts, a running one stops at its next progress step.

>>> jobs = JobRunner(workers=1)
>>> job = jobs.submit("demo", lambda progress: {"answer": 42}, steps=1)
>>> jobs.wait(job.id, 5).to_dict()["state"]
'done'
>>> jobs.shutdown()
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Protocol

from detente.model.errors import DetenteError, error_data


class ProgressFn(Protocol):
    """``progress(message)`` counts one step; ``progress(message, done, total)`` sets them."""

    def __call__(self, message: str, done: int | None = None, total: int | None = None
                 ) -> None: ...


Work = Callable[[ProgressFn], dict[str, Any]]
#: Finished jobs kept for their results (oldest dropped first).
KEEP_FINISHED = 200


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

    @property
    def finished_ok(self) -> bool:
        return self.state == "done"

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

    def __init__(self, workers: int = 1) -> None:
        self._workers = workers
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
        pool.submit(self._run, job, work)
        return job

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def cancel(self, job_id: str) -> Job | None:
        """Ask a job to stop; a queued job is cancelled at once."""
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None:
                return None
            job.cancel_event.set()
            if job.state == "queued":
                self._finish(job, "cancelled")
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
        with self._lock:
            for job in self._jobs.values():
                if job.finished is None:
                    job.cancel_event.set()
                    if job.state == "queued":
                        self._finish(job, "cancelled")
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)

    # ---- inside the worker -------------------------------------------------------------
    def _run(self, job: Job, work: Work) -> None:
        with self._lock:
            if job.state != "queued":
                return
            job.state = "running"

        def progress(message: str, done: int | None = None, total: int | None = None) -> None:
            if job.cancel_event.is_set():
                raise JobCancelled
            with self._lock:
                job.message = message
                if total is not None:
                    job.steps = max(1, total)
                step = job.done_steps + 1 if done is None else done
                job.done_steps = min(job.steps, step)

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
        with self._lock:
            job.result = result
            job.done_steps = job.steps
            job.message = "done"
            self._finish(job, "done")

    def _finish(self, job: Job, state: str) -> None:
        job.state = state
        job.finished = time.time()
        self._done.notify_all()

    def _forget_old(self) -> None:
        finished = [j.id for j in self._jobs.values() if j.finished is not None]
        for job_id in finished[: max(0, len(finished) - KEEP_FINISHED)]:
            del self._jobs[job_id]
