"""Data flows one way: model → formats, engine → analyses → surfaces (no import cycles)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "detente"
LAYERS = ["model", "formats", "engine", "analyses", "surfaces"]
# formats and engine both sit on the model and do not use each other
ALLOWED = {
    "model": {"model"},
    "formats": {"model", "formats"},
    "engine": {"model", "engine"},
    "analyses": {"model", "engine", "analyses"},
    "surfaces": {"model", "formats", "engine", "analyses", "surfaces"},
}

#: Dependency-free helpers at the package root that every layer may use.
SHARED = {"_lazy", "_files"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("detente."):
            out.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("detente."):
                    out.add(alias.name.split(".")[1])
    return out


@pytest.mark.slow
@pytest.mark.parametrize("layer", LAYERS)
def test_layer_imports_only_earlier_layers(layer: str) -> None:
    files = sorted((SRC / layer).rglob("*.py"))
    assert files, f"layer {layer} has no modules"
    for path in files:
        bad = _imports(path) - ALLOWED[layer] - SHARED
        assert not bad, f"{path.relative_to(SRC)} imports {sorted(bad)}"


# ----- module-level rules ---------------------------------------------------------------------
def _module_name(path: Path) -> str:
    rel = path.relative_to(SRC.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _resolve(name: str) -> str | None:
    """The detente module a dotted name refers to (a module or package), else None."""
    parts = name.split(".")
    while parts:
        base = SRC.parent.joinpath(*parts)
        if base.with_suffix(".py").is_file() or (base / "__init__.py").is_file():
            return ".".join(parts)
        parts.pop()
    return None


def _module_imports(path: Path) -> set[str]:
    """Every detente module ``path`` imports (``from a.b import c`` counts ``a.b.c`` when c is
    a module, else ``a.b``), including imports under ``if TYPE_CHECKING``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [f"{node.module}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        for name in names:
            if name == "detente" or name.startswith("detente."):
                found = _resolve(name)
                if found is not None:
                    out.add(found)
    return out


MODULES = {_module_name(p): p for p in sorted(SRC.rglob("*.py"))}
GRAPH = {name: _module_imports(path) - {name} for name, path in MODULES.items()}


def _imports_under(path_prefix: str, forbidden: str) -> list[str]:
    return [
        f"{name} imports {target}"
        for name, targets in GRAPH.items() if name.startswith(path_prefix)
        for target in sorted(targets) if target == forbidden or target.startswith(forbidden + ".")
    ]


@pytest.mark.parametrize("surface", ["detente.surfaces.report", "detente.surfaces.web"])
def test_other_surfaces_do_not_import_the_cli(surface: str) -> None:
    """The report and the web app render the case file; they never reach into the CLI."""
    assert _imports_under(surface, "detente.surfaces.cli") == []


def test_cli_commands_do_not_import_one_another() -> None:
    """Shared CLI helpers live in surfaces/cli (output, tables), not in a command module."""
    prefix = "detente.surfaces.cli.commands."
    commands = [name for name in GRAPH if name.startswith(prefix)]
    assert commands, "no command modules found"
    bad = [
        f"{name} imports {target}"
        for name in commands for target in sorted(GRAPH[name])
        if target.startswith(prefix)
    ]
    assert bad == []


def test_no_import_cycles() -> None:
    """No module imports, directly or through others, a module that imports it back (a
    package importing its own modules in ``__init__`` is not a cycle)."""

    def edges(name: str) -> set[str]:
        # importing a.b.c also runs a/__init__ and a/b/__init__: not counted as an edge back
        return {t for t in GRAPH[name] if not name.startswith(t + ".")}

    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(name: str) -> list[str] | None:
        state[name] = 1
        stack.append(name)
        for t in sorted(edges(name)):
            if state.get(t) == 1:
                return [*stack[stack.index(t):], t]
            if t not in state:
                found = visit(t)
                if found:
                    return found
        stack.pop()
        state[name] = 2
        return None

    for name in sorted(GRAPH):
        if name not in state:
            cycle = visit(name)
            assert cycle is None, " -> ".join(cycle)


def test_the_rules_catch_violations() -> None:
    """The checks above see what they are meant to see (on this code base's real edges)."""
    assert "detente.engine.registry" in GRAPH["detente.engine.concepts"]
    assert "detente.analyses.casefile" in GRAPH["detente.surfaces.report.build"]
    assert _imports_under("detente.surfaces.cli.commands.explain", "detente.analyses") != []


# ----- packages: an __init__ only re-exports -------------------------------------------------
INIT_LAYERS = ("analyses", "formats")
INITS = sorted(p for layer in INIT_LAYERS for p in (SRC / layer).rglob("__init__.py"))


def _init_problems(source: str) -> list[str]:
    """What in an ``__init__.py`` is more than a docstring, imports and ``__all__`` (listing
    exactly the names it imports)."""
    tree = ast.parse(source)
    problems: list[str] = []
    imported: set[str] = set()
    listed: set[str] | None = None
    for k, node in enumerate(tree.body):
        if k == 0 and isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue  # the docstring
        if isinstance(node, ast.ImportFrom) and node.module == "__future__":
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            imported.update(alias.asname or alias.name.split(".")[0] for alias in node.names)
        elif (isinstance(node, ast.Assign) and len(node.targets) == 1
              and isinstance(node.targets[0], ast.Name) and node.targets[0].id == "__all__"):
            listed = set(ast.literal_eval(node.value))
        else:
            problems.append(f"line {node.lineno}: {type(node).__name__} (only imports and __all__)")
    if imported and listed is None:
        problems.append("imports names but has no __all__")
    elif listed is not None and listed != imported:
        problems.append(f"__all__ differs from the imported names: {sorted(listed ^ imported)}")
    return problems


@pytest.mark.parametrize("path", INITS, ids=lambda p: str(p.relative_to(SRC)))
def test_package_init_only_reexports(path: Path) -> None:
    """Every analysis and format package keeps its logic in modules; ``__init__`` names them."""
    assert _init_problems(path.read_text(encoding="utf-8")) == []


def test_the_init_rule_catches_logic() -> None:
    assert len(INITS) >= 10, "the analyses and formats packages were not found"
    assert _init_problems('"""Doc."""\nfrom a import b\n__all__ = ["b"]\n') == []
    assert _init_problems("from a import b\n\ndef f() -> None:\n    pass\n") == [
        "line 3: FunctionDef (only imports and __all__)", "imports names but has no __all__"]
    assert _init_problems('from a import b, c\n__all__ = ["b"]\n') == [
        "__all__ differs from the imported names: ['c']"]
