"""Modules shared by more than one model, each written once.

- ``attention``: :class:`MultiHeadAttention` (ViT, Swin; later MAE, DINO, DETR, SAM);
  the maths of one head is the pure ``scratchvision.ops.attention.attention``.
- ``record``: the inspection doors, :func:`record_attention` and
  :func:`record_features`, and the :class:`FeatureTap` every backbone sends its CAM
  map through.
- ``transformer``: :class:`PatchEmbed`, :class:`MLP`, the pre-norm :class:`Block`.
- ``position``: :func:`sincos_2d`, :func:`interpolate_pos_embed` (pure functions of a
  patch grid).
- ``conv``: :func:`conv3x3_stage`, ``conv_bn``, ``ACTIVATIONS``.
- ``residual``: :class:`ResidualBlock`, :class:`BasicBlock`, :class:`Bottleneck`,
  :class:`PadShortcut`.
- ``tokenizers``: :class:`ConvStem`, :class:`ShiftedPatchTokenizer` (ViT tokens for
  small data).
- ``unet``: :class:`UNet` (restoration in chapter 5, segmentation in chapter 4).

Placement rule: a module used by two models lives here; a model file imports blocks
and ops, never another model file.
"""

from scratchvision.blocks.attention import MultiHeadAttention
from scratchvision.blocks.conv import ACTIVATIONS, conv3x3_stage
from scratchvision.blocks.position import interpolate_pos_embed, sincos_2d
from scratchvision.blocks.record import FeatureTap, record_attention, record_features
from scratchvision.blocks.residual import (
    BasicBlock,
    Bottleneck,
    PadShortcut,
    ResidualBlock,
)
from scratchvision.blocks.tokenizers import ConvStem, ShiftedPatchTokenizer
from scratchvision.blocks.transformer import MLP, Block, PatchEmbed
from scratchvision.blocks.unet import UNet

__all__ = [
    "ACTIVATIONS",
    "BasicBlock",
    "Block",
    "Bottleneck",
    "ConvStem",
    "FeatureTap",
    "MLP",
    "MultiHeadAttention",
    "PadShortcut",
    "PatchEmbed",
    "ResidualBlock",
    "ShiftedPatchTokenizer",
    "UNet",
    "conv3x3_stage",
    "interpolate_pos_embed",
    "record_attention",
    "record_features",
    "sincos_2d",
]
