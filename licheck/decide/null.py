"""The index's null distribution: how strong is the best match of a unit against independent code of this index?

At build time (``derive``) a sample of indexed units is scanned against the rest of the index, leaving out its
own lineage and its own sources — every match that remains is between code with no copying relation we know
of. Each sampled unit contributes its *best* evidence score (bits), the maximum over every candidate the index
offers it, so the sample already reflects the index's size and its common shapes. Samples are kept apart by
language and by unit size (longer units have more chances to share rare shingles by accident).

The upper tail of each stratum is fitted with an exponential (the tail of an extreme-value distribution of the
Gumbel type, as Karlin–Altschul statistics assume for the best local alignment score): above the threshold
``u`` (the stratum's 80th percentile), P(best ≥ s) = tail · exp(−λ (s − u)), λ = 1 / mean excess. Below ``u``
the empirical fraction is used. The E-value of a match is that probability scaled by how much the index has
grown since the fit (lineages now / lineages at the fit): the expected number of matches at least this strong
that a unit of independent code would get from this index by chance.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

import numpy as np

SIZE_EDGES = (50, 100, 200, 400)  # unit tokens: bins 0..4
TAIL_QUANTILE = 0.8
MIN_STRATUM = 40  # fewer samples than this: fall back to the language's pooled bins, then to every language
MIN_MEAN_EXCESS = 1.0  # bits: a stratum whose tail is flat still gets a finite slope
QUANTILES = 50
NULL_VERSION = 3  # 3: scores in shingle-equivalents


# The pooled null of a real index (the peers' corpus: 29 PyPI packages, 51k lineages, 15.7 bits per shingle at
# most; `licheck index info` on it), rounded and divided by that scale: the stand-in for indexes too small to
# fit their own, in shingle-equivalents (bits / log2 of the index's lineages).
PRIOR_FIT = {"n": 1200, "u": 8.0, "tail": 0.2, "lam": 1 / 3.8}


def size_bin(tokens: int) -> int:
    return int(np.searchsorted(SIZE_EDGES, tokens, side="right"))


@dataclass(frozen=True)
class TailFit:
    n: int
    u: float  # threshold (bits)
    tail: float  # share of samples above u
    lam: float  # exponential slope per bit
    quantiles: tuple[float, ...]  # QUANTILES + 1 sample quantiles, for scores below u

    @classmethod
    def fit(cls, samples: np.ndarray) -> TailFit:
        samples = np.sort(np.asarray(samples, dtype=np.float64))
        u = float(np.quantile(samples, TAIL_QUANTILE))
        above = samples[samples > u]
        tail = len(above) / len(samples)
        # the slope from the median excess (ln 2 / λ for an exponential tail), not the mean: a few copies the
        # lineages missed (two versions of one vendored file) must not flatten the tail of the whole stratum
        excess = float(np.median(above - u)) / math.log(2) if len(above) else 0.0
        lam = 1.0 / max(excess, MIN_MEAN_EXCESS)
        if tail == 0.0:  # every sample at or below u: count the top one as the tail
            tail = 1.0 / len(samples)
        qs = np.quantile(samples, np.linspace(0, 1, QUANTILES + 1))
        return cls(len(samples), u, tail, lam, tuple(round(float(q), 4) for q in qs))

    def p_value(self, bits: float) -> float:
        """P(best score of an independent unit ≥ bits)."""
        if bits >= self.u:
            return self.tail * math.exp(-self.lam * (bits - self.u))
        qs = np.asarray(self.quantiles)
        below = float(np.interp(bits, qs, np.linspace(0, 1, len(qs))))
        return max(1.0 - below, self.tail)

    def as_dict(self) -> dict[str, object]:
        return {"n": self.n, "u": round(self.u, 4), "tail": round(self.tail, 6), "lam": round(self.lam, 6),
                "quantiles": list(self.quantiles)}

    @classmethod
    def from_dict(cls, data: dict) -> TailFit:
        return cls(int(data["n"]), float(data["u"]), float(data["tail"]), float(data["lam"]),
                   tuple(float(q) for q in data["quantiles"]))


@dataclass(frozen=True)
class NullModel:
    lineages: int  # lineages in the index when the null was fitted
    strata: dict[str, TailFit] = field(default_factory=dict)  # "language/bin", "language/*", "*/bin", "*/*"
    languages: dict[str, int] = field(default_factory=dict)  # lineages per language at the fit

    @classmethod
    def fit(cls, samples: list[tuple[str, int, float]], lineages: int,
            languages: dict[str, int] | None = None) -> NullModel:
        """``samples``: (language, unit tokens, best score in shingle-equivalents) per sampled unit."""
        groups: dict[str, list[float]] = {}
        for language, tokens, bits in samples:
            b = size_bin(tokens)
            for key in (f"{language}/{b}", f"{language}/*", f"*/{b}", "*/*"):
                groups.setdefault(key, []).append(bits)
        strata = {key: TailFit.fit(np.array(values)) for key, values in groups.items() if len(values) >= MIN_STRATUM}
        return cls(lineages, strata, dict(languages or {}))

    def stratum(self, language: str, tokens: int) -> TailFit | None:
        b = size_bin(tokens)
        # the language's own null first: a minority language is not judged by the majority's shapes
        for key in (f"{language}/{b}", f"{language}/*", f"*/{b}", "*/*"):
            if key in self.strata:
                return self.strata[key]
        return None

    def e_value(self, bits: float, *, language: str, tokens: int, lineages_now: int, scale: float) -> float:
        """Expected number of independent matches this strong for one unit of ``tokens`` tokens.

        Scores are compared in shingle-equivalents, bits / ``scale`` (the most bits one shingle carries in the
        query's language: log2 of its lineages): so a language that borrows another's stratum, an index that
        grew since the fit, and the PRIOR of indexes too small for a null of their own (fewer than MIN_STRATUM
        sampled lineages) are all on one scale.
        """
        fit = self.stratum(language, tokens) or PRIOR
        growth = max(lineages_now, 1) / max(self.lineages, 1) if fit is not PRIOR else 1.0
        return fit.p_value(bits / max(scale, 1.0)) * growth

    def to_bytes(self) -> bytes:
        return json.dumps({"version": NULL_VERSION, "lineages": self.lineages, "languages": self.languages,
                           "strata": {k: v.as_dict() for k, v in sorted(self.strata.items())}}).encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> NullModel:
        raw = json.loads(data)
        if raw.get("version") != NULL_VERSION:
            raise ValueError(f"null model version {raw.get('version')}")
        return cls(int(raw["lineages"]), {k: TailFit.from_dict(v) for k, v in raw["strata"].items()},
                   {str(k): int(v) for k, v in raw.get("languages", {}).items()})


PRIOR = TailFit(PRIOR_FIT["n"], PRIOR_FIT["u"], PRIOR_FIT["tail"], PRIOR_FIT["lam"], tuple(
    float(q) for q in np.linspace(0.0, PRIOR_FIT["u"], QUANTILES + 1)))
