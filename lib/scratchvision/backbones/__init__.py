"""Chapter 1 backbones: CNNs from LeNet to ResNet; ViT and Swin in ``vit``, ``swin``.

Every model maps images Tensor[B, C, H, W] to logits Tensor[B, num_classes] and is
inspected the same way: ``model.features(images)`` returns the last spatial feature map
Tensor[B, C', h, w], and ``model.cam_layer`` is the module whose output is the CAM /
Grad-CAM target (for the CNNs that output is ``features(images)`` itself; ViT and Swin
output tokens, which their ``tokens_to_map`` lays out as a map).
"""

from scratchvision.backbones.alexnet import AlexNet
from scratchvision.backbones.cost import attention_cost_curve
from scratchvision.backbones.lenet import ACTIVATIONS, LeNet
from scratchvision.backbones.resnet import (
    BasicBlock,
    Bottleneck,
    PadShortcut,
    ResidualBlock,
    ResNet,
    plain20,
    resnet8,
    resnet20,
    resnet29_bottleneck,
    resnet_cifar,
)
from scratchvision.backbones.swin import (
    PatchMerging,
    Swin,
    SwinBlock,
    WindowAttention,
    msa_flops,
    relative_position_index,
    swin_micro,
    swin_tiny,
    wmsa_flops,
)
from scratchvision.backbones.vgg import VGG, conv3x3_stage, vgg11_small, vgg_small
from scratchvision.backbones.vit import (
    MLP,
    Block,
    PatchEmbed,
    ViT,
    mean_attention_distance,
    sincos_2d,
    vit_small,
    vit_tiny,
)

__all__ = [
    "ACTIVATIONS",
    "AlexNet",
    "BasicBlock",
    "Bottleneck",
    "LeNet",
    "PadShortcut",
    "ResNet",
    "ResidualBlock",
    "VGG",
    "conv3x3_stage",
    "plain20",
    "resnet8",
    "resnet20",
    "resnet29_bottleneck",
    "resnet_cifar",
    "vgg11_small",
    "vgg_small",
    "MLP",
    "Block",
    "PatchEmbed",
    "ViT",
    "mean_attention_distance",
    "sincos_2d",
    "vit_small",
    "vit_tiny",
    "PatchMerging",
    "Swin",
    "SwinBlock",
    "WindowAttention",
    "msa_flops",
    "relative_position_index",
    "swin_micro",
    "swin_tiny",
    "wmsa_flops",
    "attention_cost_curve",
]
