"""Fetch one pinned file from PyPI with pip's own finder and session, without building anything.

``pip download`` prepares an sdist's metadata, which runs the package's build backend (its ``setup.py``) in a
fresh build environment: slow (tens of seconds each) and running untrusted code. Only the archive is needed
here, so this helper asks pip's package finder, configured exactly as ``pip download`` would be (index URLs,
certificates, proxies from pip's configuration), for the best file of the pinned version and downloads it with
pip's session, checking the hash the index publishes. Run as ``python -m licheck.sources.pip_fetch``; prints
one JSON line. pip's internals are not a public API: callers fall back to ``pip download`` when this fails.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any


def fetch(name: str, version: str, kind: str, dest: Path) -> dict[str, Any]:
    from pip._internal.commands.download import DownloadCommand
    from pip._vendor.packaging.specifiers import SpecifierSet

    command = DownloadCommand("download", "licheck pip_fetch")
    binary = ["--no-binary", ":all:"] if kind == "sdist" else ["--only-binary", ":all:"]
    options, _ = command.parse_args(["--no-deps", *binary, "-d", str(dest), f"{name}=={version}"])
    with command.main_context():
        session = command.get_default_session(options)
        finder = command._build_package_finder(options=options, session=session, ignore_requires_python=True)
        found = finder.find_best_candidate(name, SpecifierSet(f"=={version}"))
        applicable = getattr(found, "applicable_candidates", None)  # pip ≥ 24: a field; before: a method
        candidates = list(applicable if applicable is not None else found.iter_applicable())
        if kind == "wheel":  # prefer a pure-Python wheel: its sources are the package's
            candidates.sort(key=lambda c: not c.link.filename.endswith("-none-any.whl"))
        if not candidates:
            return {"ok": False, "error": f"no {kind} of {name}=={version} on the index"}
        link = candidates[0].link
        target = dest / link.filename
        digest = hashlib.sha256()
        response = session.get(link.url.split("#")[0], stream=True)
        response.raise_for_status()
        with target.open("wb") as out:
            for chunk in response.iter_content(1 << 16):
                digest.update(chunk)
                out.write(chunk)
        expected = link.hash if link.hash_name == "sha256" else None
        if expected and expected != digest.hexdigest():
            target.unlink()
            return {"ok": False, "error": f"sha256 of {link.filename} does not match the index"}
        return {"ok": True, "file": link.filename, "url": link.url.split("#")[0], "sha256": digest.hexdigest()}


def main(argv: list[str]) -> int:
    name, version, kind, dest = argv
    try:
        result = fetch(name, version, kind, Path(dest))
    except Exception as exc:  # noqa: BLE001 - reported to the parent process, which falls back to pip download
        result = {"ok": False, "error": f"{type(exc).__name__}: {exc}", "internal": True}
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
