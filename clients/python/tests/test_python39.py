"""The package must run on Python 3.9 while these machines have 3.11: its grammar is checked at 3.9 here,
and every module defers annotations so that ``X | None`` in them is never evaluated."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SOURCES = sorted((Path(__file__).parent.parent / "src" / "runledger").rglob("*.py"))


@pytest.mark.parametrize("path", SOURCES, ids=lambda path: path.name)
def test_parses_with_the_python_3_9_grammar(path: Path) -> None:
    ast.parse(path.read_text(encoding="utf-8"), filename=str(path), feature_version=(3, 9))


@pytest.mark.parametrize(
    "path", [path for path in SOURCES if path.read_text(encoding="utf-8").strip()], ids=lambda path: path.name
)
def test_defers_annotations(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    futures = [node for node in tree.body if isinstance(node, ast.ImportFrom) and node.module == "__future__"]
    assert any(alias.name == "annotations" for node in futures for alias in node.names)


def test_the_package_ships_its_type_marker() -> None:
    assert (Path(__file__).parent.parent / "src" / "runledger" / "py.typed").exists()
