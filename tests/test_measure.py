"""scratchvision.measure: the one timer, intervals, and the FLOP counter's new home."""

import time

import pytest
import scratchvision.flops as old_home
import torch
from scratchvision import measure
from scratchvision.measure import timed


def test_timed_returns_one_time_per_repeat_and_the_last_result():
    calls = []

    def work():
        calls.append(1)
        time.sleep(0.01)
        return len(calls)

    run = timed(work, repeats=3, warmup=2)
    assert len(calls) == 5 and run.result == 5, "warm-up calls run but are not timed"
    assert len(run.seconds) == 3 and all(s >= 0.009 for s in run.seconds)
    assert run.best <= run.median <= max(run.seconds)


def test_timed_measures_wall_time_not_cpu_time():
    """A sleeping call takes no CPU time, but the reader still waits for it."""
    assert timed(lambda: time.sleep(0.05)).best >= 0.045


def test_the_median_ignores_one_disturbed_repeat():
    delays = iter([0.001, 0.05, 0.001])
    run = timed(lambda: time.sleep(next(delays)), repeats=3)
    assert run.median < 0.02 < max(run.seconds)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"fn": 3}, "fn must be callable"),
        ({"fn": print, "repeats": 0}, "repeats must be >= 1"),
        ({"fn": print, "warmup": -1}, "warmup must be >= 0"),
    ],
)
def test_timed_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        timed(**kwargs)


def test_the_old_flops_module_is_the_measure_package():
    for name in ("count_flops", "count_params", "summary_table", "format_table"):
        assert getattr(old_home, name) is getattr(measure, name)


def test_mean_interval_is_the_student_t_interval():
    from scipy import stats
    from scratchvision.measure import mean_interval, paired_interval

    values = torch.tensor([1.0, 2.0, 4.0, 7.0])
    mean, half = mean_interval(values)
    low, high = stats.t.interval(
        0.95, 3, loc=values.mean().item(), scale=stats.sem(values.numpy())
    )
    assert mean == pytest.approx(3.5)
    assert (mean - half, mean + half) == pytest.approx((low, high))
    # paired: a constant difference has no spread, however much the items vary
    assert paired_interval(values + 0.5, values) == pytest.approx((0.5, 0.0), abs=1e-9)


def test_accuracy_interval_is_the_normal_approximation():
    from scratchvision.measure import accuracy_interval

    assert accuracy_interval(0.9, 2000) == pytest.approx(
        1.959964 * (0.9 * 0.1 / 2000) ** 0.5, rel=1e-5
    )


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda f: f.mean_interval([1.0]), "at least 2"),
        (lambda f: f.mean_interval([1.0, float("nan")]), "finite"),
        (lambda f: f.mean_interval("12"), "tensor or a list"),
        (lambda f: f.mean_interval([1.0, 2.0], level=1.5), "level"),
        (lambda f: f.paired_interval([1.0, 2.0], [1.0, 2.0, 3.0]), "same items"),
        (lambda f: f.accuracy_interval(1.5, 10), "accuracy"),
        (lambda f: f.accuracy_interval(0.5, 0), "n must be"),
    ],
)
def test_intervals_reject_bad_input(call, message):
    from scratchvision import measure

    with pytest.raises(ValueError, match=message):
        call(measure)
