"""step_train: a rate step, regular (exact times) or Poisson (counts against their spread)."""

import math

import numpy as np
import pytest
import torch
from scipy import stats

from stpwidget.trains import step_train

F64 = torch.float64


def test_regular_times_by_hand():
    train = step_train(10.0, 40.0, switch=0.5, duration=1.0)
    expected = [0.0, 0.1, 0.2, 0.3, 0.4] + [0.5 + k / 40 for k in range(20)]  # 1.0 excluded
    assert train.dtype == F64 and train.ndim == 1
    torch.testing.assert_close(train, torch.tensor(expected, dtype=F64), rtol=0, atol=1e-15)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        # (0.4 - 0.1) * 10 = 3.0000000000000004 in floating point: still three spikes before.
        ((10.0, 20.0, 0.4, 0.55, None, 0.1), [0.1, 0.2, 0.3, 0.4, 0.45, 0.5]),
        ((10.0, 20.0, 0.3, 0.5, None, 0.0), [0.0, 0.1, 0.2, 0.3, 0.35, 0.4, 0.45]),
        ((0.0, 20.0, 0.3, 0.5, None, 0.0), [0.3, 0.35, 0.4, 0.45]),  # silence, then onset
        ((10.0, 0.0, 0.3, 0.5, None, 0.0), [0.0, 0.1, 0.2]),  # offset
        ((10.0, 4.0, 0.05, 0.5, None, 0.0), [0.0, 0.05, 0.3]),  # short last interval before
        ((10.0, 4.0, 0.0, 0.5, None, 0.0), [0.0, 0.25]),  # switch at start: no before side
        ((10.0, 4.0, 0.5, 0.5, None, 0.0), [0.0, 0.1, 0.2, 0.3, 0.4]),  # switch at the end
    ],
)
def test_regular_edges(args, expected):
    train = step_train(*args)
    torch.testing.assert_close(train, torch.tensor(expected, dtype=F64), rtol=0, atol=1e-12)


def test_poisson_counts_and_times():
    # Before: 20 Hz on [0.1, 0.6) -> mean 10; after: 60 Hz on [0.6, 1.0) -> mean 24.
    n_seeds = 400
    before, after, pooled_before, pooled_after = [], [], [], []
    for seed in range(n_seeds):
        train = step_train(20.0, 60.0, switch=0.6, duration=1.0, seed=seed, start=0.1).numpy()
        assert np.all(np.diff(train) >= 0) and train.min() >= 0.1 and train.max() < 1.0
        early = train[train < 0.6]
        before.append(early.size)
        after.append(train.size - early.size)
        pooled_before.append(early)
        pooled_after.append(train[train >= 0.6])
    before, after = np.array(before), np.array(after)
    for counts, mean in ((before, 10.0), (after, 24.0)):
        # Mean of n_seeds Poisson counts: standard error sqrt(mean / n_seeds); allow 5 SE.
        assert abs(counts.mean() - mean) <= 5 * math.sqrt(mean / n_seeds)
        # Sample variance of Poisson counts: SE sqrt((mean + 2 mean^2) / n_seeds); 5 SE.
        assert abs(counts.var(ddof=1) - mean) <= 5 * math.sqrt((mean + 2 * mean**2) / n_seeds)
    # The two sides are independent: correlation SE ~ 1/sqrt(n_seeds); allow 5 SE.
    assert abs(np.corrcoef(before, after)[0, 1]) <= 5 / math.sqrt(n_seeds)
    # Times are uniform on each side (a KS test on the pooled spikes, fixed seeds).
    assert stats.kstest(np.concatenate(pooled_before), stats.uniform(0.1, 0.5).cdf).pvalue > 1e-3
    assert stats.kstest(np.concatenate(pooled_after), stats.uniform(0.6, 0.4).cdf).pvalue > 1e-3


def test_poisson_seed_reproducible_and_distinct():
    one = step_train(30.0, 30.0, 0.5, 1.0, seed=11)
    torch.testing.assert_close(one, step_train(30.0, 30.0, 0.5, 1.0, seed=11), rtol=0, atol=0)
    assert not torch.equal(one, step_train(30.0, 30.0, 0.5, 1.0, seed=12))
    # Seed k's after side is not seed k + 1's before side shifted (no shared streams).
    a = step_train(30.0, 30.0, 0.5, 1.0, seed=11)
    b = step_train(30.0, 30.0, 0.5, 1.0, seed=12)
    assert not torch.equal(a[a >= 0.5] - 0.5, b[b < 0.5])
    assert step_train(0.0, 0.0, 0.5, 1.0, seed=1).numel() == 0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"rate_before": -1.0}, r"rate_before must be finite and in \[0 Hz, inf\)"),
        ({"rate_before": math.nan}, "rate_before must be finite"),
        ({"rate_after": math.inf}, "rate_after must be finite"),
        ({"switch": 0.05}, r"switch must be finite and in \[0.1 s, 1 s\]"),
        ({"switch": 1.5}, r"switch must be finite and in \[0.1 s, 1 s\]"),
        ({"duration": 0.0}, r"duration must be finite and in \(0 s, "),
        ({"duration": -1.0}, "duration must be finite"),
        ({"start": -0.1}, r"start must be finite and in \[0 s, 1 s\)"),
        ({"start": 1.0}, r"start must be finite and in \[0 s, 1 s\)"),
        ({"seed": -1}, r"seed must be an integer in \[0, 2147483647\]; got -1"),
        ({"seed": 2**31}, r"seed must be an integer in \[0, 2147483647\]; got 2147483648"),
        ({"rate_after": 1e12}, r"step_train \(rates x times\) would need"),
    ],
)
def test_bad_input_names_the_argument(kwargs, message):
    good = {"rate_before": 10.0, "rate_after": 20.0, "switch": 0.5, "duration": 1.0, "start": 0.1}
    with pytest.raises(ValueError, match=message):
        step_train(**{**good, **kwargs})


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"seed": 1.5}, "seed"),
        ({"seed": "a"}, "seed"),
        ({"seed": True}, "seed"),
        ({"switch": "0.5"}, "switch"),
        ({"rate_before": None}, "rate_before"),
    ],
)
def test_wrong_types_name_the_argument(kwargs, name):
    good = {"rate_before": 10.0, "rate_after": 20.0, "switch": 0.5, "duration": 1.0, "start": 0.1}
    with pytest.raises(TypeError) as info:
        step_train(**{**good, **kwargs})
    assert str(info.value).startswith(name), str(info.value)
