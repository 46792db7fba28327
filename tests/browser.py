"""Headless Debian chromium for the HTML report tests: load a page with the network off, read back the DOM
after its scripts ran, or a screenshot.

Every call uses a fresh profile under the caller's ``tmp_path``; every host name resolves to nothing, so a page
that tried to fetch anything would show it broken rather than reach out. Tests skip when chromium is absent,
except in CI (env ``CI`` set), where its absence is a failure: `.ci/run` installs it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

TIMEOUT_S = 90  # a cold chromium start on a loaded 2-core machine takes a few seconds; a hang must not stall CI
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-extensions",
         "--disable-default-apps", "--mute-audio", "--hide-scrollbars",
         "--host-resolver-rules=MAP * ~NOTFOUND")


def chromium_binary() -> str:
    """The chromium to run; skips the test (fails it in CI) when there is none."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if os.environ.get("CI"):
        pytest.fail("chromium is not installed (CI installs it: apt-get install -y chromium)")
    pytest.skip("chromium is not installed (apt-get install -y chromium)")


def page_url(html_path: Path, fragment: str = "") -> str:
    return html_path.resolve().as_uri() + (f"#{fragment}" if fragment else "")


def run_chromium(url: str, tmp_path: Path, *extra: str, timeout: int = TIMEOUT_S) -> subprocess.CompletedProcess[str]:
    """One headless run on ``url`` with a fresh profile; the completed process (stdout holds --dump-dom's DOM)."""
    binary = chromium_binary()
    tmp_path.mkdir(parents=True, exist_ok=True)
    profile = tempfile.mkdtemp(prefix="chromium-profile-", dir=tmp_path)
    try:
        args = [binary, *FLAGS, f"--user-data-dir={profile}", *extra, url]
        return subprocess.run(args, capture_output=True, text=True, timeout=timeout, check=False)
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def dump_dom(html_path: Path, tmp_path: Path, *, fragment: str = "") -> str:
    """The page's DOM as serialized after load and its scripts (``fragment``: the URL's #part, read by the page)."""
    result = run_chromium(page_url(html_path, fragment), tmp_path, "--dump-dom")
    if result.returncode != 0 or "<html" not in result.stdout:
        raise AssertionError(f"chromium did not render {html_path} (exit {result.returncode}): {result.stderr[-2000:]}")
    return result.stdout


def screenshot(html_path: Path, png_path: Path, size: tuple[int, int] = (1280, 900), *, fragment: str = "",
               tmp_path: Path | None = None) -> Path:
    """A PNG of the page's first ``size`` (width, height) pixels, written to ``png_path``."""
    png_path = png_path.resolve()
    png_path.parent.mkdir(parents=True, exist_ok=True)
    work = tmp_path or Path(tempfile.gettempdir())
    result = run_chromium(page_url(html_path, fragment), work, f"--screenshot={png_path}",
                          f"--window-size={size[0]},{size[1]}")
    if result.returncode != 0 or not png_path.is_file():
        raise AssertionError(f"chromium made no screenshot of {html_path} (exit {result.returncode}): "
                             f"{result.stderr[-2000:]}")
    return png_path
