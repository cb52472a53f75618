"""Mystery mode: a virtual rig on one student's hidden synapse, and a submission to hand in.

The student picks a protocol (a regular train, a paired pulse, or a train with a recovery
probe) and **record** adds noisy trials from :func:`stpwidget.mystery.mystery_synapse` to the
explorer's recordings (the data panel shows them as mean ± sd beside the model), within the
class's trial budget (a counter shows what is left). The sliders, **best A** and **fit** of
the data section match them; **submit** gives the CSV row to hand in
(:func:`stpwidget.mystery.submission_row`, with its check code) and, if the class allows it,
the error of the estimate on the held-out protocol (:func:`stpwidget.mystery.score`). The
hidden parameters stay in the synapse object: no widget, state, frame or exported code holds
them. Each class code and name keeps its own synapse and recordings: changing the name and
back loses nothing, and does not renew the budget.
"""

from __future__ import annotations

import contextlib
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
    check_not_held_out,
    mystery_synapse,
    protocol_train,
    score,
    submission_row,
)
from stpwidget.recordings import Recording
from stpwidget.state import MAX_RECORDINGS, Frame

#: The protocols a student records (label, kind).
PROTOCOLS = [("train", "train"), ("paired pulse", "pair"), ("train + probe", "probe")]
#: Rate of a train, and the interval of a pair (ms on the slider).
TRAIN_RATE = SliderSpec("train rate", "Hz", 1.0, 100.0, True, name="rate of the recorded train")
PAIR_INTERVAL = SliderSpec(
    "pair interval", "ms", 5.0, 2000.0, True, 1e3, "interval between the paired pulses"
)
#: Largest number of trials one click records.
MAX_TRIALS = 100


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
        self.trials.add_class("stp-mystery-trials-slider")
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
        self._synapses: dict[tuple[str, str], MysterySynapse] = {}
        self._recorded: list[Recording] = []  # what the rig recorded (not loaded data)
        #: The recordings of the other (class code, name) pairs typed so far.
        self._kept: dict[tuple[str, str], tuple[tuple[Recording, ...], list[Recording]]] = {}
        self._pair = (class_code, student)
        self.budget = widgets.HTML()
        self.budget.add_class("stp-mystery-budget")
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
                    [
                        self.trials,
                        self.record_button,
                        self.budget,
                        self.clear_button,
                        self.submit_button,
                    ],
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
        """The hidden synapse of the class code and name in the fields (one per pair).

        Raises
        ------
        ValueError
            For an empty class code or name.
        """
        pair = (self.class_code.value, self.student.value)
        if pair not in self._synapses:
            self._synapses[pair] = mystery_synapse(*pair)
        return self._synapses[pair]

    def protocol(self) -> tuple[torch.Tensor, str]:
        """The chosen protocol's spike times (s) and label; ``ValueError`` if held out."""
        spikes, label = protocol_train(
            self.kind.value,
            float(self.rate.value),
            int(self.pulses.value),
            float(self.interval.value) / PAIR_INTERVAL.scale,
            float(self.delay.value) / PROBE_DELAY.scale,
        )
        check_not_held_out(spikes, name="protocol")
        return spikes, label

    def record(self) -> None:
        """Record the chosen protocol's trials and show them (more trials of the same one).

        Everything is checked before the synapse records (and counts) a trial.
        """
        spikes, label = self.protocol()
        synapse, state = self.synapse(), self.door.state
        _slot(state.recordings, spikes, self._recorded)  # room on the data panel?
        rec = synapse.record(spikes, trials=int(self.trials.value))
        recordings, index = _add_trials(state.recordings, rec, label, self._recorded)
        if self.door.request(lambda: state.with_recordings(recordings, index)):
            self._recorded.append(recordings[index])

    def clear(self) -> None:
        """Remove every recording (and the data panel); the trials stay counted."""
        if self.door.state.recordings:
            self.door.request(lambda: self.door.state.with_recordings(()))

    def submit(self) -> None:
        """Show the CSV row of the sliders' estimate, and its error if the class allows."""
        params, code, name = self.door.state.params, self.class_code.value, self.student.value
        synapse = self.synapse()
        row = submission_row(name, params, code)
        self.submission = f"{SUBMISSION_HEADER}\n{row}"
        result = "Your lecturer grades it on trains nobody recorded."
        if synapse.show_score:
            error = score(code, name, params)
            result = (
                f'Error on trains you did not record: <b class="stp-score">{100 * error:.1f} %'
                "</b> (relative RMS of the predicted responses; 0 is perfect)"
            )
        self.output.value = (
            "Hand in this line (the header is for a new file):"
            f'<pre class="stp-submission" style="user-select:all">'
            f"{html.escape(self.submission)}</pre>{result}"
        )

    def sync(self, frame: Frame) -> None:
        """Show the trials left of the current synapse (the trials slider stops there)."""
        synapse = None
        if self.class_code.value.strip() and self.student.value.strip():
            with contextlib.suppress(ValueError, TypeError):  # said when the student records
                synapse = self.synapse()
        if synapse is None:
            self.budget.value = ""
            return
        left = synapse.trials_left
        self.budget.value = (
            f'<span class="stp-mystery-left"><b>{left}</b> of {synapse.trials} trials left</span>'
        )
        self.door.put(self.trials, min(self.trials.value, max(left, 1)))
        self.trials.max = max(left, 1)
        self.record_button.disabled = left == 0

    def _new_pair(self) -> None:
        """Another class code or name: its own synapse and recordings (kept per pair)."""
        state = self.door.state
        self._kept[self._pair] = (state.recordings, list(self._recorded))
        self._pair = (self.class_code.value, self.student.value)
        recordings, self._recorded = self._kept.pop(self._pair, ((), []))
        self.output.value = ""
        self.door.request(lambda: self.door.state.with_recordings(recordings))


def _rig_train(
    recordings: tuple[Recording, ...], spikes: torch.Tensor, mine: list[Recording]
) -> int | None:
    """Index of the rig's recording (one in ``mine``) of this train, or None."""
    return next(
        (
            k
            for k, rec in enumerate(recordings)
            if any(rec is m for m in mine) and torch.equal(rec.spike_times, spikes)
        ),
        None,
    )


def _slot(recordings: tuple[Recording, ...], spikes: torch.Tensor, mine: list[Recording]) -> None:
    """``ValueError`` when a new train would need a place the data panel does not have."""
    if _rig_train(recordings, spikes, mine) is None and len(recordings) >= MAX_RECORDINGS:
        raise ValueError(
            f"protocol: the data panel shows {MAX_RECORDINGS} protocols; record more trials "
            "of one of them, or clear the recordings"
        )


def _add_trials(
    recordings: tuple[Recording, ...], new: Recording, label: str, mine: list[Recording]
) -> tuple[tuple[Recording, ...], int]:
    """``recordings`` with ``new``'s trials added to those of the same train, or appended.

    Trials are only added to a recording of the rig (one in ``mine``), never to loaded data.

    Returns the recordings and the index of the one that changed (:func:`_slot` checks
    first that a new train has a place).
    """
    k = _rig_train(recordings, new.spike_times, mine)
    if k is not None:
        rec = recordings[k]
        amplitudes = torch.cat(
            [rec.amplitudes.reshape(-1, rec.spike_times.numel()), new.amplitudes]
        )
        merged = Recording(
            new.spike_times, amplitudes, label=_label(label, len(amplitudes)), unit=new.unit
        )
        return (*recordings[:k], merged, *recordings[k + 1 :]), k
    fresh = Recording(
        new.spike_times, new.amplitudes, label=_label(label, new.n_trials), unit=new.unit
    )
    return (*recordings, fresh), len(recordings)


def _label(protocol: str, trials: int) -> str:
    return f"{protocol} ({trials} trial{'s' if trials > 1 else ''})"
