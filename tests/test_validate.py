"""validate: the check_* functions and the Checker that binds a function's name."""

import math

import pytest
import torch
from scratchvision.validate import (
    Checker,
    check_bool,
    check_callable,
    check_choice,
    check_int,
    check_pair,
    check_range,
    check_tensor,
)

check = Checker("window_partition")


def test_checker_prefixes_every_message_with_its_function():
    with pytest.raises(ValueError, match=r"^window_partition: x must be a 4-D tensor"):
        check.tensor("x", torch.zeros(3, 4), ndim=4)
    with pytest.raises(ValueError, match=r"^window_partition: window must be >= 1"):
        check.int("window", 0, min_value=1)
    with pytest.raises(ValueError, match=r"^window_partition: height must be an int"):
        check.ints(min_value=1, window=4, height=2.5)
    with pytest.raises(ValueError, match=r"^window_partition: x height must be even"):
        check.that(False, "x height must be even")
    check.that(True, "never raised")


def test_checker_returns_what_the_functions_return():
    x = torch.zeros(2, 3)
    assert check.tensor("x", x, ndim=2) is x
    assert check.int("n", 3) == 3 and check.pair("k", 3) == (3, 3)
    assert check.range("p", 1, low=0, high=1) == 1.0 and check.choice("m", "a", "ab")
    assert check.bool("flag", False) is False and check.callable("f", len) is len
    assert check.callable("f", None, optional=True) is None


@pytest.mark.parametrize(
    "function, method, args, options",
    [
        (check_int, "int", ("n", -1), dict(min_value=0)),
        (check_pair, "pair", ("k", "3"), {}),
        (check_range, "range", ("p", 2), dict(low=0, high=1)),
        (check_choice, "choice", ("m", "c", "ab"), {}),
        (check_tensor, "tensor", ("x", [1]), {}),
        (check_bool, "bool", ("b", 1), {}),
        (check_callable, "callable", ("g", 3), {}),
    ],
)
def test_checker_is_the_function_with_fn_filled_in(function, method, args, options):
    """Same message either way, so old and new call sites read alike."""
    with pytest.raises(ValueError) as old:
        function(*args, fn="f", **options)
    with pytest.raises(ValueError) as new:
        getattr(Checker("f"), method)(*args, **options)
    assert str(old.value) == str(new.value) and str(old.value).startswith("f: ")


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_range_refuses_nan_and_infinities(value):
    with pytest.raises(ValueError, match="p must be a finite number"):
        check_range("p", value)
    with pytest.raises(ValueError, match="p must be a finite number"):
        check_range("p", value, low=0, high=1)


def test_tensor_finite_and_nonempty():
    with pytest.raises(ValueError, match="x must be finite"):
        check_tensor("x", torch.tensor([1.0, math.nan]), finite=True)
    with pytest.raises(ValueError, match="x must not be empty"):
        check_tensor("x", torch.zeros(0, 3), nonempty=True)
    check_tensor("x", torch.tensor([1, 2]), finite=True)  # integers are always finite


def test_bool_and_callable_refuse_look_alikes():
    for value in (1, 0, "yes", None):
        with pytest.raises(ValueError, match="flag must be True or False"):
            check_bool("flag", value)
    with pytest.raises(ValueError, match="fn must be a function, got str"):
        check_callable("fn", "relu")
    with pytest.raises(ValueError, match="fn must be a function or None, got int"):
        check_callable("fn", 3, optional=True)


def test_a_checker_is_a_plain_value():
    assert Checker("f") == Checker("f") and Checker("f").fn == "f"
    with pytest.raises(AttributeError):
        check.fn = "other"  # frozen: one checker names one function
