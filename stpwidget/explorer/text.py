"""Formatting only: readouts, equations, "copy as code" and error messages as HTML/text."""

from __future__ import annotations

import math
import traceback
from html import escape

from stpwidget.fit import FitResult
from stpwidget.params import TMParameters
from stpwidget.state import ExplorerState, Frame
from stpwidget.view.describe import Description


def readout_html(frame: Frame, scale: float = 1.0) -> str:
    """Readouts as HTML; each number sits in a ``<b class="stp-KEY">`` for scripts to read.

    ``scale`` enlarges the text with the figure's presentation scale (for a projector). A
    number that is not defined is said in words, never shown as "nan".
    """
    values, stimulus = frame.readouts, frame.state.stimulus
    interval_ms = 1e3 / stimulus.rate

    def num(key: str, fmt: str) -> str:
        return f'<b class="stp-{key}">{values[key]:{fmt}}</b>'

    after = "Poisson input, mean field" if frame.poisson else "regular train"
    if stimulus.kind == "recorded":
        times = stimulus.times
        pair = (
            f"paired-pulse ratio at the recorded train's first interval "
            f"{1e3 * (times[1] - times[0]):.3g} ms {num('ppr', '.3f')}"
            if len(times) > 1
            else '<b class="stp-ppr">no paired-pulse ratio</b> (the recorded train has one spike)'
        )
        train = f"release at the recorded train's last spike {num('steady', '.3f')}"
    else:
        pair = f"paired-pulse ratio at {interval_ms:.3g} ms {num('ppr', '.3f')}"
        train = (
            f"release per spike after a long train at {stimulus.rate:.3g} Hz ({after}) "
            f"{num('steady', '.3f')}"
        )
    if math.isfinite(values["flim"]):
        flim = f"at f½ = {num('flim', '.3g')} Hz"
    elif frame.ceiling_fraction[0] >= 0.5:
        flim = '<b class="stp-flim">already at 1 Hz</b> (f½ is below the panel\'s range)'
    else:
        flim = '<b class="stp-flim">not below 100 Hz</b> (f½ is above the panel\'s range)'
    return (
        f'<div class="stp-readouts" style="font-size:{1.05 * scale:.3g}em">'
        f"first release {num('first', '.3f')} &nbsp;·&nbsp; {pair} &nbsp;·&nbsp; "
        f"{train} &nbsp;·&nbsp; "
        f"release rate{' of regular trains' if stimulus.kind == 'recorded' else ''} "
        f"reaches half its ceiling 1/τ_d {flim}</div>"
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


def code_text(state: ExplorerState) -> str:
    """Python that reproduces what the explorer shows with the public API.

    The synapse, the input and the trace; with the membrane panel its potential (and the
    LIF neuron's spikes when it is on).
    """
    params, stimulus = state.params, state.stimulus
    names = ["TMParameters", "plot_trace", "simulate"]
    names += [n for n in stimulus.code_names if n != "torch"]
    membrane = ""
    if state.membrane and state.lif:
        names.append("lif_response")
        membrane = (
            f"v, out = lif_response(trace, tau_m={state.tau_m!r}, threshold={state.threshold!r})"
            "  # potential (units of A), the neuron's spikes (s)\n"
        )
    elif state.membrane:
        names.append("postsynaptic_potential")
        membrane = f"v = postsynaptic_potential(trace, tau_m={state.tau_m!r})  # units of A\n"
    header = "import torch\n\n" if "torch" in stimulus.code_names else ""
    fields = ", ".join(
        f"{k}={float(getattr(params, k))!r}" for k in ("tau_f", "tau_d", "tau_s", "U", "A")
    )
    return (
        f"{header}from stpwidget import {', '.join(sorted(names))}\n\n"
        f"params = TMParameters({fields})  # seconds\n"
        f"{stimulus.to_code()}\n"
        f"trace = simulate(params, spikes, duration={stimulus.duration!r}, dt={state.dt!r})\n"
        f"{membrane}"
        "plot_trace(trace)\n"
    )


def code_html(code: str) -> str:
    """Code in a selectable ``<pre>`` block."""
    return f'<pre class="stp-code" style="user-select:all">{escape(code)}</pre>'


def error_html(err: BaseException) -> str:
    """An error message for the widget's message area (announced by screen readers).

    A ``ValueError`` or ``TypeError`` is the user's input: its message says what to change,
    as a sentence. Anything else is a bug: the message asks for a report and carries the
    traceback, collapsed.
    """
    said = str(err).strip().rstrip(".") or type(err).__name__
    if isinstance(err, ValueError | TypeError):
        return (
            f'<div class="stp-error" role="alert" style="color:#b00020">{escape(said)}. '
            "Nothing was changed: the plot shows the last valid state.</div>"
        )
    trace = "".join(traceback.format_exception(type(err), err, err.__traceback__))
    return (
        f'<div class="stp-error stp-bug" role="alert" style="color:#b00020">'
        f"<b>{escape(type(err).__name__)}:</b> {escape(str(err))}"
        " — this is a bug in stpwidget, not your input; the plot shows the last valid state."
        " Please report it with the details below."
        '<details class="stp-traceback"><summary>details (traceback)</summary>'
        f'<pre style="white-space:pre-wrap;font-size:0.85em">{escape(trace)}</pre>'
        "</details></div>"
    )


#: How a fitted parameter is named beside the sliders, and its unit there.
FIT_NAMES = {"U": ("U", ""), "tau_f": ("τ_f", " ms"), "tau_d": ("τ_d", " ms"), "A": ("A", "")}


def stderr_html(result: FitResult) -> str:
    """The fitted values, their standard errors (ms for time constants) and notes, as HTML."""
    rows = []
    for name in result.free:
        label, unit = FIT_NAMES.get(name, (name, ""))
        scale = 1e3 if unit == " ms" else 1.0
        value, se = scale * float(getattr(result.params, name)), scale * result.stderr[name]
        error = (
            f"± {se:.3g}{unit}"
            if math.isfinite(se)
            else '<i class="stp-undetermined">not determined by these data</i>'
        )
        rows.append(
            f'<tr class="stp-stderr-{name}"><td>{escape(label)}</td>'
            f"<td>{value:.4g}{unit}</td><td>{error}</td></tr>"
        )
    why = "".join(f'<div class="stp-fit-note">{escape(n)}</div>' for n in result.notes)
    return (
        f'<div class="stp-fit-result">fit: weighted SSE {result.sse:.4g}'
        f"{'' if result.converged else ' (not converged: press fit again)'}"
        f'<table class="stp-stderr">{"".join(rows)}</table>{why}</div>'
    )


def quality_html(frame: Frame) -> str:
    """The model against the recordings: weighted SSE and R² (in words where undefined)."""
    if frame.data is None:
        return ""
    r2 = (
        f"{frame.data.r2:.3f}"
        if math.isfinite(frame.data.r2)
        else "not defined (the amplitudes do not vary)"
    )
    return (
        f'model vs data: SSE <b class="stp-sse">{frame.data.sse:.4g}</b> &nbsp;·&nbsp; '
        f'R² <b class="stp-r2">{r2}</b>'
    )


def figure_table_html(description: Description) -> str:
    """The figure's text alternative as HTML: its summary, then a table of the key values."""
    head = "".join(f'<th scope="col">{escape(c)}</th>' for c in description.columns)
    rows = "".join(
        "<tr>" + "".join(f"<td>{escape(v)}</td>" for v in row) + "</tr>" for row in description.rows
    )
    return (
        f'<p class="stp-figure-summary">{escape(description.summary)}</p>'
        f'<table class="stp-figure-values"><caption>per spike</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
    )
