"""Controls of recorded data: load a CSV or the example, pick the train shown, fit the model.

The section is an accordion, "recorded data & fitting", that is always there: a CSV upload
and a **load example** button bring data in; once there are recordings it also shows which
train the time panels show, the live SSE/R² of the model against the data, ``A``, and the
**fit** button, which runs :func:`stpwidget.fit.fit`, glides the sliders from the student's
values to the fit in about a second and then lists the standard errors.
"""

from __future__ import annotations

import dataclasses
import time
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import ipywidgets as widgets
import numpy as np

from stpwidget.examples import example_recordings
from stpwidget.explorer import text
from stpwidget.explorer.door import Door
from stpwidget.explorer.sections.base import Section
from stpwidget.fit import FitResult, FitWarning, fit
from stpwidget.params import TMParameters
from stpwidget.recordings import Recording, read_recordings
from stpwidget.state import CUSTOM, ExplorerState, Frame

#: Most frames of the fit's animation (the last one is the fit itself).
MAX_FRAMES = 20


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
            recordings += read_recordings(content)  # bytes: BOM, UTF-8 checked by row
        except ValueError as err:
            raise ValueError(f"{name}: {err}") from None
    return tuple(recordings)


def glide(start: TMParameters, end: TMParameters, steps: int) -> list[TMParameters]:
    """``steps`` parameter sets after ``start`` up to ``end`` (exactly), for the animation.

    Time constants and A move geometrically (A linearly if it changes sign), U linearly, so
    that a log slider moves evenly.
    """
    out = []
    for w in np.linspace(0.0, 1.0, steps + 1)[1:]:
        values: dict[str, float] = {"U": (1 - w) * float(start.U) + w * float(end.U)}
        for key in ("tau_f", "tau_d", "tau_s", "A"):
            a, b = float(getattr(start, key)), float(getattr(end, key))
            values[key] = a * (b / a) ** w if a * b > 0 else (1 - w) * a + w * b
        out.append(start.replace(**values))
    out[-1] = end  # exactly the fit
    return out


def quiet_fit(recordings: Sequence[Recording], **options: Any) -> FitResult:
    """:func:`fit` without its :class:`FitWarning` (the section shows ``result.notes``)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FitWarning)
        return fit(recordings, **options)


class DataSection(Section):
    """Load recordings, pick the train shown, see the fit's quality, set ``A``, fit."""

    #: Seconds the fit's animation takes (the frames' drawing included); 0 in tests.
    animation_seconds = 1.0

    def __init__(self, door: Door) -> None:
        super().__init__(door)
        self.upload = widgets.FileUpload(accept=".csv", multiple=False, description="load CSV")
        self.upload.tooltip = "a CSV file of recorded responses (see docs/recordings.md)"
        self.example = widgets.Button(
            description="load example", tooltip="noisy recordings of the facilitating preset"
        )
        self.selector = widgets.Dropdown(
            options=[], description="show train of", style={"description_width": "initial"}
        )
        self.quality = widgets.HTML()
        self.amplitude = widgets.FloatText(
            value=float(door.state.params.A),
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
        door.bind(self.selector, lambda i: door.state.showing_recording(int(i)))
        door.bind(self.amplitude, lambda a: door.state.with_params(A=float(a)))
        door.watch(self.upload, self.load_upload)
        door.on_click(self.example, lambda: self.load(example_recordings()))
        door.on_click(self.best_a, self.fit_amplitude)
        door.on_click(self.fit_button, self.run_fit)
        #: The last fit, and the state it gave (its standard errors show while it is shown).
        self.result: FitResult | None = None
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

    def sync(self, frame: Frame) -> None:
        """List the state's recordings and show the fit's quality; hide them without any."""
        state, door = frame.state, self.door
        labels = [(r.label or f"recording {k + 1}", k) for k, r in enumerate(state.recordings)]
        if list(self.selector.options) != labels:
            self.selector.options = labels  # inside the explorer's moving(): no user's change
        door.put(self.selector, state.shown_recording)
        door.put(self.amplitude, float(state.params.A))
        self.data_box.layout.display = None if state.recordings else "none"
        if state.recordings and not self._had_data:
            self.widget.selected_index = 0  # data came in: open the section
        self._had_data = bool(state.recordings)
        self.quality.value = text.quality_html(frame)
        fitted = self.fitted
        current = fitted is not None and (
            state.params is fitted.params and state.recordings is fitted.recordings
        )
        result = self.result
        self.errors.value = text.stderr_html(result) if current and result else ""

    # -- actions -----------------------------------------------------------------------
    def load(self, recordings: Sequence[Recording]) -> bool:
        """Show ``recordings`` (with the data panel); a rejection is shown. True if shown."""
        return self.door.request(lambda: self.door.state.with_recordings(recordings))

    def load_upload(self, value: Any) -> None:
        """Read the uploaded CSV file(s) and show them; a bad file changes nothing."""
        if not value:
            return  # the upload was emptied (below), or nothing was chosen
        try:
            self.door.request(lambda: self.door.state.with_recordings(read_upload(value)))
        finally:
            # Empty the upload so that choosing the same file again is a change too.
            if isinstance(self.upload.value, Mapping):
                self.upload.set_trait("value", {})  # ipywidgets 7: value is read-only
            else:
                self.upload.value = ()
            self.upload.description = "load CSV"

    def fit_amplitude(self) -> None:
        """Set ``A`` to its best value for the data, the other parameters as they are."""
        state = self.door.state
        if state.recordings:
            self.door.request(lambda: self._with_best_a(state))

    def _with_best_a(self, state: ExplorerState) -> ExplorerState:
        result = quiet_fit(state.recordings, free=("A",), start=state.params)
        return state.with_params(A=float(result.params.A))

    def run_fit(self) -> FitResult | None:
        """Fit U, τ_f, τ_d and A to the recordings; animate the sliders to the fit.

        ``τ_s`` stays (it does not shape the amplitudes). The fit starts from the sliders'
        values, within :func:`stpwidget.fit`'s own bounds, and the sliders glide from the
        student's values to the fit. A rejection is shown and nothing changes.
        """
        state = self.door.state
        if not state.recordings:
            return None
        self.fit_button.disabled = True
        try:
            result = quiet_fit(state.recordings, start=state.params)
            self.result = result
            self._animate(state, glide(state.params, result.params, MAX_FRAMES))
        finally:
            self.fit_button.disabled = False
        return result

    def _animate(self, state: ExplorerState, path: Sequence[TMParameters]) -> None:
        """Show ``state`` with the parameters along ``path``, in :attr:`animation_seconds`.

        The browser's late replies to the frames' slider values are echoes (see
        :class:`~stpwidget.explorer.door.Echoes`), not a student's drag.
        """
        pause = self.animation_seconds / len(path)
        start = time.perf_counter()
        for step, params in enumerate(path):
            target = dataclasses.replace(state, params=params, preset=CUSTOM)
            if step == len(path) - 1:
                self.fitted = target
            time.sleep(max(0.0, start + step * pause - time.perf_counter()))
            if not self.door.request(lambda target=target: target):  # type: ignore[misc]
                return
