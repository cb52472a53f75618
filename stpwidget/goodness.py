"""How well a synapse's amplitudes ``A · release`` match recordings: the one implementation.

:func:`stpwidget.fit.fit` minimises the weighted sum of squared residuals computed here, and
the explorer shows it with ``R²`` (``stpwidget.state.data_fit``). Sums are taken on
amplitudes divided by the data's scale (:func:`data_scale`), so they neither overflow nor
underflow for data in any unit, and scaled back at the end.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import numpy.typing as npt
import torch

from stpwidget.model import release_of_trains
from stpwidget.params import TMParameters
from stpwidget.recordings import Recording

Array = npt.NDArray[np.float64]


class Goodness(NamedTuple):
    """Result of :func:`goodness_of_fit`.

    Attributes
    ----------
    predicted : tuple of torch.Tensor
        ``A · release`` at every spike of each recording (float64, in the amplitudes' unit).
    sse : float
        ``Σ ((mean_k - A r_k) / sd_k)²`` over every spike of every recording (``sd_k = 1``
        where a recording has no ``sd``): what :func:`stpwidget.fit.fit` minimises.
    r2 : float
        ``1 - sse / sst``, ``sst`` the same weighted sum around the weighted mean amplitude
        (1 is a perfect match, below 0 worse than a constant); NaN if every amplitude is
        the same.
    """

    predicted: tuple[torch.Tensor, ...]
    sse: float
    r2: float


def data_scale(recordings: Sequence[Recording]) -> tuple[float, float]:
    """``(y_scale, sd_min)``: the largest trial-mean magnitude and the smallest ``sd``.

    ``y_scale`` is 1 if every mean is 0; ``sd`` is 1 for a recording without one. Divided
    by these, amplitudes are at most 1 and weights ``sd_min / sd`` at most 1; the weighted
    residuals are those of the data divided by ``y_scale / sd_min``.
    """
    y_scale = max(float(r.mean.abs().max()) for r in recordings) or 1.0
    sd_min = min(1.0 if r.sd is None else float(r.sd.min()) for r in recordings)
    return y_scale, sd_min


def normalised(recordings: Sequence[Recording], sd_min: float) -> tuple[Array, Array]:
    """Trial means (unscaled) and weights ``sd_min / sd`` of every spike, in order."""
    y = np.concatenate([r.mean.numpy() for r in recordings])
    sqrt_w = np.concatenate(
        [
            np.full(r.spike_times.numel(), sd_min) if r.sd is None else sd_min / r.sd.numpy()
            for r in recordings
        ]
    )
    return y, sqrt_w


def goodness_of_fit(params: TMParameters, recordings: Sequence[Recording]) -> Goodness:
    """The model's amplitudes for ``recordings`` and how well they match them.

    Parameters
    ----------
    params : TMParameters
        One synapse (no batch); ``tau_s`` does not enter.
    recordings : sequence of Recording
        At least one recording.

    Returns
    -------
    Goodness
        ``predicted`` amplitudes, the weighted ``sse`` and ``r2``.

    Examples
    --------
    >>> from stpwidget import PRESETS, regular_train, simulate
    >>> train = regular_train(20.0, 5, start=0.1)
    >>> syn = PRESETS["depressing"].replace(A=2.0)
    >>> exact = Recording(train, 2.0 * simulate(syn, train, 1.0).release)
    >>> g = goodness_of_fit(syn, [exact])
    >>> g.sse, g.r2
    (0.0, 1.0)
    """
    y_scale, sd_min = data_scale(recordings)
    a = float(params.A)
    release = release_of_trains(params, [r.spike_times for r in recordings])
    predicted = tuple(a * r for r in release)
    y, sqrt_w = normalised(recordings, sd_min)
    model = torch.cat(predicted).numpy() if predicted else np.zeros(0)
    residual = sqrt_w * (y / y_scale - model / y_scale)
    w = sqrt_w**2
    centre = (w @ y) / w.sum() / y_scale
    sse_n = float(residual @ residual)
    sst_n = float(w @ (y / y_scale - centre) ** 2)
    factor = y_scale / sd_min
    r2 = 1.0 - sse_n / sst_n if sst_n > 0 else math.nan
    return Goodness(predicted, sse_n * factor * factor, r2)
