"""The Tsodyks–Markram releases written out spike by spike: a reference independent of the
package's kernel (docs/model.md: decay, u += U(1 - u), r = u x, x -= r; from rest)."""

from __future__ import annotations

import math

import numpy as np


def releases(U: float, tau_f: float, tau_d: float, train) -> np.ndarray:
    """Release r_k = u⁺ x⁻ of every spike of ``train`` (times in s), from rest."""
    u, x, last, out = 0.0, 1.0, float(train[0]), []
    for t in map(float, train):
        u *= math.exp(-(t - last) / tau_f)
        x = 1.0 - (1.0 - x) * math.exp(-(t - last) / tau_d)
        u += U * (1.0 - u)
        out.append(u * x)
        x -= u * x
        last = t
    return np.array(out)
