"""What one running server holds: settings, the store, the result cache and the job runner,
with the cached operations the API and the pages share."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Hashable, Sequence
from typing import Any

from detente.analyses.casefile import CaseFile
from detente.analyses.contract import Progress
from detente.analyses.stability import StabilityResult
from detente.model.conflict import Conflict
from detente.surfaces.web import service
from detente.surfaces.web.cache import ResultCache
from detente.surfaces.web.config import Settings
from detente.surfaces.web.jobs import Job, JobRunner, Work
from detente.surfaces.web.store import ModelRef, Store, Version


def normalise_newlines(text: str) -> str:
    r"""Line endings as ``\n`` (a browser's form posts send ``\r\n``).

    >>> normalise_newlines("a\r\nb\rc\n")
    'a\nb\nc\n'
    """
    return text.replace("\r\n", "\n").replace("\r", "\n")


#: Shared jobs remembered (by what they compute) before the finished ones are forgotten.
_SHARED_JOBS_KEPT = 1024


class Workbench:
    """The server's state. Results are cached by (model id, version, what, parameters)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.store = Store(settings.db_path)
        self.store.interrupt_jobs()  # what a stopped server left unfinished
        self.cache = ResultCache(settings.cache_entries, settings.cache_bytes)
        self.jobs = JobRunner(settings.job_workers, self.store)
        self._lock = threading.Lock()
        self._shared_jobs: dict[tuple[str, Hashable], str] = {}
        self.limits = service.Limits(settings.max_model_chars, settings.max_options,
                                     settings.max_states, settings.inline_states,
                                     settings.inline_work, settings.max_answer_bytes)

    def close(self) -> None:
        self.jobs.shutdown()
        self.store.close()

    # ---- models ------------------------------------------------------------------------
    def parse(self, text: str, source: str = "model.yaml") -> Conflict:
        """A model from text, within this server's limits (not cached: drafts)."""
        return service.parse_model(text, self.limits, source)

    def create(self, text: str) -> ModelRef:
        text = normalise_newlines(text)
        model = self.parse(text)
        return self.store.create(text, model.name)

    def save(self, model_id: int, text: str, expected: int) -> ModelRef:
        """A new version from ``expected`` (its line endings normalised); a text equal to the
        latest version's is not saved again (``ModelRef.changed`` is False)."""
        self.store.get(model_id)  # 404 before validation errors for a missing model
        text = normalise_newlines(text)
        model = self.parse(text)
        return self.store.save(model_id, text, model.name, expected=expected)

    def restore(self, model_id: int, version: int) -> ModelRef:
        """Save an older version's text as the new latest version (nothing when it already
        is the latest text)."""
        old = self.store.get(model_id, version)
        latest = self.store.get(model_id)
        return self.save(model_id, old.yaml, latest.version)

    def version(self, model_id: int, version: int | None = None) -> Version:
        return self.store.get(model_id, version)

    def model(self, model_id: int, version: int | None = None) -> tuple[Version, Conflict]:
        """A stored version and its parsed model (cached)."""
        v = self.store.get(model_id, version)
        source = f"model-{v.model_id}-v{v.version}.yaml"
        model = self.cache.get(("model", v.model_id, v.version),
                               lambda: service.parse_model(v.yaml, self.limits, source))
        return v, model

    def cached(self, v: Version, what: str, params: Hashable,
               compute: Callable[[], Any]) -> Any:
        return self.cache.get((what, v.model_id, v.version, params), compute)

    def answer(self, v: Version, what: str, params: Hashable, compute: Callable[[], Any],
               check: Callable[[], None] | None = None) -> bytes:
        """An analysis answer as JSON bytes, cached. Unless it is cached already, ``check()``
        first refuses work too long for a request (:class:`service.TooMuchWork`), and an
        answer over ``max_answer_bytes`` is refused rather than sent or kept."""
        key = (what + ".json", v.model_id, v.version, params)
        body: bytes | None = self.cache.peek(key)
        if body is not None:
            return body
        if check is not None:
            check()

        def encode() -> bytes:
            data = json.dumps(compute(), ensure_ascii=False, separators=(",", ":")).encode()
            service.check_answer(len(data), self.limits, f"this {what} request",
                                 estimated=False)
            return data

        body = self.cache.get(key, encode)
        return body

    def inline(self, v: Version, model: Conflict, what: str, job: dict[str, Any] | None,
               work: Callable[[], int] | None = None, unit: str = "") -> Callable[[], None]:
        """A ``check`` for :meth:`answer`: :func:`service.check_inline` with these limits
        (``work()`` estimated only when the answer is not cached)."""
        url = f"/api/models/{v.model_id}/jobs"
        return lambda: service.check_inline(model, self.limits, what, job,
                                            None if work is None else work(), unit, url)

    # ---- analyses ----------------------------------------------------------------------
    def case(self, model_id: int, version: int | None = None
             ) -> tuple[Version, Conflict, CaseFile]:
        """A saved version, its model and its case file (built once per version)."""
        v, model = self.model(model_id, version)
        case: CaseFile = self.cached(v, "case", None, lambda: service.case_file(model))
        return v, model, case

    def case_ready(self, v: Version) -> bool:
        """Whether the case file of this version is computed (pages then show it at once)."""
        return self.cache.has(("case", v.model_id, v.version, None))

    def case_job(self, v: Version, model: Conflict) -> Job:
        """The background job that builds this version's case file (one per version while
        it runs; a finished, failed or cancelled one is replaced by a new one)."""
        def work(progress: Progress) -> dict[str, Any]:
            self.cached(v, "case", None, lambda: service.case_file(model, progress))
            return {"model_id": v.model_id, "version": v.version, "ready": True}

        return self._shared_job((v.model_id, v.version), "casefile", work,
                                service.case_file_steps(),
                                {"model_id": v.model_id, "version": v.version})

    def _shared_job(self, key: Hashable, kind: str, work: Work, steps: int,
                    meta: dict[str, Any]) -> Job:
        """The running ``kind`` job of ``key`` (a queued or running one is shared), or a new
        one (a finished, failed or cancelled one is replaced)."""
        with self._lock:
            job = self.jobs.get(self._shared_jobs.get((kind, key), ""))
            if job is not None and job.state in ("queued", "running"):
                return job
            if len(self._shared_jobs) >= _SHARED_JOBS_KEPT:  # forget the finished ones
                self._shared_jobs = {k: j for k, j in self._shared_jobs.items()
                                     if (got := self.jobs.get(j)) is not None
                                     and got.state in ("queued", "running")}
            job = self.jobs.submit(kind, work, steps, meta)
            self._shared_jobs[(kind, key)] = job.id
            return job

    def case_check(self, v: Version, model: Conflict, what: str, kind: str) -> None:
        """Refuse to build this version's case file inside a request when it is not cached
        and the model is over the inline bound (start a ``kind`` job instead)."""
        if not self.case_ready(v):
            self.inline(v, model, what, {"kind": kind, "version": v.version})()

    def report(self, model_id: int, version: int | None, fmt: str, bounded: bool = False
               ) -> tuple[Version, str]:
        """The report of a version; ``bounded``: refuse (:class:`service.TooMuchWork`) to
        build its case file inside the request when the model is over the inline bound."""
        v, model = self.model(model_id, version)
        if bounded and not self.cache.has(("report", v.model_id, v.version, fmt)):
            self.case_check(v, model, "the report", "report")
        _v, _model, case = self.case(model_id, v.version)
        text: str = self.cached(v, "report", fmt, lambda: service.report(case, fmt))
        return v, text

    def case_json(self, model_id: int, version: int | None = None) -> bytes:
        """The case file's ``to_dict()`` as JSON bytes (bounded as :meth:`answer` is)."""
        v, model = self.model(model_id, version)
        return self.answer(v, "casefile", None,
                           lambda: self.case(model_id, v.version)[2].to_dict(),
                           lambda: self.case_check(v, model, "the case file", "casefile"))

    def stability(self, model_id: int, version: int | None = None,
                  concepts: Sequence[str] | None = None, horizon: int | None = None,
                  progress: Progress | None = None,
                  ) -> tuple[Version, Conflict, StabilityResult]:
        """The stability analysis of a version under these concepts (cached; ``progress``
        hears of it when it is computed)."""
        v, model = self.model(model_id, version)
        key = (tuple(concepts or ()), horizon)
        result = self.cached(v, "stability", key,
                             lambda: service.stability(model, concepts, horizon, progress))
        return v, model, result

    def stability_ready(self, v: Version, concepts: Sequence[str],
                        horizon: int | None = None) -> bool:
        """Whether :meth:`stability` of these concepts is cached for this version."""
        return self.cache.has(("stability", v.model_id, v.version,
                               (tuple(concepts), horizon)))

    def stability_job(self, v: Version, concepts: Sequence[str],
                      horizon: int | None = None) -> Job:
        """The background job that computes (and caches) :meth:`stability` of these
        concepts, one step per concept; one per version and concepts while it runs."""
        keys = tuple(concepts)

        def work(progress: Progress) -> dict[str, Any]:
            self.stability(v.model_id, v.version, keys, horizon, progress)
            return {"model_id": v.model_id, "version": v.version, "concepts": list(keys),
                    "ready": True}

        meta = {"model_id": v.model_id, "version": v.version, "concepts": list(keys),
                "horizon": horizon}
        return self._shared_job((v.model_id, v.version, keys, horizon), "stability", work,
                                max(1, len(keys)), meta)

    def analysis(self, model_id: int, version: int | None = None,
                 concepts: Sequence[str] | None = None, horizon: int | None = None,
                 ) -> dict[str, Any]:
        v, _model, result = self.stability(model_id, version, concepts, horizon)
        data: dict[str, Any] = self.cached(v, "analysis", (tuple(concepts or ()), horizon),
                                           result.to_dict)
        return data

    def analysis_json(self, model_id: int, version: int | None = None,
                      concepts: Sequence[str] | None = None, horizon: int | None = None,
                      ) -> bytes:
        """:meth:`analysis` serialised once (the cache keeps the bytes); a model over the
        inline bound is refused unless its answer is cached (start a job instead)."""
        v, model = self.model(model_id, version)
        job = {"kind": "analysis", "version": v.version, "concepts": concepts,
               "horizon": horizon}
        return self.answer(v, "analysis", (tuple(concepts or ()), horizon),
                           lambda: self.stability(model_id, v.version, concepts,
                                                  horizon)[2].to_dict(),
                           self.inline(v, model, "the stability analysis", job))
