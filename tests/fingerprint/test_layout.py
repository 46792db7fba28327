"""The fingerprint package reads in stage order: inputs -> statistics -> calibration -> verdict -> report.

Parsed with ast (nothing is imported), so the test runs without torch and sees every import,
including those inside functions and under TYPE_CHECKING.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).parents[2] / "licheck" / "fingerprint"
PACKAGE = "licheck.fingerprint"
# rank of each part of the package; a module may import only parts of the same or a lower rank
RANKS = {"linalg": 0, "digest": 0, "inputs": 1, "statistics": 2, "calibration": 3, "verdict": 4, "report": 5,
         "api": 6, "endpoint_api": 6, "null_api": 6}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    parts = parts[:-1] if parts[-1] == "__init__" else parts
    return ".".join((PACKAGE, *parts))


def _imports(path: Path) -> set[str]:
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(PACKAGE):
            out.add(node.module)
            out.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.startswith(PACKAGE))
    return out


def _graph() -> dict[str, set[str]]:
    modules = {_module_name(p): p for p in ROOT.rglob("*.py")}
    return {name: {m for m in _imports(path) if m in modules and m != name} for name, path in modules.items()}


def _part(module: str) -> str:
    rest = module.removeprefix(PACKAGE).lstrip(".")
    return rest.split(".")[0] if rest else ""


def test_every_module_belongs_to_a_named_stage() -> None:
    unknown = sorted(m for m in _graph() if _part(m) and _part(m) not in RANKS)
    assert unknown == []


def test_no_stage_imports_a_later_stage() -> None:
    backwards = sorted((m, dep) for m, deps in _graph().items() for dep in deps
                       if _part(m) and _part(dep) and RANKS[_part(dep)] > RANKS[_part(m)])
    assert backwards == []


def test_there_are_no_import_cycles() -> None:
    graph = _graph()
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for dep in sorted(graph[node]):
            if state.get(dep) == 1:
                cycles.append([*stack[stack.index(dep):], dep])
            elif dep not in state:
                visit(dep, [*stack, dep])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert cycles == []


def test_the_cli_and_the_scan_path_never_import_the_package_at_module_level() -> None:
    cli = Path(__file__).parents[2] / "licheck" / "cli" / "fingerprint_cmd.py"
    top = ast.parse(cli.read_text(encoding="utf-8")).body
    assert not [n for n in top if isinstance(n, ast.ImportFrom) and (n.module or "").startswith(PACKAGE)]
