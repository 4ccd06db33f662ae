"""The dependency arrows of DESIGN.md, enforced: asl <- workflows <- executions, with
stepflow.access (roles, tokens, the audit trail) below both apps and the project's other
modules (settings, urls, the Step Functions API) above them."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _imports(package: str) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for path in (ROOT / package).rglob("*.py"):
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found.update((str(path.relative_to(ROOT)), alias.name) for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add((str(path.relative_to(ROOT)), node.module))
    return found


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("stepflow/asl", ("django", "rest_framework", "workflows", "executions", "channels", "django_q")),
        ("workflows", ("executions",)),
        ("stepflow/access", ("workflows", "executions")),
    ],
)
def test_a_layer_never_imports_the_layers_above_it(package, forbidden):
    offending = sorted(
        (where, name) for where, name in _imports(package) if name.split(".")[0] in forbidden
    )
    assert offending == []


# What of the project package the apps below it may use: shared helpers and stepflow.access.
BELOW_THE_PROJECT = ("stepflow.asl", "stepflow.access", "stepflow.api", "stepflow.fields", "stepflow.limits", "stepflow.env")


@pytest.mark.parametrize("package", ["stepflow/access", "workflows", "executions"])
def test_the_apps_use_only_the_shared_parts_of_the_project_package(package):
    offending = sorted(
        (where, name)
        for where, name in _imports(package)
        if name.split(".")[0] == "stepflow" and name != "stepflow" and not name.startswith(BELOW_THE_PROJECT)
    )
    assert offending == []


def test_modules_stay_near_one_concept_and_under_about_400_lines():
    long = []
    for package in ("stepflow", "workflows", "executions"):
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts or "asl" in path.parts:
                continue
            lines = len(path.read_text().splitlines())
            if lines > 420:
                long.append((str(path.relative_to(ROOT)), lines))
    assert long == []
