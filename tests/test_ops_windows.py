"""ops.windows and ops.patches: round trips, empty batches, and the guards' defects."""

import pytest
import torch
from scratchvision.ops import (
    avg_pool2d,
    cyclic_shift,
    im2col,
    max_pool2d,
    patchify,
    shift_regions,
    shifted_window_mask,
    unpatchify,
    window_partition,
    window_reverse,
)
from scratchvision.ops import conv as conv_module


def test_empty_batches_go_through_every_reshape():
    maps, images = torch.randn(0, 8, 12, 3), torch.randn(0, 3, 8, 12)
    windows = window_partition(maps, 4)
    assert windows.shape == (0, 16, 3)
    assert window_reverse(windows, 4, 8, 12).shape == (0, 8, 12, 3)
    assert cyclic_shift(maps, 2).shape == maps.shape
    tokens = patchify(images, 4)
    assert tokens.shape == (0, 6, 48)
    assert unpatchify(tokens, 4, 8, 12, 3).shape == (0, 3, 8, 12)
    assert max_pool2d(images, 2).shape == avg_pool2d(images, 2).shape == (0, 3, 4, 6)
    assert im2col(images, 3).shape == (0, 27, 60)


def test_round_trips():
    x = torch.randn(2, 8, 12, 5)
    assert torch.equal(window_reverse(window_partition(x, 4), 4, 8, 12), x)
    assert torch.equal(cyclic_shift(cyclic_shift(x, 3), -3), x)
    images = torch.randn(2, 3, 8, 12)
    assert torch.equal(unpatchify(patchify(images, 4), 4, 8, 12, 3), images)


def test_an_empty_map_is_refused_not_an_empty_mask():
    """Once ``shifted_window_mask(8, 0, 4, 2)`` returned a (0, 16, 16) mask."""
    with pytest.raises(ValueError, match=r"shifted_window_mask: width must be >= 1"):
        shifted_window_mask(8, 0, 4, 2)
    with pytest.raises(ValueError, match=r"shift_regions: height must be >= 1"):
        shift_regions(0, 8, 4, 2)


def test_window_reverse_of_a_zero_height_map_names_height():
    """Once ``window_reverse(w, 4, 0, 8)`` raised ZeroDivisionError."""
    with pytest.raises(ValueError, match=r"window_reverse: height must be >= 1, got 0"):
        window_reverse(torch.randn(4, 16, 3), 4, 0, 8)


def test_errors_name_the_function_the_reader_called():
    """shifted_window_mask builds on shift_regions, but its errors are its own."""
    with pytest.raises(
        ValueError, match=r"^shifted_window_mask: shift must be < window"
    ):
        shifted_window_mask(8, 8, 4, 4)
    with pytest.raises(ValueError, match=r"^max_pool2d: kernel_size \(9, 9\) spans"):
        max_pool2d(torch.randn(1, 1, 8, 8), 9)  # pooling runs im2col underneath


def test_the_mask_keeps_only_same_region_pairs():
    mask = shifted_window_mask(8, 8, 4, 2)
    assert mask.shape == (4, 16, 16) and mask[0].all()  # the top-left window is whole
    assert not mask[-1].all() and mask.diagonal(dim1=1, dim2=2).all()
    assert shifted_window_mask(8, 8, 4, 0).all()


def test_im2col_lives_in_unfold_and_conv_uses_that_one():
    assert conv_module.im2col is im2col
    assert im2col.__module__ == "scratchvision.ops.unfold"


@pytest.mark.parametrize("pad_value", [float("-inf"), float("inf"), -1.5, 0])
def test_im2col_pads_with_any_number_but_nan(pad_value):
    cols = im2col(torch.zeros(1, 1, 2, 2), 3, padding=1, pad_value=pad_value)
    assert cols.shape == (1, 9, 4) and (cols == pad_value).any()
