"""Nulls from models with other tokenizers: work on the tokens every vocabulary shares.

A log-probability vector restricted to a subset T of the victim's tokens still lies in the victim's
output space restricted to T (span of the rows W_T, b_T and the ones vector), so a copy stays an
exact member and every statistic keeps its meaning. Tokens are matched by the bytes they stand
for (the same rule `--suspect-outputs` uses), so a GPT-2-style and a Llama-style BPE share the
byte alphabet and their common merges. Both the null and the suspect are then tested on T only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from licheck.errors import InputError
from licheck.fingerprint.digest import array_digest
from licheck.fingerprint.inputs.fpfile import Fingerprint
from licheck.fingerprint.inputs.observations import Observations
from licheck.fingerprint.inputs.vocab import token_bytes
from licheck.fingerprint.linalg import orthonormal_basis, output_space_basis

# A shared-token test needs several coordinates per dimension of the victim's space: S3 estimates the
# suspect's dimension from the restricted vectors, S1 measures a residual outside a d-dimensional space.
MIN_SHARED_PER_DIM = 4


@dataclass(frozen=True)
class SharedTokens:
    """Victim ids of the tokens every vocabulary holds, and each member's ids for the same tokens."""

    victim_ids: np.ndarray
    member_ids: tuple[np.ndarray, ...]
    victim_vocab_size: int

    @property
    def count(self) -> int:
        return int(self.victim_ids.size)


def token_table(tokens: Sequence[str], *, byte_level: bool) -> dict[bytes, int]:
    """bytes -> first id standing for them (empty and undecodable entries skipped)."""
    table: dict[bytes, int] = {}
    for i, token in enumerate(tokens):
        raw = token_bytes(token, byte_level=byte_level) if token else None
        if raw:
            table.setdefault(raw, i)
    return table


def shared_tokens(victim_tokens: Sequence[str], victim_byte_level: bool,
                  members: Sequence[tuple[Sequence[str], bool]], *, output_dim: int) -> SharedTokens:
    """Tokens of the victim that every member vocabulary also holds; refused below the floor."""
    victim = token_table(victim_tokens, byte_level=victim_byte_level)
    tables = [token_table(tokens, byte_level=byte_level) for tokens, byte_level in members]
    common = sorted((i, raw) for raw, i in victim.items() if all(raw in t for t in tables))
    floor = MIN_SHARED_PER_DIM * output_dim
    if len(common) < floor:
        raise InputError(f"the null models share only {len(common)} of the victim's {len(victim_tokens)} tokens; "
                         f"a shared-token test needs at least {floor} ({MIN_SHARED_PER_DIM} per dimension of the "
                         f"victim's {output_dim}-dimensional output space)",
                         hint="use null models whose tokenizers overlap the victim's more (byte-level BPEs do)")
    victim_ids = np.array([i for i, _ in common], dtype=np.int64)
    member_ids = tuple(np.array([t[raw] for _, raw in common], dtype=np.int64) for t in tables)
    return SharedTokens(victim_ids=victim_ids, member_ids=member_ids, victim_vocab_size=len(victim_tokens))


def restrict_fingerprint(fp: Fingerprint, ids: np.ndarray) -> Fingerprint:
    """The victim's output space on the coordinates `ids` only (a fingerprint over a smaller vocabulary)."""
    if fp.head is not None:
        head = fp.head[ids]
        bias = None if fp.bias is None else fp.bias[ids]
        basis = output_space_basis(head, bias)
    else:
        head = bias = None
        ones = np.ones((ids.size, 1)) / np.sqrt(ids.size)
        basis = orthonormal_basis(np.hstack([fp.basis[ids], ones]))
    tokens = tuple(fp.meta.tokens[int(i)] for i in ids) if len(fp.meta.tokens) == fp.meta.vocab_size else ()
    meta = replace(fp.meta, vocab_size=int(ids.size), output_dim=int(basis.shape[1]), tokens=tokens,
                   head_digest=array_digest(head if head is not None else basis, bias))
    return Fingerprint(meta=meta, basis=basis, head=head, bias=bias)


def restrict_observations(obs: Observations, ids: np.ndarray, *, max_coords: int | None = None) -> Observations:
    """Suspect outputs on the coordinates `ids` (renumbered 0..len(ids)-1).

    Partial rows keep their coordinates that fall in `ids` (at most `max_coords`, the number the null's
    partial design used); a row left with too few coordinates to test membership makes the run top-k-only.
    """
    if obs.ids is None:
        return replace(obs, values=obs.values[:, ids], vocab_size=int(ids.size))
    position = np.full(obs.vocab_size, -1, dtype=np.int64)
    position[ids] = np.arange(ids.size)
    rows = [np.nonzero(position[r] >= 0)[0] for r in obs.ids]
    m = min(r.size for r in rows)
    if max_coords is not None:
        m = min(m, max_coords)
    if m < 2:
        raise InputError("no position keeps two coordinates among the tokens the null models share",
                         hint="recover coordinates among the shared tokens, or use a same-tokenizer null")
    new_ids = np.stack([position[obs.ids[t, r[:m]]] for t, r in enumerate(rows)])
    values = np.stack([obs.values[t, r[:m]] for t, r in enumerate(rows)])
    return replace(obs, values=values, ids=new_ids, vocab_size=int(ids.size))


def restrict_full_outputs(obs: Observations, member_ids: np.ndarray) -> Observations:
    """A null member's full output vectors (its own vocabulary) on the shared tokens, in the victim's order."""
    if obs.ids is not None:
        raise InputError("a null model's outputs must be full vectors over its vocabulary")
    return replace(obs, values=obs.values[:, member_ids], vocab_size=int(member_ids.size))
