"""Write a manifest without one ecosystem's sources after its first N entries (the measured 2.57M-unit index:
the popular manifest without the Debian sources listed after the starter's 40).

    python benchmarks/manifest_subset.py indexes/popular.toml popular-nodeb.toml [--drop deb] [--keep-first 40]
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("manifest", type=Path)
    parser.add_argument("output", type=Path)
    parser.add_argument("--drop", default="deb", help="ecosystem prefix of the specs to drop (default: deb)")
    parser.add_argument("--keep-first", type=int, default=40, help="entries kept whatever their ecosystem")
    args = parser.parse_args()
    head, *entries = args.manifest.read_text(encoding="utf-8").split("\n[[source]]\n")
    kept = [entry for number, entry in enumerate(entries)
            if number < args.keep_first or not re.search(rf'spec = "{re.escape(args.drop)}:', entry)]
    args.output.write_text(head + "".join("\n[[source]]\n" + entry for entry in kept), encoding="utf-8")
    print(f"{args.output}: {len(kept)} of {len(entries)} sources")


if __name__ == "__main__":
    main()
