"""The explorer's programmatic control: every change in one update, validated first."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from stpwidget.explorer.controls import PARAM_KEYS, PROBE_DELAY, RATE_AFTER, SLIDERS
from stpwidget.explorer.data_controls import as_recordings, recording_stimulus
from stpwidget.explorer.section import with_stimulus
from stpwidget.recordings import Recording
from stpwidget.state import ExplorerState
from stpwidget.view import STPView


class Commands:
    """``set_params``, ``set_input``, ``apply_preset``, ``load_recordings``, ``set_panels``.

    Each raises ``ValueError`` naming the argument and changes nothing on bad input.
    """

    state: ExplorerState
    view: STPView
    stimulus_controls: dict[str, Any]

    def show(self, state: ExplorerState, raise_errors: bool = False) -> None:  # noqa: D102
        raise NotImplementedError

    def _build_view(self, panels: Sequence[str]) -> None:
        raise NotImplementedError

    def set_params(self, **values: float) -> None:
        """Set several values in one update, in API units (s for τ, Hz for ``rate``).

        Parameters
        ----------
        **values : float
            Any of ``tau_f``, ``tau_d``, ``tau_s`` (s), ``U``, ``rate`` (Hz).

        Raises
        ------
        ValueError
            For an unknown name, an invalid value, or one outside the slider's range
            (sliders would clamp it silently). Nothing changes then.
        """
        unknown = sorted(set(values) - set(SLIDERS))
        if unknown:
            raise ValueError(f"unknown parameter(s) {unknown}; use {tuple(SLIDERS)}")
        state = self.state
        params = {k: float(v) for k, v in values.items() if k in PARAM_KEYS}
        if params:
            state = state.with_params(**params)  # validates τ > 0, U in (0, 1]
        for key, value in values.items():
            SLIDERS[key].check(key, value)
        if "rate" in values:
            state = with_stimulus(state, rate=float(values["rate"]))
        self.show(state, raise_errors=True)

    def set_input(self, **values: Any) -> None:
        """Set several input settings in one update, in API units.

        Parameters
        ----------
        **values
            Any of ``kind`` ({"regular", "poisson", "probe", "step"}), ``rate`` (Hz; before
            the switch for "step"), ``n_spikes``, ``probe_delay`` (s), ``seed``,
            ``rate_after`` (Hz), ``switch`` (s).

        Raises
        ------
        ValueError
            For an unknown name, an invalid value, or one outside its control's range,
            naming the argument. Nothing changes then.
        """
        allowed = ("kind", "rate", "n_spikes", "probe_delay", "seed", "rate_after", "switch")
        unknown = sorted(set(values) - set(allowed))
        if unknown:
            raise ValueError(f"unknown input setting(s) {unknown}; use {allowed}")
        specs = {"rate": SLIDERS["rate"], "probe_delay": PROBE_DELAY, "rate_after": RATE_AFTER}
        for key, spec in specs.items():
            if key in values:
                spec.check(key, values[key])
        for key in ("n_spikes", "seed"):
            control = self.stimulus_controls[key]
            if key in values and not control.min <= values[key] <= control.max:
                raise ValueError(
                    f"{key} must be an integer in [{control.min}, {control.max}]; "
                    f"got {values[key]!r}"
                )
        if values.get("kind") == "recorded":
            raise ValueError("kind='recorded' comes with load_recordings(...), not set_input")
        self.show(with_stimulus(self.state, **values), raise_errors=True)

    def apply_preset(self, name: str) -> None:
        """Set every parameter to a preset's exact values in one update."""
        self.show(self.state.with_preset(name), raise_errors=True)

    def load_recordings(
        self, recordings: Recording | Sequence[Recording] | str | Path | IO[str]
    ) -> None:
        """Show recorded responses beside the model, in one update.

        Parameters
        ----------
        recordings : Recording, sequence of Recording, or CSV path or text buffer
            The data (a CSV is read with :func:`stpwidget.read_recordings`). The data panel
            joins the figure, the time panels show the first recording's spike train, and
            the readout gives the weighted SSE and R² of the model's ``A · release``.

        Raises
        ------
        ValueError
            For a bad file (naming the row and column) or no recordings; nothing changes.
        """
        recs = as_recordings(recordings)
        state = recording_stimulus(dataclasses.replace(self.state, recordings=recs), 0)
        names = [p.name for p in self.view.panels]
        self.set_panels(names if "data" in names else [*names, "data"], state)

    def set_panels(self, panels: Sequence[str], state: ExplorerState | None = None) -> None:
        """Show other panels (names from :data:`stpwidget.view.PANELS`), in one redraw.

        Raises
        ------
        ValueError
            For an unknown or repeated name, or no time panel; nothing changes.
        """
        previous = [p.name for p in self.view.panels]
        state = dataclasses.replace(state or self.state, membrane="membrane" in panels)
        self._build_view(panels)  # validates the names first
        try:
            self.show(state, raise_errors=True)
        except ValueError:
            self._build_view(previous)
            self.show(self.state)
            raise
