"""A text alternative for the explorer's figure, computed from a frame (no widgets).

:func:`describe` says what each shown panel draws and the current numbers in words, and
gives a table of the key values per spike, for screen readers and for anyone who prefers
numbers to curves (WCAG 2.1, 1.1.1). Every number comes from the :class:`~stpwidget.state.Frame`;
a number that is not defined is explained in words, never written as "nan".
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Sequence

import numpy as np

from stpwidget.state import Frame
from stpwidget.view.quantities import half_ceiling_side, unit_of


@dataclasses.dataclass(frozen=True)
class Description:
    """A figure in words.

    Attributes
    ----------
    summary : str
        A few sentences: the synapse's character, its numbers and what each panel shows.
    columns : tuple of str
        Headers of the table (with units).
    rows : tuple of tuple of str
        One row per presynaptic spike, formatted like the headers say.
    """

    summary: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def _number(value: float, digits: int = 3) -> str:
    return f"{value:.{digits}g}"


def character(ppr: float) -> str:
    """The synapse in words, from its paired-pulse ratio."""
    if ppr < 0.95:
        return "depressing: each spike releases less than the one before"
    if ppr > 1.05:
        return "facilitating: the second spike releases more than the first"
    return "neither depressing nor facilitating: a second spike releases about as much"


def half_ceiling_words(frame: Frame) -> str:
    """f½ in words, or why it has no value."""
    side, limit = half_ceiling_side(frame), frame.limit
    low, high = float(frame.rates[0]), float(frame.rates[-1])
    if math.isfinite(limit):
        where = "" if side == "inside" else " (beyond the frequency panel)"
        return (
            f"f½, the input rate where the release rate reaches half its ceiling 1/τ_d, is "
            f"{_number(limit)} Hz{where}"
        )
    if side == "above":
        return f"f½: the release rate does not reach half its ceiling below {high:g} Hz"
    return f"f½: the release rate is above half its ceiling already at {low:g} Hz"


def _panels_text(frame: Frame, panels: Sequence[str], unit: str) -> list[str]:
    state = frame.state
    kind = "Poisson input (mean field)" if frame.poisson else "a long regular train"
    text = {
        "state": "The x/u panel shows the available resources x and the utilization u "
        "against time (s), with the presynaptic spikes marked.",
        "current": f"The current panel shows the synaptic current I ({unit}) against time, "
        "with the release A·r marked at every spike.",
        "membrane": f"The membrane panel shows the potential V ({unit}) against time"
        + (
            f", the LIF threshold {_number(state.threshold)} and the neuron's spikes."
            if state.lif
            else "."
        ),
        "frequency": f"The frequency panel shows, after {kind}, the release per spike r and "
        "the release rate as a fraction of its ceiling, for input rates from "
        f"{frame.rates[0]:g} to {frame.rates[-1]:g} Hz.",
        "data": f"The data panel shows {len(state.recordings)} recording(s): amplitudes "
        f"({unit}) per pulse, mean ± sd, with the model's A·r.",
    }
    return [text[p] for p in panels if p in text]


def describe(frame: Frame, panels: Sequence[str]) -> Description:
    """The figure for ``frame`` in words and a table.

    Parameters
    ----------
    frame : Frame
        What the figure shows (from :func:`stpwidget.state.compute`).
    panels : sequence of str
        The panels shown (names from :data:`stpwidget.view.PANELS`), in order.

    Returns
    -------
    Description
        The summary and a table with one row per spike: time (s), release per spike
        (fraction of the resources), amplitude A·r, and the peak of V after the spike when
        the membrane potential is computed.
    """
    state, trace = frame.state, frame.trace
    unit = unit_of(state.recordings)
    ppr, first, steady = (frame.readouts[k] for k in ("ppr", "first", "steady"))
    rate = state.stimulus.rate
    release = trace.release.detach().cpu().numpy().reshape(-1)
    spikes = trace.spike_times.detach().cpu().numpy().reshape(-1)[: len(release)]
    sentences = [
        f"The synapse is {character(ppr)}.",
        f"First release {_number(first)} of the resources; paired-pulse ratio "
        f"{_number(ppr)} at {_number(1000 / rate)} ms between spikes; steady state "
        f"{_number(steady)} per spike at {rate:g} Hz; {half_ceiling_words(frame)}.",
    ]
    if len(release):
        sentences.append(
            f"In the shown train of {len(release)} spike(s), release goes from "
            f"{_number(float(release[0]))} to {_number(float(release[-1]))}."
        )
    if frame.data is not None and math.isfinite(frame.data.r2):
        sentences.append(f"The model matches the recordings with R² = {_number(frame.data.r2)}.")
    sentences += _panels_text(frame, panels, unit)
    columns = ["spike", "time (s)", "release r", f"amplitude A·r ({unit})"]
    amplitude = release * float(state.params.A)
    peaks = _peaks(frame, spikes)
    if peaks is not None:
        columns.append(f"V peak ({unit})")
    rows = []
    for k, (t, r, a) in enumerate(zip(spikes, release, amplitude)):
        row = [str(k + 1), f"{t:.3f}", _number(float(r)), _number(float(a))]
        if peaks is not None:
            row.append(_number(peaks[k]))
        rows.append(tuple(row))
    return Description(" ".join(sentences), tuple(columns), tuple(rows))


def _peaks(frame: Frame, spikes: np.ndarray) -> list[float] | None:
    """The largest V from each spike to the next (or the end), when V is computed."""
    if frame.v is None:
        return None
    t = frame.trace.t.detach().cpu().numpy()
    v = frame.v.detach().cpu().numpy().reshape(-1)
    ends = np.concatenate([spikes, [t[-1] + 1.0]])
    edges: list[int] = np.asarray(np.searchsorted(t, ends), dtype=np.int64).tolist()
    return [
        float(v[a:b].max()) if b > a else float(v[min(a, len(v) - 1)])
        for a, b in itertools.pairwise(edges)
    ]
