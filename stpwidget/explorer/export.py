"""What the explorer shows, read-only, and its exports (code, data, figure)."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch

from stpwidget.explorer import text

if TYPE_CHECKING:
    import ipywidgets as widgets
    import pandas
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    from stpwidget.model import STPTrace
    from stpwidget.params import TMParameters
    from stpwidget.render import ImageRenderer, IpymplRenderer
    from stpwidget.state import ExplorerState, Frame
    from stpwidget.stimulus import Stimulus
    from stpwidget.view import STPView


def deprecated(old: str, new: str) -> None:
    """Warn that ``old`` is deprecated in favour of ``new`` (for one release)."""
    warnings.warn(f"{old} is deprecated; use {new}", DeprecationWarning, stacklevel=3)


class Shown:
    """The explorer's shown state as read-only attributes, and its exports."""

    state: ExplorerState
    frame: Frame | None
    renderer: ImageRenderer | IpymplRenderer
    view: STPView
    stimulus_controls: dict[str, widgets.Widget]

    @property
    def figure(self) -> Figure:
        """The matplotlib figure."""
        return self.renderer.figure

    @property
    def lines(self) -> dict[str, Line2D]:
        """The view's artists: ``"x"``, ``"u"``, ``"current"`` (Line2D) and more."""
        return self.view.lines

    @property
    def params(self) -> TMParameters:
        """Parameters of the shown plot (seconds)."""
        return self.state.params

    @property
    def stimulus(self) -> Stimulus:
        """Input of the shown plot."""
        return self.state.stimulus

    @property
    def trace(self) -> STPTrace:
        """The shown :class:`~stpwidget.STPTrace`."""
        assert self.frame is not None  # set by the explorer's constructor, or it raised
        return self.frame.trace

    @property
    def dt(self) -> float:
        """Sampling step of the traces in s."""
        return self.state.dt

    @property
    def protocol(self) -> Stimulus:
        """Deprecated name of :attr:`stimulus`."""
        deprecated("STPExplorer.protocol", "STPExplorer.stimulus")
        return self.state.stimulus

    @property
    def protocol_controls(self) -> dict[str, widgets.Widget]:
        """Deprecated name of :attr:`stimulus_controls`."""
        deprecated("STPExplorer.protocol_controls", "STPExplorer.stimulus_controls")
        return self.stimulus_controls

    def code_text(self) -> str:
        """Python that reproduces what is shown with the public API (membrane and LIF too)."""
        return text.code_text(self.state)

    def to_dataframe(self) -> pandas.DataFrame:
        """The current trace as a pandas DataFrame (columns t_s, x, u, current; needs pandas)."""
        import pandas as pd

        tr = self.trace
        columns = {"t_s": tr.t, "x": tr.x, "u": tr.u, "current": tr.current}
        return pd.DataFrame({k: v.numpy() for k, v in columns.items()})

    def to_csv(self) -> str:
        """The current trace as CSV text (header ``t_s,x,u,current``; no pandas needed)."""
        tr = self.trace
        rows = torch.stack([tr.t, tr.x, tr.u, tr.current], dim=1).tolist()
        return "t_s,x,u,current\n" + "".join(",".join(repr(v) for v in r) + "\n" for r in rows)

    def save_page(self, path: str | Path, controls: Sequence[str] | None = None) -> Path:
        """Write the explorer as it is now as one self-contained HTML page.

        The page runs the exact model in the browser: it opens from disk with no install
        and no network, on phones and projectors (see ``docs/page.md``).

        Parameters
        ----------
        path : str or Path
            Where to write the ``.html`` file.
        controls : sequence of str, optional
            The sliders the page offers (e.g. ``("U", "rate")`` for a worksheet); default
            all (names in :data:`stpwidget.page.CONTROLS`).

        Returns
        -------
        Path
            The file written.

        Raises
        ------
        ValueError
            For an unknown control, or one the page cannot offer with these panels.
        """
        from stpwidget.page import save_page

        scale = self.renderer.style.scale
        return save_page(self.state, path, controls, panels=self.state.panels, scale=scale)

    def save_figure(self, path: str | Path, **kwargs: Any) -> None:
        """Save the figure as drawn (any format matplotlib writes: png, svg, pdf...)."""
        self.renderer.save(path, **kwargs)
