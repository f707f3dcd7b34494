"""Disclosure control over synthetic survey quasi-identifiers (privacy/disclosure/control.py).

Target (design.md): frequencies + risk summary + local suppression + l-diversity over
1,000,000 records and 5 quasi-identifiers in at most 10 s on a 2-core machine. No Django, no
database: the module is pure numpy, so this measures the algorithm alone.
"""

import time
import tracemalloc

import numpy as np

from privacy.disclosure import control as disclosure

# Cardinalities resembling the library questionnaire's quasi-identifiers after generalisation:
# age band, sex, nationality (skewed: a few large groups and a long tail), arrival month,
# service point.
CARDINALITIES = (10, 3, 25, 24, 50)
MISSING_SHARE = 0.02


def synthetic_keys(n: int, m: int, seed: int = 20240501) -> np.ndarray:
    rng = np.random.default_rng(seed)
    columns = []
    for j in range(m):
        card = CARDINALITIES[j] if j < len(CARDINALITIES) else 4
        weights = 1.0 / np.arange(1, card + 1) ** (1.3 if j == 2 else 0.4)  # Zipf-like skew
        columns.append(rng.choice(card, size=n, p=weights / weights.sum()))
    keys = np.stack(columns, axis=1).astype(np.int64)
    keys[rng.random(keys.shape) < MISSING_SHARE] = disclosure.MISSING
    return keys


def synthetic_sensitive(n: int, seed: int = 7) -> np.ndarray:
    rng = np.random.default_rng(seed)
    values = rng.choice(5, size=n, p=[0.6, 0.2, 0.1, 0.07, 0.03]).astype(np.int64)
    values[rng.random(n) < MISSING_SHARE] = disclosure.MISSING
    return values


def _timed(results: dict, name: str, call):
    start = time.perf_counter()
    value = call()
    results[f"{name}_s"] = round(time.perf_counter() - start, 3)
    return value


def run(n: int = 1_000_000, m: int = 5, k: int = 5) -> dict:
    keys, sensitive = synthetic_keys(n, m), synthetic_sensitive(n)
    importance = list(range(m, 0, -1))  # the first key (age band) is the most important
    results: dict = {"records": n, "keys": m, "k": k}
    tracemalloc.start()
    fk = _timed(results, "frequencies", lambda: disclosure.frequencies(keys))
    summary = _timed(results, "risk_summary", lambda: disclosure.risk_summary(keys, k, fk))
    suppressed, per_key = _timed(
        results, "local_suppression", lambda: disclosure.local_suppression(keys, k, importance)
    )
    after = _timed(results, "risk_summary_after", lambda: disclosure.risk_summary(suppressed, k))
    diversity = _timed(
        results, "l_diversity", lambda: disclosure.l_diversity_summary(suppressed, sensitive)
    )
    held = _timed(results, "hold_back", lambda: disclosure.hold_back(keys, k))
    results["peak_memory_mb"] = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
    tracemalloc.stop()
    results["target_total_s"] = round(
        sum(
            results[f"{name}_s"]
            for name in ("frequencies", "risk_summary", "local_suppression", "l_diversity")
        ),
        3,
    )
    results.update(
        violating_before=summary.violating,
        violating_after=after.violating,
        k_achieved_after_suppression=after.k_achieved,
        suppressions_per_key=per_key.tolist(),
        held_back=int(held.sum()),
        l_diversity_min=diversity["min"],
        l_diversity_mean=round(diversity["mean"], 3),
        global_risk_before=round(summary.global_risk, 4),
        global_risk_after=round(after.global_risk, 4),
    )
    return results
