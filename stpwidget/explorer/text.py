"""Formatting only: readouts, equations, "copy as code" and error messages as HTML/text."""

from __future__ import annotations

import traceback
from html import escape

from stpwidget.params import TMParameters
from stpwidget.stimulus import Stimulus


def readout_html(values: dict[str, float], stimulus: Stimulus, scale: float = 1.0) -> str:
    """Readouts as HTML; each number sits in a ``<b class="stp-KEY">`` for scripts to read.

    ``scale`` enlarges the text with the figure's presentation scale (for a projector).
    """
    interval_ms = 1e3 / stimulus.rate

    def num(key: str, fmt: str) -> str:
        return f'<b class="stp-{key}">{values[key]:{fmt}}</b>'

    poisson = stimulus.kind == "poisson"
    after = "Poisson input, mean field" if poisson else "regular train"
    return (
        f'<div class="stp-readouts" style="font-size:{1.05 * scale:.3g}em">'
        f"first release {num('first', '.3f')} &nbsp;·&nbsp; "
        f"paired-pulse ratio at {interval_ms:.3g} ms {num('ppr', '.3f')} &nbsp;·&nbsp; "
        f"release per spike after a long train at {stimulus.rate:.3g} Hz ({after}) "
        f"{num('steady', '.3f')} &nbsp;·&nbsp; "
        f"release rate reaches half its ceiling 1/τ_d at f½ = {num('flim', '.3g')} Hz</div>"
    )


def equations_html(params: TMParameters) -> str:
    """The model's equations (LaTeX for ``HTMLMath``) with the current values filled in."""
    ms = {k: 1e3 * float(getattr(params, k)) for k in ("tau_f", "tau_d", "tau_s")}
    return (
        "At each spike, in this order:"
        r"$$u^+ = u^- + U\,(1-u^-),\quad r = u^+ x^-,\quad x^+ = x^- - r,\quad I^+ = I^- + A\,r$$"
        "Between spikes:"
        r"$$\tau_f \frac{du}{dt} = -u,\quad \tau_d \frac{dx}{dt} = 1 - x,"
        r"\quad \tau_s \frac{dI}{dt} = -I$$"
        f"with $U = {float(params.U):.3g}$, $\\tau_f = {ms['tau_f']:.4g}$ ms, "
        f"$\\tau_d = {ms['tau_d']:.4g}$ ms, $\\tau_s = {ms['tau_s']:.4g}$ ms, "
        f"$A = {float(params.A):.3g}$."
    )


def code_text(params: TMParameters, stimulus: Stimulus, dt: float) -> str:
    """Python that reproduces the explorer's current plot with the public API."""
    names = ["TMParameters", "plot_trace", "simulate"]
    names += [n for n in stimulus.code_names if n != "torch"]
    header = "import torch\n\n" if "torch" in stimulus.code_names else ""
    fields = ", ".join(
        f"{k}={float(getattr(params, k))!r}" for k in ("tau_f", "tau_d", "tau_s", "U", "A")
    )
    return (
        f"{header}from stpwidget import {', '.join(sorted(names))}\n\n"
        f"params = TMParameters({fields})  # seconds\n"
        f"{stimulus.to_code()}\n"
        f"trace = simulate(params, spikes, duration={stimulus.duration!r}, dt={dt!r})\n"
        "plot_trace(trace)\n"
    )


def code_html(code: str) -> str:
    """Code in a selectable ``<pre>`` block."""
    return f'<pre class="stp-code" style="user-select:all">{escape(code)}</pre>'


def error_html(err: BaseException) -> str:
    """An error message for the widget's message area.

    A ``ValueError`` is the user's input: its message says what to change. Anything else
    is a bug: the message asks for a report and carries the traceback, collapsed.
    """
    message = f"<b>{escape(type(err).__name__)}:</b> {escape(str(err))}"
    if isinstance(err, ValueError):
        return (
            f'<div class="stp-error" style="color:#b00020">{message}'
            " — the plot shows the last valid state.</div>"
        )
    trace = "".join(traceback.format_exception(type(err), err, err.__traceback__))
    return (
        f'<div class="stp-error stp-bug" style="color:#b00020">{message}'
        " — this is a bug in stpwidget, not your input; the plot shows the last valid state."
        " Please report it with the details below."
        '<details class="stp-traceback"><summary>details (traceback)</summary>'
        f'<pre style="white-space:pre-wrap;font-size:0.85em">{escape(trace)}</pre>'
        "</details></div>"
    )
