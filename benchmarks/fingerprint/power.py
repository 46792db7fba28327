"""Black-box power on the existing zoo (issue 11's targets): sequential full-logprob queries, sequential top-k 20
+ logit bias (the library's verify_topk_source: a cheap 4-position look, then one fixed token set recovered at every
position while undecided, within --max-calls), top-k only. Smallest configuration that gives the table.

    python benchmarks/fingerprint/power.py [--trials 2] [--max-calls 1500] [--out benchmarks/out/fingerprint_power.json]

Each of the 8 base models is the victim in turn; its null is every ordered pair of the *other* 7 (leave-one-out),
built from 256 positions of their outputs. Trials use other query windows (another seed) than the null.
Full-logprob trials are sequential: looks at 2(h+1), doubling, up to 392 positions, alpha = 1e-2 split over
the looks (the library's verify_sequential). Scores: -log10 of the smallest extrapolated p (Bonferroni over
tests, times the number of looks); TPR at an FPR is read off the negatives' scores.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import replace
from pathlib import Path

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests" / "fingerprint"))
import numpy as np  # noqa: E402
import zoo  # noqa: E402
from bench_zoo import ATTACKS, BASES, SOFTCAP  # noqa: E402
from metrics import tpr_at  # noqa: E402
from run import ArraySource, _topk, log_softmax, score  # noqa: E402

from licheck.fingerprint.calibration.null_build import NullMember, build_null  # noqa: E402
from licheck.fingerprint.inputs.extract import extract_from_weights  # noqa: E402
from licheck.fingerprint.inputs.observations import full_observations  # noqa: E402
from licheck.fingerprint.inputs.softcap import uncap_logprobs  # noqa: E402
from licheck.fingerprint.report.verify_report import build_report  # noqa: E402
from licheck.fingerprint.verdict.sequential import planned_looks, verify_sequential  # noqa: E402
from licheck.fingerprint.verdict.settings import VerifySettings  # noqa: E402
from licheck.fingerprint.verdict.topk_queries import verify_topk_source  # noqa: E402
from licheck.fingerprint.verdict.verify import verify_observations  # noqa: E402

NULL_POSITIONS = 256
MAX_POSITIONS = 392
LIGHT = ("copy", "temperature", "bf16", "int8", "lora-nohead", "frozen-head-ft", "softcap")
HEAVY = ("ft", "ft-heavy", "prune60", "noise50", "distill")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trials", type=int, default=2, help="sequential trials per pair (each mode)")
    parser.add_argument("--max-calls", type=int, default=1500, help="call budget of a top-k + logit-bias trial")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/out/fingerprint_power.json"))
    args = parser.parse_args()
    t0 = time.time()
    recipes = [*BASES, *ATTACKS]
    dirs = {r.name: zoo.build(r) for r in recipes}
    null_out = {n: zoo.model_outputs(d, positions=NULL_POSITIONS) for n, d in dirs.items() if n in _bases()}
    trial_out = {n: zoo.model_outputs(d, positions=args.trials * MAX_POSITIONS, seed=7) for n, d in dirs.items()}
    fps = {n: extract_from_weights(d) for n, d in dirs.items()}
    t_outputs = time.time() - t0
    lineage = {r.name: r.parent.name if r.parent else r.name for r in recipes}
    rows = []
    # every ordered pair of the 8 bases once; a victim's leave-one-out null is the pairs without it (a pair's
    # statistics depend on its two models only, so this equals build_null on the other 7)
    every = build_null([NullMember(name=n, basis=fps[n].basis, observations=full_observations(null_out[n]))
                        for n in _bases()], tokenizer_digest="bench")
    print(f"null pairs built at {time.time() - t0:.0f}s", file=sys.stderr)
    for victim in _bases():
        null = replace(every, pairs=tuple(p for p in every.pairs if victim not in (p.victim, p.suspect)),
                       members=tuple(n for n in every.members if n != victim))
        fp = replace(fps[victim], meta=replace(fps[victim].meta, tokenizer_digest="bench"))
        for suspect in dirs:
            rows.append(evaluate(fp, victim, suspect, lineage[suspect] == victim, trial_out[suspect], null,
                                 args.trials, args.max_calls))
        print(f"victim {victim} done at {time.time() - t0:.0f}s", file=sys.stderr)
    result = {"wall_seconds": {"outputs": t_outputs, "total": time.time() - t0}, "trials": args.trials,
              "max_calls": args.max_calls, "load_average": os.getloadavg(),
              "summary": summarise(rows), "rows": rows}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1, default=float))
    print_summary(result)


def _bases() -> list[str]:
    return [r.name for r in BASES]


def evaluate(fp, victim: str, suspect: str, positive: bool, logits: np.ndarray, null, trials: int,
             max_calls: int) -> dict:
    served = SOFTCAP * np.tanh(logits / SOFTCAP) if suspect.startswith("softcap") else logits
    dim = fp.basis.shape[1]
    looks = planned_looks(2 * dim, MAX_POSITIONS)
    seq = []
    for k in range(trials):
        block = log_softmax(served[k * MAX_POSITIONS:(k + 1) * MAX_POSITIONS])
        if suspect.startswith("softcap"):
            block = uncap_logprobs(block, SOFTCAP, fp.basis)
        rep = build_report(verify_sequential(fp, lambda n, b=block: full_observations(b[:n]), null,
                                             VerifySettings(), looks=looks))
        seq.append({"score": score(rep.data) - np.log10(len(looks)), "verdict": rep.verdict,
                    "distillation": bool(rep.data["findings"]), "positions": rep.data["positions"]})
    bias = []
    for k in range(trials):
        source = ArraySource(served[k * MAX_POSITIONS:(k + 1) * MAX_POSITIONS])
        verification, plan = verify_topk_source(fp, source, null, VerifySettings(), available=MAX_POSITIONS,
                                                max_calls=max_calls, seed=k)
        rep = build_report(verification)
        bias.append({"score": score(rep.data) - np.log10(len(plan.looks)), "verdict": rep.verdict,
                     "distillation": bool(rep.data["findings"]), "positions": rep.data["positions"],
                     "calls": rep.data["calls"], "design": rep.data["coordinate_design"],
                     "looks": list(plan.looks)})
    topk = [build_report(verify_observations(fp, _topk(served[s:s + 4]), null, VerifySettings(access="top-k"))).verdict
            for s in range(0, 32, 4)]
    return {"victim": victim, "suspect": suspect, "positive": positive, "sequential": seq, "bias": bias,
            "topk": topk}


def summarise(rows: list[dict]) -> dict:
    neg = [r for r in rows if not r["positive"]]
    out: dict = {}
    for mode in ("sequential", "bias"):
        ns = np.array([t["score"] for r in neg for t in r[mode]])
        out[mode] = {"negatives": int(ns.size), "false_derived": sum(t["verdict"] == "derived" for r in neg
                                                                   for t in r[mode])}
        for attack in sorted({r["suspect"] for r in rows if r["positive"]}):
            trials = [t for r in rows if r["positive"] and r["suspect"] == attack for t in r[mode]]
            ps = np.array([t["score"] for t in trials])
            out[mode][attack] = {
                "trials": len(trials), "tpr@1e-2": tpr_at(ps, ns, 1e-2), "tpr@1e-3": tpr_at(ps, ns, 1e-3),
                "derived": float(np.mean([t["verdict"] == "derived" for t in trials])),
                "distillation": float(np.mean([t.get("distillation", False) for t in trials])),
                "positions": float(np.mean([t.get("positions", 4) for t in trials])),
                "calls": float(np.mean([t.get("calls", 0) for t in trials])),
                "max_calls": int(max(t.get("calls", 0) for t in trials))}
    topk = [v for r in rows for v in r["topk"]]
    out["topk_only"] = {"trials": len(topk), "wrong_independent": sum(v == "independent" for v in topk),
                        "derived": sum(v == "derived" for v in topk)}
    out["false_distillation_among_negatives"] = {m: sum(t["distillation"] for r in neg for t in r[m])
                                                 for m in ("sequential", "bias")}
    out["bias_negatives"] = {v: sum(t["verdict"] == v for r in neg for t in r["bias"])
                             for v in ("derived", "independent", "inconclusive")}
    return out


def print_summary(result: dict) -> None:
    s = result["summary"]
    print(f"wall time: {result['wall_seconds']}, trials per pair: {result['trials']}")
    for mode, label in (("sequential", "full logprobs, sequential (looks 2(h+1), x2, .. 392)"),
                        ("bias", f"top-k 20 + logit bias, sequential, <= {result['max_calls']} calls")):
        print(f"\n== {label}: negatives {s[mode]['negatives']}, false 'derived' {s[mode]['false_derived']}")
        print(f"{'attack':16} {'trials':>6} {'TPR@1e-2':>9} {'TPR@1e-3':>9} {'derived':>8} {'distill':>8} "
              f"{'positions':>9} {'calls':>6} {'max':>5}")
        for attack, m in s[mode].items():
            if isinstance(m, dict):
                print(f"{attack:16} {m['trials']:6d} {m['tpr@1e-2']:9.3f} {m['tpr@1e-3']:9.3f} {m['derived']:8.3f} "
                      f"{m['distillation']:8.3f} {m['positions']:9.1f} {m['calls']:6.1f} {m['max_calls']:5d}")
    print(f"\ntop-k only: {s['topk_only']}")
    print(f"false distillation findings among negatives: {s['false_distillation_among_negatives']}")
    print(f"top-k + bias verdicts among negatives: {s['bias_negatives']}")


if __name__ == "__main__":
    main()
