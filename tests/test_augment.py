"""scratchvision.augment against torchvision (flips, colour, crops) and its own laws.

Oracles: ``torchvision.transforms.v2.functional`` for flips and colour adjustments;
for crops, ``v2.functional.resized_crop`` where the two must agree (an integer box
shrunk, no antialias: torchvision crops first, so when it enlarges it clamps at the
box's edge where we read the pixels beyond it) and ``torchvision.ops.roi_align``
(``aligned=True``, one sample per bin: the same pixel-centre convention) on any box.
"""

from __future__ import annotations

import math

import pytest
import torch
import torchvision.transforms.v2.functional as TF
from scratchvision.augment import (
    adjust_brightness,
    adjust_contrast,
    adjust_saturation,
    color_jitter,
    grayscale,
    hflip,
    random_grayscale,
    random_resized_crop,
    resized_crop,
    vflip,
)
from torchvision.ops import roi_align


def rand(*shape, seed=0):
    return torch.rand(*shape, generator=torch.Generator().manual_seed(seed))


def gen(seed=0):
    return torch.Generator().manual_seed(seed)


@pytest.mark.parametrize(
    "ours,theirs", [(hflip, TF.horizontal_flip), (vflip, TF.vertical_flip)]
)
def test_flips_with_p1_are_torchvisions_and_p0_is_the_identity(ours, theirs):
    x = rand(4, 3, 8, 10)
    assert torch.equal(ours(x, p=1.0, generator=gen()), theirs(x))
    assert torch.equal(ours(x, p=0.0, generator=gen()), x)


def test_hflip_flips_each_image_or_leaves_it():
    x = rand(64, 3, 5, 6)
    out = hflip(x, p=0.5, generator=gen())
    flipped = [torch.equal(o, i.flip(-1)) for o, i in zip(out, x)]
    kept = [torch.equal(o, i) for o, i in zip(out, x)]
    assert all(f or k for f, k in zip(flipped, kept))
    assert 16 < sum(flipped) < 48, f"{sum(flipped)} of 64 flipped at p=0.5"


@pytest.mark.parametrize(
    "ours,theirs",
    [
        (adjust_brightness, TF.adjust_brightness),
        (adjust_contrast, TF.adjust_contrast),
        (adjust_saturation, TF.adjust_saturation),
    ],
)
@pytest.mark.parametrize("factor", [0.0, 0.6, 1.0, 1.7])
def test_colour_adjustments_are_torchvisions(ours, theirs, factor):
    x = rand(3, 3, 9, 7)
    # torchvision weighs red 0.2989 in grey, BT.601 (ours) 0.299: 1e-4 at most
    torch.testing.assert_close(ours(x, factor), theirs(x, factor), atol=2e-4, rtol=0)


@pytest.mark.parametrize(
    "ours", [adjust_brightness, adjust_contrast, adjust_saturation]
)
def test_one_factor_per_image_is_each_image_adjusted_alone(ours):
    x, factor = rand(4, 3, 6, 6), torch.tensor([0.0, 0.5, 1.0, 1.5])
    batched = ours(x, factor)
    for i in range(4):
        torch.testing.assert_close(batched[i], ours(x[i : i + 1], factor[i].item())[0])


def test_grayscale_is_bt601_and_torchvisions_to_1e4():
    x = rand(2, 3, 5, 5)
    r, g, b = x.unbind(1)
    want = (0.299 * r + 0.587 * g + 0.114 * b)[:, None].expand(-1, 3, -1, -1)
    torch.testing.assert_close(grayscale(x), want)
    theirs = TF.rgb_to_grayscale(x, num_output_channels=3)
    torch.testing.assert_close(grayscale(x), theirs, atol=2e-4, rtol=0)


def test_resized_crop_of_an_integer_box_shrunk_is_torchvisions():
    x = rand(2, 3, 20, 24)
    boxes = torch.tensor([[2.0, 3.0, 18.0, 19.0], [4.0, 0.0, 24.0, 20.0]])
    for box, image, out in zip(boxes, x, resized_crop(x, boxes, (8, 10))):
        left, top, right, bottom = box.int().tolist()
        theirs = TF.resized_crop(
            image, top, left, bottom - top, right - left, [8, 10], antialias=False
        )
        torch.testing.assert_close(out, theirs, atol=1e-5, rtol=0)


def test_resized_crop_of_any_box_is_roi_align_with_one_sample_per_bin():
    x = rand(4, 3, 20, 24).double()
    boxes = torch.tensor(
        [
            [0.3, 1.2, 13.7, 19.9],
            [0.0, 0.0, 24.0, 20.0],
            [5.5, 2.25, 7.0, 4.0],
            [1.0, 1.0, 23.0, 19.0],
        ],
        dtype=torch.float64,
    )
    ours = resized_crop(x, boxes, (10, 12))  # shrinks and enlarges
    theirs = roi_align(
        x,
        list(boxes[:, None]),
        (10, 12),
        spatial_scale=1.0,
        sampling_ratio=1,
        aligned=True,
    )
    torch.testing.assert_close(ours, theirs)


def test_resized_crop_of_the_whole_image_at_its_size_is_the_image():
    x = rand(2, 3, 12, 16)
    whole = torch.tensor([[0.0, 0.0, 16.0, 12.0]] * 2)
    torch.testing.assert_close(resized_crop(x, whole, (12, 16)), x)
    assert resized_crop(x[:0], whole[:0], 5).shape == (0, 3, 5, 5)


def test_random_resized_crop_boxes_fit_and_follow_scale_and_ratio():
    x = rand(256, 3, 32, 32)
    scale, ratio = (0.08, 1.0), (3 / 4, 4 / 3)
    crops, boxes = random_resized_crop(
        x, 16, scale=scale, ratio=ratio, generator=gen(), return_boxes=True
    )
    x1, y1, x2, y2 = boxes.unbind(-1)
    eps = 1e-4
    assert (x1 >= 0).all() and (y1 >= 0).all()
    assert (x2 <= 32 + eps).all() and (y2 <= 32 + eps).all()
    area, aspect = (x2 - x1) * (y2 - y1) / 32**2, (x2 - x1) / (y2 - y1)
    assert (area >= scale[0] - eps).all() and (area <= scale[1] + eps).all()
    assert (aspect >= ratio[0] - eps).all() and (aspect <= ratio[1] + eps).all()
    assert area.std() > 0.1 and math.log(aspect.max() / aspect.min()) > 0.4
    torch.testing.assert_close(crops, resized_crop(x, boxes, 16))


def test_random_resized_crop_falls_back_to_the_whole_image():
    x = rand(8, 3, 16, 16)
    crops, boxes = random_resized_crop(
        x, 16, scale=(0.9, 1.0), ratio=(4.0, 5.0), generator=gen(), return_boxes=True
    )
    assert torch.equal(boxes, torch.tensor([[0.0, 0.0, 16.0, 16.0]] * 8))
    torch.testing.assert_close(crops, x)


RANDOM = [
    lambda x, g: hflip(x, generator=g),
    lambda x, g: vflip(x, generator=g),
    lambda x, g: random_resized_crop(x, 8, generator=g),
    lambda x, g: color_jitter(x, generator=g),
    lambda x, g: random_grayscale(x, generator=g),
]


@pytest.mark.parametrize("transform", RANDOM)
def test_the_same_seed_gives_the_same_batch_and_another_seed_another(transform):
    x = rand(32, 3, 16, 16)
    same = transform(x, gen(1)), transform(x, gen(1))
    assert torch.equal(*same)
    assert not torch.equal(same[0], transform(x, gen(2)))


def test_color_jitter_brightness_scales_each_image_by_a_factor_in_range():
    x = 0.1 + 0.4 * rand(16, 3, 6, 6)  # 1.4 x 0.5 < 1: no clamping
    out = color_jitter(
        x, brightness=0.4, contrast=0.0, saturation=0.0, p=1.0, generator=gen()
    )
    factor = out / x
    per_image = factor.flatten(1)
    torch.testing.assert_close(per_image.min(1).values, per_image.max(1).values)
    assert (per_image >= 0.6 - 1e-5).all() and (per_image <= 1.4 + 1e-5).all()
    assert per_image[:, 0].std() > 0.1, "each image draws its own factor"


def test_color_jitter_with_p0_and_random_grayscale_with_p0_change_nothing():
    x = rand(8, 3, 6, 6)
    assert torch.equal(color_jitter(x, p=0.0, generator=gen()), x)
    assert torch.equal(random_grayscale(x, p=0.0, generator=gen()), x)


def test_random_grayscale_greys_each_image_or_leaves_it():
    x = rand(64, 3, 4, 4)
    assert torch.equal(random_grayscale(x, p=1.0, generator=gen()), grayscale(x))
    out = random_grayscale(x, p=0.5, generator=gen())
    grey = [torch.equal(o, g) for o, g in zip(out, grayscale(x))]
    kept = [torch.equal(o, i) for o, i in zip(out, x)]
    assert all(g or k for g, k in zip(grey, kept)) and 16 < sum(grey) < 48
