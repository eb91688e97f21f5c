"""One way to look inside every backbone, and CAM / Grad-CAM written once on top of it.

Every backbone has ``features``, ``stage_maps``, ``feature_dim`` and a ``FeatureTap``
that ``record_features`` listens to; ``explain.grad_cam`` runs on all of them without
knowing which one it explains. Oracle for CAM: the head's own weights (Zhou et al.
2016, Eq. 2).
"""

import pytest
import torch
from scratchvision import backbones as bb
from scratchvision.blocks import record_attention, record_features
from scratchvision.explain import cam, grad_cam

# name -> (builder, image shape); every model of chapter 1, at its smallest
BACKBONES = {
    "LeNet": (bb.LeNet, (1, 32, 32)),
    "AlexNet": (bb.AlexNet, (3, 32, 32)),
    "VGG-small": (bb.vgg_small, (3, 32, 32)),
    "ResNet-20": (bb.resnet20, (3, 32, 32)),
    "plain-20": (bb.plain20, (3, 32, 32)),
    "ViT-tiny": (lambda: bb.vit_tiny(image_size=32, patch_size=4), (3, 32, 32)),
    "Swin": (bb.swin_micro, (3, 32, 32)),
}
GAP_LINEAR = ["VGG-small", "ResNet-20", "Swin"]  # global average pooling, then Linear


def build(name, batch=3, seed=0):
    builder, shape = BACKBONES[name]
    torch.manual_seed(seed)
    images = torch.randn(batch, *shape, generator=torch.Generator().manual_seed(seed))
    return builder().eval(), images


@pytest.mark.parametrize("name", BACKBONES)
def test_every_backbone_has_the_same_interface(name):
    model, images = build(name)
    fmap = model.features(images)
    maps = model.stage_maps(images)
    assert fmap.ndim == 4 and fmap.shape[:2] == (3, model.feature_dim)
    assert all(m.ndim == 4 and m.shape[0] == 3 for m in maps)
    sides = [m.shape[-1] for m in maps]
    assert sides == sorted(sides, reverse=True)  # finest first
    with record_features(model) as recorded:
        logits = model(images)
    assert [tuple(m.shape) for m in recorded] == [tuple(fmap.shape)]
    torch.testing.assert_close(recorded[0], fmap)
    (grad,) = torch.autograd.grad(logits[:, 0].sum(), recorded[0])
    assert grad.abs().sum() > 0  # the CAM map lies on the path to the logits


@pytest.mark.parametrize("name", ["ViT-tiny", "Swin"])
def test_record_attention_gives_rows_of_probabilities_for_every_attention(name):
    model, images = build(name, batch=2)
    with record_attention(model) as probs:
        model(images)
    assert probs and all(p.ndim == 4 for p in probs)  # (B or B*nW, h, Q, N)
    for p in probs:
        torch.testing.assert_close(p.sum(-1), torch.ones(p.shape[:-1]))


@pytest.mark.parametrize("name", BACKBONES)
def test_grad_cam_runs_on_every_backbone(name):
    model, images = build(name)
    heat = grad_cam(model, images, 3)
    assert heat.shape == (3, *model.features(images).shape[-2:])
    assert torch.isfinite(heat).all() and (heat >= 0).all()
    flat = heat.flatten(1)
    assert (flat.amax(1) > flat.amin(1)).all(), "a map that is constant says nothing"
    # a tensor target, one class per image, gives each image its own map
    per_image = grad_cam(model, images, torch.tensor([3, 3, 3]))
    torch.testing.assert_close(per_image, heat)


@pytest.mark.parametrize("name", BACKBONES)
def test_grad_cam_batched_equals_per_sample(name):
    model, images = build(name)
    target = torch.tensor([0, 4, 9])
    batched = grad_cam(model, images, target)
    single = torch.cat(
        [grad_cam(model, images[i : i + 1], int(target[i])) for i in range(3)]
    )
    torch.testing.assert_close(batched, single, rtol=1e-4, atol=1e-9)


def head_weights(model):
    return (
        model.head.weight
        if isinstance(model.head, torch.nn.Linear)
        else model.head[-1].weight
    )


@pytest.mark.parametrize("name", GAP_LINEAR)
def test_cam_is_the_head_weights_on_the_map(name):
    model, images = build(name)
    fmap = model.features(images).detach()  # (B, C, h, w)
    expected = torch.einsum("c,bchw->bhw", head_weights(model)[5].detach(), fmap)
    torch.testing.assert_close(cam(model, images, 5), expected, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("name", GAP_LINEAR)
def test_grad_cam_equals_cam_up_to_a_positive_scale(name):
    """Selvaraju et al. 2017, Sec. 3.1: for a GAP-linear head, a^c = w^c / (h w)."""
    model, images = build(name)
    heat, activation = grad_cam(model, images, 2), cam(model, images, 2)
    h, w = heat.shape[-2:]
    torch.testing.assert_close(
        heat * h * w, activation.clamp(min=0), rtol=1e-4, atol=1e-7
    )


@pytest.mark.parametrize("name", ["LeNet", "AlexNet", "ViT-tiny"])
def test_cam_refuses_heads_that_are_not_gap_linear(name):
    model, images = build(name)
    with pytest.raises(
        ValueError, match="cam: model must end in global average pooling"
    ):
        cam(model, images, 0)


def test_explain_needs_no_gradients_on_the_model_or_the_images():
    model, images = build("ResNet-20")
    model.requires_grad_(False)
    with torch.no_grad():
        heat = grad_cam(model, images, 1)
    assert heat.shape == (3, 8, 8) and not images.requires_grad
