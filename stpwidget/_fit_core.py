"""The numerical core of :func:`stpwidget.fit.fit`: the problem and a batched Levenberg–Marquardt.

Every start of a multi-start fit is one member of a parameter batch, and every distinct
spike train one stretch of :func:`stpwidget.model.release_of_trains`'s loop, so one kernel
call evaluates all starts on all trains. The coordinates are the free parameters
on a log scale, mapped onto the unit cube: θ in ``[low, high]`` is
``exp(log low + c (log high - log low))`` with ``c`` in ``[0, 1]``. Bounds are kept by
projection (an active set), not by a transform: a step is cut at the cube's faces, and a
coordinate on a face whose gradient points out of the cube is held there while the others
take a full Gauss–Newton step. (A sine or logistic transform flattens at the bound, and a
fit whose optimum lies there, such as τ_f of a depressing synapse at its 1 ms floor,
crawled towards it for a hundred iterations.) ``A`` enters the amplitudes ``A · release``
linearly; when it is free it is not a coordinate at all but solved in closed form for every
candidate (the weighted least-squares ``A``, limited to its bounds: "variable projection"),
which leaves a smaller and far better conditioned problem.

The amplitudes are divided by their largest trial mean and the weights ``1/sd`` by their
largest value (:func:`data_scale`), so the optimizer sees numbers near 1 whatever the
data's units. :func:`goodness_of_fit` (public as ``stpwidget.fit.goodness_of_fit``) is the
one place that computes the weighted SSE and ``R²`` of given parameters, for the fit's
result and for the explorer, with sums taken on the same scaled numbers (they neither
overflow nor underflow) and scaled back at the end.

The Jacobian is taken by central differences in ``c`` (one-sided on a face), batched into
the same kernel call as the residuals. Autograd through :func:`stpwidget.simulate` gives the
same numbers but was 30× slower here (one backward pass per residual through a graph of
per-spike operations: 25 ms against 0.9 ms for 48 starts and 11 spikes on the 2-core CPU
sandbox).

The optimizer's own arithmetic (3×3 systems, sums over a few dozen residuals) runs in NumPy,
like the kernel's small-case path: on that machine under load, one batched
``torch.linalg.solve`` of 48 3×3 systems took 4.5 ms (its threads contend), NumPy 17 µs.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from typing import NamedTuple

import numpy as np
import numpy.typing as npt
import torch

from stpwidget.model import release_of_trains
from stpwidget.params import TMParameters
from stpwidget.recordings import Recording

Array = npt.NDArray[np.float64]
#: Largest step of one coordinate per iteration (a fraction of its log-scaled range).
MAX_STEP = 0.3
#: Central-difference step in c (≈ the cube root of float64's epsilon).
FD_STEP = 1e-5

Evaluate = Callable[[Array], tuple[Array, Array, Array]]


class Goodness(NamedTuple):
    """Result of :func:`goodness_of_fit`.

    Attributes
    ----------
    predicted : tuple of torch.Tensor
        ``A · release`` at every spike of each recording (float64, in the amplitudes' unit).
    sse : float
        ``Σ ((mean_k - A r_k) / sd_k)²`` over every spike of every recording (``sd_k = 1``
        where a recording has no ``sd``): what :func:`stpwidget.fit.fit` minimises.
    r2 : float
        ``1 - sse / sst``, ``sst`` the same weighted sum around the weighted mean amplitude
        (1 is a perfect match, below 0 worse than a constant); NaN if every amplitude is
        the same.
    """

    predicted: tuple[torch.Tensor, ...]
    sse: float
    r2: float


def data_scale(recordings: Sequence[Recording]) -> tuple[float, float]:
    """``(y_scale, sd_min)``: the largest trial-mean magnitude and the smallest ``sd``.

    ``y_scale`` is 1 if every mean is 0; ``sd`` is 1 for a recording without one. Divided
    by these, amplitudes are at most 1 and weights ``sd_min / sd`` at most 1; the weighted
    residuals are those of the data divided by ``y_scale / sd_min``.
    """
    y_scale = max(float(r.mean.abs().max()) for r in recordings) or 1.0
    sd_min = min(1.0 if r.sd is None else float(r.sd.min()) for r in recordings)
    return y_scale, sd_min


def normalised(recordings: Sequence[Recording], sd_min: float) -> tuple[Array, Array]:
    """Trial means (unscaled) and weights ``sd_min / sd`` of every spike, in order."""
    y = np.concatenate([r.mean.numpy() for r in recordings])
    sqrt_w = np.concatenate(
        [
            np.full(r.spike_times.numel(), sd_min) if r.sd is None else sd_min / r.sd.numpy()
            for r in recordings
        ]
    )
    return y, sqrt_w


def goodness_of_fit(params: TMParameters, recordings: Sequence[Recording]) -> Goodness:
    """The model's amplitudes for ``recordings`` and how well they match them.

    Parameters
    ----------
    params : TMParameters
        One synapse (no batch); ``tau_s`` does not enter.
    recordings : sequence of Recording
        At least one recording.

    Returns
    -------
    Goodness
        ``predicted`` amplitudes, the weighted ``sse`` and ``r2``.

    Examples
    --------
    >>> from stpwidget import PRESETS, regular_train, simulate
    >>> train = regular_train(20.0, 5, start=0.1)
    >>> syn = PRESETS["depressing"].replace(A=2.0)
    >>> exact = Recording(train, 2.0 * simulate(syn, train, 1.0).release)
    >>> g = goodness_of_fit(syn, [exact])
    >>> g.sse, g.r2
    (0.0, 1.0)
    """
    y_scale, sd_min = data_scale(recordings)
    a = float(params.A)
    release = release_of_trains(params, [r.spike_times for r in recordings])
    predicted = tuple(a * r for r in release)
    y, sqrt_w = normalised(recordings, sd_min)
    model = torch.cat(predicted).numpy() if predicted else np.zeros(0)
    y = y / y_scale
    residual = sqrt_w * (y - model / y_scale)
    spread = sqrt_w * (y - (sqrt_w**2 @ y) / (sqrt_w**2).sum())
    # Squares of the residuals over their largest: a model far off the data (e.g. a fixed
    # A in other units) gives a large SSE, not an overflow (and inf · 0 = NaN below).
    big = float(np.abs(residual).max(initial=0.0))
    unit = residual / big if big > 0 else residual
    sse = (big * (y_scale / sd_min)) ** 2 * float(unit @ unit)
    sst = float(spread @ spread)
    r2 = 1.0 - big**2 * float(unit @ unit) / sst if sst > 0 else math.nan
    return Goodness(predicted, sse, r2)


@dataclasses.dataclass(frozen=True)
class Problem:
    """Weighted least squares of ``A · release`` against the recordings' trial means.

    ``names`` are the free parameters other than ``A`` (the coordinates), ``low`` and
    ``high`` their bounds; ``fixed`` gives every other field of :class:`TMParameters`;
    ``a_bounds`` is ``(low, high)`` when ``A`` is free (solved for), else ``None`` and ``A``
    is ``fixed["A"]``. ``y`` and ``sqrt_w`` hold every recorded spike in order, divided by
    the data's scale: ``y = mean / y_scale`` and ``sqrt_w = sd_min / sd``; ``A`` (fixed,
    bounds and solved) is in units of ``y_scale`` too. The SSE of the data is the SSE here
    times ``(y_scale / sd_min)²``.
    """

    names: tuple[str, ...]
    low: Array
    high: Array
    fixed: dict[str, float]
    a_bounds: tuple[float, float] | None
    trains: tuple[torch.Tensor, ...]
    train_of: tuple[int, ...]  # per recording: index into trains
    y: Array
    sqrt_w: Array
    y_scale: float
    sd_min: float

    @classmethod
    def build(
        cls,
        recordings: Sequence[Recording],
        names: tuple[str, ...],
        bounds: dict[str, tuple[float, float]],
        fixed: dict[str, float],
        a_bounds: tuple[float, float] | None,
    ) -> Problem:
        """Set up the problem from bounds and ``A`` in API units.

        Recordings of one spike train share its kernel call.
        """
        trains: list[torch.Tensor] = []
        train_of = []
        for rec in recordings:
            k = next((i for i, t in enumerate(trains) if torch.equal(t, rec.spike_times)), None)
            if k is None:
                k = len(trains)
                trains.append(rec.spike_times)
            train_of.append(k)
        y_scale, sd_min = data_scale(recordings)
        y, sqrt_w = normalised(recordings, sd_min)
        a_scaled = None if a_bounds is None else (a_bounds[0] / y_scale, a_bounds[1] / y_scale)
        return cls(
            names=names,
            low=np.array([bounds[n][0] for n in names]),
            high=np.array([bounds[n][1] for n in names]),
            fixed=fixed | {"A": fixed.get("A", 1.0) / y_scale},
            a_bounds=a_scaled,
            trains=tuple(trains),
            train_of=tuple(train_of),
            y=y / y_scale,
            sqrt_w=sqrt_w,
            y_scale=y_scale,
            sd_min=sd_min,
        )

    def theta(self, c: Array) -> Array:
        """Parameters in API units (s) from coordinates in ``[0, 1]``, shape ``(..., p)``."""
        log_low = np.log(self.low)
        theta: Array = np.exp(log_low + c * (np.log(self.high) - log_low))
        # On a face, the bound itself (exp(log low) may differ from low in the last bit).
        theta = np.where(c <= 0.0, self.low, np.where(c >= 1.0, self.high, theta))
        return np.clip(theta, self.low, self.high)

    def c_of(self, theta: Array) -> Array:
        """Inverse of :meth:`theta`."""
        c: Array = np.clip(np.log(theta / self.low) / np.log(self.high / self.low), 0.0, 1.0)
        return c

    def params(self, theta: Array, a: float) -> TMParameters:
        """:class:`TMParameters` with the fixed fields filled in (``A`` as given).

        ``theta`` of shape ``(p,)`` gives plain floats, ``(b, p)`` a batch of ``b``.
        """
        fields: dict[str, float | torch.Tensor] = dict(self.fixed)
        for k, name in enumerate(self.names):
            col = theta[..., k]
            fields[name] = float(col) if theta.ndim == 1 else torch.from_numpy(col.copy())
        fields["A"] = a
        return TMParameters(**fields)

    def release(self, theta: Array) -> Array:
        """Release of every recorded spike, shape ``(b, m)``, in one kernel call."""
        per_train = [r.numpy() for r in release_of_trains(self.params(theta, 1.0), self.trains)]
        release = np.concatenate([per_train[k] for k in self.train_of], -1)
        return np.broadcast_to(release, (*theta.shape[:-1], self.y.size))  # p = 0: no batch

    def best_a(self, release: Array) -> Array:
        """The ``A`` minimizing the weighted SSE for each row of ``release``, within bounds."""
        if self.a_bounds is None:
            return np.full(release.shape[:-1], self.fixed["A"])
        w = self.sqrt_w**2
        a = (release @ (w * self.y)) / ((release**2) @ w)
        return np.clip(a, *self.a_bounds)

    def residuals(self, c: Array) -> tuple[Array, Array]:
        """Weighted residuals ``sqrt(w) (y - A release)`` and the ``A`` used, for a c batch."""
        release = self.release(self.theta(c))
        a = self.best_a(release)
        return self.sqrt_w * (self.y - a[..., None] * release), a

    def evaluate(self, c: Array) -> tuple[Array, Array, Array]:
        """Residuals ``(b, m)``, their Jacobian in c ``(b, m, p)`` and ``A`` ``(b,)``.

        One kernel batch holds c and its 2p difference neighbours (kept inside the cube).
        """
        b, p = c.shape
        shifts = FD_STEP * np.eye(p)[:, None]
        up, down = np.minimum(c[None] + shifts, 1.0), np.maximum(c[None] - shifts, 0.0)
        e, a = self.residuals(np.concatenate([c[None], up, down]).reshape((2 * p + 1) * b, p))
        e = e.reshape(2 * p + 1, b, -1)
        width = np.einsum("kbk->bk", up - down)  # (b, p): each coordinate's own shift
        jac = np.moveaxis(e[1 : p + 1] - e[p + 1 :], 0, -1) / width[:, None]
        return e[0], jac, a[:b]


@dataclasses.dataclass(frozen=True)
class Solution:
    """Outcome of :func:`levenberg_marquardt` for every start.

    ``history_c`` ``(n_iter + 1, n_starts, p)`` and ``history_a`` hold every start's point
    after each iteration, ``moved`` whether that iteration moved it (row 0: the starts).
    """

    c: Array
    a: Array
    sse: Array
    converged: npt.NDArray[np.bool_]
    n_iter: int
    history_c: Array
    history_a: Array
    moved: npt.NDArray[np.bool_]


def levenberg_marquardt(
    evaluate: Evaluate,
    c0: Array,
    max_iter: int,
    sse_floor: float = 0.0,
    ftol: float = 1e-8,
    xtol: float = 1e-10,
) -> Solution:
    """Minimize ``sum(e(c)**2)`` over the unit cube from every row of ``c0`` at once.

    Marquardt's damping ``(JᵀJ + λ diag(JᵀJ)) δ = -Jᵀe`` over the coordinates not held at
    a face (those on a face whose gradient points outwards), each coordinate's step limited
    to ``MAX_STEP`` and the step then cut back into the cube. A step is accepted if it
    lowers the SSE by more than 1e-4 of what the linear model predicts; λ shrinks
    threefold when the ratio exceeds 0.75, doubles when it is below 0.25 and grows fourfold
    on a rejection. A start stops when an accepted step lowers its SSE by no more than
    ``ftol`` of it, when a step moves c by no more than ``xtol``, or when its SSE is at
    most ``sse_floor`` (exact data); stopped starts leave the batch, which ends when none
    is left or after ``max_iter`` iterations.
    """
    n, p = c0.shape
    c = c0.copy()
    e, jac, a = evaluate(c)
    sse = (e**2).sum(-1)
    lam = np.full(n, 1e-3)
    active = np.full(n, p > 0)
    history_c, history_a, moved = [c.copy()], [a.copy()], [np.ones(n, dtype=bool)]
    n_iter = 0
    while n_iter < max_iter and active.any():
        n_iter += 1
        idx = np.flatnonzero(active)
        ji, ei, ci = jac[idx], e[idx], c[idx]
        grad = np.matmul(ei[:, None], ji)[:, 0]
        step = _damped_step(ji, grad, lam[idx], ci)
        ct = np.clip(ci + np.nan_to_num(step, nan=0.0), 0.0, 1.0)  # no NaN reaches θ
        step = ct - ci
        et, jt, at = evaluate(ct)
        sset = (et**2).sum(-1)
        predicted = sse[idx] - ((ei + np.matmul(ji, step[..., None])[..., 0]) ** 2).sum(-1)
        gain = (sse[idx] - sset) / np.maximum(predicted, 1e-300)  # NaN compares False below
        ok = (sset < sse[idx]) & (gain > 1e-4)
        tiny_step = np.abs(step).max(-1) <= xtol
        small_gain = ok & (sse[idx] - sset <= ftol * sse[idx])
        acc = idx[ok]
        c[acc], e[acc], jac[acc], a[acc], sse[acc] = ct[ok], et[ok], jt[ok], at[ok], sset[ok]
        good, poor = idx[gain > 0.75], idx[~(gain > 0.25)]
        lam[good] = np.maximum(lam[good] / 3.0, 1e-12)
        lam[poor] *= np.where(np.isin(poor, acc), 2.0, 4.0)
        exact = sse[idx] <= sse_floor
        active[idx[small_gain | tiny_step | exact | (lam[idx] > 1e16)]] = False
        step_moved = np.zeros(n, dtype=bool)
        step_moved[acc] = True
        history_c.append(c.copy())
        history_a.append(a.copy())
        moved.append(step_moved)
    return Solution(
        c=c,
        a=a,
        sse=sse,
        converged=~active,
        n_iter=n_iter,
        history_c=np.stack(history_c),
        history_a=np.stack(history_a),
        moved=np.stack(moved),
    )


def _damped_step(jac: Array, grad: Array, lam: Array, c: Array) -> Array:
    """Marquardt's step for each start, each coordinate limited to ``MAX_STEP``.

    Coordinates on a face of the cube whose gradient points outwards are held (step 0);
    so is one whose step would leave through the face it sits on, and the step is solved
    again for the rest (at most ``p`` more rounds).
    """
    p = jac.shape[-1]
    hess = np.matmul(jac.transpose(0, 2, 1), jac)
    diag = np.diagonal(hess, axis1=1, axis2=2)
    damp = np.maximum(diag, 1e-12 * diag.max(-1, keepdims=True) + 1e-300)
    system = hess + (lam[:, None] * damp)[..., None] * np.eye(p)
    low, high = c <= 0.0, c >= 1.0
    held = (low & (grad > 0.0)) | (high & (grad < 0.0))
    while True:
        free = ~held
        # Held coordinates: identity rows and columns, zero right-hand side.
        reduced = np.where(free[:, :, None] & free[:, None, :], system, np.eye(p))
        step: Array = np.linalg.solve(reduced, np.where(free, -grad, 0.0)[..., None])[..., 0]
        leaving = free & ((low & (step < 0.0)) | (high & (step > 0.0)))
        if not leaving.any():
            return np.clip(step, -MAX_STEP, MAX_STEP)
        held |= leaving


def covariance(jac: Array) -> Array:
    """``(JᵀJ)⁻¹``, computed on unit-scaled columns.

    If JᵀJ is singular, the result is a marker instead: inf on the diagonal for the
    parameters that the data do not constrain (a zero column, else the largest component of
    the null direction) and 0 elsewhere, so that the caller sets those aside and tries again.
    """
    norms = np.linalg.norm(jac, axis=0)
    if (norms == 0).any():
        return np.diag(np.where(norms == 0, math.inf, 0.0))
    scaled = jac / norms
    eig, vec = np.linalg.eigh(scaled.T @ scaled)
    if eig[0] <= 1e-13 * eig[-1]:
        marker = np.zeros_like(norms)
        marker[int(np.abs(vec[:, 0]).argmax())] = math.inf
        return np.diag(marker)
    cov: Array = (vec / eig) @ vec.T / np.outer(norms, norms)
    return cov
