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


@pytest.mark.parametrize("layer", LAYERS)
def test_layer_imports_only_earlier_layers(layer: str) -> None:
    files = sorted((SRC / layer).rglob("*.py"))
    assert files, f"layer {layer} has no modules"
    for path in files:
        bad = _imports(path) - ALLOWED[layer]
        assert not bad, f"{path.relative_to(SRC)} imports {sorted(bad)}"
