"""Helpers shared by the explorer tests: compare drawn lines with the kernel."""

from __future__ import annotations

import numpy as np

from stpwidget import simulate


def reference_trace(explorer):
    """The kernel's trace for the explorer's current parameters and protocol."""
    stimulus = explorer.stimulus
    return simulate(explorer.params, stimulus.spikes(), stimulus.duration, dt=explorer.dt)


def assert_line_on_trace(line, trace, field, tol=1e-12):
    """Every point of ``line`` is a sample of ``trace`` or, at a spike, its pre-spike value."""
    t_line, y_line = (np.asarray(a, dtype=float) for a in line.get_data())
    assert len(t_line) > 100, "the line should not be empty"
    t = trace.t.numpy()
    y = getattr(trace, field).numpy()
    spikes = trace.spike_times.numpy()
    pre = getattr(trace.pre, field).numpy()
    k = np.clip(np.searchsorted(t, t_line), 0, len(t) - 1)
    on_grid = t[k] == t_line
    s = np.clip(np.searchsorted(spikes, t_line), 0, max(len(spikes) - 1, 0))
    at_spike = (spikes[s] == t_line) if len(spikes) else np.zeros_like(on_grid)
    assert np.all(on_grid | at_spike), f"{field}: points off the grid and off the spikes"
    # A point is a sample, or (at a spike instant) the value just before the spike.
    matches_sample = on_grid & (np.abs(y_line - y[k]) <= tol)
    matches_pre = at_spike & (np.abs(y_line - (pre[s] if len(spikes) else 0.0)) <= tol)
    bad = ~(matches_sample | matches_pre)
    assert not bad.any(), (
        f"{field}: {bad.sum()} points off the trace, first at t={t_line[bad][0]!r}, "
        f"y={y_line[bad][0]!r}"
    )
