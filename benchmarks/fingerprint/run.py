"""Fingerprint benchmark: the model zoo and attack suite of FINGERPRINT.md, all ordered pairs, every access mode.

    python benchmarks/fingerprint/run.py [--positions 512] [--out benchmarks/out/fingerprint.json]

Each base model in turn is the victim; its null is every ordered pair of the *other* independent
base models (leave-one-out, so no pair is scored against a null that contains it). Positives are the
victim's own derivatives (and itself); negatives are everything else. Scores are the library's own
calibrated p-values; verdicts are the library's own decisions.
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
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests" / "fingerprint"))

import numpy as np  # noqa: E402
import zoo  # noqa: E402
from bench_zoo import ATTACKS, BASES, SOFTCAP  # noqa: E402
from metrics import auc, tpr_at  # noqa: E402

from licheck.fingerprint.calibration.calibrate import NullModel  # noqa: E402
from licheck.fingerprint.calibration.null_build import NullMember, build_null  # noqa: E402
from licheck.fingerprint.inputs.collect import collect  # noqa: E402
from licheck.fingerprint.inputs.extract import extract_from_weights  # noqa: E402
from licheck.fingerprint.inputs.observations import Observations, full_observations  # noqa: E402
from licheck.fingerprint.inputs.softcap import uncap_logprobs  # noqa: E402
from licheck.fingerprint.report.verify_report import VerifyReport, build_report  # noqa: E402
from licheck.fingerprint.verdict import verify as _verify  # noqa: E402
from licheck.fingerprint.verdict.settings import VerifySettings  # noqa: E402


def verify_observations(fp, obs: Observations, null: NullModel, settings: VerifySettings) -> VerifyReport:
    return build_report(_verify.verify_observations(fp, obs, null, settings))


def verify_weights(fp, head, bias, null: NullModel, settings: VerifySettings) -> VerifyReport:
    return build_report(_verify.verify_weights(fp, head, bias, null, settings))


class ArraySource:
    """A simulated top-k API over stored logits; `honour` False reports logprobs from before the bias."""

    def __init__(self, logits: np.ndarray, top_k: int = 20, honour: bool = True) -> None:
        self.logits, self.top_k, self.vocab_size, self.honour = logits, top_k, logits.shape[1], honour

    def top_logprobs(self, position: int, logit_bias: dict[int, float]) -> dict[int, float]:
        row = self.logits[position].copy()
        biased = row.copy()
        for k, v in logit_bias.items():
            biased[k] += v
        shown = biased if self.honour else row
        lp = shown - shown.max() - np.log(np.exp(shown - shown.max()).sum())
        return {int(i): float(lp[i]) for i in np.argsort(-biased)[: self.top_k]}


def log_softmax(x: np.ndarray) -> np.ndarray:
    m = x.max(axis=1, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis=1, keepdims=True))


def score(report_data: dict) -> float:
    """Evidence for derivation: -log10 of the smallest extrapolated p-value (Bonferroni)."""
    ps = [v["p_extrapolated"] for v in report_data["statistics"].values() if "p_extrapolated" in v]
    return float(-np.log10(max(min(ps) * len(ps), 1e-300))) if ps else 0.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--positions", type=int, default=392)
    parser.add_argument("--null-positions", type=int, default=256)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/out/fingerprint.json"))
    parser.add_argument("--only-built", action="store_true", help="skip models not in the cache (a dry run)")
    args = parser.parse_args()
    t0 = time.time()
    recipes = [r for r in [*BASES, *ATTACKS] if not args.only_built or zoo.is_built(r)]
    dirs = {r.name: zoo.build(r) for r in recipes}
    t_build = time.time() - t0
    print(f"zoo built/loaded: {len(dirs)} models in {t_build:.0f}s", file=sys.stderr)
    logits = {name: zoo.model_outputs(d, positions=args.positions) for name, d in dirs.items()}
    fps = {name: extract_from_weights(d) for name, d in dirs.items()}
    loss = {name: zoo.heldout_loss(d, n_batches=4) for name, d in dirs.items()}
    t_run = time.time() - t0 - t_build
    print(f"outputs/losses: {t_run:.0f}s", file=sys.stderr)

    base_names = [r.name for r in BASES if r.name in dirs]
    lineage = {r.name: r.parent.name if r.parent else r.name for r in recipes}
    members = {n: NullMember(name=n, basis=fps[n].basis, observations=full_observations(logits[n][: args.null_positions]),
                             head=fps[n].head, bias=fps[n].bias) for n in base_names}
    rows: list[dict] = []
    t_pairs = time.time()
    for victim in base_names:
        null = build_null([members[n] for n in base_names if n != victim], tokenizer_digest="bench")
        fp = replace(fps[victim], meta=replace(fps[victim].meta, tokenizer_digest="bench"))
        for suspect in dirs:
            rows.append(evaluate_pair(fp, victim, suspect, lineage[suspect] == victim, logits[suspect],
                                      fps[suspect], null))
    t_pairs = time.time() - t_pairs
    summary = summarise(rows, loss, lineage)
    result = {"wall_seconds": {"zoo": t_build, "outputs": t_run, "pairs": t_pairs, "total": time.time() - t0},
              "n_pairs": len(rows), "positions": args.positions, "summary": summary,
              "loss": loss, "rows": rows}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1, default=float))
    print_summary(result)


def evaluate_pair(fp, victim: str, suspect: str, positive: bool, logits: np.ndarray, suspect_fp,
                  null: NullModel) -> dict:
    row: dict = {"victim": victim, "suspect": suspect, "positive": positive}
    served = SOFTCAP * np.tanh(logits / SOFTCAP) if suspect.startswith("softcap") else logits
    n2h = 2 * fp.basis.shape[1]
    notes = {}
    # full logits and full logprobs, at N = 2(h+1) positions (blocks), and S1 alone at N = 4
    for mode, values in (("full_logits", served), ("full_logprobs", log_softmax(served))):
        if suspect.startswith("softcap"):
            values = uncap_logprobs(values[: 4 * n2h], SOFTCAP, fp.basis)
        blocks = []
        for start in range(0, min(values.shape[0], 4 * n2h) - n2h + 1, n2h):
            rep = verify_observations(fp, full_observations(values[start:start + n2h]), null, VerifySettings())
            blocks.append((score(rep.data), rep.verdict))
        small = []
        for start in range(0, 32, 4):
            rep = verify_observations(fp, full_observations(values[start:start + 4]), null, VerifySettings())
            small.append((score(rep.data), rep.verdict))
        row[mode] = {"N2h": blocks, "N4": small}
        if mode == "full_logits":
            full = verify_observations(fp, full_observations(values[:n2h]), null, VerifySettings())
            st = full.data["statistics"]
            notes = {k: st[k]["value"] for k in ("s1", "s2", "s3") if k in st}
            notes["adapter_rank"] = st.get("s2", {}).get("adapter_rank")
    row["stats"] = notes
    # top-k only (k = 20): verdicts only
    topk = [verify_observations(fp, _topk(served[s:s + 4]), null, VerifySettings(access="top-k")).verdict
            for s in range(0, 32, 4)]
    row["topk"] = topk
    # top-k + logit bias: 4 positions per trial through the recovery code
    trials = []
    calls = []
    for s in range(0, 32, 4):
        obs, _ = collect(ArraySource(served[s:s + 4]), 4, coords=n2h, seed=s)
        if suspect.startswith("softcap"):
            obs = replace(obs, values=obs.values)  # partial softcap inversion is not attempted
        rep = verify_observations(fp, obs, null, VerifySettings(access="top-k+logit-bias"))
        trials.append((score(rep.data), rep.verdict))
        calls.append(obs.calls)
    row["topk_bias"] = {"trials": trials, "calls_per_trial": float(np.mean(calls))}
    # weight mode
    rep = verify_weights(fp, suspect_fp.head, suspect_fp.bias, null, VerifySettings(access="weights"))
    row["weights"] = (score(rep.data), rep.verdict, rep.data["statistics"]["weight_residual"]["adapter_rank"])
    return row


def _topk(values: np.ndarray, k: int = 20) -> Observations:
    ids = np.argsort(-values, axis=1)[:, :k]
    return Observations(values=np.take_along_axis(log_softmax(values), ids, axis=1), ids=ids,
                        vocab_size=values.shape[1], topk_only=True)


def summarise(rows: list[dict], loss: dict, lineage: dict) -> dict:
    attacks = sorted({r["suspect"] for r in rows if r["positive"]})
    out: dict = {}
    for mode, key in (("full_logits@2h", ("full_logits", "N2h")), ("full_logits@4", ("full_logits", "N4")),
                      ("full_logprobs@2h", ("full_logprobs", "N2h")), ("topk+bias@4", ("topk_bias", "trials")),
                      ("weights", ("weights", None))):
        neg = _scores([r for r in rows if not r["positive"]], key)
        out[mode] = {"negatives": len(neg), "false_derived": sum(v == "derived" for _, v in neg)}
        for attack in attacks:
            pos = _scores([r for r in rows if r["positive"] and r["suspect"] == attack], key)
            ps, ns = np.array([s for s, _ in pos]), np.array([s for s, _ in neg])
            out[mode][attack] = {"auc": auc(ps, ns), "tpr@1e-2": tpr_at(ps, ns, 1e-2), "tpr@1e-3": tpr_at(ps, ns, 1e-3),
                                 "verdict_derived": float(np.mean([v == "derived" for _, v in pos]))}
    topk = [v for r in rows for v in r["topk"]]
    out["topk_only"] = {"trials": len(topk), "wrong_independent": sum(v == "independent" for v in topk),
                        "derived": sum(v == "derived" for v in topk)}
    victim_loss = {name: loss[name] for name in loss}
    out["utility_loss_delta"] = {a: loss[a] - loss[lineage[a]] for a in attacks}
    out["stats_vs_own_victim"] = {r["suspect"]: r["stats"] for r in rows if r["positive"]}
    out["stats_independents_vs_victim"] = {r["suspect"]: r["stats"] for r in rows
                                          if r["victim"] == "victim" and not r["positive"]}
    out["calls_per_4_positions"] = float(np.mean([r["topk_bias"]["calls_per_trial"] for r in rows]))
    out["weight_adapter_rank"] = {r["suspect"]: r["weights"][2] for r in rows if r["positive"]}
    out["loss"] = victim_loss
    return out


def _scores(rows: list[dict], key: tuple) -> list[tuple[float, str]]:
    out = []
    for r in rows:
        if key[0] == "weights":
            out.append((r["weights"][0], r["weights"][1]))
        else:
            out.extend((s, v) for s, v in r[key[0]][key[1]])
    return out


def print_summary(result: dict) -> None:
    s = result["summary"]
    print(f"wall time: {result['wall_seconds']}")
    print(f"pairs: {result['n_pairs']}, positions per model: {result['positions']}")
    for mode in ("full_logits@4", "full_logits@2h", "full_logprobs@2h", "topk+bias@4", "weights"):
        print(f"\n== {mode}: negatives {s[mode]['negatives']}, false 'derived' verdicts {s[mode]['false_derived']}")
        print(f"{'attack':18} {'AUC':>6} {'TPR@1e-2':>9} {'TPR@1e-3':>9} {'derived':>8}")
        for attack, m in s[mode].items():
            if isinstance(m, dict):
                print(f"{attack:18} {m['auc']:6.3f} {m['tpr@1e-2']:9.3f} {m['tpr@1e-3']:9.3f} {m['verdict_derived']:8.3f}")
    print(f"\ntop-k only: {s['topk_only']}")
    print(f"calls per 4 positions (top-k + logit bias, k=20): {s['calls_per_4_positions']:.1f}")
    print(f"adapter rank (weights): {s['weight_adapter_rank']}")
    print("\nS1 / S2 / S3 at N=2(h+1), suspect vs its victim:")
    for name, st in {**s["stats_vs_own_victim"], **s["stats_independents_vs_victim"]}.items():
        print(f"  {name:18} " + " ".join(f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}" for k, v in st.items()))
    print("\nutility (held-out loss delta vs victim): " + ", ".join(f"{k} {v:+.3f}" for k, v in s["utility_loss_delta"].items()))


if __name__ == "__main__":
    main()
