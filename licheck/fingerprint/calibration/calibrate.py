"""The empirical null: statistics of independent model pairs, thresholds, p-values, FPRs.

Thresholds never come from the random-subspace formula: they come from pairs of independent
models that share the tokenizer. A false-positive rate is empirical only down to the
resolution the null supports; below that it is a labelled extrapolation: the Student-t
*predictive* distribution of one more null value, fitted on a log / logit transform of the
statistic, fitted on the independent model pairs (pairs - 1 degrees of freedom; blocks of one pair
are repeated looks at the same pair, not new pairs). A normal fit with plugged-in mean and spread
claims tails a null of a dozen pairs cannot know; the predictive tail widens by exactly the
uncertainty of that fit, so a small null makes a statistic harder to call significant instead
of easier to over-read.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# direction of evidence: "lower" means a small value points to derivation.
STAT_DIRECTIONS: dict[str, str] = {
    "s1": "lower",
    "s2": "lower",
    "s3": "higher",
    "weight_residual": "lower",
    "weight_overlap": "higher",
    "weight_lowrank": "lower",
}


@dataclass(frozen=True)
class NullPair:
    """One ordered pair of independent models in the null."""

    victim: str
    suspect: str
    stats: dict  # statistic -> value, and "s2@N"/"s3@N" -> values on disjoint blocks of N positions
    s1_ratios: np.ndarray  # per-position rho_t, used for the null at fewer positions
    s1_partial_ratios: np.ndarray  # per-position rho_t on 2*dim recovered coordinates (logit-bias access)


@dataclass(frozen=True)
class NullModel:
    """The calibration null as loaded from a file."""

    pairs: tuple[NullPair, ...]
    n_positions: int
    vocab_size: int  # the victim's vocabulary size (for a shared-token null) or the shared tokenizer's
    tokenizer_digest: str
    # None: the members share the victim's tokenizer. Otherwise the victim ids of the tokens every member
    # shares (by token string); verify then tests on those coordinates only.
    coordinates: np.ndarray | None = None
    members: tuple[str, ...] = ()

    @property
    def kind(self) -> str:
        return "same-tokenizer" if self.coordinates is None else "shared-tokens"

    def sample(self, stat: str) -> NullSample:
        """One value per pair that has `stat`."""
        found = [p.stats[stat] for p in self.pairs if p.stats.get(stat) is not None]
        return NullSample(np.array(found, dtype=np.float64), len(found))

    def blocks_sample(self, stat: str, n_positions: int) -> NullSample:
        """`stat` (s2 or s3) on null blocks of the largest recorded size not above n_positions."""
        sizes = sorted({int(k.split("@")[1]) for p in self.pairs for k in p.stats if k.startswith(stat + "@")})
        usable = [s for s in sizes if s <= n_positions]
        if not usable:
            return NullSample(np.zeros(0), 0)
        key = f"{stat}@{usable[-1]}"
        per_pair = [list(p.stats.get(key, [])) for p in self.pairs]
        return NullSample(np.array([v for values in per_pair for v in values], dtype=np.float64),
                          sum(1 for values in per_pair if values))

    def s1_sample(self, n_positions: int, *, partial: bool = False) -> NullSample:
        """Null of S1 at `n_positions`: medians of disjoint position blocks of every pair."""
        out: list[float] = []
        pairs = 0
        for pair in self.pairs:
            ratios = pair.s1_partial_ratios if partial else pair.s1_ratios
            if ratios.size == 0:
                continue
            pairs += 1
            blocks = ratios.size // n_positions
            if blocks == 0:
                out.append(float(np.median(ratios)))
                continue
            trimmed = ratios[: blocks * n_positions].reshape(blocks, n_positions)
            out.extend(np.median(trimmed, axis=1).tolist())
        return NullSample(np.array(out, dtype=np.float64), pairs)


@dataclass(frozen=True)
class NullSample:
    """A statistic's null values and how many independent model pairs they come from."""

    values: np.ndarray
    pairs: int


@dataclass(frozen=True)
class Calibrated:
    """A statistic placed against its null."""

    name: str
    value: float
    threshold: float
    p_value: float  # empirical, (1 + #null as extreme) / (1 + n), at least the resolution
    p_extrapolated: float  # Student-t predictive tail of the transformed null (labelled extrapolation)
    resolution: float  # 1 / (1 + pairs): the smallest p-value the null supports
    n_null: int  # null values (a pair may give several, on disjoint position blocks)
    null_range: tuple[float, float]
    significant: bool
    n_pairs: int = 0  # independent model pairs behind the null values


# a statistic is tested only when its null has this many model pairs: the predictive t has pairs - 1 degrees of
# freedom, and with fewer than 2 its spread is not even finite
MIN_NULL_PAIRS = 3


def transform(values: np.ndarray | float, direction: str) -> np.ndarray:
    """Map [0, 1] statistics to the real line: log for lower-tail, logit for upper-tail ones."""
    x = np.clip(np.asarray(values, dtype=np.float64), 1e-300, 1.0 - 1e-12)
    return np.log(x) if direction == "lower" else np.log(x / (1.0 - x))


def empirical_p(null: np.ndarray, observed: float, direction: str) -> float:
    """(1 + #null at least as extreme) / (1 + n)."""
    extreme = np.sum(null <= observed) if direction == "lower" else np.sum(null >= observed)
    return float((1 + extreme) / (1 + null.size))


def _predictive(null: np.ndarray, direction: str, pairs: int) -> tuple[float, float, int]:
    """Centre, scale and degrees of freedom of the predictive t for one more null value."""
    z = transform(null, direction)
    k = max(2, min(pairs, z.size))
    mu = float(np.mean(z))
    sd = max(float(np.std(z, ddof=1)) if z.size > 1 else 0.0, 1e-3)
    return mu, sd * float(np.sqrt(1.0 + 1.0 / k)), k - 1


def extrapolated_p(null: np.ndarray, observed: float, direction: str, pairs: int | None = None) -> float:
    """Tail probability of one more null value beyond `observed` (predictive t; an extrapolation)."""
    from scipy.special import stdtr  # Student-t CDF

    mu, scale, df = _predictive(null, direction, null.size if pairs is None else pairs)
    x = (float(transform(observed, direction)) - mu) / scale
    return float(stdtr(df, x) if direction == "lower" else stdtr(df, -x))


def threshold_at(null: np.ndarray, alpha: float, direction: str, pairs: int | None = None) -> float:
    """The conservative threshold: beyond both the predictive alpha-quantile and the empirical one."""
    from scipy.special import stdtrit  # Student-t quantile

    mu, scale, df = _predictive(null, direction, null.size if pairs is None else pairs)
    q = float(stdtrit(df, alpha))
    if direction == "lower":
        fitted = float(np.exp(mu + scale * q))
        empirical = float(np.quantile(null, alpha)) if alpha * null.size >= 1 else float(null.min())
        return min(fitted, empirical)
    fitted = float(1.0 / (1.0 + np.exp(-(mu - scale * q))))
    empirical = float(np.quantile(null, 1 - alpha)) if alpha * null.size >= 1 else float(null.max())
    return max(fitted, empirical)


def calibrate_statistic(name: str, value: float, null: np.ndarray, *, alpha: float,
                        pairs: int | None = None) -> Calibrated:
    """Threshold, p-values and significance of one statistic against its null of `pairs` independent pairs
    (default: every value its own pair)."""
    direction = STAT_DIRECTIONS[name]
    pairs = null.size if pairs is None else pairs
    if null.size < 2 or pairs < 2:
        raise ValueError(f"the null for {name} has {null.size} value(s) from {pairs} model pair(s); "
                         "calibrate with more independent models")
    tau = threshold_at(null, alpha, direction, pairs)
    significant = value < tau if direction == "lower" else value > tau
    resolution = 1.0 / (1 + pairs)
    # never below what the pairs can show: several blocks of one pair are not several pairs
    p_value = max(empirical_p(null, value, direction), resolution)
    return Calibrated(name=name, value=float(value), threshold=tau, p_value=p_value,
                      p_extrapolated=extrapolated_p(null, value, direction, pairs), resolution=resolution,
                      n_null=int(null.size), null_range=(float(null.min()), float(null.max())),
                      significant=bool(significant), n_pairs=pairs)
