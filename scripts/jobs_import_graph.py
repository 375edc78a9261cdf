"""Print the import graph of the jobs package, read from the source (nothing is imported).

One line per module of ``wjnb/jobs``: its size in lines, then what it imports from the
package at run time and, in brackets, only for type checking. Run from the repository root:
``python scripts/jobs_import_graph.py``.
"""

from __future__ import annotations

import ast
from pathlib import Path

JOBS = Path(__file__).resolve().parent.parent / "wjnb" / "jobs"


def module_name(path: Path) -> str:
    """``kinds/artwork.py`` -> ``kinds.artwork``; a package's ``__init__`` is the package."""
    parts = list(path.relative_to(JOBS).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts) or "(jobs)"


def resolve(path: Path, node: ast.ImportFrom) -> list[str]:
    """The jobs modules a ``from`` import names (relative ones resolved), else nothing."""
    package = list(path.relative_to(JOBS).parent.parts)
    if node.level == 0:
        if not (node.module or "").startswith("wjnb.jobs"):
            return []
        base = (node.module or "").removeprefix("wjnb.jobs").strip(".").split(".")
    else:
        up = node.level - 1
        if up > len(package):
            return []  # above the jobs package (wjnb.errors, wjnb.api...)
        base = package[: len(package) - up] + (node.module or "").split(".")
    base = [p for p in base if p]
    modules = {module_name(f) for f in JOBS.rglob("*.py")}
    found = []
    for alias in node.names:  # ``from . import plan`` names a module, not a symbol
        candidate = ".".join([*base, alias.name])
        found.append(candidate if candidate in modules else ".".join(base) or "(jobs)")
    return sorted(set(found))


def imports(path: Path) -> tuple[set[str], set[str]]:
    """(run-time, type-checking-only) imports of jobs modules by the module at ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    checking: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            checking |= {id(n) for child in node.body for n in ast.walk(child)}
    runtime: set[str] = set()
    typing: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            target = typing if id(node) in checking else runtime
            target.update(resolve(path, node))
    me = module_name(path)
    return runtime - {me}, typing - runtime - {me}


def main() -> None:
    for path in sorted(JOBS.rglob("*.py")):
        runtime, typing = imports(path)
        lines = len(path.read_text(encoding="utf-8").splitlines())
        uses = ", ".join(sorted(runtime)) or "-"
        only = f"  [types: {', '.join(sorted(typing))}]" if typing else ""
        print(f"{module_name(path):18} {lines:4}  -> {uses}{only}")


if __name__ == "__main__":
    main()
