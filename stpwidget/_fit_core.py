"""The numerical core of :func:`stpwidget.fit.fit`: the problem and a batched Levenberg–Marquardt.

Every start of a multi-start fit is one member of a parameter batch, so one kernel call per
distinct spike train evaluates all starts at once. Bounds are built into the parameters: a
free parameter θ in ``[low, high]`` is ``exp(log low + σ(z) (log high - log low))`` with
``z`` unbounded (σ the logistic function), so the optimizer never leaves the bounds. ``A``
enters the amplitudes ``A · release`` linearly; when it is free it is not a coordinate at all
but solved in closed form for every candidate (the weighted least-squares ``A``, limited to
its bounds: "variable projection"), which leaves a smaller and far better conditioned problem.

The Jacobian is taken by central differences in ``z``, batched into the same kernel call as
the residuals. Autograd through :func:`stpwidget.simulate` gives the same numbers but was
30× slower here (one backward pass per residual through a graph of per-spike operations:
25 ms against 0.9 ms for 48 starts and 11 spikes on the 2-core CPU sandbox).

The optimizer's own arithmetic (3×3 systems, sums over a few dozen residuals) runs in NumPy,
like the kernel's small-case path: on that machine under load, one batched
``torch.linalg.solve`` of 48 3×3 systems took 4.5 ms (its threads contend), NumPy 17 µs.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt
import torch

from stpwidget.model import simulate
from stpwidget.params import TMParameters
from stpwidget.recordings import Recording

Array = npt.NDArray[np.float64]
#: Largest step of one z coordinate per iteration (radians; π spans the whole range).
MAX_STEP = 1.0
#: Central-difference step in z (≈ the cube root of float64's epsilon).
FD_STEP = 1e-5

Evaluate = Callable[[Array], tuple[Array, Array, Array]]


@dataclasses.dataclass(frozen=True)
class Problem:
    """Weighted least squares of ``A · release`` against the recordings' trial means.

    ``names`` are the free parameters other than ``A`` (the z coordinates), ``low`` and
    ``high`` their bounds; ``fixed`` gives every other field of :class:`TMParameters`;
    ``a_bounds`` is ``(low, high)`` when ``A`` is free (solved for), else ``None`` and ``A``
    is ``fixed["A"]``. ``y`` and ``sqrt_w`` (``1 / sd``) hold every recorded spike in order.
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

    @classmethod
    def build(
        cls,
        recordings: Sequence[Recording],
        names: tuple[str, ...],
        bounds: dict[str, tuple[float, float]],
        fixed: dict[str, float],
        a_bounds: tuple[float, float] | None,
    ) -> Problem:
        """Set up the problem; recordings of one spike train share its kernel call."""
        trains: list[torch.Tensor] = []
        train_of = []
        for rec in recordings:
            k = next((i for i, t in enumerate(trains) if torch.equal(t, rec.spike_times)), None)
            if k is None:
                k = len(trains)
                trains.append(rec.spike_times)
            train_of.append(k)
        sqrt_w = [
            np.ones(r.spike_times.numel()) if r.sd is None else 1.0 / r.sd.numpy()
            for r in recordings
        ]
        return cls(
            names=names,
            low=np.array([bounds[n][0] for n in names]),
            high=np.array([bounds[n][1] for n in names]),
            fixed=fixed,
            a_bounds=a_bounds,
            trains=tuple(trains),
            train_of=tuple(train_of),
            y=np.concatenate([r.mean.numpy() for r in recordings]),
            sqrt_w=np.concatenate(sqrt_w),
        )

    def theta(self, z: Array) -> Array:
        """Parameters in API units (s) from unbounded coordinates, shape ``(..., p)``."""
        log_low = np.log(self.low)
        theta: Array = np.exp(log_low + 0.5 * (1.0 + np.sin(z)) * (np.log(self.high) - log_low))
        return theta

    def z_of(self, theta: Array) -> Array:
        """Inverse of :meth:`theta` (``z`` in ``[-π/2, π/2]``)."""
        s = np.log(theta / self.low) / np.log(self.high / self.low)
        z: Array = np.arcsin(np.clip(2.0 * s - 1.0, -1.0, 1.0))
        return z

    def params(self, theta: Array, a: float) -> TMParameters:
        """:class:`TMParameters` with the fixed fields filled in.

        ``theta`` of shape ``(p,)`` gives plain floats, ``(b, p)`` a batch of ``b``.
        """
        fields: dict[str, float | torch.Tensor] = dict(self.fixed)
        for k, name in enumerate(self.names):
            col = theta[..., k]
            fields[name] = float(col) if theta.ndim == 1 else torch.from_numpy(col.copy())
        fields["A"] = a
        return TMParameters(**fields)

    def release(self, theta: Array) -> Array:
        """Release of every recorded spike, shape ``(b, m)``, one kernel call per train."""
        params = self.params(theta, 1.0)
        per_train = [simulate(params, t, duration=1.0, dt=1.0).release for t in self.trains]
        release = np.concatenate([per_train[k].numpy() for k in self.train_of], -1)
        return np.broadcast_to(release, (*theta.shape[:-1], self.y.size))  # p = 0: no batch

    def best_a(self, release: Array) -> Array:
        """The ``A`` minimizing the weighted SSE for each row of ``release``, within bounds."""
        if self.a_bounds is None:
            return np.full(release.shape[:-1], self.fixed["A"])
        w = self.sqrt_w**2
        a = (release @ (w * self.y)) / ((release**2) @ w)
        return np.clip(a, *self.a_bounds)

    def residuals(self, z: Array) -> tuple[Array, Array]:
        """Weighted residuals ``sqrt(w) (y - A release)`` and the ``A`` used, for a z batch."""
        release = self.release(self.theta(z))
        a = self.best_a(release)
        return self.sqrt_w * (self.y - a[..., None] * release), a

    def evaluate(self, z: Array) -> tuple[Array, Array, Array]:
        """Residuals ``(b, m)``, their Jacobian in z ``(b, m, p)`` and ``A`` ``(b,)``.

        One kernel batch holds z and its 2p central-difference neighbours.
        """
        b, p = z.shape
        shifts = FD_STEP * np.eye(p)[:, None]
        batch = np.concatenate([z[None], z[None] + shifts, z[None] - shifts])
        e, a = self.residuals(batch.reshape((2 * p + 1) * b, p))
        e = e.reshape(2 * p + 1, b, -1)
        jac = np.moveaxis((e[1 : p + 1] - e[p + 1 :]) / (2 * FD_STEP), 0, -1)
        return e[0], jac, a[:b]


@dataclasses.dataclass(frozen=True)
class Solution:
    """Outcome of :func:`levenberg_marquardt` for every start.

    ``history_z`` ``(n_iter + 1, n_starts, p)`` and ``history_a`` hold every start's point
    after each iteration, ``moved`` whether that iteration moved it (row 0: the starts).
    """

    z: Array
    a: Array
    sse: Array
    converged: npt.NDArray[np.bool_]
    n_iter: int
    history_z: Array
    history_a: Array
    moved: npt.NDArray[np.bool_]


def levenberg_marquardt(
    evaluate: Evaluate,
    z0: Array,
    max_iter: int,
    sse_floor: float = 0.0,
    ftol: float = 1e-8,
    xtol: float = 1e-10,
) -> Solution:
    """Minimize ``sum(e(z)**2)`` from every row of ``z0`` at once.

    Marquardt's damping ``(JᵀJ + λ diag(JᵀJ)) δ = -Jᵀe``, each coordinate's step limited
    to ``MAX_STEP``. A step is accepted if it lowers the SSE by more than 1e-4 of what the
    linear model predicts; λ shrinks threefold when the ratio exceeds 0.75, doubles when it is
    below 0.25 and grows fourfold on a rejection. A start stops when an accepted step
    lowers its SSE by no more than ``ftol`` of it, when a step moves z by no more than
    ``xtol (1 + |z|)``, or when its SSE is at most ``sse_floor`` (exact data); stopped starts
    leave the batch, which ends when none is left or after ``max_iter`` iterations.
    """
    n, p = z0.shape
    z = z0.copy()
    e, jac, a = evaluate(z)
    sse = (e**2).sum(-1)
    lam = np.full(n, 1e-3)
    active = np.full(n, p > 0)
    history_z, history_a, moved = [z.copy()], [a.copy()], [np.ones(n, dtype=bool)]
    n_iter = 0
    while n_iter < max_iter and active.any():
        n_iter += 1
        idx = np.flatnonzero(active)
        ji, ei = jac[idx], e[idx]
        hess = np.matmul(ji.transpose(0, 2, 1), ji)
        grad = np.matmul(ei[:, None], ji)[:, 0]
        diag = np.diagonal(hess, axis1=1, axis2=2)
        damp = np.maximum(diag, 1e-12 * diag.max(-1, keepdims=True) + 1e-300)
        system = hess + (lam[idx, None] * damp)[..., None] * np.eye(p)
        step = np.clip(np.linalg.solve(system, -grad[..., None])[..., 0], -MAX_STEP, MAX_STEP)
        zt = np.arcsin(np.sin(z[idx] + step))  # the same θ, with z back in [-π/2, π/2]
        et, jt, at = evaluate(zt)
        sset = (et**2).sum(-1)
        predicted = sse[idx] - ((ei + np.matmul(ji, step[..., None])[..., 0]) ** 2).sum(-1)
        gain = (sse[idx] - sset) / np.maximum(predicted, 1e-300)  # NaN compares False below
        ok = (sset < sse[idx]) & (gain > 1e-4)
        tiny_step = np.abs(step).max(-1) <= xtol * (1.0 + np.abs(z[idx]).max(-1))
        small_gain = ok & (sse[idx] - sset <= ftol * sse[idx])
        acc = idx[ok]
        z[acc], e[acc], jac[acc], a[acc], sse[acc] = zt[ok], et[ok], jt[ok], at[ok], sset[ok]
        good, poor = idx[gain > 0.75], idx[~(gain > 0.25)]
        lam[good] = np.maximum(lam[good] / 3.0, 1e-12)
        lam[poor] *= np.where(np.isin(poor, acc), 2.0, 4.0)
        exact = sse[idx] <= sse_floor
        active[idx[small_gain | tiny_step | exact | (lam[idx] > 1e16)]] = False
        step_moved = np.zeros(n, dtype=bool)
        step_moved[acc] = True
        history_z.append(z.copy())
        history_a.append(a.copy())
        moved.append(step_moved)
    return Solution(
        z=z,
        a=a,
        sse=sse,
        converged=~active,
        n_iter=n_iter,
        history_z=np.stack(history_z),
        history_a=np.stack(history_a),
        moved=np.stack(moved),
    )
