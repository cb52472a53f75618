"""Mystery mode: a virtual rig on one student's hidden synapse, and a submission to hand in.

The student picks a protocol (a regular train, a paired pulse, or a train with a recovery
probe) and **record** adds noisy trials from :func:`stpwidget.mystery.mystery_synapse` to the
explorer's recordings (the data panel shows them as mean ± sd beside the model). The sliders,
**best A** and **fit** of the data section match them; **submit** gives the CSV row to hand
in (:func:`stpwidget.mystery.submission_row`) and the error of the estimate on the held-out
protocol (:func:`stpwidget.mystery.score`). The hidden parameters stay in the synapse
object: no widget, state, frame or exported code holds them.
"""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as widgets
import torch

from stpwidget.explorer.door import Door
from stpwidget.explorer.sections.base import Section
from stpwidget.explorer.sliders import PROBE_DELAY, SliderSpec, describe
from stpwidget.mystery import (
    SUBMISSION_HEADER,
    MysterySynapse,
    held_out_protocol,
    mystery_synapse,
    score,
    submission_row,
)
from stpwidget.recordings import Recording
from stpwidget.state import MAX_RECORDINGS
from stpwidget.trains import regular_train, with_recovery_probe

#: The protocols a student records (label, kind).
PROTOCOLS = [("train", "train"), ("paired pulse", "pair"), ("train + probe", "probe")]
#: Rate of a train, and the interval of a pair (ms on the slider).
TRAIN_RATE = SliderSpec("train rate", "Hz", 1.0, 100.0, True, name="rate of the recorded train")
PAIR_INTERVAL = SliderSpec(
    "pair interval", "ms", 5.0, 2000.0, True, 1e3, "interval between the paired pulses"
)
#: First spike of every recorded train (s); each trial starts from rest regardless.
START = 0.1
#: Largest number of trials one click records.
MAX_TRIALS = 100


def protocol_train(
    kind: str, rate: float, pulses: int, interval: float, delay: float
) -> tuple[torch.Tensor, str]:
    """Spike times and a label for one of the rig's protocols, first spike at 0.1 s.

    Parameters
    ----------
    kind : {"train", "pair", "probe"}
        A regular train; a paired pulse; or the train followed by a recovery probe.
    rate : float
        Rate of the train in Hz (``"train"``, ``"probe"``).
    pulses : int
        Spikes in the train (``"train"``, ``"probe"``).
    interval : float
        Interval of the pair in s (``"pair"``).
    delay : float
        Gap between the train's last spike and the probe in s (``"probe"``).

    Returns
    -------
    spikes : torch.Tensor
        Spike times in s, float64.
    label : str
        E.g. ``"20 Hz × 8 + probe at 500 ms"``.
    """
    if kind == "pair":
        return regular_train(1.0 / interval, 2, START), f"pair at {1e3 * interval:.4g} ms"
    train = regular_train(rate, pulses, START)
    label = f"{rate:.4g} Hz × {pulses}"
    if kind == "probe":
        return with_recovery_probe(train, delay), f"{label} + probe at {1e3 * delay:.4g} ms"
    return train, label


def check_not_held_out(spikes: torch.Tensor) -> None:
    """Raise ``ValueError`` if the train begins with a held-out train (from rest).

    :func:`stpwidget.mystery.grade` scores estimates on :func:`held_out_protocol`; a student
    who recorded those responses would be graded on seen data.
    """
    shifted = spikes - spikes[0]
    for name, train in held_out_protocol().items():
        held = train - train[0]
        n = held.numel()
        if shifted.numel() >= n and torch.allclose(shifted[:n], held, rtol=0.0, atol=1e-9):
            raise ValueError(
                f"protocol: this train begins with the held-out train '{name}' that "
                "your estimate is scored on; choose another rate, fewer pulses or another delay"
            )


class MysterySection(Section):
    """Class code and name, a protocol, **record**, **clear** and **submit**.

    Parameters
    ----------
    door : Door
        The explorer's door: the rig fills its recordings.
    class_code : str
        The class's code (from the teacher).
    student : str, default ""
        The student's name; empty lets the student type it (e.g. in Voila).
    """

    def __init__(self, door: Door, class_code: str, student: str = "") -> None:
        super().__init__(door)
        common: dict[str, Any] = dict(continuous_update=False, style={"description_width": "8em"})
        self.class_code = widgets.Text(value=class_code, description="class code", **common)
        self.student = widgets.Text(
            value=student, description="your name", placeholder="as your teacher asks", **common
        )
        self.kind = widgets.ToggleButtons(options=PROTOCOLS, value="train", description="protocol")
        self.rate = TRAIN_RATE.make("mystery-rate", 20.0)
        self.pulses = describe(
            widgets.IntSlider(value=8, min=2, max=20, description="pulses"),
            "pulses in the recorded train",
            "pulses",
        )
        self.interval = PAIR_INTERVAL.make("mystery-interval", 50.0)
        self.delay = PROBE_DELAY.make("mystery-delay", 500.0)
        self.trials = describe(
            widgets.IntSlider(value=10, min=1, max=MAX_TRIALS, description="trials"),
            "trials recorded per click on record",
            "trials",
        )
        self.record_button = widgets.Button(description="record", button_style="success")
        self.clear_button = widgets.Button(description="clear recordings")
        self.submit_button = widgets.Button(description="submit", button_style="warning")
        self.output = widgets.HTML()
        for name in ("class_code", "student", "kind", "pulses", "trials", "output"):
            getattr(self, name).add_class(f"stp-mystery-{name.replace('_', '-')}")
        for name in ("record", "clear", "submit"):
            getattr(self, f"{name}_button").add_class(f"stp-mystery-{name}")
        #: The submission shown last (CSV header and row), or "".
        self.submission = ""
        self._synapse: MysterySynapse | None = None
        self._recorded: list[Recording] = []  # what the rig recorded (not loaded data)
        door.watch(self.class_code, lambda _: self._new_pair())
        door.watch(self.student, lambda _: self._new_pair())
        door.watch(self.kind, lambda _: self._show_settings())
        door.on_click(self.record_button, self.record)
        door.on_click(self.clear_button, self.clear)
        door.on_click(self.submit_button, self.submit)
        self._show_settings()
        title = widgets.HTML(
            "<b>Mystery synapse</b>: record from your hidden synapse, match the model to the "
            "data (sliders, <i>best A</i>, <i>fit</i> under “recorded data & fitting”), submit."
        )
        wrap = {"flex_flow": "row wrap"}  # side by side where they fit, else one under another
        self.widget = widgets.VBox(
            [
                title,
                widgets.HBox([self.class_code, self.student], layout=wrap),
                self.kind,
                widgets.HBox([self.rate, self.pulses], layout=wrap),
                widgets.HBox([self.interval, self.delay], layout=wrap),
                widgets.HBox(
                    [self.trials, self.record_button, self.clear_button, self.submit_button],
                    layout=widgets.Layout(flex_flow="row wrap"),
                ),
                self.output,
            ]
        )
        self.widget.add_class("stp-mystery")

    def _show_settings(self) -> None:
        uses = {"train": ("rate", "pulses"), "pair": ("interval",)}
        shown = uses.get(self.kind.value, ("rate", "pulses", "delay"))
        for name in ("rate", "pulses", "interval", "delay"):
            getattr(self, name).layout.display = None if name in shown else "none"

    def synapse(self) -> MysterySynapse:
        """The hidden synapse of the class code and name in the fields.

        Raises
        ------
        ValueError
            For an empty class code or name.
        """
        if self._synapse is None:
            self._synapse = mystery_synapse(self.class_code.value, self.student.value)
        return self._synapse

    def protocol(self) -> tuple[torch.Tensor, str]:
        """The chosen protocol's spike times (s) and label; ``ValueError`` if held out."""
        spikes, label = protocol_train(
            self.kind.value,
            float(self.rate.value),
            int(self.pulses.value),
            float(self.interval.value) / PAIR_INTERVAL.scale,
            float(self.delay.value) / PROBE_DELAY.scale,
        )
        check_not_held_out(spikes)
        return spikes, label

    def record(self) -> None:
        """Record the chosen protocol's trials and show them (more trials of the same one)."""
        spikes, label = self.protocol()
        rec = self.synapse().record(spikes, trials=int(self.trials.value))
        state = self.door.state
        recordings, index = _add_trials(state.recordings, rec, label, self._recorded)
        if self.door.request(lambda: state.with_recordings(recordings, index)):
            self._recorded.append(recordings[index])

    def clear(self) -> None:
        """Remove every recording (and the data panel)."""
        if self.door.state.recordings:
            self.door.request(lambda: self.door.state.with_recordings(()))

    def submit(self) -> None:
        """Show the CSV row of the sliders' estimate and its error on the held-out protocol."""
        params = self.door.state.params
        row = submission_row(self.student.value, params)
        error = score(self.class_code.value, self.student.value, params)
        self.submission = f"{SUBMISSION_HEADER}\n{row}"
        self.output.value = (
            "Hand in this line (the header is for a new file):"
            f'<pre class="stp-submission" style="user-select:all">'
            f"{html.escape(self.submission)}</pre>"
            f'Error on trains you did not record: <b class="stp-score">{100 * error:.1f} %</b> '
            "(relative RMS of the predicted responses; 0 is perfect)"
        )

    def _new_pair(self) -> None:
        """Another class code or name: another synapse, so its recordings go."""
        self._synapse = None
        self.output.value = ""
        self.clear()


def _add_trials(
    recordings: tuple[Recording, ...], new: Recording, label: str, mine: list[Recording]
) -> tuple[tuple[Recording, ...], int]:
    """``recordings`` with ``new``'s trials added to those of the same train, or appended.

    Trials are only added to a recording of the rig (one in ``mine``), never to loaded data.

    Returns the recordings and the index of the one that changed. ``ValueError`` when a new
    train would exceed what the data panel shows.
    """
    for k, rec in enumerate(recordings):
        if any(rec is r for r in mine) and torch.equal(rec.spike_times, new.spike_times):
            amplitudes = torch.cat(
                [rec.amplitudes.reshape(-1, rec.spike_times.numel()), new.amplitudes]
            )
            merged = Recording(new.spike_times, amplitudes, label=_label(label, len(amplitudes)))
            return (*recordings[:k], merged, *recordings[k + 1 :]), k
    if len(recordings) >= MAX_RECORDINGS:
        raise ValueError(
            f"protocol: the data panel shows {MAX_RECORDINGS} protocols; record more trials "
            "of one of them, or clear the recordings"
        )
    fresh = Recording(new.spike_times, new.amplitudes, label=_label(label, new.n_trials))
    return (*recordings, fresh), len(recordings)


def _label(protocol: str, trials: int) -> str:
    return f"{protocol} ({trials} trial{'s' if trials > 1 else ''})"
