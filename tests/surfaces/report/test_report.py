"""Reports: HTML and Markdown contents, the embedded graph, offline-safety, and the CLI."""

from __future__ import annotations

import base64
import dataclasses
import errno
import importlib.util
import io
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import detente
from detente.model.conflict import Conflict
from detente.surfaces.cli.app import app
from detente.surfaces.report import build_report, render_html, write_report
from detente.surfaces.report.graph import reachable_graph

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "examples"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
MODELS = [
    name for name in ("elmira", "prisoners_dilemma", "ceasefire_2024")
    if (EXAMPLES / f"{name}.yaml").is_file()
]


@cache
def _model(name: str) -> Conflict:
    return detente.load(EXAMPLES / f"{name}.yaml")


@cache
def _html(name: str) -> str:
    return render_html(build_report(_model(name)))


def _has(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def _embedded_pngs(html: str) -> list[bytes]:
    found = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', html)
    return [base64.b64decode(x, validate=True) for x in found]


@pytest.mark.slow
@pytest.mark.parametrize("name", MODELS)
def test_html_names_the_model_its_dms_and_options(name: str) -> None:
    c, html = _model(name), _html(name)
    assert c.name.replace("'", "&#39;") in html
    for dm in c.dm_names:
        assert dm in html
    written = [o for o in c.option_names if ">=" not in o] + [lv.name for lv in c.levels]
    for option in written:  # levelled options by their own name, not the internal bits
        assert option in html
    for con in c.constraints:
        if con.reason:
            assert con.reason.strip().split()[0] in html


@pytest.mark.slow
@pytest.mark.parametrize("name", MODELS)
def test_html_lists_the_equilibria_that_analyze_computes(name: str) -> None:
    c, html = _model(name), _html(name)
    result = detente.analyze(c)
    for concept in result.concepts:
        numbers = result.equilibria_numbers(concept)
        shown = ", ".join(str(n) for n in numbers[:30])
        assert shown in html, (concept, shown)


def test_prisoners_dilemma_nash_equilibrium_is_state_yy() -> None:
    html = _html("prisoners_dilemma")
    # Nash: state 4 (YY) only; GMR: 1 (NN) and 4.
    assert re.search(r"<dt>Nash</dt><dd>state 4\b", html)
    assert re.search(r"<dt>GMR</dt><dd>states 1, 4\b", html)
    rows = re.findall(r'<tr class="eq[^"]*">(.*?)</tr>', html, flags=re.S)
    cells = [re.findall(r'<td class="(?:y|n)"[^>]*>([YN])</td>', row) for row in rows]
    assert ["Y", "Y"] in cells and ["N", "N"] in cells
    assert "Neither suspect has talked yet." in html  # the status quo's rationale


def test_elmira_report_shows_known_results() -> None:
    html = _html("elmira")
    assert "<dt>Nash</dt><dd>states 5, 6, 7, 10, 11, 12" in html
    assert "<dt>GMR</dt><dd>states 1, 4, 5, 6, 7, 10, 11, 12" in html
    assert "Uniroyal follows one course at a time." in html  # a constraint's reason
    assert "one-way: take only" in html  # modify / abandon are irreversible


@pytest.mark.slow
@pytest.mark.parametrize("name", MODELS)
def test_html_embeds_a_valid_png_graph(name: str) -> None:
    pngs = _embedded_pngs(_html(name))
    # the flagship declares uncertain preferences and has packages: its robustness chart and
    # its packages chart are a second and a third PNG
    assert len(pngs) == (3 if name == "ceasefire_2024" else 1)
    assert all(p.startswith(PNG_MAGIC) and len(p) > 1000 for p in pngs)


@pytest.mark.slow
def test_flagship_report_says_how_sure_its_conclusions_are() -> None:
    html = _html("ceasefire_2024")
    assert '<h2 id="robustness">How sure are these conclusions</h2>' in html
    assert "exactly, over all 72 profiles" in html  # Hamas 3 x Iran 2 x Israel 3! x US 2!
    # the leading states (war, the status quo) do not move with any single assumption, so
    # the section lists none; the brief names the assumptions that flip each proposal
    assert "The status quo's fate" in html and "hardline" in html and "flips if" in html
    assert "How sure are these conclusions" not in _html("elmira")  # no uncertainty declared


@pytest.mark.parametrize("name", [  # the flagship's report takes seconds: slow
    pytest.param(n, marks=[pytest.mark.slow] if n == "ceasefire_2024" else []) for n in MODELS])
def test_html_loads_nothing_from_the_network(name: str) -> None:
    html = _html(name)
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", html, flags=re.I)
    assert not re.search(r"@import|url\(\s*['\"]?(?:https?:)?//", html, flags=re.I)
    assert "<script" not in html.lower()
    assert "<link" not in html.lower()


@pytest.mark.slow
def test_statement_rationales_appear_when_the_model_has_them() -> None:
    if "ceasefire_2024" not in MODELS:
        pytest.skip("examples/ceasefire_2024.yaml not present")
    html = _html("ceasefire_2024")
    assert "Priorities, most important first" in html
    assert "<code>hostages_phase1</code>" in html
    # big model: the full state table is left out, the graph is capped
    assert "Show all" not in html


def test_status_quo_and_coalition_sections_when_available() -> None:
    html = _html("elmira")
    assert "Why the status quo holds or breaks" in html
    if _has("detente.analyses.status_quo"):
        # Elmira from state 1: LG insists (state 7); with MoE + UR the joint move reaches 10.
        assert "Where the status quo leads" in html
        # in words first, the number second
        assert re.search(r"The evolution stops at\s+<b>delay; insist</b> \(state 7\)", html)
        assert re.search(r"The evolution stops at\s+<b>modify; accept; insist</b> \(state 10\)",
                         html)
    if _has("detente.analyses.coalitions"):
        # 3 joint improvements, 2 of them UR's own options only (it could move alone): 1 listed
        assert "MoE + UR: 1 joint improvement<" in html
        assert "2 more change the options of one member only" in html


def test_graph_is_the_status_quo_reachable_subgraph_and_is_capped() -> None:
    pd_graph = reachable_graph(_model("prisoners_dilemma"))
    assert set(pd_graph.graph.nodes) == {0, 1, 2, 3}
    assert pd_graph.graph.edges[0, 1]["label"] == "+a_defects"
    elmira = reachable_graph(_model("elmira"))
    assert sorted(elmira.graph.nodes) == [2, 18]  # states 1 and 7
    capped = reachable_graph(_model("prisoners_dilemma"), max_nodes=2)
    assert capped.drawn == 2 and capped.truncated
    assert any("only the 2 states" in n for n in capped.notes)


def test_markdown_writes_the_md_and_the_png(tmp_path: Path) -> None:
    out = tmp_path / "pd.md"
    written = write_report(_model("prisoners_dilemma"), out)
    image = tmp_path / "pd-graph.png"
    assert written == [out, image]
    assert image.read_bytes().startswith(PNG_MAGIC)
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Prisoner's Dilemma")
    assert "](pd-graph.png)" in text
    assert "- **Nash** equilibria: 4" in text
    assert "| 4 | **Y** | **Y** | ✓ |" in text  # YY is the Nash equilibrium
    assert "http://" not in text and "https://" not in text


def test_concept_selection(tmp_path: Path) -> None:
    html = render_html(build_report(_model("prisoners_dilemma"), ["nash", "seq"]))
    assert "<dt>Nash</dt>" in html and "<dt>SEQ</dt>" in html
    assert "<dt>GMR</dt>" not in html


# ----- command line --------------------------------------------------------------------------
def test_cli_writes_html(tmp_path: Path) -> None:
    out = tmp_path / "out.html"
    result = CliRunner().invoke(app, ["report", str(EXAMPLES / "elmira.yaml"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert "Elmira groundwater contamination" in html
    assert _embedded_pngs(html)[0].startswith(PNG_MAGIC)


def test_cli_writes_markdown_with_concepts(tmp_path: Path) -> None:
    out = tmp_path / "pd.md"
    result = CliRunner().invoke(app, [
        "report", str(EXAMPLES / "prisoners_dilemma.yaml"), "-o", str(out), "--concept", "nash",
    ])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "pd-graph.png").is_file()
    assert "**GMR**" not in out.read_text(encoding="utf-8")


def test_cli_refuses_an_unknown_suffix(tmp_path: Path) -> None:
    out = tmp_path / "report.pdf"
    result = CliRunner().invoke(app, ["report", str(EXAMPLES / "elmira.yaml"), "-o", str(out)])
    assert result.exit_code == 2
    assert "cannot tell the report format" in result.output
    assert ".html" in result.output and ".md" in result.output
    assert not out.exists()


def test_cli_refuses_an_unknown_concept(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, [
        "report", str(EXAMPLES / "elmira.yaml"), "-o", str(tmp_path / "r.html"), "-c", "bogus",
    ])
    assert result.exit_code == 2
    assert "unknown solution concept" in result.output


def test_report_without_a_status_quo() -> None:
    c = dataclasses.replace(_model("prisoners_dilemma"), status_quo=None, status_quo_rationale="")
    data = build_report(c)
    html = render_html(data)
    assert "The model gives no status quo." in html
    assert "All feasible states, linked by" in html
    assert _embedded_pngs(html)[0].startswith(PNG_MAGIC)
    assert data.context["evolution"] is None and data.context["why_status_quo"] is None


# ----- a failed write keeps the old report (issue 16, item 7) ----------------------------
class _FullDisk:
    """A file whose writes fail half-way as on a full disk (some bytes land, then ENOSPC)."""

    def __init__(self, fh: Any) -> None:
        self._fh = fh

    def write(self, data: Any) -> int:
        self._fh.write(data[: len(data) // 2])
        self._fh.flush()
        raise OSError(errno.ENOSPC, "No space left on device")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._fh, name)

    def __enter__(self) -> _FullDisk:
        return self

    def __exit__(self, *exc: object) -> None:
        self._fh.close()


def _full_disk_under(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every file opened for writing in ``folder`` (by path or, as temporary files are, by
    descriptor) fails its writes. ``Path.write_text`` and ``os.fdopen`` both go through
    ``io.open``."""
    real_open = io.open

    def fake_open(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        fh = real_open(file, mode, *args, **kwargs)
        writing = any(m in mode for m in "wax+")
        here = isinstance(file, int) or Path(file).resolve().parent == folder.resolve()
        return _FullDisk(fh) if writing and here else fh

    monkeypatch.setattr(io, "open", fake_open)


@pytest.mark.slow
@pytest.mark.parametrize("suffix", [".md", ".html"])
def test_a_failed_write_leaves_the_old_report_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str
) -> None:
    out = tmp_path / f"report{suffix}"
    result = CliRunner().invoke(
        app, ["report", str(EXAMPLES / "prisoners_dilemma.yaml"), "-o", str(out), "-c", "nash"])
    assert result.exit_code == 0, result.output
    old = out.read_bytes()
    before = sorted(p.name for p in tmp_path.iterdir())
    _full_disk_under(tmp_path, monkeypatch)
    result = CliRunner().invoke(
        app, ["report", str(EXAMPLES / "elmira.yaml"), "-o", str(out), "-c", "nash"])
    monkeypatch.undo()
    assert result.exit_code == 2, result.output
    assert "No space left on device" in result.output and "Traceback" not in result.output
    assert out.read_bytes() == old  # the previous report, whole
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no temporary file left


# ----- model text cannot inject HTML or links into the Markdown report (issue 16, item 6) -----
XSS = [
    "<script>alert({n})</script>",
    "<img src=x onerror=alert({n})>",
    "[x](javascript:alert({n}))",
    "![y](javascript:alert({n}))",
    "<javascript:alert({n})>",
    "`code` *em* | pipe \\[esc](javascript:alert({n}))",
    "&lt;script&gt;alert({n})&lt;/script&gt; &#106;avascript:alert({n})",
    "[ref]\n\n[ref]: javascript:alert({n})",
]


def _hostile_model() -> str:
    """A model whose every free text (names of the model, DMs, deal and phases; descriptions,
    sources, rationales, reasons) carries HTML and Markdown attacks."""
    counter = iter(range(1, 1000))

    def bad(label: str) -> str:
        payload = " ".join(x.format(n=next(counter)) for x in XSS)
        return json.dumps(f"{label} {payload}")  # a YAML flow scalar (JSON is YAML)

    def dm(k: int) -> str:
        return json.dumps(f"D{k} <script>alert('dm{k}')</script> [d](javascript:alert({k}))")

    return f"""\
name: {bad('model')}
description: {bad('description')}
sources: [{bad('source')}]
decision_makers:
  - name: {dm(1)}
    description: {bad('dm description')}
    options:
      - {{name: a_releases, direction: fwd, description: {bad('option')}}}
    preferences:
      statements:
        - {{statement: not b_attacks, rationale: {bad('rationale')}}}
        - a_releases iff not b_attacks
  - name: {dm(2)}
    options:
      - {{name: b_attacks, description: {bad('option')}}}
    preferences:
      statements:
        - {{statement: not (b_attacks and g_guarantee), rationale: {bad('rationale')}}}
        - {{statement: a_releases, probability: 0.5, rationale: {bad('uncertain')}}}
        - b_attacks if a_releases
  - name: {dm(3)}
    options:
      - {{name: g_guarantee, direction: fwd}}
    preferences:
      statements: [not b_attacks, a_releases, not g_guarantee]
infeasible:
  - {{pattern: YYY, reason: {bad('reason')}}}
status_quo: NYN
status_quo_rationale: {bad('status quo')}
coalitions: [[{dm(1)}, {dm(2)}]]
deal:
  name: {bad('deal')}
  description: {bad('deal description')}
  phases:
    - name: {bad('phase one')}
      rationale: {bad('phase rationale')}
      set: {{b_attacks: N}}
    - name: {bad('phase two')}
      rationale: {bad('phase rationale')}
      set: {{a_releases: Y}}
mediation:
  target: YNN
  mediators: [{dm(3)}]
  candidates:
    {dm(2)}:
      - {{statement: not b_attacks, rationale: {bad('candidate')}}}
"""


@pytest.mark.slow
def test_markdown_report_escapes_model_text(tmp_path: Path) -> None:
    """Rendered with a real Markdown renderer that lets raw HTML through and validates no link
    (as many do), the report of a model full of attacks has no tag, event handler or
    javascript: URL of the model's, while its texts still read as written."""
    from markdown_it import MarkdownIt

    model = tmp_path / "hostile.yaml"
    model.write_text(_hostile_model(), encoding="utf-8")
    out = tmp_path / "r.md"
    result = CliRunner().invoke(app, ["report", str(model), "-o", str(out), "-c", "seq"])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    renderer = MarkdownIt("commonmark", {"html": True}).enable("table")
    renderer.validateLink = lambda url: True  # type: ignore[method-assign]
    page = renderer.render(text)
    assert "alert(" in page  # the attacks are there, as text
    for tag in ("script", "iframe", "svg", "object"):
        assert f"<{tag}" not in page.lower()
    allowed = {"h1", "h2", "h3", "p", "em", "strong", "ul", "ol", "li", "code", "table", "thead",
               "tbody", "tr", "th", "td", "blockquote", "hr", "img"}
    for name, attrs in re.findall(r"<([a-zA-Z][a-zA-Z0-9]*)([^>]*)>", page):
        assert name in allowed, (name, attrs)
        if name == "img":  # only the report's own graph
            assert re.fullmatch(r' src="r-graph\.png" alt="[^"<]*" */?', attrs), attrs
        else:
            assert not re.search(r"\bon\w+\s*=|javascript:", attrs, re.IGNORECASE), attrs
    assert not re.search(r"""(href|src)\s*=\s*["']?\s*javascript:""", page, re.IGNORECASE)
    # the texts still read as written, e.g. the DM names in the coalition line
    assert "D1 &lt;script&gt;alert('dm1')&lt;/script&gt; [d](javascript:alert(1))" in page


def test_a_missing_output_folder_is_refused_before_the_analysis(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`detente report` checks where it will write before loading and analysing the model."""
    import detente.surfaces.report.render as render

    def analysed(*_: object, **__: object) -> None:
        raise AssertionError("the report was built before the output folder was checked")

    monkeypatch.setattr(render, "write_report", analysed)
    out = tmp_path / "missing" / "r.html"
    result = CliRunner().invoke(app, ["report", "examples/prisoners_dilemma.yaml", "-o", str(out)])
    assert result.exit_code == 2
    assert f"the folder '{out.parent}' does not exist" in result.output
