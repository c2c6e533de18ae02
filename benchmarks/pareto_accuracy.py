"""Accuracy of the Pareto/NBD hypergeometric function (the continued
fraction of copisdsl.data.clv.pareto) against mpmath at 40 digits, and of
scipy's hyp2f1 beside it, with the time each takes.

Needs mpmath (a yardstick, not a dependency: ``make bench`` installs it
into the venv; or ``pip install mpmath``, then
``PYTHONPATH=. python benchmarks/pareto_accuracy.py``).
The parameters are drawn as the model uses them (r, s in 0.01..300, x in
0..299).  Prints, per domain of z, the largest absolute error of log 2F1(a, b; a+1; z)
(= the relative error of 2F1) and how often scipy gives no finite value."""

from __future__ import annotations

import time

import mpmath
import numpy as np
from scipy import special

from copisdsl.data.clv.pareto import _log_hyp2f1_c_a1

mpmath.mp.dps = 40


def main(samples: int = 600) -> None:
    rng = np.random.default_rng(0)
    for low, high in ((0.0, 0.5), (0.5, 0.9), (0.9, 0.95), (0.95, 0.99), (0.99, 0.999), (0.999, 0.99999)):
        r, s = 10 ** rng.uniform(-2, 2.5, samples), 10 ** rng.uniform(-2, 2.5, samples)
        x = rng.integers(0, 300, samples).astype(float)
        a = r + s + x
        b = np.where(rng.random(samples) < 0.5, s + 1.0, r + x)  # the model's two cases
        z = rng.uniform(low, high, samples)
        ref = np.array([float(mpmath.log(mpmath.hyp2f1(ai, bi, ai + 1, zi))) for ai, bi, zi in zip(a, b, z)])
        start = time.perf_counter()
        ours = _log_hyp2f1_c_a1(a, b, z)
        t_ours = time.perf_counter() - start
        start = time.perf_counter()
        with np.errstate(all="ignore"):
            theirs = np.log(special.hyp2f1(a, b, a + 1, z))
        t_theirs = time.perf_counter() - start
        finite = np.isfinite(theirs)
        err_scipy = np.max(np.abs(theirs[finite] - ref[finite])) if finite.any() else float("nan")
        print(f"z in [{low}, {high}): fraction max |error| {np.max(np.abs(ours - ref)):.2e} "
              f"({1e6 * t_ours / samples:.1f} µs each); scipy max |error| {err_scipy:.2e}, "
              f"not finite {100 * (1 - finite.mean()):.0f} % ({1e6 * t_theirs / samples:.1f} µs each)")


if __name__ == "__main__":
    main()
