"""Chapter 1 backbones: from LeNet to ResNet (CNNs here; ViT and Swin in ``vit`` / ``swin``).

Every model maps images Tensor[B, C, H, W] to logits Tensor[B, num_classes] and is inspected
the same way: ``model.features(images)`` returns the last spatial feature map
Tensor[B, C', h, w], and ``model.cam_layer`` names the module whose output is the CAM /
Grad-CAM target, ``model.get_submodule(model.cam_layer)``.
"""
from scratchvision.backbones.alexnet import AlexNet
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
from scratchvision.backbones.vgg import VGG, conv3x3_stage, vgg11_small, vgg_small

__all__ = [
    "ACTIVATIONS", "AlexNet", "BasicBlock", "Bottleneck", "LeNet", "PadShortcut", "ResNet",
    "ResidualBlock", "VGG", "conv3x3_stage", "plain20", "resnet8", "resnet20",
    "resnet29_bottleneck", "resnet_cifar", "vgg11_small", "vgg_small",
]
