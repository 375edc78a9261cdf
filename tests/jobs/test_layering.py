"""The job layer's rules, read from the source: views never import the jobs package nor test
a job's class, and the tracker never tests a kind's class (it switches on data, not types)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import wjnb

PACKAGE = Path(wjnb.__file__).parent
JOBS = PACKAGE / "jobs"
VIEWS = sorted([PACKAGE / "html.py", *(PACKAGE / "widgets").rglob("*.py")])


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _job_layer_classes() -> set[str]:
    """Every class the jobs package defines (jobs, sets, kinds, readings...)."""
    return {
        node.name
        for path in JOBS.rglob("*.py")
        for node in ast.walk(_tree(path))
        if isinstance(node, ast.ClassDef)
    }


def _imports_of_jobs(tree: ast.Module, depth: int) -> list[str]:
    """Imports of ``wjnb.jobs`` anywhere in a module ``depth`` folders below ``wjnb/``
    (top level, in functions, under TYPE_CHECKING)."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level and node.level != depth:
                continue  # relative to a subpackage of wjnb, not to wjnb itself
            if node.level == 0:
                if not module.startswith("wjnb."):
                    continue
                module = module.removeprefix("wjnb.")
            named = not module and any(a.name == "jobs" for a in node.names)
            if module == "jobs" or module.startswith("jobs.") or named:
                found.append(f"line {node.lineno}: from {'.' * node.level}{module}")
        elif isinstance(node, ast.Import):
            found += [
                f"line {node.lineno}: import {a.name}"
                for a in node.names
                if a.name == "wjnb.jobs" or a.name.startswith("wjnb.jobs.")
            ]
    return found


def _isinstance_on(tree: ast.Module, classes: set[str]) -> list[str]:
    """``isinstance``/``issubclass`` calls whose class argument names one of ``classes``."""
    found = []
    for node in ast.walk(tree):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("isinstance", "issubclass")
            and len(node.args) == 2
        ):
            continue
        target = node.args[1]
        parts = target.elts if isinstance(target, ast.Tuple) else [target]
        for part in parts:
            name = part.attr if isinstance(part, ast.Attribute) else getattr(part, "id", None)
            if name in classes:
                found.append(f"line {node.lineno}: isinstance(..., {name})")
    return found


@pytest.mark.parametrize("path", VIEWS, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_views_never_import_the_jobs_package(path: Path) -> None:
    assert _imports_of_jobs(_tree(path), len(path.relative_to(PACKAGE).parts)) == []


@pytest.mark.parametrize("path", VIEWS, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_views_never_test_a_job_layer_class(path: Path) -> None:
    assert _isinstance_on(_tree(path), _job_layer_classes()) == []


def test_the_tracker_never_tests_a_kind_or_job_class() -> None:
    classes = _job_layer_classes()
    assert {"Job", "JobSet", "Kind", "ArtworkKind", "MjTaskKind"} <= classes  # the scan sees them
    assert _isinstance_on(_tree(JOBS / "tracker.py"), classes) == []
    assert _isinstance_on(_tree(JOBS / "schedule.py"), classes) == []


def test_the_scans_find_what_they_forbid() -> None:
    """The checks above can fail: a view module that breaks both rules is caught."""
    probe = ast.parse(
        "from ..jobs import Job\n"
        "from wjnb.jobs.kinds import mj\n"
        "from .style import View\n"
        "def f(x):\n"
        "    from .. import jobs\n"
        "    return isinstance(x, (int, Job)) or isinstance(x, mj.MjTaskKind)\n"
    )
    assert len(_imports_of_jobs(probe, depth=2)) == 3  # as a module of wjnb/widgets/
    assert len(_isinstance_on(probe, _job_layer_classes())) == 2
