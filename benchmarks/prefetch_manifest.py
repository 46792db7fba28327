"""Download every source of a manifest into the cache (several at once), so a build that follows is timed
without the network; prints progress and each failure.

    python benchmarks/prefetch_manifest.py indexes/popular.toml [--workers 6]
"""

from __future__ import annotations

import argparse
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from licheck.sources.cache import default_cache_dir
from licheck.sources.fetch import download_source
from licheck.sources.manifest import load_manifest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("manifest", type=Path)
    parser.add_argument("--workers", type=int, default=6)
    args = parser.parse_args()
    manifest, cache = load_manifest(args.manifest), default_cache_dir()
    start, ok, failed = time.time(), 0, 0

    def fetch(entry):  # type: ignore[no-untyped-def]
        try:
            download_source(entry.ref, cache)
            return entry.ref.text, None
        except Exception as exc:  # noqa: BLE001 - a failure is reported and the others go on
            return entry.ref.text, f"{type(exc).__name__}: {exc}"

    with ThreadPoolExecutor(args.workers) as pool:
        futures = [pool.submit(fetch, entry) for entry in manifest.entries]
        for done, future in enumerate(as_completed(futures), start=1):
            ref, error = future.result()
            if error:
                failed += 1
                print(f"FAIL {ref} {error[:300]}", flush=True)
            else:
                ok += 1
            if done % 25 == 0:
                print(f"{done}/{len(futures)} ok={ok} failed={failed} {time.time() - start:.0f}s", flush=True)
    print(f"done: {ok} fetched, {failed} failed in {time.time() - start:.0f} s")


if __name__ == "__main__":
    main()
