"""Attention masks (DINO's emerging segmentation) and the mask IoU that scores them."""

import pytest
import torch
from scratchvision.backbones import vit_tiny
from scratchvision.metrics import mask_iou
from scratchvision.selfsup.attention_masks import attention_mask, cls_attention


def test_mask_iou_known_values():
    a = torch.zeros(3, 4, 4, dtype=torch.bool)
    b = torch.zeros(3, 4, 4, dtype=torch.bool)
    a[0, :2], b[0, 1:3] = True, True  # 4 shared of 12: 1/3
    a[1], b[1] = True, True  # identical
    iou = mask_iou(a, b)  # image 2: both empty, nothing to miss
    torch.testing.assert_close(iou, torch.tensor([1 / 3, 1.0, 1.0]))
    assert mask_iou(a[:1], ~a[:1]).item() == 0.0


def test_attention_mask_keeps_the_smallest_set_holding_the_mass():
    attn = torch.tensor([[0.5, 0.3, 0.15, 0.05]])
    for mass, kept in ((0.4, 1), (0.6, 2), (0.8, 2), (0.81, 3), (1.0, 4)):
        mask = attention_mask(attn, (2, 2), (2, 2), mass=mass)
        assert mask.sum().item() == kept, (mass, mask)
    # patches are painted at pixel resolution, row-major
    big = attention_mask(attn, (2, 2), (8, 8), mass=0.6)
    assert big.shape == (1, 8, 8) and big[0, :4].all() and not big[0, 4:].any()


def test_attention_mask_is_batched_like_single_images_and_ignores_scale():
    g = torch.Generator().manual_seed(0)
    attn = torch.rand(5, 16, generator=g).softmax(-1)
    whole = attention_mask(attn, (4, 4), (16, 16))
    for i in range(5):
        assert torch.equal(
            whole[i], attention_mask(attn[i : i + 1], (4, 4), (16, 16))[0]
        )
    assert torch.equal(whole, attention_mask(3 * attn, (4, 4), (16, 16)))


def test_cls_attention_is_a_distribution_per_head():
    vit = vit_tiny(image_size=16, patch_size=4).eval()
    attn = cls_attention(vit, torch.rand(2, 3, 16, 16))
    assert attn.shape == (2, 4, 16)
    torch.testing.assert_close(attn.sum(-1), torch.ones(2, 4))


def test_bad_mask_arguments():
    with pytest.raises(ValueError, match="grid"):
        attention_mask(torch.rand(1, 15), (4, 4), (16, 16))
    with pytest.raises(ValueError, match="size"):
        attention_mask(torch.rand(1, 16), (4, 4), (15, 16))
    with pytest.raises(ValueError, match="pred"):
        mask_iou(torch.zeros(1, 2, 2), torch.zeros(1, 2, 2, dtype=torch.bool))
