"""Checker for the lesson's optional exercise A: from the Norse tutorial to stpwidget.

Examples
--------
>>> from stpwidget import TMParameters
>>> check_norse_translation(TMParameters(tau_f=2.0, tau_d=4.0, tau_s=100.0, U=0.3))
Not yet: tau_f=2 s is wrong. Hint: tau_f is a time constant; Norse's tau_f_inv is its inverse.
"""

from __future__ import annotations

from typing import Any

import torch

from stpwidget.exercises._feedback import Verdict
from stpwidget.params import TMParameters

__all__ = ["NORSE_EXERCISE", "check_norse_translation"]

#: The Norse-style parameters of exercise A (inverse time constants in 1/s).
NORSE_EXERCISE: dict[str, float] = {
    "tau_f_inv": 2.0,
    "tau_s_inv": 100.0,
    "tau_d_inv": 4.0,
    "U": 0.3,
}


def check_norse_translation(params: Any) -> Verdict:
    """Exercise A: the :class:`TMParameters` of the Norse synapse :data:`NORSE_EXERCISE`.

    Model value: time constants 1 / ``tau_*_inv`` in seconds (τ_f = 0.5 s, τ_d = 0.25 s,
    τ_s = 0.01 s) and the same ``U``. Tolerance: ±1% on each field.

    Parameters
    ----------
    params : TMParameters
        The student's translation.

    Returns
    -------
    Verdict
        True when every field is within 1% of the translation.
    """
    if params is None or params is Ellipsis:
        return Verdict(False, "No answer yet: replace `None` with a TMParameters(...).")
    if not isinstance(params, TMParameters):
        return Verdict(
            False, f"Not yet: the answer should be a TMParameters; got {type(params).__name__}."
        )
    n = NORSE_EXERCISE
    expected = {
        "tau_f": 1.0 / n["tau_f_inv"],
        "tau_d": 1.0 / n["tau_d_inv"],
        "tau_s": 1.0 / n["tau_s_inv"],
        "U": n["U"],
    }
    for name, want in expected.items():
        given = getattr(params, name)
        if isinstance(given, torch.Tensor):
            if given.numel() != 1:
                return Verdict(False, f"Not yet: {name} should be one number, not a batch.")
            given = given.detach().cpu().item()
        given = float(given)
        if abs(given - want) <= 0.01 * abs(want):
            continue
        if name == "U":
            return Verdict(False, "Not yet: U is the same number in Norse and in stpwidget.")
        inverse = n[f"{name}_inv"]
        if abs(given - inverse) <= 0.01 * inverse:
            hint = f"{name} is a time constant; Norse's {name}_inv is its inverse."
        elif abs(given - 1e3 * want) <= 10 * want:
            hint = "stpwidget takes seconds, not milliseconds."
        else:
            hint = f"τ = 1 / {name}_inv, in seconds."
        return Verdict(False, f"Not yet: {name}={given:g} s is wrong. Hint: {hint}")
    return Verdict(True, "Correct: this is the same synapse in stpwidget's units (seconds).")
