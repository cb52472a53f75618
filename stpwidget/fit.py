"""Fit a Tsodyks–Markram synapse to recorded response amplitudes.

The model amplitude of spike k of a recording is ``A · r_k``, with ``r_k`` the release that
:func:`stpwidget.model.release_per_spike` computes for the recording's spike train
(``tau_s`` does not enter). :func:`fit` minimizes the weighted sum of squared residuals
over every spike of every recording from many starts at once; see ``docs/model.md``
("Fitting") for the method. :func:`goodness_of_fit` gives that sum, and ``R²``, for any
parameters (the explorer shows them).
"""

from __future__ import annotations

import dataclasses
import math
import warnings
from collections.abc import Mapping, Sequence
from types import MappingProxyType

import numpy as np
import torch

from stpwidget._checks import check_count, check_range, check_seed
from stpwidget._fit_core import (
    Array,
    Goodness,
    Problem,
    Solution,
    covariance,
    data_scale,
    goodness_of_fit,
    levenberg_marquardt,
)
from stpwidget.params import TMParameters
from stpwidget.recordings import Recording

__all__ = [
    "A_BOUND_FACTORS",
    "DEFAULT_BOUNDS",
    "DEFAULT_START",
    "FITTABLE",
    "FitResult",
    "FitWarning",
    "Goodness",
    "fit",
    "goodness_of_fit",
]

#: Parameters :func:`fit` can estimate (``tau_s`` does not shape the amplitudes).
FITTABLE = ("U", "tau_f", "tau_d", "A")
#: Start of the fit, and the value of every parameter that is not free.
DEFAULT_START = TMParameters(tau_f=0.2, tau_d=0.2, tau_s=0.02, U=0.25, A=1.0)
#: Default bounds in API units (s; U dimensionless).
DEFAULT_BOUNDS: Mapping[str, tuple[float, float]] = MappingProxyType(
    {"U": (1e-3, 1.0), "tau_f": (1e-3, 5.0), "tau_d": (1e-3, 5.0)}
)
#: Default bounds of ``A``, as multiples of the largest trial-mean amplitude.
A_BOUND_FACTORS = (1e-3, 1e3)
_UNITS = {"U": "", "tau_f": " s", "tau_d": " s", "A": ""}
#: Largest ``amplitude / sd`` (``sd`` 1 where not given) whose squares sum in float64.
MAX_SCALE = 1e150


class FitWarning(UserWarning):
    """The data do not pin a fitted parameter down (its standard error is NaN)."""


@dataclasses.dataclass(frozen=True, eq=False)
class FitResult:
    """Result of :func:`fit`.

    Attributes
    ----------
    params : TMParameters
        The best fit: free parameters fitted, the others from ``start``.
    sse : float
        Weighted sum of squared residuals, ``Σ ((mean_k - A r_k) / sd_k)²`` over every spike
        of every recording (``sd_k = 1`` without ``sd``), in squared amplitude units: the
        ``sse`` of :func:`goodness_of_fit` at ``params``.
    predicted : list of torch.Tensor
        ``A · release`` of every spike, one float64 tensor per recording, in order.
    stderr : dict of str to float
        Standard error of each free parameter (s for time constants) from the curvature at
        the optimum: ``sqrt(diag(s² (JᵀJ)⁻¹))``, J the Jacobian of the weighted residuals and
        ``s² = sse / (n_spikes - n_free)``. NaN, with a :class:`FitWarning`, for a parameter
        the data do not pin down: one at a bound, or whose interval ``value ± stderr`` leaves
        its bounds (e.g. ``tau_f`` of a purely depressing synapse). Such parameters are held
        fixed for the errors of the others.
    path : list of TMParameters
        The winning start's accepted iterates, from its start to ``params`` (the last item
        is ``params`` itself).
    free : tuple of str
        The fitted parameters, as passed.
    bounds : dict of str to tuple of float
        The bounds used for every free parameter (including the default ones).
    converged : bool
        Whether the winning start met a stopping tolerance within ``max_iter`` iterations.
    n_iter : int
        Iterations run (of the batch of starts).
    notes : tuple of str
        The messages of the :class:`FitWarning` s this fit issues, in plain words: which
        parameters the data do not pin down, why, and what to do. Empty when every standard
        error is finite. For a reader that shows them (e.g. the explorer) without catching
        warnings.
    """

    params: TMParameters
    sse: float
    predicted: list[torch.Tensor]
    stderr: dict[str, float]
    path: list[TMParameters]
    free: tuple[str, ...]
    bounds: dict[str, tuple[float, float]]
    converged: bool
    n_iter: int
    notes: tuple[str, ...] = ()


def fit(
    recordings: Recording | Sequence[Recording],
    free: Sequence[str] = FITTABLE,
    bounds: Mapping[str, tuple[float, float]] | None = None,
    start: TMParameters | None = None,
    seed: int = 0,
    *,
    n_starts: int = 48,
    max_iter: int = 200,
) -> FitResult:
    """Fit synapse parameters to recorded response amplitudes by weighted least squares.

    Parameters
    ----------
    recordings : Recording or sequence of Recording
        The data: each recording's trial-mean amplitudes (positive numbers, e.g. EPSC
        magnitudes) against ``A · release`` of its spike train. A recovery probe long after a
        train is what pins ``tau_d`` down.
    free : sequence of str, default ("U", "tau_f", "tau_d", "A")
        The parameters to fit, any of those four.
    bounds : mapping of str to (float, float), optional
        ``(low, high)`` for some free parameters, in API units (s for time constants),
        ``0 < low < high`` and ``high <= 1`` for ``U``. Defaults: ``U`` in [0.001, 1],
        ``tau_f`` and ``tau_d`` in [1 ms, 5 s], ``A`` in [0.001, 1000] times the largest
        trial-mean amplitude. Bounds of parameters that are not free are checked, not used.
    start : TMParameters, optional
        Where the first start begins (its free values, ``A`` excepted, must lie within the
        bounds), and the value of every parameter that is not free (``tau_s`` is copied into
        the result). Default :data:`DEFAULT_START`.
    seed : int, default 0
        Seed of the other starts, in [0, 2**31 - 1]: the same seed gives the same fit.
    n_starts : int, default 48
        Number of starts: ``start`` and ``n_starts - 1`` scrambled-Sobol points spread over
        the bounds (uniform in log scale), all run at once in one parameter batch.
    max_iter : int, default 200
        Largest number of Levenberg–Marquardt iterations.

    Returns
    -------
    FitResult
        The best of all starts (lowest ``sse``), with standard errors and its path.

    Raises
    ------
    ValueError
        For no recordings, amplitudes whose trial means are all <= 0, amplitudes over ``sd``
        above 1e150 (their squares would overflow), an unknown or repeated name in ``free``,
        bounds with ``low >= high`` or out of range, a ``start`` that is not a single
        :class:`TMParameters` or lies outside the bounds (or, with ``A`` not free, whose
        ``A`` is over 1e150 times the largest amplitude), a ``seed`` outside [0, 2**31 - 1],
        ``n_starts`` or ``max_iter`` below 1. Every argument is checked before any work.
    TypeError
        For ``recordings``, ``free`` or ``bounds`` of the wrong kind (e.g. ``bounds`` as a
        list of pairs), or a ``seed`` that is not an integer.

    Warns
    -----
    FitWarning
        When a standard error is NaN because the data do not pin that parameter down.

    Notes
    -----
    ``A`` is not searched: for any other parameters its best value is a closed form (the
    amplitudes are linear in it), limited to its bounds. The other parameters are searched
    on a log scale with their bounds kept by projection, so a parameter whose best value is
    at a bound (``tau_f`` of a depressing synapse) costs no extra iterations. The fit does
    not depend on the data's unit: amplitudes scaled by ``c`` (``sd`` too) give the same
    parameters with ``A`` scaled by ``c``. Standard errors assume independent
    residuals of equal variance after weighting; with ``sd`` set to the true standard
    deviations, ``sse / (n_spikes - n_free)`` is close to 1.

    Examples
    --------
    >>> from stpwidget import PRESETS, regular_train, simulate, with_recovery_probe
    >>> from stpwidget.recordings import Recording
    >>> train = with_recovery_probe(regular_train(20.0, 10, start=0.1), 0.5)
    >>> amps = 2.0 * simulate(PRESETS["depressing"], train, 1.0).release  # A = 2, exact
    >>> result = fit(Recording(train, amps, label="20 Hz"))
    >>> result.params
    TMParameters(tau_f=50 ms, tau_d=750 ms, tau_s=20 ms, U=0.45, A=2)
    >>> result.sse < 1e-20  # exact data are fitted exactly
    True
    """
    recs = _check_recordings(recordings)
    names = _check_free(free)
    start = DEFAULT_START if start is None else start
    if not isinstance(start, TMParameters) or start.batch_shape != ():
        raise ValueError(f"start must be one TMParameters (no batch); got {start!r}")
    peak = max(float(r.mean.max()) for r in recs)
    limits = _check_bounds(names, bounds, peak)
    values = {f.name: float(getattr(start, f.name)) for f in dataclasses.fields(start)}
    for name in names:
        low, high = limits[name]
        if name != "A" and not low <= values[name] <= high:
            raise ValueError(
                f"start.{name} = {values[name]:g}{_UNITS[name]} lies outside bounds"
                f"['{name}'] = [{low:g}, {high:g}]{_UNITS[name]}"
            )
    y_scale, _ = data_scale(recs)
    if "A" not in names and not values["A"] <= MAX_SCALE * y_scale:
        raise ValueError(
            f"start.A = {values['A']:g} is over {MAX_SCALE:g} times the largest amplitude "
            f"({y_scale:g}); with A not free, give it in the amplitudes' unit"
        )
    seed = check_seed("seed", seed)
    n_starts, max_iter = check_count("n_starts", n_starts, 1), check_count("max_iter", max_iter, 1)
    nonlinear = tuple(n for n in names if n != "A")
    problem = Problem.build(
        recs,
        nonlinear,
        limits,
        fixed={k: v for k, v in values.items() if k not in names},
        a_bounds=limits["A"] if "A" in names else None,
    )
    first = problem.c_of(np.array([[values[n] for n in nonlinear]]))
    c0 = np.concatenate([first, _spread(len(nonlinear), n_starts - 1, seed)])
    floor = 1e-28 * float(((problem.sqrt_w * problem.y) ** 2).sum())
    solution = levenberg_marquardt(problem.evaluate, c0, max_iter, sse_floor=floor)
    result = _result(problem, solution, recs, names, limits)
    for note in result.notes:
        warnings.warn(note, FitWarning, stacklevel=2)
    return result


def _spread(p: int, n: int, seed: int) -> Array:
    """``n`` starts in the unit cube: scrambled Sobol points, kept 2 % off the faces."""
    if n == 0 or p == 0:  # only A free: one "start" (A is solved for) is all there is
        return np.zeros((0, p))
    # SobolEngine seeds its own generator: the global torch RNG is left untouched.
    sobol = torch.quasirandom.SobolEngine(p, scramble=True, seed=seed)  # type: ignore[no-untyped-call]
    s: Array = 0.02 + 0.96 * sobol.draw(n, dtype=torch.float64).numpy()
    return s


def _result(
    problem: Problem,
    solution: Solution,
    recs: list[Recording],
    names: tuple[str, ...],
    limits: dict[str, tuple[float, float]],
) -> FitResult:
    """Assemble the winning start's fit, predictions, path and standard errors."""
    best = int(np.nan_to_num(solution.sse, nan=math.inf).argmin())
    steps = solution.moved[:, best]
    scale = problem.y_scale
    path = [
        problem.params(problem.theta(c), float(a) * scale)
        for c, a in zip(solution.history_c[steps, best], solution.history_a[steps, best])
    ]
    params = path[-1]
    goodness = goodness_of_fit(params, recs)
    # Standard errors in the problem's scaled units (A / y_scale), then A's scaled back.
    a = float(solution.a[best])
    residuals = problem.sqrt_w * (problem.y - torch.cat(goodness.predicted).numpy() / scale)
    theta = problem.theta(solution.c[best])
    scaled = dict(limits)
    scaled["A"] = (limits["A"][0] / scale, limits["A"][1] / scale)
    stderr, notes = _stderr(problem, theta, a, residuals, names, scaled)
    if "A" in stderr:
        stderr["A"] *= scale
    return FitResult(
        params=params,
        sse=goodness.sse,
        predicted=list(goodness.predicted),
        stderr=stderr,
        path=path,
        free=names,
        bounds={n: limits[n] for n in names},
        converged=bool(solution.converged[best]),
        n_iter=solution.n_iter,
        notes=notes,
    )


def _stderr(
    problem: Problem,
    theta: Array,
    a: float,
    residuals: Array,
    names: tuple[str, ...],
    limits: dict[str, tuple[float, float]],
) -> tuple[dict[str, float], tuple[str, ...]]:
    """Curvature standard errors in API units, and a note for each one that is NaN.

    A parameter at a bound is set aside first; then, one at a time, the parameter whose
    interval ``value ± stderr`` leaves its bounds furthest (in log scale), with the errors of
    the rest recomputed without it.
    """
    value = dict(zip(problem.names, theta.tolist())) | {"A": a}
    jac = _jacobian(problem, theta, a, names)
    low, high = (np.array([limits[n][i] for n in names]) for i in (0, 1))
    v = np.array([value[n] for n in names])
    reasons: dict[str, str] = {}
    for n in names:  # at a bound, relative to the log-scaled range
        gap = min(math.log(value[n] / limits[n][0]), math.log(limits[n][1] / value[n]))
        if gap < 1e-6 * math.log(limits[n][1] / limits[n][0]):
            reasons[n] = "it sits at a bound of its allowed range"
    se = np.full(len(names), math.nan)
    while len(reasons) < len(names):
        keep = [k for k, n in enumerate(names) if n not in reasons]
        dof = residuals.size - len(keep)
        if dof <= 0:
            for k in keep:
                reasons[names[k]] = (
                    f"{residuals.size} amplitudes are too few for {len(keep)} parameters"
                )
            break
        cov = covariance(jac[:, keep]) * float((residuals**2).sum()) / dof
        se_keep = np.sqrt(np.maximum(np.diagonal(cov), 0.0))
        with np.errstate(divide="ignore", invalid="ignore"):
            below = np.log(low[keep] / np.maximum(v[keep] - se_keep, 1e-300))
            above = np.log((v[keep] + se_keep) / high[keep])
        excess = np.nan_to_num(np.maximum(below, above), nan=math.inf)
        worst = int(excess.argmax())
        if excess[worst] <= 0.0:
            se[keep] = se_keep
            break
        reasons[names[keep[worst]]] = "value ± standard error reaches past its bounds"
    notes: tuple[str, ...] = ()
    if reasons:
        detail = "; ".join(f"{n} ({why})" for n, why in reasons.items())
        them = "them" if len(reasons) > 1 else "it"
        notes = (
            f"The data do not pin down {detail}, so the standard error is not determined. "
            f"Fix {them} (leave {them} out of free) or record a protocol that constrains "
            f"{them}.",
        )
    return {n: float(se[k]) for k, n in enumerate(names)}, notes


def _jacobian(problem: Problem, theta: Array, a: float, names: tuple[str, ...]) -> Array:
    """d(weighted residual)/d(parameter) in API units at fixed A, shape ``(m, len(names))``.

    Central differences in log θ (steps kept inside the bounds), all in one kernel batch;
    the A column is exact: ``-sqrt(w) release``.
    """
    p = len(problem.names)
    up = np.minimum(theta * np.exp(1e-5 * np.eye(p)), problem.high)
    down = np.maximum(theta * np.exp(-1e-5 * np.eye(p)), problem.low)
    release = problem.release(np.concatenate([theta[None], up, down]))
    columns = {"A": -problem.sqrt_w * release[0]}
    for k, n in enumerate(problem.names):
        diff = problem.sqrt_w * a * (release[1 + p + k] - release[1 + k])
        columns[n] = diff / (up[k, k] - down[k, k])
    return np.stack([columns[n] for n in names], -1)


def _check_recordings(recordings: Recording | Sequence[Recording]) -> list[Recording]:
    if not isinstance(recordings, Recording | Sequence):
        raise TypeError(
            f"recordings must be a Recording or a sequence of them; got {type(recordings).__name__}"
        )
    recs = [recordings] if isinstance(recordings, Recording) else list(recordings)
    if not recs:
        raise ValueError("recordings must hold at least one Recording; got none")
    for k, rec in enumerate(recs):
        if not isinstance(rec, Recording):
            raise ValueError(f"recordings[{k}] must be a Recording; got {type(rec).__name__}")
    if max(float(r.mean.max()) for r in recs) <= 0.0:
        raise ValueError(
            "recordings: every trial-mean amplitude is <= 0, but the model's A · release is "
            "positive; give inward currents as magnitudes (flip the sign)"
        )
    y_scale, sd_min = data_scale(recs)
    if not y_scale / sd_min <= MAX_SCALE:
        raise ValueError(
            f"recordings: amplitudes up to {y_scale:g} with sd down to {sd_min:g} (1 where not "
            f"given) exceed amplitude / sd = {MAX_SCALE:g}, beyond which squared residuals "
            "overflow; give the amplitudes in larger units (e.g. nA, not pA) or give sd"
        )
    return recs


def _check_free(free: Sequence[str]) -> tuple[str, ...]:
    if not isinstance(free, str | Sequence):
        raise TypeError(f"free must be a sequence of names; got {type(free).__name__}")
    names = (free,) if isinstance(free, str) else tuple(free)
    if not names:
        raise ValueError(f"free must name at least one of {', '.join(FITTABLE)}")
    for name in names:
        if name not in FITTABLE:
            why = " (tau_s does not shape the amplitudes)" if name == "tau_s" else ""
            raise ValueError(f"free: unknown name {name!r}{why}; choose from {FITTABLE}")
        if names.count(name) > 1:
            raise ValueError(f"free names {name!r} twice")
    return names


def _check_bounds(
    names: tuple[str, ...], bounds: Mapping[str, tuple[float, float]] | None, peak: float
) -> dict[str, tuple[float, float]]:
    if bounds is not None and not isinstance(bounds, Mapping):
        raise TypeError(
            "bounds must be a mapping of name to (low, high), e.g. {'U': (0.1, 0.9)}; "
            f"got {type(bounds).__name__}"
        )
    limits = dict(DEFAULT_BOUNDS)
    limits["A"] = (A_BOUND_FACTORS[0] * peak, A_BOUND_FACTORS[1] * peak)
    for name, pair in (bounds or {}).items():
        if name not in FITTABLE:
            raise ValueError(f"bounds: unknown name {name!r}; choose from {FITTABLE}")
        try:
            low, high = (float(b) for b in pair)
        except (TypeError, ValueError):
            raise ValueError(f"bounds['{name}'] must be a pair (low, high); got {pair!r}") from None
        unit = _UNITS[name]
        check_range(f"bounds['{name}'] low", low, low=0.0, low_open=True, unit=unit)
        check_range(
            f"bounds['{name}'] high",
            high,
            low=0.0,
            high=1.0 if name == "U" else math.inf,
            low_open=True,
            unit=unit,
        )
        if low >= high:
            raise ValueError(f"bounds['{name}'] must have low < high; got ({low:g}, {high:g})")
        limits[name] = (low, high)
    return limits
