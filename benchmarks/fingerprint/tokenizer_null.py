"""Issue 11: a null from models with *other* tokenizers vs the same-tokenizer null, on every zoo pair.

    python benchmarks/fingerprint/tokenizer_null.py [--trials 2] [--out benchmarks/out/fingerprint_tokenizer_null.json]

The zoo of `bench_zoo.py` (8 independent bases on the main tokenizer, 17 derivatives of the victim): each base is
the victim in turn, every one of the 25 models the suspect (200 ordered pairs). Each pair is judged twice, by the
library's own code:
  (a) same-tokenizer null: every ordered pair of the *other* 7 bases (leave-one-out, 42 pairs), whole vocabulary,
      as `power.py` builds it;
  (b) other-tokenizer null: the three zoo members with their own byte-level BPE (`tests/fingerprint/conftest.py`:
      alt-llama h = 40, alt-gpt2 h = 32, alt-llama-h56 on other data; V = 768, trained on the other split), built
      by `null_api._shared_token_null` (what `calibrate --fingerprint` / `verify --null-models` run) on the tokens
      both vocabularies share; verify then tests the suspect on those tokens only.
Modes: full logprobs, sequential (looks 2d, doubling, up to 392 positions, alpha = 1e-2 split over the looks; trial
windows on another seed than the null's), and weight mode. Verdicts are compared pair by pair and trial by trial.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from pathlib import Path

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests" / "fingerprint"))
import numpy as np  # noqa: E402
import zoo  # noqa: E402
from bench_zoo import ATTACKS, BASES, SOFTCAP  # noqa: E402
from run import log_softmax, score  # noqa: E402

from licheck.fingerprint.calibration.null_build import NullMember, build_null  # noqa: E402
from licheck.fingerprint.calibration.shared_vocab import shared_tokens  # noqa: E402
from licheck.fingerprint.inputs.extract import extract_from_weights  # noqa: E402
from licheck.fingerprint.inputs.observations import full_observations  # noqa: E402
from licheck.fingerprint.inputs.softcap import uncap_logprobs  # noqa: E402
from licheck.fingerprint.null_api import _shared_token_null  # noqa: E402
from licheck.fingerprint.report.verify_report import build_report  # noqa: E402
from licheck.fingerprint.verdict.sequential import planned_looks, verify_sequential  # noqa: E402
from licheck.fingerprint.verdict.settings import VerifySettings  # noqa: E402
from licheck.fingerprint.verdict.verify import verify_weights  # noqa: E402

NULL_POSITIONS = 256
MAX_POSITIONS = 392
# the zoo members with their own tokenizer (same recipes as tests/fingerprint/conftest.py, so the cache is shared)
OTHER_TOKENIZER = [
    zoo.base("alt-llama", seed=21, hidden=40, steps=100, tokenizer="alt"),
    zoo.base("alt-gpt2", arch="gpt2", hidden=32, seed=22, steps=100, tokenizer="alt"),
    zoo.base("alt-llama-h56", seed=23, hidden=56, steps=100, tokenizer="alt", data="other"),
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trials", type=int, default=2, help="sequential full-logprob trials per pair")
    parser.add_argument("--victims", type=int, default=len(BASES), help="first N bases as victims (a dry run)")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/out/fingerprint_tokenizer_null.json"))
    args = parser.parse_args()
    t0 = time.time()
    recipes = [*BASES, *ATTACKS]
    dirs = {r.name: zoo.build(r) for r in recipes}
    alt_dirs = {r.name: zoo.build(r) for r in OTHER_TOKENIZER}
    bases = [r.name for r in BASES]
    null_out = {n: zoo.model_outputs(dirs[n], positions=NULL_POSITIONS) for n in bases}
    alt_loaded = [(extract_from_weights(d), full_observations(zoo.model_outputs(d, positions=NULL_POSITIONS)))
                  for d in alt_dirs.values()]
    trial_out = {n: zoo.model_outputs(d, positions=args.trials * MAX_POSITIONS, seed=7) for n, d in dirs.items()}
    fps = {n: extract_from_weights(d) for n, d in dirs.items()}
    t_outputs = time.time() - t0
    lineage = {r.name: r.parent.name if r.parent else r.name for r in recipes}
    rows, shared = [], {}
    for victim in bases[:args.victims]:
        fp = fps[victim]
        same = build_null([NullMember(name=n, basis=fps[n].basis, observations=full_observations(null_out[n]),
                                      head=fps[n].head, bias=fps[n].bias) for n in bases if n != victim],
                          tokenizer_digest=fp.meta.tokenizer_digest)
        other = _shared_token_null(fp, alt_loaded, None)
        st = shared_tokens(fp.meta.tokens, fp.meta.byte_level, [(a.meta.tokens, a.meta.byte_level)
                                                                for a, _ in alt_loaded], output_dim=fp.basis.shape[1])
        shared[victim] = {"shared_tokens": st.count, "victim_vocab": fp.meta.vocab_size,
                          "floor": 4 * fp.basis.shape[1], "null_pairs_same": len(same.pairs),
                          "null_pairs_other": len(other.pairs),
                          "null_pairs_other_with_outputs": sum(p.s1_ratios is not None for p in other.pairs)}
        for suspect in dirs:
            rows.append(evaluate(fp, victim, suspect, lineage[suspect] == victim, trial_out[suspect], fps[suspect],
                                 {"same": same, "other": other}, args.trials))
        print(f"victim {victim} done at {time.time() - t0:.0f}s", file=sys.stderr, flush=True)
        result = {"wall_seconds": {"outputs": t_outputs, "total": time.time() - t0}, "trials": args.trials,
                  "victims_done": len(shared), "null_members_other": list(alt_dirs), "shared": shared,
                  "summary": summarise(rows), "rows": rows}
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=1, default=float))  # after every victim: a cut run keeps its part
    print_summary(result)


def evaluate(fp, victim: str, suspect: str, positive: bool, logits: np.ndarray, suspect_fp, nulls: dict,
             trials: int) -> dict:
    served = SOFTCAP * np.tanh(logits / SOFTCAP) if suspect.startswith("softcap") else logits
    looks = planned_looks(2 * fp.basis.shape[1], MAX_POSITIONS)
    out: dict = {"victim": victim, "suspect": suspect, "positive": positive}
    for kind, null in nulls.items():
        seq = []
        for k in range(trials):
            block = log_softmax(served[k * MAX_POSITIONS:(k + 1) * MAX_POSITIONS])
            if suspect.startswith("softcap"):
                block = uncap_logprobs(block, SOFTCAP, fp.basis)
            rep = build_report(verify_sequential(fp, lambda n, b=block: full_observations(b[:n]), null,
                                                 VerifySettings(), looks=looks))
            seq.append({"verdict": rep.verdict, "score": score(rep.data) - np.log10(len(looks)),
                        "positions": rep.data["positions"]})
        w = build_report(verify_weights(fp, suspect_fp.head, suspect_fp.bias, null, VerifySettings()))
        out[kind] = {"sequential": seq, "weights": {"verdict": w.verdict, "score": score(w.data)}}
    return out


def summarise(rows: list[dict]) -> dict:
    out: dict = {}
    for mode in ("sequential", "weights"):
        def trials(r, kind, mode=mode):
            return r[kind][mode] if mode == "sequential" else [r[kind][mode]]
        pairs_same = sum(all(a["verdict"] == b["verdict"] for a, b in zip(trials(r, "same"), trials(r, "other"), strict=True))
                         for r in rows)
        n_trials = sum(len(trials(r, "same")) for r in rows)
        trials_same = sum(a["verdict"] == b["verdict"] for r in rows
                          for a, b in zip(trials(r, "same"), trials(r, "other"), strict=True))
        differ = Counter((r["suspect"] if r["positive"] else "negative", a["verdict"], b["verdict"]) for r in rows
                         for a, b in zip(trials(r, "same"), trials(r, "other"), strict=True) if a["verdict"] != b["verdict"])
        m: dict = {"pairs": len(rows), "pairs_same_verdict": pairs_same, "trials": n_trials,
                   "trials_same_verdict": trials_same,
                   "differing (suspect|negative, same-tok verdict, other-tok verdict)": {
                       " / ".join(k): v for k, v in differ.items()}}
        for kind in ("same", "other"):
            neg = [t for r in rows if not r["positive"] for t in trials(r, kind)]
            pos = [t for r in rows if r["positive"] for t in trials(r, kind)]
            m[kind] = {"negative_trials": len(neg), "false_derived": sum(t["verdict"] == "derived" for t in neg),
                       "negative_verdicts": dict(Counter(t["verdict"] for t in neg)),
                       "positive_trials": len(pos), "positive_derived": sum(t["verdict"] == "derived" for t in pos),
                       "positive_verdicts": dict(Counter(t["verdict"] for t in pos)),
                       "max_negative_score": max((t["score"] for t in neg), default=0.0),
                       "min_positive_score": min((t["score"] for t in pos), default=0.0)}
        out[mode] = m
    return out


def print_summary(result: dict) -> None:
    print(f"wall time: {result['wall_seconds']}, trials per pair: {result['trials']}")
    print(f"other-tokenizer null members: {result['null_members_other']}")
    for victim, s in result["shared"].items():
        print(f"  victim {victim}: {s}")
    for mode, m in result["summary"].items():
        print(f"\n== {mode}: same verdict on {m['pairs_same_verdict']} / {m['pairs']} pairs "
              f"({m['trials_same_verdict']} / {m['trials']} trials)")
        for k, v in m["differing (suspect|negative, same-tok verdict, other-tok verdict)"].items():
            print(f"   differs: {k}: {v}")
        for kind in ("same", "other"):
            s = m[kind]
            print(f"   {kind}-tokenizer null: false 'derived' {s['false_derived']} / {s['negative_trials']} negative "
                  f"trials {s['negative_verdicts']}; positives 'derived' {s['positive_derived']} / "
                  f"{s['positive_trials']} {s['positive_verdicts']}; max negative score "
                  f"{s['max_negative_score']:.2f}, min positive score {s['min_positive_score']:.2f}")


if __name__ == "__main__":
    main()
