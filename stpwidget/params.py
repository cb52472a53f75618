"""Parameters of the Tsodyks–Markram model and the two classic presets."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import numpy as np
import torch

from stpwidget._checks import as_real, check_range

#: A parameter value: a Python float or a tensor (a batch of values broadcasts).
Value = float | torch.Tensor

TIME_CONSTANTS = ("tau_f", "tau_d", "tau_s")


@dataclasses.dataclass(frozen=True)
class TMParameters:
    """Tsodyks–Markram synapse parameters, time constants in **seconds**.

    Each field may be a number or a ``torch.Tensor``; tensors broadcast against each other,
    so a leading batch dimension describes a batch of synapses. Values are validated on
    construction; a number is stored as a Python ``float`` (tensors are kept as given, so
    gradients flow back to them). Text is never converted: ``tau_f="0.5"`` is refused.

    Parameters
    ----------
    tau_f : float or torch.Tensor
        Facilitation time constant in s (> 0): ``u`` decays to 0 with it.
    tau_d : float or torch.Tensor
        Depression (recovery) time constant in s (> 0): ``x`` recovers to 1 with it.
    tau_s : float or torch.Tensor
        Synaptic current time constant in s (> 0).
    U : float or torch.Tensor
        Utilization increment per spike, dimensionless, in (0, 1].
    A : float or torch.Tensor, default 1.0
        Current added per unit of released resource (> 0), in the current's unit.

    Raises
    ------
    TypeError
        If a field is not a number or a real tensor (a string, ``None``, a bool, a NumPy
        array of several values). The message names the field.
    ValueError
        If a time constant is not a finite positive number, ``U`` is outside (0, 1], or
        ``A`` is not finite and positive. The message names the field and the range.

    Examples
    --------
    >>> TMParameters(tau_f=0.75, tau_d=0.05, tau_s=0.02, U=0.15)
    TMParameters(tau_f=750 ms, tau_d=50 ms, tau_s=20 ms, U=0.15, A=1)
    """

    tau_f: Value
    tau_d: Value
    tau_s: Value
    U: Value
    A: Value = 1.0

    def __post_init__(self) -> None:
        for name in self._fields():
            value = getattr(self, name)
            if not isinstance(value, torch.Tensor):
                object.__setattr__(self, name, as_real(name, value))
            elif value.is_complex() or value.dtype == torch.bool:
                raise TypeError(f"{name} must hold real numbers; got a {value.dtype} tensor")
        for name in TIME_CONSTANTS:
            check_range(name, getattr(self, name), low=0.0, low_open=True, unit=" s")
        check_range("U", self.U, low=0.0, high=1.0, low_open=True)
        check_range("A", self.A, low=0.0, low_open=True)

    @classmethod
    def from_norse(cls, p: Any, A: Value = 1.0) -> TMParameters:
        """Convert Norse's ``TsodyksMakramParameters`` (inverse time constants, 1/s).

        Parameters
        ----------
        p : norse.torch.functional.tsodyks_makram.TsodyksMakramParameters
            Anything with ``tau_f_inv``, ``tau_d_inv``, ``tau_s_inv`` (in 1/s) and ``U``.
        A : float or torch.Tensor, default 1.0
            Current per unit of release (Norse has no such factor: it uses 1).

        Returns
        -------
        TMParameters
            The same synapse with time constants in seconds.
        """
        for name in ("tau_f_inv", "tau_d_inv", "tau_s_inv"):
            check_range(name, getattr(p, name), low=0.0, low_open=True, unit=" 1/s")
        return cls(
            tau_f=1.0 / p.tau_f_inv, tau_d=1.0 / p.tau_d_inv, tau_s=1.0 / p.tau_s_inv, U=p.U, A=A
        )

    def replace(self, **changes: Value) -> TMParameters:
        """Return a copy with some fields changed (validated like the constructor)."""
        return dataclasses.replace(self, **changes)

    def as_tensors(
        self, dtype: torch.dtype = torch.float64, device: torch.device | str | None = None
    ) -> dict[str, torch.Tensor]:
        """All fields as tensors of one dtype and device, broadcast to the batch shape.

        Parameters
        ----------
        dtype : torch.dtype, default torch.float64
            Floating dtype of the result.
        device : torch.device or str, optional
            Device of the result; default: the device of a tensor field, else CPU.

        Returns
        -------
        dict of str to torch.Tensor
            ``tau_f``, ``tau_d``, ``tau_s`` (s), ``U`` and ``A``, all of shape
            :attr:`batch_shape`. Gradients flow back to tensor fields.
        """
        fields = self._values()
        if not any(isinstance(v, torch.Tensor) for v in fields):  # one small tensor, no copies
            packed = torch.tensor([float(v) for v in fields], dtype=dtype, device=device)
            return dict(zip(self._fields(), packed.unbind()))
        if device is None:
            device = next(v.device for v in fields if isinstance(v, torch.Tensor))
        values = [torch.as_tensor(v, dtype=dtype, device=device) for v in fields]
        broadcast = torch.broadcast_tensors(*values)  # type: ignore[no-untyped-call]
        return dict(zip(self._fields(), broadcast))

    @property
    def batch_shape(self) -> torch.Size:
        """Broadcast shape of the fields (``torch.Size([])`` for plain floats)."""
        shapes = (tuple(v.shape) if isinstance(v, torch.Tensor) else () for v in self._values())
        return torch.Size(np.broadcast_shapes(*shapes))

    def _fields(self) -> tuple[str, ...]:
        return tuple(f.name for f in dataclasses.fields(self))

    def _values(self) -> tuple[Value, ...]:
        return tuple(getattr(self, n) for n in self._fields())

    def __repr__(self) -> str:
        def show(name: str, v: Value) -> str:
            scale, unit = (1e3, " ms") if name in TIME_CONSTANTS else (1.0, "")
            if isinstance(v, torch.Tensor) and v.numel() != 1:
                vals = [f"{scale * float(e):.4g}" for e in v.detach().flatten()[:4]]
                more = ", ..." if v.numel() > 4 else ""
                return f"{name}=[{', '.join(vals)}{more}]{unit}"
            return f"{name}={scale * float(v):.4g}{unit}"

        body = ", ".join(show(n, v) for n, v in zip(self._fields(), self._values()))
        return f"TMParameters({body})"


#: The seed tutorial's two synapses (Tsodyks & Markram's classic examples).
PRESETS: Mapping[str, TMParameters] = MappingProxyType(
    {
        "facilitating": TMParameters(tau_f=0.750, tau_d=0.050, tau_s=0.020, U=0.15),
        "depressing": TMParameters(tau_f=0.050, tau_d=0.750, tau_s=0.020, U=0.45),
    }
)
