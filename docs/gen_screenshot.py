"""Make docs/img/report.png: the quick start's HTML report, its finding opened, as headless chromium shows it.

usage: python docs/gen_screenshot.py [--workdir DIR]
Runs `python examples/quickstart.py --small` (two PyPI packages; downloads cached in ~/.cache/licheck), then
screenshots report.html with the URL fragment that opens the first finding (tests/browser.py: network off).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests/browser.py, the chromium runner the browser tests use

from tests.browser import screenshot  # noqa: E402

PNG = ROOT / "docs" / "img" / "report.png"
SIZE = (1280, 1200)
MAX_BYTES = 300_000  # the README's image stays small


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "licheck-quickstart-shot")
    args = parser.parse_args()
    subprocess.run([sys.executable, str(ROOT / "examples" / "quickstart.py"), "--small", "--workdir", str(args.workdir)],
                   check=False, stdout=subprocess.DEVNULL)  # exit code 1: the copy is denied, as intended
    page = args.workdir / "report.html"
    found = re.search(r'<article class="finding"[^>]* data-id="([0-9a-f]+)"', page.read_text(encoding="utf-8"))
    if not found:
        print(f"no finding in {page}: the quick start did not find its copy", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="licheck-shot-") as tmp:
        shot = screenshot(page, Path(tmp) / "report.png", SIZE, fragment=f"open={found.group(1)}", tmp_path=Path(tmp))
        data = _smaller_png(shot.read_bytes())
    PNG.parent.mkdir(parents=True, exist_ok=True)
    PNG.write_bytes(data)
    print(f"{PNG.relative_to(ROOT)}: {len(data) / 1000:.0f} kB")
    return 0 if len(data) <= MAX_BYTES else 1


def _smaller_png(data: bytes) -> bytes:
    """Chromium's PNG re-encoded as a 256-colour palette image (a page of text loses nothing visible)."""
    try:
        from io import BytesIO

        from PIL import Image
    except ImportError:
        return data
    image = Image.open(BytesIO(data)).convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    out = BytesIO()
    image.save(out, format="PNG", optimize=True)
    return min(data, out.getvalue(), key=len)


if __name__ == "__main__":
    sys.exit(main())
