"""The one place where the web app calls the analyses (and the formats).

The pages render a model's case file (:func:`case_file`, ``detente.analyses.casefile``):
stability, the status quo's explanation and evolution, coalitions and the transition graph,
analysed once per saved version; the report is rendered from the same case file. The API's
single-analysis answers call the analysis functions with the asked-for parameters and return
their ``to_dict()``, exactly the CLI's JSON shapes.

>>> text = open("examples/prisoners_dilemma.yaml").read()
>>> model = parse_model(text, limits=Limits())
>>> analysis(model)["concepts"]["nash"]["equilibria"]
['YY']
"""

from __future__ import annotations

import difflib
import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from detente.analyses.casefile import CaseFile, build_case_file
from detente.analyses.coalitions import CoalitionResult, coalition_analysis
from detente.analyses.coalitions.output import limit_that_fits
from detente.analyses.contract import Progress
from detente.analyses.explain import explain as explain_state
from detente.analyses.references import check_references
from detente.analyses.requests import CoalitionsRequest, RobustnessRequest
from detente.analyses.stability import StabilityResult, analyze
from detente.analyses.status_quo import evolve as evolve_from
from detente.engine.registry import BASELINE_KEY, concept_label, parse_concepts
from detente.formats.gmcr import dumps_gmcr, loads_gmcr
from detente.formats.native import build, dumps, read_spec
from detente.model.conflict import Conflict
from detente.model.errors import AnalysisError, ArgumentError, ModelTooLargeError
from detente.surfaces.web.config import (
    INLINE_STATES,
    INLINE_WORK,
    MAX_ANSWER_BYTES,
    MAX_MODEL_CHARS,
    MAX_OPTIONS,
    MAX_STATES,
)

#: Most preference profiles a robustness request may sample.
MAX_SAMPLES = 20_000
#: matplotlib's Agg drawing is not thread-safe for one figure machinery; draw one at a time.
_DRAW_LOCK = threading.Lock()


@dataclass(frozen=True)
class Limits:
    """Size limits for models given to the web app, and for the work and answer of one
    request (:func:`check_inline`, :func:`check_answer`)."""

    max_chars: int = MAX_MODEL_CHARS
    max_options: int = MAX_OPTIONS
    max_states: int = MAX_STATES
    inline_states: int = INLINE_STATES
    inline_work: int = INLINE_WORK
    max_answer_bytes: int = MAX_ANSWER_BYTES
    #: Largest answer a request builds inline (bytes of JSON, estimated where the analysis
    #: can: the coalition analysis); a larger one is paged or run as a job.
    inline_answer_bytes: int = 4 * 2**20


class TooMuchWork(ModelTooLargeError):
    """A request over this server's bound for one answer: too much work to do inside a
    request (``job`` then names the job to start instead), or an answer too large.
    ``estimate`` says how much, ``limit`` what is allowed (same keys)."""

    def __init__(self, message: str, estimate: dict[str, int], limit: dict[str, int],
                 job: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.estimate, self.limit, self.job = estimate, limit, job


def check_inline(model: Conflict, limits: Limits, what: str, job: dict[str, Any] | None,
                 work: int | None = None, unit: str = "", jobs_url: str = "/api/jobs"
                 ) -> None:
    """Refuse (:class:`TooMuchWork`) to run ``what`` inside a request when the model has more
    than ``limits.inline_states`` feasible states or the ``work`` (in ``unit``) is over
    ``limits.inline_work``; ``job`` is the job request (posted to ``jobs_url``) that runs it
    instead.

    >>> m = parse_model(open("examples/prisoners_dilemma.yaml").read(), Limits())
    >>> try:
    ...     check_inline(m, Limits(inline_work=10), "robustness", {"kind": "robustness"},
    ...                  work=40, unit="profiles x states")
    ... except TooMuchWork as exc:
    ...     print(exc.estimate, exc.limit)
    {'work': 40} {'work': 10}
    """
    hint = "" if job is None else (f" instead (POST {jobs_url} "
                                   f"{json.dumps(job, separators=(', ', ': '))})")
    if model.n_states > limits.inline_states:
        raise TooMuchWork(
            f"{what} of a model with {model.n_states:,} feasible states runs only as a job "
            f"here (a request analyses up to {limits.inline_states:,} states): start a "
            f"job{hint}", {"states": model.n_states}, {"states": limits.inline_states}, job)
    if work is not None and work > limits.inline_work:
        raise TooMuchWork(
            f"{what} would take {work:,} {unit} of work; a request does at most "
            f"{limits.inline_work:,} here: start a job{hint}", {"work": work},
            {"work": limits.inline_work}, job)


def check_answer(nbytes: int, limits: Limits, what: str, advice: str = "",
                 estimated: bool = True, details: dict[str, int] | None = None) -> None:
    """Refuse (:class:`TooMuchWork`) an answer of ``nbytes`` over ``limits.max_answer_bytes``.

    >>> check_answer(10, Limits(max_answer_bytes=100), "x")
    >>> try:
    ...     check_answer(2**30, Limits(), "the coalition analysis", "name fewer coalitions")
    ... except TooMuchWork as exc:
    ...     print(str(exc)[:60])
    the coalition analysis would answer about 1,073,741,824 byte
    """
    if nbytes <= limits.max_answer_bytes:
        return
    about = "about " if estimated else ""
    raise TooMuchWork(
        f"{what} would answer {about}{nbytes:,} bytes of JSON ({nbytes / 2**20:.1f} MiB); "
        f"this server answers at most {limits.max_answer_bytes:,} bytes "
        f"({limits.max_answer_bytes / 2**20:.1f} MiB)" + (f": {advice}" if advice else ""),
        {"bytes": nbytes, **(details or {})}, {"bytes": limits.max_answer_bytes})


def parse_model(text: str, limits: Limits, source: str = "model.yaml") -> Conflict:
    """Build a model from YAML text, refusing one too large for this server first.

    Raises :class:`ModelError` (with line and field, as the CLI reports it) or
    :class:`ModelTooLargeError`.
    """
    if len(text) > limits.max_chars:
        raise ModelTooLargeError(
            f"{source}: the model text has {len(text):,} characters; this server accepts at "
            f"most {limits.max_chars:,}"
        )
    spec, raw = read_spec(text, source)  # read once: validated, before any state is listed
    n = sum(len(dm.options) for dm in spec.decision_makers)
    if n > limits.max_options:
        raise ModelTooLargeError(
            f"{source}: the model has {n} options (2^{n} = {2**n:,} candidate states); this "
            f"server analyses at most {limits.max_options} options (use the command line for "
            "larger models)"
        )
    model = check_references(build(spec, raw=raw, source=source))
    if model.n_states > limits.max_states:
        raise ModelTooLargeError(
            f"{source}: the model has {model.n_states:,} feasible states; this server analyses "
            f"at most {limits.max_states:,} (use the command line for larger models)"
        )
    return model


def yaml_from_gmcr(text: str, source: str = "model.gmcr") -> str:
    """A GMCR+ ``.gmcr`` file's text converted to the native YAML."""
    return dumps(loads_gmcr(text, source=source))


def gmcr_text(model: Conflict) -> str:
    """The model as a GMCR+ ``.gmcr`` file."""
    return dumps_gmcr(model)


def gmcr_omissions(model: Conflict) -> list[str]:
    """What a ``.gmcr`` file of the model cannot hold (``detente convert`` warns of each),
    the status quo in words (its number second) rather than as Y/N text."""
    from detente.analyses.state_view import state_view
    from detente.formats import omissions

    lost = omissions(model, ".gmcr")
    sq = model.status_quo
    if sq is None:
        return lost
    raw = f"the status quo ({model.state_string(sq)})"
    said = f"the status quo: {state_view(model, sq)['text']}"
    return [said if item == raw else item for item in lost]


def header_list(items: Sequence[str]) -> str:
    """Items as one HTTP header value: joined by ``"; "``, non-ASCII percent-encoded.

    >>> header_list(["the status quo (NN)", "Qatar–Egypt"])
    'the status quo (NN); Qatar%E2%80%93Egypt'
    """
    return "; ".join(quote(item, safe=" !\"#$&'()*+,-./:;<=>?@[]^_`{|}~") for item in items)


def summary(model: Conflict) -> dict[str, Any]:
    """What ``detente validate --format json`` says of a valid model (without the file)."""
    return {"ok": True, "name": model.name, "options": model.n_options,
            "decision_makers": len(model.dms), "feasible_states": model.n_states,
            "candidate_states": 2**model.n_options}


def stability(model: Conflict, concepts: Sequence[str] | None = None,
              horizon: int | None = None, progress: Progress | None = None) -> StabilityResult:
    """The stability analysis (as ``detente analyze`` runs it)."""
    return analyze(model, list(concepts) if concepts else None, horizon=horizon,
                   progress=progress)


def analysis(model: Conflict, concepts: Sequence[str] | None = None,
             horizon: int | None = None, progress: Progress | None = None) -> dict[str, Any]:
    """Exactly ``detente analyze --format json``."""
    return stability(model, concepts, horizon, progress).to_dict()


def explain(model: Conflict, state: str, dms: Sequence[str] | None = None,
            concepts: Sequence[str] | None = None) -> dict[str, Any]:
    """Exactly ``detente explain --format json``. ``state``: a number or a Y/N string."""
    ref = state.strip()  # a number too: the state space parses numbers
    return explain_state(model, ref, dms=list(dms) if dms else None,
                         concepts=list(concepts) if concepts else None).to_dict()


def evolve(model: Conflict, start: str | None = None, model_coalitions: bool = False,
           coalitions: Sequence[Sequence[str]] = (), concepts: Sequence[str] | None = None,
           ) -> dict[str, Any]:
    """Exactly ``detente evolve --format json`` (``--coalitions``, ``--coalition A,B``)."""
    if model_coalitions and not model.coalitions:
        raise AnalysisError("the model names no coalitions; give them as coalition=A,B")
    chosen = [list(h) for h in model.coalitions] if model_coalitions else []
    chosen += [list(h) for h in coalitions]
    begin = None if start is None else start.strip()  # the state space parses numbers
    return evolve_from(model, begin, chosen, list(concepts) if concepts else None).to_dict()


def _chosen_coalitions(model: Conflict, given: Sequence[Sequence[str]], every: bool
                       ) -> tuple[tuple[str, ...], ...]:
    """The coalitions ``coalitions(model, given, every)`` analyses (checked as it checks)."""
    from detente.analyses.coalitions import every_coalition, parse_coalitions

    CoalitionsRequest(given or None, all_coalitions=every)  # the argument rules
    if not every and not given and not model.coalitions:
        raise AnalysisError("the model names no coalitions; give them as coalition=A,B, "
                            "or all=true")
    if every:
        return every_coalition(model)
    return parse_coalitions(model, [list(h) for h in given] if given else model.coalitions)


def coalition_work(model: Conflict, given: Sequence[Sequence[str]] = (), every: bool = False
                   ) -> int:
    """Pairs of states the coalition analysis searches at most (its own bound on its work;
    the analysis refuses more than ``MAX_WORK``)."""
    from detente.analyses.coalitions.analysis import _work_bound

    chosen = _chosen_coalitions(model, given, every)
    return int(sum(_work_bound(model, [model.dm_index(n) for n in key]) for key in chosen))


def coalition_result(model: Conflict, given: Sequence[Sequence[str]] = (),
                     every: bool = False, concepts: Sequence[str] | None = None
                     ) -> CoalitionResult:
    """The coalition analysis behind :func:`coalitions` (the pages of one answer share it)."""
    _chosen_coalitions(model, given, every)
    return coalition_analysis(model, [list(h) for h in given] or None,
                              list(concepts) if concepts else None, all_coalitions=every)


def coalition_page(result: CoalitionResult, limits: Limits | None = None, offset: int = 0,
                   limit: int | None = None, job: dict[str, Any] | None = None,
                   jobs_url: str = "/api/jobs") -> dict[str, Any]:
    """A page of a coalition analysis's JSON (``detente coalitions --offset --limit``).
    With ``limits``, its size is estimated before it is built: over
    ``limits.max_answer_bytes`` it is refused; with ``job`` (a request, not a job) it is
    also refused over ``limits.inline_answer_bytes``, naming the ``job`` to start instead.
    Each refusal (:class:`TooMuchWork`) gives a page size (``limit``) that fits."""
    if limits is not None:
        size = result.estimate(offset, limit)
        n = result.conflict.n_states
        states = max(0, min(n - offset, limit or n))
        bound = limits.max_answer_bytes if job is None else min(limits.max_answer_bytes,
                                                                limits.inline_answer_bytes)
        fits = limit_that_fits(result, offset, max_bytes=bound)
        advice = (f"ask for fewer states at a time (limit={fits:,} source states fits; offset "
                  "to go on), or name fewer coalitions (coalition=A,B)")
        details = {"improvements": size.improvements, "states": states,
                   "limit_that_fits": fits}
        check_answer(size.bytes, limits, "this coalition analysis", advice, details=details)
        if job is not None and size.bytes > limits.inline_answer_bytes:
            hint = json.dumps(job, separators=(", ", ": "))
            raise TooMuchWork(
                f"this coalition analysis would answer about {size.bytes:,} bytes of JSON; a "
                f"request answers at most {limits.inline_answer_bytes:,} here: {advice}, or "
                f"start a job (POST {jobs_url} {hint})",
                {"bytes": size.bytes, **details}, {"bytes": limits.inline_answer_bytes}, job)
    return result.to_dict(offset, limit)


def coalitions(model: Conflict, given: Sequence[Sequence[str]] = (), every: bool = False,
               concepts: Sequence[str] | None = None, limits: Limits | None = None,
               offset: int = 0, limit: int | None = None) -> dict[str, Any]:
    """Exactly ``detente coalitions --format json`` (``--coalition``, ``--all``, ``--offset``,
    ``--limit``); with ``limits``, an answer estimated over ``limits.max_answer_bytes`` is
    refused before it is built (:func:`coalition_page`)."""
    return coalition_page(coalition_result(model, given, every, concepts), limits, offset,
                          limit)


def robustness_work(model: Conflict, samples: int = 10_000, exact: bool = False) -> int:
    """Profiles times states a robustness run evaluates (profiles: every one when ``exact``
    or when there are at most ``samples``, else ``samples``)."""
    from detente.analyses.robustness import profile_space_size

    space = profile_space_size(model)
    return (space if exact else min(space, samples)) * model.n_states


def robustness(model: Conflict, concepts: Sequence[str] | None = None, samples: int = 10_000,
               seed: int = 0, exact: bool = False, progress: Progress | None = None,
               ) -> dict[str, Any]:
    """Exactly ``detente robustness --format json`` (``--samples``, ``--seed``, ``--exact``;
    always on this machine: no ``--scheduler``); ``progress`` after each chunk. What a valid
    argument is, the request layer says; over :data:`MAX_SAMPLES` (this server's capacity)
    is refused here."""
    request = RobustnessRequest(list(concepts) if concepts else None, samples=samples,
                                seed=seed, exact=exact or None)
    if samples > MAX_SAMPLES:
        raise ArgumentError(f"samples over {MAX_SAMPLES:,} are not run by this server, got "
                            f"{samples:,}", parameter="samples")
    return request.run(model, progress=progress).to_dict()


def mediate(model: Conflict, target: str, concepts: Sequence[str] | None = None,
            max_edits: int = 3, limit: int = 10, reachable: bool = False,
            dms: Sequence[str] | None = None) -> dict[str, Any]:
    """Exactly ``detente mediate --format json`` (``--target``, ``--max-edits``, ...)."""
    from detente.analyses.mediation import mediate as run

    ref = target.strip()  # a number too: the state space parses numbers
    return run(model, ref, concepts=list(concepts) if concepts else None, max_edits=max_edits,
               limit=limit, reachable=reachable, dms=list(dms) if dms else None).to_dict()


def deal(model: Conflict, concepts: Sequence[str] | None = None) -> dict[str, Any]:
    """Exactly ``detente deal --format json``."""
    from detente.analyses.deal import deal_analysis

    return deal_analysis(model, list(concepts) if concepts else None).to_dict()


def hypergame(model: Conflict, concepts: Sequence[str] | None = None,
              target: str | None = None) -> dict[str, Any]:
    """Exactly ``detente hypergame --format json`` (``--concept``, ``--target``)."""
    from detente.analyses.requests import HypergameRequest

    return HypergameRequest(list(concepts) if concepts else None, target).run(model).to_dict()


def packages(model: Conflict, concepts: Sequence[str] | None = None,
             against: str | None = None, limit: int = 20) -> dict[str, Any]:
    """Exactly ``detente packages --format json`` (``--against``, ``--concept``,
    ``--limit``; 0 lists all)."""
    from detente.analyses.requests import PackagesRequest

    request = PackagesRequest(against, list(concepts) if concepts else None, limit)
    return request.run(model).to_dict()


def packages_work(model: Conflict) -> int:
    """Profiles times states the packages analysis evaluates: the states, and with
    uncertain preferences its probabilities' profiles (as :func:`robustness_work`)."""
    from detente.analyses.packages import DEFAULT_SAMPLES

    if not any(dm.readings for dm in model.dms):
        return model.n_states
    return robustness_work(model, DEFAULT_SAMPLES)


def drafts(model: Conflict, concepts: Sequence[str] | None = None,
           against: str | None = None) -> dict[str, Any]:
    """Exactly ``detente drafts --format json`` (``--concept``, ``--against``)."""
    from detente.analyses.requests import DraftsRequest

    return DraftsRequest(list(concepts) if concepts else None, against).run(model).to_dict()


def deal_design(model: Conflict, concepts: Sequence[str] | None = None, limit: int = 10,
                progress: Progress | None = None) -> dict[str, Any]:
    """Exactly ``detente deal --design --format json`` (``--limit``; 0 lists every order);
    ``progress`` as the analysis reports it."""
    from detente.analyses.requests import DealDesignRequest

    request = DealDesignRequest(list(concepts) if concepts else None, limit)
    return request.run(model, progress=progress).to_dict()


def case_file(model: Conflict, progress: Progress | None = None, max_nodes: int = 40
              ) -> CaseFile:
    """The model's case file: every analysis the pages and the report show, run once.
    ``progress`` is called once per step (:func:`case_file_steps` of them)."""
    return build_case_file(model, with_graph=True, max_nodes=max_nodes, progress=progress)


def case_file_steps() -> int:
    """Progress steps of :func:`case_file`: one per concept, one for the rest."""
    return len(parse_concepts(None)) + 1


def report(case: CaseFile, fmt: str = "html") -> str:
    """The report of a case file, as ``detente report`` writes it: ``html`` (self-contained,
    graph embedded) or ``markdown`` (without the graph image)."""
    from detente.surfaces.report.build import report_data  # matplotlib: load when needed
    from detente.surfaces.report.render import render_html, render_markdown

    data = report_data(case)
    return render_html(data) if fmt == "html" else render_markdown(data, None)


def graph_png(case: CaseFile) -> bytes | None:
    """The status quo's transition graph as PNG (as in the report), or None."""
    from detente.surfaces.report.graph import draw_png

    if case.graph is None:
        return None
    result = case.stability
    nash = result.equilibria(BASELINE_KEY) if BASELINE_KEY in result.concepts else []
    any_eq = {code for key in result.concepts for code in result.equilibria(key)}
    with _DRAW_LOCK:
        return draw_png(case.graph, case.conflict, nash, any_eq)


def diff(old: str, new: str, old_label: str, new_label: str) -> str:
    """A unified diff of two model texts."""
    return "".join(difflib.unified_diff(old.splitlines(keepends=True),
                                        new.splitlines(keepends=True), old_label, new_label))


def equilibria_summary(result: StabilityResult) -> list[dict[str, Any]]:
    """Per concept: label, equilibrium numbers and Y/N strings (for the pages)."""
    return [{"key": k, "label": concept_label(k), "numbers": result.equilibria_numbers(k),
             "states": result.equilibria_strings(k)} for k in result.concepts]
