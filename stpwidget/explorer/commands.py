"""The explorer's programmatic control: every change in one update, validated first."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from stpwidget._checks import as_real
from stpwidget.explorer.door import Echoes
from stpwidget.explorer.sliders import PARAM_KEYS, PROBE_DELAY, RATE_AFTER, SLIDERS
from stpwidget.recordings import Recording, Source, as_recordings
from stpwidget.state import ExplorerState
from stpwidget.view import STPView


class Commands:
    """``set_params``, ``set_input``, ``apply_preset``, ``load_recordings``, ``set_panels``.

    Each raises ``ValueError`` naming the argument and changes nothing on bad input.
    """

    state: ExplorerState
    view: STPView
    stimulus_controls: dict[str, Any]

    echoes: Echoes

    def show(self, state: ExplorerState, raise_errors: bool = False) -> None:  # noqa: D102
        raise NotImplementedError

    def _command(self, state: ExplorerState) -> None:
        """Show ``state`` for a command (a new action: earlier values are no echo)."""
        self.echoes.settle()
        self.show(state, raise_errors=True)

    def set_params(self, **values: float) -> None:
        """Set several values in one update, in API units (s for τ, Hz for ``rate``).

        Parameters
        ----------
        **values : float
            Any of ``tau_f``, ``tau_d``, ``tau_s`` (s), ``U``, ``A`` (the current per unit
            of release, in the data's unit), ``rate`` (Hz).

        Raises
        ------
        ValueError
            For an unknown name, an invalid value, or one outside the slider's range
            (sliders would clamp it silently). Nothing changes then.
        TypeError
            For a value that is not a number (numeric strings included).
        """
        allowed = (*SLIDERS, "A")
        unknown = sorted(set(values) - set(allowed))
        if unknown:
            raise ValueError(f"unknown parameter(s) {unknown}; use {allowed}")
        values = {k: as_real(k, v) for k, v in values.items()}  # TypeError naming it
        params = {k: v for k, v in values.items() if k in (*PARAM_KEYS, "A")}
        state = self.state.with_params(**params) if params else self.state  # validates
        for key, value in values.items():
            if key in SLIDERS:
                SLIDERS[key].check(key, value)
        if "rate" in values:
            state = state.with_stimulus(rate=values["rate"])
        self._command(state)

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
        TypeError
            For a value of the wrong type (text for a number, a float for a count), naming
            the argument. Nothing changes then.
        """
        allowed = ("kind", "rate", "n_spikes", "probe_delay", "seed", "rate_after", "switch")
        unknown = sorted(set(values) - set(allowed))
        if unknown:
            raise ValueError(f"unknown input setting(s) {unknown}; use {allowed}")
        specs = {"rate": SLIDERS["rate"], "probe_delay": PROBE_DELAY, "rate_after": RATE_AFTER}
        for key, spec in specs.items():
            if key in values:
                spec.check(key, values[key])
        if values.get("kind") == "recorded":
            raise ValueError("kind='recorded' comes with load_recordings(...), not set_input")
        state = self.state.with_stimulus(**values)  # validates types and ranges first
        control = self.stimulus_controls["n_spikes"]
        if "n_spikes" in values and not control.min <= values["n_spikes"] <= control.max:
            raise ValueError(
                f"n_spikes must be an integer in [{control.min}, {control.max}] (the "
                f"explorer's slider); got {values['n_spikes']!r}"
            )
        self._command(state)

    def apply_preset(self, name: str) -> None:
        """Set every parameter to a preset's exact values in one update."""
        self._command(self.state.with_preset(name))

    def load_recordings(self, recordings: Recording | Sequence[Recording] | Source) -> None:
        """Show recorded responses beside the model, in one update.

        Parameters
        ----------
        recordings : Recording, sequence of Recording, or CSV path, buffer or bytes
            The data (a CSV is read with :func:`stpwidget.read_recordings`). The data panel
            joins the figure, the time panels show the first recording's spike train, and
            the readout gives the weighted SSE and R² of the model's ``A · release``.

        Raises
        ------
        ValueError
            For a bad file (naming the row and column) or no recordings; nothing changes.
        """
        self._command(self.state.with_recordings(as_recordings(recordings)))

    def set_panels(self, panels: Sequence[str]) -> None:
        """Show other panels (names from :data:`stpwidget.view.PANELS`), in one redraw.

        The data panel stays while there are recordings (and needs them).

        Raises
        ------
        ValueError
            For an unknown or repeated name, or no time panel; nothing changes.
        """
        STPView.check(panels)  # the names, before anything changes
        self._command(self.state.with_panels(panels))
