"""Issue 9's target table in one command: every row measured on the code in this checkout, printed as markdown.

usage: python benchmarks/issue9_table.py [--skip growth,vendored,...] [--poj-scan-per-task 50] [--full]
                                         [--reduced-growth] [--refit-grown]
                                         [--rebuild] [--cache ~/.cache/licheck-eval] [--jobs 2] [--json FILE]

Rows (keys for --skip): peers (recall + false positives, seed 1; plus the seed-2 tuning set), poj, irplag,
vendored, growth (peers / IR-Plag / POJ-104 / vendored again, each on its own index grown by growth_eval.EXTRA),
speed (read from the peers row: index build of the corpus, scan of the 2,086 queries).
--reduced-growth grows by growth_eval.EXTRA_REDUCED (~230k units, a few minutes) instead of EXTRA (~850k units);
--refit-grown refits each grown row's statistics after its base is added, as `licheck index refresh --refit`
would (without it, a base smaller than decide.derive.REFIT_GROWTH of the grown part keeps the grown part's shingle
counts and null; the vendored row's base is larger than that, so it is refitted either way).
Each row is also logged to stderr as soon as it is measured ("ROW | …"), so a later failure loses nothing.
Needs: ../shared/peers run_all.sh steps 1-2 in ~/.cache/licheck-peers (testset/ and testset-seed2/), and
../shared/datasets. Registry packages are fetched once into the cache (see evalkit.py); cached indexes that this
licheck refuses are rebuilt from the cached trees. Each row prints its own time and the load average.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import growth_eval as G  # noqa: E402
import vendored_eval as V  # noqa: E402
from evalkit import DEFAULT_CACHE, code_identity, load_average, log, now_utc  # noqa: E402

TARGETS = {
    "peers": "100 / 100 / 100 / ≥ 93 / ≥ 93 / 100",
    "peers_fp": "≤ 1",
    "poj": "≤ 3%",
    "irplag": "≥ 98 / 98 / 98 / 85 / 70 / 50",
    "irplag_neg": "≤ 15%",
    "vendored": "≥ 99% striking; upstream named ≥ 95%; every holder listed",
    "growth": "recall within 1 point; false positives not higher",
    "speed": "≤ 4 s; ≤ 30 s (idle machine)",
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--skip", default="", help="comma-separated rows to leave out")
    ap.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    ap.add_argument("--peers", type=Path, default=G.PEERS)
    ap.add_argument("--datasets", type=Path, default=G.DATASETS)
    ap.add_argument("--poj-scan-per-task", type=int, default=50,
                    help="POJ-104 programs scanned per task (250 indexed per task); --full: 250")
    ap.add_argument("--vendored-n", type=int, default=400)
    ap.add_argument("--full", action="store_true", help="POJ-104 at datasets_eval.py's full size (slow)")
    ap.add_argument("--rebuild", action="store_true", help="rebuild the cached vendored and extra indexes")
    ap.add_argument("--reduced-growth", action="store_true",
                    help="grow by growth_eval.EXTRA_REDUCED (~230k units) instead of EXTRA (~850k), for time")
    ap.add_argument("--refit-grown", action="store_true",
                    help="refit each grown row's statistics after its base is added (`index refresh --refit`)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    n_scan = 250 if args.full else args.poj_scan_per_task
    work = args.cache / "issue9"
    work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    rows: list[tuple[str, str, str, str, str]] = []  # (set, measured, target, command, time/load)
    raw: dict = {}
    me = "python benchmarks/issue9_table.py"

    def add_row(row: tuple[str, str, str, str, str]) -> None:  # printed at once too: a later row may fail
        rows.append(row)
        log(f"ROW | {' | '.join(row)} |")

    def timed(label: str, fn):  # noqa: ANN001, ANN202
        t0 = time.perf_counter()
        log(f"[{time.strftime('%H:%M:%S')}] {label} …")
        out = fn()
        dt_s = time.perf_counter() - t0
        log(f"[{time.strftime('%H:%M:%S')}] {label}: {dt_s:.0f} s (load {load_average()})")
        return out, f"{dt_s:.0f} s, load {load_average()}"

    peers = None
    if "peers" not in skip or "speed" not in skip:
        peers, t = timed("peers' set", lambda: G.peers_row(args.peers, work / "peers.sqlite", jobs=args.jobs))
        raw["peers"] = peers
        recall, fp = G.peers_cells_text(peers)
        cmd = f"`{me}` (row code: `growth_eval.peers_row`; same scoring as `benchmarks/peers_accuracy.py`)"
        if "peers" not in skip:
            add_row(("peers' set `--seed 1`: exact / reformat / rename / edit / rename+edit / embed, % flagged "
                         "with the right package", recall, TARGETS["peers"], cmd, t))
            add_row(("peers' set `--seed 1`, false positives of 292", fp, TARGETS["peers_fp"], cmd, t))
            if (args.peers / "testset-seed2" / "truth.tsv").exists():
                tune, t2 = timed("peers' seed-2 tuning set",
                                 lambda: G.peers_scan(args.peers, work / "peers.sqlite", testset="testset-seed2",
                                                      jobs=args.jobs))
                raw["peers_seed2"] = tune
                r2, f2 = G.peers_cells_text(tune)
                add_row(("(tuning split) peers' set `--seed 2`: the 6 variants; false positives", f"{r2}; FP {f2}",
                             "(tune here)", cmd, t2))
    if "poj" not in skip:
        poj, t = timed("POJ-104", lambda: G.poj_row(args.datasets, args.cache, work / "poj.sqlite", jobs=args.jobs,
                                                    n_scan=n_scan))
        raw["poj"] = poj
        add_row((f"POJ-104 labels 1–30, independent programs with a striking finding (250 indexed + {n_scan} "
                     "scanned per task, seed 1)", G.poj_text(poj), TARGETS["poj"],
                     f"`{me}`{' --full' if args.full else ''} (row code: `growth_eval.poj_row`)", t))
    if "irplag" not in skip:
        ir, t = timed("IR-Plag", lambda: G.irplag_row(args.datasets, args.cache, work / "irplag.sqlite",
                                                     jobs=args.jobs))
        raw["irplag"] = ir
        det, neg = G.irplag_text(ir)
        cmd = f"`{me}` (row code: `growth_eval.irplag_row`; scoring as `benchmarks/datasets_eval.py`)"
        add_row(("IR-Plag L1 / L2 / L3 / L4 / L5 / L6 detected (%)", det, TARGETS["irplag"], cmd, t))
        add_row(("IR-Plag non-plagiarised files striking", neg, TARGETS["irplag_neg"], cmd, t))
    if "vendored" not in skip:
        ven, t = timed("vendored", lambda: V.run(args.cache, n=args.vendored_n, rebuild=args.rebuild, jobs=args.jobs))
        raw["vendored"] = ven
        add_row(("**vendored code**, reporting half (tuning half: "
                     + V.text_of(ven, "tune") + ")", V.text_of(ven, "report"), TARGETS["vendored"],
                     "`python benchmarks/vendored_eval.py`", t))
    if "growth" not in skip:
        (extra, facts), t = timed("grown part (extra index)",
                                  lambda: G.extra_index(args.cache, rebuild=args.rebuild, jobs=args.jobs,
                                                        reduced=args.reduced_growth))
        raw["extra"] = facts
        grown_txt = []
        tt = [t]
        if "peers" not in skip and peers is not None:
            gp, t = timed("peers' set, grown", lambda: G.peers_row(args.peers, work / "peers-grown.sqlite",
                                                                   grown_from=extra, jobs=args.jobs,
                                                                   refit=args.refit_grown))
            raw["peers_grown"] = gp
            r, f = G.peers_cells_text(gp)
            grown_txt.append(f"peers: {r}; FP {f} ({gp['units'] / max(1, gp['base_units']):.1f}× {gp['base_units']} "
                             "units)")
            tt.append(t)
        if "irplag" not in skip:
            gi, t = timed("IR-Plag, grown", lambda: G.irplag_row(args.datasets, args.cache, work / "irplag-grown.sqlite",
                                                                grown_from=extra, jobs=args.jobs,
                                                                refit=args.refit_grown))
            raw["irplag_grown"] = gi
            d, n = G.irplag_text(gi)
            grown_txt.append(f"IR-Plag: {d}; non-plagiarised striking {n}")
            tt.append(t)
        if "poj" not in skip:
            gj, t = timed("POJ-104, grown", lambda: G.poj_row(args.datasets, args.cache, work / "poj-grown.sqlite",
                                                             grown_from=extra, jobs=args.jobs, n_scan=n_scan,
                                                             refit=args.refit_grown))
            raw["poj_grown"] = gj
            grown_txt.append(f"POJ-104: {G.poj_text(gj)} ({gj['units'] / max(1, gj['base_units']):.1f}×)")
            tt.append(t)
        if "vendored" not in skip:
            gv, t = timed("vendored, grown", lambda: V.run(args.cache, n=args.vendored_n, jobs=args.jobs,
                                                           grown_from=extra))
            raw["vendored_grown"] = gv
            grown_txt.append(f"vendored: {V.text_of(gv, 'report')} ({gv['index_units']} units)")
            tt.append(t)
        add_row((f"**index growth**{' (REDUCED grown part)' if facts.get('reduced') else ''}"
                     f"{', statistics refitted after each base is added' if args.refit_grown else ''}: the rows above "
                     f"with {facts['units']:,} units of unrelated packages added "
                     f"({facts['sources']} sources, {facts['bytes'] / 1e6:.0f} MB, built in {facts['build_s']:.0f} s"
                     f"{', cached' if facts.get('cached') else ''})", "<br>".join(grown_txt) or "–",
                     TARGETS["growth"], f"`{me}` (grown part: `python benchmarks/growth_eval.py --build-only`)",
                     "; ".join(tt)))
    if "speed" not in skip and peers is not None:
        add_row(("scan of the peers' 2,086 queries; index build of the 979k-line corpus",
                     f"{peers['scan_s']:.1f} s; {peers['build_s']:.1f} s ({args.jobs} workers, synchronous=OFF, "
                     "NOT an idle machine: see load)", TARGETS["speed"], f"`{me}` (from the peers row)",
                     f"load {raw['peers'].get('load', load_average())}"))
    wall = time.perf_counter() - started
    head = (f"Measured {now_utc()}, {code_identity()}, `{' '.join(['python', *sys.argv])}`, wall {wall:.0f} s, "
            f"{args.jobs} worker processes, load average at the end {load_average()}.")
    lines = [head, "", "| set | measured | target | command | row time |", "|---|---|---|---|---|"]
    lines += [f"| {a} | {b} | {c} | {d} | {e} |" for a, b, c, d, e in rows]
    print("\n".join(lines))
    if args.json:
        args.json.write_text(json.dumps({"head": head, "rows": rows, "raw": raw}, indent=1, default=str))


if __name__ == "__main__":
    main()
