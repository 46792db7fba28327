"""licheck end to end, on real code: index real packages from PyPI, then scan a renamed copy of one function.

usage: python examples/quickstart.py [--workdir DIR]

1. downloads two sdists from PyPI (yamllint, GPL-3.0-or-later; six, MIT) with `pip download --no-deps`;
2. indexes them with `licheck index add` (license detected from each package's metadata);
3. takes a function out of yamllint, renames its identifiers, embeds it in a new file of our own;
4. runs `licheck scan` on that file: the finding names the source, its lines, and its license (exit code 1:
   a striking copy of strong-copyleft code breaks the default policy).
"""

from __future__ import annotations

import argparse
import ast
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

PACKAGES = {"yamllint": "1.35.1", "six": "1.16.0"}


def fetch(name: str, version: str, workdir: Path) -> Path:
    unpacked = workdir / "src" / f"{name}-{version}"
    if unpacked.is_dir():
        return unpacked
    archives = workdir / "sdists"
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:", "-q",
                    "-d", str(archives), f"{name}=={version}"], check=True)
    archive = next(p for p in archives.iterdir() if p.name.lower().startswith(f"{name}-{version}"))
    with tarfile.open(archive) as tar:
        tar.extractall(workdir / "src", filter="data")
    return unpacked


class _Renamer(ast.NodeTransformer):
    """Consistently renames a function's parameters and local variables, as a code generator might."""

    def __init__(self, names: set[str]) -> None:
        self.mapping = {name: f"v{i}_{name[:3]}" for i, name in enumerate(sorted(names))}

    def visit_Name(self, node: ast.Name) -> ast.Name:
        node.id = self.mapping.get(node.id, node.id)
        return node

    def visit_arg(self, node: ast.arg) -> ast.arg:
        node.arg = self.mapping.get(node.arg, node.arg)
        return node


def renamed_function(package_dir: Path) -> tuple[str, str, str]:
    """(file, function name, renamed source) of the longest top-level function in the package's rules."""
    best: tuple[int, Path, ast.FunctionDef] | None = None
    for path in sorted((package_dir / "yamllint" / "rules").glob("*.py")):
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.FunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno
                if best is None or length > best[0]:
                    best = (length, path, node)
    assert best is not None
    _, path, func = best
    locals_ = {a.arg for a in func.args.args} | {n.id for n in ast.walk(func) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    original_name = func.name
    func = _Renamer(locals_).visit(func)
    func.name = "check_document"
    return path.relative_to(package_dir).as_posix(), original_name, ast.unparse(func)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "licheck-quickstart")
    args = parser.parse_args()
    workdir = args.workdir
    workdir.mkdir(parents=True, exist_ok=True)
    index = workdir / "index.sqlite"
    for name, version in PACKAGES.items():
        source = fetch(name, version, workdir)
        subprocess.run(["licheck", "index", "add", str(source), "--index", str(index), "--name", name,
                        "--version", version], check=True)
    relpath, original, body = renamed_function(workdir / "src" / f"yamllint-{PACKAGES['yamllint']}")
    demo = workdir / "generated_by_an_assistant.py"
    demo.write_text(f'"""Code an assistant wrote for us."""\n\nimport re\n\n\ndef slugify(text):\n'
                    f'    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")\n\n\n{body}\n')
    print(f"\n# scanning {demo} (contains yamllint's {relpath}:{original} with renamed identifiers)\n", flush=True)
    return subprocess.run(["licheck", "scan", str(demo), "--index", str(index)]).returncode


if __name__ == "__main__":
    sys.exit(main())
