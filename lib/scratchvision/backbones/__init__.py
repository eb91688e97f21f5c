"""Chapter 1 backbones: CNNs from LeNet to ResNet, and the ViT and Swin transformers.

Every model maps images Tensor[B, C, H, W] to logits Tensor[B, num_classes], and every
model is looked inside the same way, whatever its kind:

- ``model.features(images)`` -> Tensor[B, C, h, w]: the map CAM and Grad-CAM explain,
  on the autograd graph (for ViT, the patch tokens entering its last block);
- ``model.stage_maps(images)`` -> [Tensor[B, C_i, h_i, w_i], ...]: one map per
  resolution, finest first (for FCN, U-Net decoders, FPN, Mask R-CNN); the CNNs' and
  Swin's last map is ``features(images)``, a plain ViT has one level;
- ``model.feature_dim``: C of ``features``;
- ``model.cam_layer``: the ``FeatureTap`` the map passes during ``model(images)``.

Two doors, from ``scratchvision.blocks``, each a ``with`` block around an ordinary
forward pass::

    from scratchvision.blocks import record_attention, record_features

    with record_features(model) as maps:      # every backbone
        logits = model(images)
    grads = torch.autograd.grad(logits[:, k].sum(), maps[-1])  # Grad-CAM's gradients
    with record_attention(model) as probs:    # ViT and Swin: Tensor[B, h, Q, N] each
        model(images)

``scratchvision.explain`` (``cam``, ``grad_cam``) is written once on top of
``record_features`` and never asks which model it explains. Building blocks shared by
several models (attention, transformer and residual blocks, conv stages, U-Net) are in
``scratchvision.blocks``; each file here is one model, and no model imports another.
"""

from scratchvision.backbones.alexnet import AlexNet
from scratchvision.backbones.attention_distance import mean_attention_distance
from scratchvision.backbones.cost import attention_cost_curve
from scratchvision.backbones.lenet import LeNet
from scratchvision.backbones.resnet import (
    ResNet,
    plain20,
    resnet8,
    resnet20,
    resnet29_bottleneck,
    resnet_cifar,
)
from scratchvision.backbones.swin import (
    Swin,
    SwinBlock,
    msa_flops,
    relative_position_index,
    swin_micro,
    swin_tiny,
    wmsa_flops,
)
from scratchvision.backbones.vgg import VGG, vgg11_small, vgg_small
from scratchvision.backbones.vit import ViT, vit_small, vit_tiny

__all__ = [
    "AlexNet",
    "LeNet",
    "ResNet",
    "Swin",
    "SwinBlock",
    "VGG",
    "ViT",
    "attention_cost_curve",
    "mean_attention_distance",
    "msa_flops",
    "plain20",
    "relative_position_index",
    "resnet8",
    "resnet20",
    "resnet29_bottleneck",
    "resnet_cifar",
    "swin_micro",
    "swin_tiny",
    "vgg11_small",
    "vgg_small",
    "vit_small",
    "vit_tiny",
    "wmsa_flops",
]
