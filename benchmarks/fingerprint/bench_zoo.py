"""The benchmark's model zoo: independent base models and the attack suite on the victim."""

from __future__ import annotations

import zoo

SOFTCAP = 10.0
VICTIM = zoo.base("victim", seed=0, steps=150)
BASES = [
    VICTIM,
    zoo.base("indep-seed1", seed=1, steps=150),
    zoo.base("indep-seed2", seed=2, steps=100),
    zoo.base("indep-h64", seed=3, hidden=64, steps=100),
    zoo.base("indep-heldout", seed=4, hidden=40, data="other", steps=100),
    zoo.base("gpt2", arch="gpt2", hidden=32, seed=5, steps=150),
    zoo.base("gpt2-h48", arch="gpt2", hidden=48, seed=6, steps=100),
    zoo.base("indep-other", seed=7, data="other", steps=100),
]
ATTACKS = [
    zoo.attack("copy", VICTIM, attack="copy"),
    zoo.attack("temperature", VICTIM, attack="temperature", t=0.7),
    zoo.attack("bf16", VICTIM, attack="dtype", dtype="bfloat16"),
    zoo.attack("int8", VICTIM, attack="quantize", bits=8),
    zoo.attack("int4", VICTIM, attack="quantize", bits=4),
    zoo.attack("lora-nohead", VICTIM, attack="lora", r=8, head=False, steps=40, lr=3e-3),
    zoo.attack("lora-head", VICTIM, attack="lora", r=4, head=True, steps=40, lr=3e-3),
    zoo.attack("lora-head-r8", VICTIM, attack="lora", r=8, head=True, steps=40, lr=3e-3),
    zoo.attack("frozen-head-ft", VICTIM, attack="finetune", steps=40, lr=3e-3, freeze_head=True),
    zoo.attack("ft", VICTIM, attack="finetune", steps=40, lr=3e-3),
    zoo.attack("ft-heavy", VICTIM, attack="finetune", steps=150, lr=3e-3),
    zoo.attack("prune30", VICTIM, attack="prune", fraction=0.3),
    zoo.attack("prune60", VICTIM, attack="prune", fraction=0.6),
    zoo.attack("noise20", VICTIM, attack="head_noise", scale=0.2),
    zoo.attack("noise50", VICTIM, attack="head_noise", scale=0.5),
    zoo.attack("softcap", VICTIM, attack="copy"),  # served through c*tanh(l/c); verify inverts it
    zoo.attack("distill", VICTIM, attack="distill", steps=300, lr=3e-3, hidden=48),
]
