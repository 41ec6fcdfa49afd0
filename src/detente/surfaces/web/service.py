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
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from detente.analyses.casefile import CaseFile, build_case_file
from detente.analyses.coalitions import coalition_analysis
from detente.analyses.explain import explain as explain_state
from detente.analyses.stability import StabilityResult, analyze
from detente.analyses.status_quo import evolve as evolve_from
from detente.engine.registry import concept_label, parse_concepts
from detente.formats.gmcr import dumps_gmcr, loads_gmcr
from detente.formats.native import dumps, loads
from detente.formats.yaml_text import read_yaml
from detente.model.conflict import Conflict
from detente.model.errors import AnalysisError, ModelError, ModelTooLargeError
from detente.surfaces.web.config import MAX_MODEL_CHARS, MAX_OPTIONS, MAX_STATES
from detente.surfaces.web.jobs import ProgressFn

Progress = Callable[[str], None]
#: Most preference profiles a robustness request may sample.
MAX_SAMPLES = 20_000
#: matplotlib's Agg drawing is not thread-safe for one figure machinery; draw one at a time.
_DRAW_LOCK = threading.Lock()


@dataclass(frozen=True)
class Limits:
    """Size limits for models given to the web app."""

    max_chars: int = MAX_MODEL_CHARS
    max_options: int = MAX_OPTIONS
    max_states: int = MAX_STATES


def _count_options(text: str) -> int | None:
    """Options declared in a model text, read cheaply before the model is built (None when
    the text is not a recognisable model; the full loader then says what is wrong)."""
    try:
        raw = read_yaml(text)  # bounded: nesting and alias expansion checked first
    except ModelError:
        return None
    if not isinstance(raw, dict) or not isinstance(raw.get("decision_makers"), list):
        return None
    return sum(len(dm["options"]) for dm in raw["decision_makers"]
               if isinstance(dm, dict) and isinstance(dm.get("options"), list))


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
    n = _count_options(text)
    if n is not None and n > limits.max_options:
        raise ModelTooLargeError(
            f"{source}: the model has {n} options (2^{n} = {2**n:,} candidate states); this "
            f"server analyses at most {limits.max_options} options (use the command line for "
            "larger models)"
        )
    model = loads(text, source=source)
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
    ref: str | int = int(state) if state.strip().isdigit() else state.strip()
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
    begin: str | int | None = start
    if start is not None and start.strip().isdigit():
        begin = int(start)
    return evolve_from(model, begin, chosen, list(concepts) if concepts else None).to_dict()


def coalitions(model: Conflict, given: Sequence[Sequence[str]] = (), every: bool = False,
               concepts: Sequence[str] | None = None) -> dict[str, Any]:
    """Exactly ``detente coalitions --format json`` (``--coalition``, ``--all``)."""
    if every and given:
        raise AnalysisError("give coalition=A,B or all=true, not both")
    if not every and not given and not model.coalitions:
        raise AnalysisError("the model names no coalitions; give them as coalition=A,B, "
                            "or all=true")
    return coalition_analysis(model, [list(h) for h in given] or None,
                              list(concepts) if concepts else None,
                              all_coalitions=every).to_dict()


def robustness(model: Conflict, concepts: Sequence[str] | None = None, samples: int = 10_000,
               seed: int = 0, exact: bool = False, progress: ProgressFn | None = None,
               ) -> dict[str, Any]:
    """Exactly ``detente robustness --format json`` (``--samples``, ``--seed``, ``--exact``;
    always on this machine: no ``--scheduler``). ``progress(message)`` per chunk."""
    from detente.analyses.robustness import robustness as run

    if not 1 <= samples <= MAX_SAMPLES:
        raise AnalysisError(f"samples must be between 1 and {MAX_SAMPLES:,}, got {samples}")

    def step(done: int, total: int) -> None:
        if progress is not None:
            progress(f"{done:,} of {total:,} preference profiles", done, total)

    return run(model, list(concepts) if concepts else None, samples=samples, seed=seed,
               exact=exact or None, progress=step).to_dict()


def mediate(model: Conflict, target: str, concepts: Sequence[str] | None = None,
            max_edits: int = 3, limit: int = 10, reachable: bool = False,
            dms: Sequence[str] | None = None) -> dict[str, Any]:
    """Exactly ``detente mediate --format json`` (``--target``, ``--max-edits``, ...)."""
    from detente.analyses.mediation import mediate as run

    ref: str | int = int(target) if target.strip().isdigit() else target.strip()
    return run(model, ref, concepts=list(concepts) if concepts else None, max_edits=max_edits,
               limit=limit, reachable=reachable, dms=list(dms) if dms else None).to_dict()


def deal(model: Conflict, concepts: Sequence[str] | None = None) -> dict[str, Any]:
    """Exactly ``detente deal --format json``."""
    from detente.analyses.deal import deal_analysis

    return deal_analysis(model, list(concepts) if concepts else None).to_dict()


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
    nash = result.equilibria("nash") if "nash" in result.concepts else []
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
