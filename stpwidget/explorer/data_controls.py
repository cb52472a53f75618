"""Controls of recorded data: which recording the traces show, and how well the model fits."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, cast

import ipywidgets as widgets

from stpwidget.explorer.section import Section, with_stimulus
from stpwidget.recordings import Recording, read_recordings
from stpwidget.state import ExplorerState

if TYPE_CHECKING:
    from stpwidget.explorer.explorer import STPExplorer


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


class DataSection(Section):
    """A selector of the recording whose train the time panels show, and the fit readout."""

    def __init__(self, explorer: STPExplorer) -> None:
        super().__init__(explorer)
        self.selector = widgets.Dropdown(options=[], description="show train of")
        self.selector.add_class("stp-recording")
        self.quality = widgets.HTML()
        self.quality.add_class("stp-fit-quality")
        self.bind(self.selector, lambda i: recording_stimulus(explorer.state, int(i)))
        self.widget = widgets.HBox([self.selector, self.quality])

    def sync(self, state: ExplorerState) -> None:
        """List the state's recordings; hide everything without any."""
        labels = [(r.label or f"recording {k + 1}", k) for k, r in enumerate(state.recordings)]
        if list(self.selector.options) != labels:
            self.selector.options = labels
        shown = [k for k, r in enumerate(state.recordings) if _shows(state, k)]
        self.selector.value = shown[0] if shown else None
        self.widget.layout.display = None if state.recordings else "none"
        frame = self.explorer.frame
        if frame is not None and frame.data is not None and frame.state is state:
            r2 = "—" if math.isnan(frame.data.r2) else f"{frame.data.r2:.3f}"
            self.quality.value = (
                f'model vs data: SSE <b class="stp-sse">{frame.data.sse:.4g}</b> &nbsp;·&nbsp; '
                f'R² <b class="stp-r2">{r2}</b>'
            )


def _shows(state: ExplorerState, index: int) -> bool:
    stim = state.stimulus
    times = state.recordings[index].spike_times.tolist()
    return stim.kind == "recorded" and list(stim.times) == times
