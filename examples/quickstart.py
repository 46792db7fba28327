"""licheck end to end, on real code: build the starter index, then scan a renamed copy of one indexed function.

usage: python examples/quickstart.py [--workdir DIR] [--small]

1. builds the starter index, `licheck index build starter` (the shipped manifest: 40 real packages from PyPI, npm and
   Debian across license families; a few minutes the first time, downloads cached in ~/.cache/licheck);
   with --small, indexes only two PyPI packages (yamllint, GPL-3.0-or-later; six, MIT) — under a minute;
2. takes a function out of yamllint (one of the indexed packages), renames its identifiers, embeds it in a new
   file of our own;
3. runs `licheck scan` on that file: the finding names the source, its lines, and its license (exit code 1:
   a striking copy of strong-copyleft code breaks the default policy);
4. writes the same scan as a side-by-side HTML report, `licheck scan … --format html -o report.html`, to open in
   a browser (docs/triage.md: from the report to a decision).
"""

from __future__ import annotations

import argparse
import ast
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SMALL = ["pypi:yamllint==1.35.1", "pypi:six==1.17.0"]
COPIED_FROM = "pypi:yamllint==1.35.1"  # in both the starter manifest and the small set


def unpacked(spec: str, workdir: Path) -> Path:
    """The package's files, fetched (or taken from licheck's download cache) and unpacked safely."""
    from licheck.sources.cache import default_cache_dir
    from licheck.sources.fetch import download_source, unpack_source
    from licheck.sources.spec import parse_source_spec

    download = download_source(parse_source_spec(spec), default_cache_dir())
    target = workdir / "unpacked"
    if target.exists():
        shutil.rmtree(target)
    return unpack_source(download, target).root


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
    for path in sorted(package_dir.glob("**/yamllint/rules/*.py")):
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


def _drop_if_stale(index: Path) -> None:
    """An index left by an older licheck must be rebuilt, not extended."""
    from licheck.errors import LicheckError
    from licheck.store.index_db import IndexDB

    if index.exists():
        try:
            IndexDB.open_readonly(index).close()
        except LicheckError:
            index.unlink()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "licheck-quickstart")
    parser.add_argument("--small", action="store_true", help="index two PyPI packages instead of the starter set")
    args = parser.parse_args()
    workdir = args.workdir
    workdir.mkdir(parents=True, exist_ok=True)
    if args.small:
        index = workdir / "small.sqlite"
        subprocess.run(["licheck", "index", "add", *SMALL, "--index", str(index)], check=True)
    else:
        index = workdir / "starter.sqlite"
        _drop_if_stale(index)
        build = subprocess.run(["licheck", "index", "build", "starter", "--index", str(index)])  # shipped, by name
        if build.returncode not in (0, 2) or not index.exists():  # 2: some sources failed, the rest are indexed
            return build.returncode
    relpath, original, body = renamed_function(unpacked(COPIED_FROM, workdir))
    demo = workdir / "generated_by_an_assistant.py"
    demo.write_text(f'"""Code an assistant wrote for us."""\n\nimport re\n\n\ndef slugify(text):\n'
                    f'    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")\n\n\n{body}\n')
    print(f"\n# scanning {demo} (contains yamllint's {relpath}:{original} with renamed identifiers)\n", flush=True)
    code = subprocess.run(["licheck", "scan", str(demo), "--index", str(index)]).returncode
    report = workdir / "report.html"  # the scan again, as the page a reviewer triages from
    subprocess.run(["licheck", "scan", demo.name, "--index", str(index), "--format", "html", "-o", str(report)],
                   cwd=workdir)
    print(f"\n# side-by-side report: {report.as_uri()}", flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
