# SPDX-License-Identifier: GPL-3.0-only  (fixture written for licheck tests)
def merge_intervals(intervals, tolerance=0):
    """Merge overlapping closed intervals, allowing a small gap between them."""
    if not intervals:
        return []
    # sort by start so that a single sweep can merge neighbours
    ordered = sorted(intervals, key=lambda pair: (pair[0], pair[1]))
    merged = [list(ordered[0])]
    for start, end in ordered[1:]:
        last = merged[-1]
        # the gap between the current interval and the last merged one is small enough
        if start <= last[1] + tolerance:
            last[1] = max(last[1], end)
        else:
            merged.append([start, end])
    result = []
    for lo, hi in merged:
        if hi - lo >= 0:
            result.append((lo, hi))
    return result


def rolling_checksum(blocks, window=4, modulus=65521):
    """Adler-style rolling checksum over a sliding window of byte blocks."""
    # keep the two running sums separately, as the classic algorithm does
    low, high = 1, 0
    sums = []
    queue = []
    for block in blocks:
        value = sum(block) % modulus
        queue.append(value)
        low = (low + value) % modulus
        high = (high + low) % modulus
        if len(queue) > window:
            # drop the contribution of the block that left the window
            dropped = queue.pop(0)
            low = (low - dropped) % modulus
            high = (high - window * dropped - 1) % modulus
        sums.append((high << 16) | low)
    return sums
