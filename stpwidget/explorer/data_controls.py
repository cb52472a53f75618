"""Controls of recorded data: load a CSV or the example, pick the train shown, fit the model.

The section is an accordion, "recorded data & fitting", that is always there: a CSV upload
and a **load example** button bring data in; once there are recordings it also shows which
train the time panels show, the live SSE/R² of the model against the data, ``A``, and the
**fit** button, which runs :func:`stpwidget.fit.fit`, moves the sliders along the fit's path
in about a second and then lists the standard errors.
"""

from __future__ import annotations

import dataclasses
import html
import io
import math
import time
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, cast

import ipywidgets as widgets
import numpy as np

from stpwidget.explorer import text
from stpwidget.explorer.controls import SLIDERS
from stpwidget.explorer.section import Section, with_stimulus
from stpwidget.fit import FitResult, FitWarning, fit
from stpwidget.params import PRESETS, TMParameters
from stpwidget.quantal import VirtualSynapse
from stpwidget.recordings import Recording, read_recordings
from stpwidget.state import CUSTOM, ExplorerState
from stpwidget.trains import regular_train, with_recovery_probe

if TYPE_CHECKING:
    from stpwidget.explorer.explorer import STPExplorer

#: Bounds of the explorer's fit: what the sliders can show (s; U dimensionless).
FIT_BOUNDS: dict[str, tuple[float, float]] = {
    key: (SLIDERS[key].low / SLIDERS[key].scale, SLIDERS[key].high / SLIDERS[key].scale)
    for key in ("U", "tau_f", "tau_d")
}
#: Most frames of the fit's animation (the last one is the fit itself).
MAX_FRAMES = 20
#: The example data: trains at these rates (Hz) of 10 pulses from 0.1 s, then a probe.
EXAMPLE_RATES, EXAMPLE_PULSES, EXAMPLE_PROBE = (10.0, 20.0, 40.0), 10, 0.5
#: ... recorded this many times from a virtual synapse with this many release sites.
EXAMPLE_TRIALS, EXAMPLE_SITES = 20, 50


def as_recordings(
    recordings: Recording | Sequence[Recording] | str | Path | IO[str],
) -> tuple[Recording, ...]:
    """Recordings from a :class:`Recording`, a sequence of them, or a CSV path or buffer."""
    if isinstance(recordings, Recording):
        return (recordings,)
    if isinstance(recordings, str | Path) or hasattr(recordings, "read"):
        return tuple(read_recordings(cast(Any, recordings)))
    recs = tuple(recordings)
    if not recs or not all(isinstance(r, Recording) for r in recs):
        raise ValueError("recordings must be one or more Recording objects, or a CSV file")
    return recs


def recording_stimulus(state: ExplorerState, index: int) -> ExplorerState:
    """``state`` showing recording ``index``'s spike train in the time panels."""
    times = tuple(state.recordings[index].spike_times.tolist())
    return with_stimulus(state, kind="recorded", times=times)


def example_recordings() -> tuple[Recording, ...]:
    """Noisy recordings of the facilitating preset, the same on every call (no file needed).

    Returns
    -------
    tuple of Recording
        Twenty trials of 10 pulses at 10, 20 and 40 Hz from 0.1 s, each train followed by a
        recovery probe 0.5 s after its last pulse, recorded from a
        :class:`~stpwidget.quantal.VirtualSynapse` of ``PRESETS["facilitating"]``
        (``A = 1``) with 50 release sites, quantal CV 0.3 and noise of sd 0.02 (seed 1).
        Amplitudes are in units of ``A``; their trial means scatter around ``A · release``.
    """
    synapse = VirtualSynapse(
        PRESETS["facilitating"], n_sites=EXAMPLE_SITES, quantal_cv=0.3, noise_sd=0.02, seed=1
    )
    recordings = []
    for rate in EXAMPLE_RATES:
        train = with_recovery_probe(regular_train(rate, EXAMPLE_PULSES, 0.1), EXAMPLE_PROBE)
        rec = synapse.record(train, trials=EXAMPLE_TRIALS)
        recordings.append(Recording(rec.spike_times, rec.amplitudes, label=f"{rate:g} Hz"))
    return tuple(recordings)


def uploaded_files(value: Any) -> list[tuple[str, bytes]]:
    """``(name, content)`` of every file in a ``FileUpload``'s value, for ipywidgets 7 and 8.

    ipywidgets 7 gives a dict of name to ``{"metadata": {...}, "content": bytes}``;
    ipywidgets 8 a tuple of dicts with ``"name"`` and ``"content"`` (a ``memoryview``).
    """
    if isinstance(value, Mapping):
        return [(str(name), bytes(item["content"])) for name, item in value.items()]
    return [(str(item["name"]), bytes(item["content"])) for item in value]


def read_upload(value: Any) -> tuple[Recording, ...]:
    """The recordings in every uploaded CSV file (UTF-8), in order.

    Raises
    ------
    ValueError
        Naming the file, then the CSV row and column (:func:`read_recordings`), or for a
        file that is not UTF-8 text.
    """
    recordings: list[Recording] = []
    for name, content in uploaded_files(value):
        try:
            recordings += read_recordings(io.StringIO(content.decode("utf-8-sig"), newline=""))
        except UnicodeDecodeError as err:
            raise ValueError(f"{name}: not a UTF-8 text file ({err.reason})") from None
        except ValueError as err:
            raise ValueError(f"{name}: {err}") from None
    return tuple(recordings)


def fit_quietly(recordings: Sequence[Recording], **options: Any) -> tuple[FitResult, list[str]]:
    """:func:`fit`, with its :class:`FitWarning` messages returned instead of warned."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", FitWarning)
        result = fit(recordings, **options)
    notes = []
    for w in caught:  # any other warning goes on as it came
        if issubclass(w.category, FitWarning):
            notes.append(str(w.message))
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return result, notes


def frame_indices(n: int, most: int = MAX_FRAMES) -> list[int]:
    """At most ``most`` indices into a path of ``n`` steps, evenly spread, with the last."""
    if n <= most:
        return list(range(n))
    return sorted({int(k) for k in np.round(np.linspace(0, n - 1, most))})


def stderr_html(result: FitResult, notes: Sequence[str]) -> str:
    """The fitted values with their standard errors (ms for time constants) as HTML."""
    rows = []
    for name in result.free:
        scale, unit = (1e3, " ms") if name.startswith("tau") else (1.0, "")
        value, se = scale * float(getattr(result.params, name)), scale * result.stderr[name]
        error = (
            f"± {se:.3g}{unit}"
            if math.isfinite(se)
            else '<i class="stp-undetermined">not determined by these data</i>'
        )
        rows.append(
            f'<tr class="stp-stderr-{name}"><td>{html.escape(name)}</td>'
            f"<td>{value:.4g}{unit}</td><td>{error}</td></tr>"
        )
    why = "".join(f'<div class="stp-fit-note">{html.escape(n)}</div>' for n in notes)
    return (
        f'<div class="stp-fit-result">fit: weighted SSE {result.sse:.4g}'
        f"{'' if result.converged else ' (not converged: press fit again)'}"
        f'<table class="stp-stderr">{"".join(rows)}</table>{why}</div>'
    )


class DataSection(Section):
    """Load recordings, pick the train shown, see the fit's quality, set ``A``, fit."""

    #: Seconds the fit's animation takes (the frames' drawing included); 0 in tests.
    animation_seconds = 1.0

    def __init__(self, explorer: STPExplorer) -> None:
        super().__init__(explorer)
        self.upload = widgets.FileUpload(accept=".csv", multiple=False, description="load CSV")
        self.example = widgets.Button(
            description="load example", tooltip="noisy recordings of the facilitating preset"
        )
        self.selector = widgets.Dropdown(
            options=[], description="show train of", style={"description_width": "initial"}
        )
        self.quality = widgets.HTML()
        self.amplitude = widgets.FloatText(
            value=float(explorer.state.params.A),
            description="A",  # the response to a full release, in the data's unit
            layout=widgets.Layout(width="14em"),
        )
        self.best_a = widgets.Button(
            description="best A", tooltip="the A that fits the data best for these sliders"
        )
        self.fit_button = widgets.Button(
            description="fit", button_style="primary", tooltip="fit U, τ_f, τ_d and A"
        )
        self.errors = widgets.HTML()
        for name in ("upload", "example", "selector", "quality", "amplitude", "best_a", "errors"):
            getattr(self, name).add_class(f"stp-{name.replace('_', '-')}")
        self.selector.add_class("stp-recording")
        self.quality.add_class("stp-fit-quality")
        self.fit_button.add_class("stp-fit")
        self.bind(self.selector, lambda i: recording_stimulus(explorer.state, int(i)))
        self.bind(self.amplitude, lambda a: explorer.state.with_params(A=float(a)))
        self.upload.observe(lambda change: self.load_upload(change["new"]), "value")
        self.example.on_click(lambda _: self.load(example_recordings()))
        self.best_a.on_click(lambda _: self.fit_amplitude())
        self.fit_button.on_click(lambda _: self.run_fit())
        #: The last fit (for the standard errors shown while the state is that fit's).
        self.result: FitResult | None = None
        self.notes: list[str] = []
        self.fitted: ExplorerState | None = None
        self._had_data = False
        self.data_box = widgets.VBox(
            [
                widgets.HBox([self.selector, self.amplitude, self.best_a, self.fit_button]),
                self.quality,
                self.errors,
            ]
        )
        body = widgets.VBox([widgets.HBox([self.upload, self.example]), self.data_box])
        self.widget = widgets.Accordion(children=[body])
        self.widget.set_title(0, "recorded data & fitting")
        self.widget.selected_index = None
        self.widget.add_class("stp-data-section")

    def sync(self, state: ExplorerState) -> None:
        """List the state's recordings and show the fit's quality; hide them without any."""
        labels = [(r.label or f"recording {k + 1}", k) for k, r in enumerate(state.recordings)]
        if list(self.selector.options) != labels:
            self.selector.options = labels
        shown = [k for k, r in enumerate(state.recordings) if _shows(state, k)]
        self.selector.value = shown[0] if shown else None
        self.amplitude.value = float(state.params.A)
        self.data_box.layout.display = None if state.recordings else "none"
        if state.recordings and not self._had_data:
            self.widget.selected_index = 0  # data came in: open the section
        self._had_data = bool(state.recordings)
        frame = self.explorer.frame
        if frame is not None and frame.data is not None and frame.state is state:
            r2 = "—" if math.isnan(frame.data.r2) else f"{frame.data.r2:.3f}"
            self.quality.value = (
                f'model vs data: SSE <b class="stp-sse">{frame.data.sse:.4g}</b> &nbsp;·&nbsp; '
                f'R² <b class="stp-r2">{r2}</b>'
            )
        fitted = self.fitted
        current = fitted is not None and (
            state.params is fitted.params and state.recordings is fitted.recordings
        )
        self.errors.value = stderr_html(self.result, self.notes) if current and self.result else ""

    # -- actions -----------------------------------------------------------------------
    def load(self, recordings: Sequence[Recording]) -> None:
        """Show ``recordings`` (see :meth:`STPExplorer.load_recordings`); errors are shown."""
        try:
            self.explorer.load_recordings(recordings)
        except ValueError as err:
            self.explorer.message.value = text.error_html(err)

    def load_upload(self, value: Any) -> None:
        """Read the uploaded CSV file(s) and show them; a bad file changes nothing."""
        if not value:
            return  # the upload was emptied (below), or nothing was chosen
        try:
            recordings = read_upload(value)
        except ValueError as err:
            self.explorer.message.value = text.error_html(err)
        else:
            self.load(recordings)
        # Empty the upload so that choosing the same file again is a change too.
        if isinstance(self.upload.value, Mapping):
            self.upload.set_trait("value", {})  # ipywidgets 7: value is read-only
        else:
            self.upload.value = ()

    def fit_amplitude(self) -> None:
        """Set ``A`` to its best value for the data, the other parameters as they are."""
        state = self.explorer.state
        if state.recordings:
            self.explorer.request(lambda: self._with_best_a(state))

    def _with_best_a(self, state: ExplorerState) -> ExplorerState:
        result, _ = fit_quietly(state.recordings, free=("A",), start=state.params)
        return state.with_params(A=float(result.params.A))

    def run_fit(self) -> FitResult | None:
        """Fit U, τ_f, τ_d and A to the recordings; animate the sliders to the fit.

        ``τ_s`` stays (it does not shape the amplitudes). The fit starts from the sliders'
        values, within what the sliders can show (:data:`FIT_BOUNDS`). On a ``ValueError``
        the message area says why and nothing changes.
        """
        explorer, state = self.explorer, self.explorer.state
        if not state.recordings:
            return None
        self.fit_button.disabled = True
        try:
            result, self.notes = fit_quietly(
                state.recordings, bounds=FIT_BOUNDS, start=state.params
            )
            self.result = result
            self._animate(state, [*result.path[:-1], result.params])
        except ValueError as err:
            explorer.message.value = text.error_html(err)
            return None
        finally:
            self.fit_button.disabled = False
        return result

    def _animate(self, state: ExplorerState, path: Sequence[TMParameters]) -> None:
        """Show ``state`` with the parameters along ``path``: at most MAX_FRAMES, the last.

        A browser's slider snaps a value to its step and, with ``continuous_update``, sends
        the snapped value back. The kernel reads those replies only after this callback, when
        the state has moved on, so a reply to an early frame would look like a student's
        drag and undo the fit. The sliders therefore do not reply during the animation.
        """
        steps = frame_indices(len(path))
        pause = self.animation_seconds / len(steps)
        sliders = [s for s in self.explorer.sliders.values() if s.continuous_update]
        for slider in sliders:
            slider.continuous_update = False
        try:
            start = time.perf_counter()
            for frame_no, k in enumerate(steps):
                target = dataclasses.replace(state, params=path[k], preset=CUSTOM)
                if k == steps[-1]:
                    self.fitted = target
                time.sleep(max(0.0, start + frame_no * pause - time.perf_counter()))
                self.explorer.show(target)
        finally:
            for slider in sliders:
                slider.continuous_update = True


def _shows(state: ExplorerState, index: int) -> bool:
    stim = state.stimulus
    times = state.recordings[index].spike_times.tolist()
    return stim.kind == "recorded" and list(stim.times) == times
