"""Class activation maps: where in the image a classifier found its class.

Both maps weight the channels of a model's last feature map F (Tensor[B, C, h, w]) and
sum them, ``M_c = sum_k a_k^c F_k``; they differ in where the weights come from.

- CAM (Zhou et al. 2016, Eq. 1-2): for a head that is global average pooling then one
  linear layer, ``S_c = sum_k w_k^c mean_xy F_k(x, y)``, so the class score *is* the
  mean of ``M_c = sum_k w_k^c F_k``. The weights ``w^c`` are read off as the gradient
  of ``S_c`` summed over the map (``dS_c / dF_k(x, y) = w_k^c / hw`` at every
  position), so CAM needs no knowledge of the head's layout.
- Grad-CAM (Selvaraju et al. 2017, Eq. 1-2): for any head, ``a_k^c`` is the mean over
  the map of ``dS_c / dF_k``, and a ReLU keeps what speaks *for* the class. For a
  GAP-linear head ``a^c = w^c / hw``: Grad-CAM is CAM, rectified and scaled (Sec. 3.1).

The map F is the one every backbone sends through its ``cam_layer`` during an ordinary
forward pass; :func:`scratchvision.blocks.record_features` catches it, so nothing here
asks which model it explains. Run the model in eval mode (BatchNorm and dropout then
treat every image alone). Maps come at the feature resolution (h, w); upsample them to
overlay an image.

Used from chapter 3 on; every chapter-1 backbone supports both.
"""

from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

from scratchvision.blocks import FeatureTap, record_features
from scratchvision.validate import Checker


def grad_cam(
    model: nn.Module, images: torch.Tensor, target: int | torch.Tensor
) -> torch.Tensor:
    """Grad-CAM: ReLU of the gradient-weighted channels (Selvaraju et al. 2017, Eq. 2).

    Args:
        model: a classifier with a ``FeatureTap`` on its forward path (every backbone).
        images (Tensor[B, C, H, W]): the inputs, as ``model`` takes them.
        target: the class to explain, an int for every image or LongTensor[B].

    Returns:
        Tensor[B, h, w], >= 0, at the resolution of ``model.features(images)``.
    """
    fmap, grads = _map_and_gradient("grad_cam", model, images, target)  # (B, C, h, w)
    alpha = grads.mean(dim=(2, 3), keepdim=True)  # (B, C, 1, 1): Eq. 1
    return F.relu((alpha * fmap).sum(dim=1))  # (B, h, w): Eq. 2


def cam(
    model: nn.Module, images: torch.Tensor, target: int | torch.Tensor
) -> torch.Tensor:
    """CAM: the class weights of a GAP-linear head on the last map (Zhou et al. 2016).

    Args:
        model: a classifier whose head is global average pooling then one linear
            layer (ResNet, VGG, Swin), with a ``FeatureTap`` on its forward path.
        images (Tensor[B, C, H, W]): the inputs, as ``model`` takes them.
        target: the class to explain, an int for every image or LongTensor[B].

    Returns:
        Tensor[B, h, w], signed; its mean over the map is the class logit minus the
        head's bias.

    Raises:
        ValueError: if the gradient varies over the map, i.e. the head is not GAP-linear
            (LeNet, AlexNet, ViT's CLS head): use :func:`grad_cam` there.
    """
    fmap, grads = _map_and_gradient("cam", model, images, target)  # (B, C, h, w)
    _check_gap_linear(grads)
    weights = grads.sum(dim=(2, 3), keepdim=True)  # (B, C, 1, 1): w^c, Eq. 1
    return (weights * fmap).sum(dim=1)  # (B, h, w): M_c, Eq. 2


def _map_and_gradient(fn, model, images, target):
    """The recorded map F and dS_target / dF, both Tensor[B, C, h, w]."""
    _check_explain_args(fn, model, images)
    images = images.detach().requires_grad_(True)  # a graph even for frozen weights
    with torch.enable_grad():  # ... and inside a caller's torch.no_grad()
        with record_features(model) as maps:
            logits = model(images)  # (B, K)
        target = _check_target(fn, target, logits)  # (B,)
        # images are independent (eval mode): one backward gives each its gradient
        score = logits.gather(1, target[:, None]).sum()
        (grads,) = torch.autograd.grad(score, maps[-1])  # (B, C, h, w)
    return maps[-1].detach(), grads


def _check_explain_args(fn, model, images) -> None:
    check = Checker(fn)
    check.that(
        isinstance(model, nn.Module)
        and any(isinstance(m, FeatureTap) for m in model.modules()),
        f"model must be a torch.nn.Module with a FeatureTap (cam_layer) on its "
        f"forward path, got {type(model).__name__}",
    )
    check.tensor(
        "images", images, ndim=4, dims="(B, C, H, W)", floating=True, nonempty=True
    )


def _check_target(fn, target, logits) -> torch.Tensor:
    """An int or one int per image, each a class of the logits; return LongTensor[B]."""
    check = Checker(fn)
    batch, classes = logits.shape
    if isinstance(target, int) and not isinstance(target, bool):
        target = torch.full((batch,), target, dtype=torch.long, device=logits.device)
    check.tensor("target", target, ndim=1, dims="(B,)", dtype=torch.long)
    check.that(
        target.shape[0] == batch and 0 <= target.min() <= target.max() < classes,
        f"target must hold {batch} class indices in [0, {classes}), got "
        f"{target.tolist() if target.numel() <= 8 else tuple(target.shape)}",
    )
    return target.to(logits.device)


def _check_gap_linear(grads) -> None:
    """A GAP-linear head gives the same gradient at every position of the map."""
    mean = grads.mean(dim=(2, 3), keepdim=True)  # (B, C, 1, 1)
    Checker("cam").that(
        torch.allclose(grads, mean.expand_as(grads), rtol=1e-3, atol=1e-6),
        "model must end in global average pooling and one linear layer (the gradient "
        "of the score varies over the map); use grad_cam for other heads",
    )
