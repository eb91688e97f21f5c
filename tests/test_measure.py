"""scratchvision.measure: the one timer, and the FLOP counter's new home."""

import time

import pytest
import scratchvision.flops as old_home
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
