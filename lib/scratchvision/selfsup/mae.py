"""Masked autoencoders: hide 75 % of the patches, reconstruct them (He et al. 2022).

The methods map onto the paper's Fig. 1: ``forward_encoder`` embeds the patches, masks
most of them (:func:`random_masking`) and runs the encoder on the *visible* quarter
only, which is what makes pre-training cheap; ``forward_decoder`` appends a shared,
learned mask token for every hidden patch, unshuffles, adds the decoder's own position
embeddings and predicts every patch's pixels with a small Transformer; :func:`mae_loss`
scores the masked patches only (Sec. 3, *Reconstruction target*).

The encoder is the course's ViT, used through its public seams ``embed`` and
``encode_tokens`` (``scratchvision.backbones.vit``), never through its internals; after
pre-training, ``mae.encoder`` is an ordinary ViT classifier to fine-tune or probe.

Taught in ``notebooks/02_self_supervised/01_mae.ipynb``.
"""

from __future__ import annotations

import torch
from einops import repeat
from torch import nn

from scratchvision.blocks import Block, sincos_2d
from scratchvision.ops import patchify, unpatchify
from scratchvision.selfsup.masking import random_masking
from scratchvision.validate import Checker


def mae_loss(
    pred: torch.Tensor, target: torch.Tensor, mask: torch.Tensor, *, norm_pix=True
) -> torch.Tensor:
    """Mean squared error on the masked patches only (He et al. 2022, Sec. 3).

    Args:
        pred (Tensor[B, N, P*P*C]): the decoder's pixels for every patch.
        target (Tensor[B, N, P*P*C]): the true patches, ``patchify(images, P)``.
        mask (Tensor[B, N]): 1 where a patch was masked; visible patches do not count.
        norm_pix: normalise each target patch by its own mean and standard deviation
            (the paper's better variant, Table 1c): the loss then asks for structure,
            not for the patch's average colour.

    Returns:
        Tensor[]: the mean over masked patches of the per-patch mean squared error.
    """
    _check_mae_loss(pred, target, mask, norm_pix)
    if norm_pix:
        mean = target.mean(dim=-1, keepdim=True)  # (B, N, 1)
        var = target.var(dim=-1, keepdim=True)  # (B, N, 1)
        target = (target - mean) / (var + 1e-6).sqrt()
    per_patch = ((pred - target) ** 2).mean(dim=-1)  # (B, N)
    return (per_patch * mask).sum() / mask.sum()


class MAE(nn.Module):
    """ViT encoder on visible patches, light Transformer decoder (He et al. 2022).

    Args:
        encoder: the course's :class:`~scratchvision.backbones.ViT` (or any module
            with its ``embed`` / ``encode_tokens`` seams, ``patch_size``, ``grid``,
            ``image_size``, ``in_channels`` and ``feature_dim``).
        decoder_dim, decoder_depth, decoder_heads: the decoder's width, blocks and
            heads; the paper's decoder is narrow and shallow (Table 1a-b).
        mask_ratio: fraction of patches hidden during pre-training (the paper: 0.75).
        norm_pix: normalised-pixel targets (see :func:`mae_loss`).
    """

    def __init__(
        self,
        encoder: nn.Module,
        *,
        decoder_dim: int = 64,
        decoder_depth: int = 2,
        decoder_heads: int = 4,
        mask_ratio: float = 0.75,
        norm_pix: bool = True,
    ) -> None:
        super().__init__()
        _check_mae_args(encoder, decoder_dim, decoder_depth, decoder_heads, norm_pix)
        self.encoder, self.mask_ratio, self.norm_pix = encoder, mask_ratio, norm_pix
        self.patch_size, grid = encoder.patch_size, encoder.grid
        self.decoder_embed = nn.Linear(encoder.feature_dim, decoder_dim)
        self.mask_token = nn.Parameter(0.02 * torch.randn(1, 1, decoder_dim))
        fixed = torch.cat([torch.zeros(1, decoder_dim), sincos_2d(*grid, decoder_dim)])
        self.register_buffer("decoder_pos", fixed[None])  # (1, 1+N, Dd), CLS at 0
        self.decoder_blocks = nn.ModuleList(
            Block(decoder_dim, heads=decoder_heads) for _ in range(decoder_depth)
        )
        self.decoder_norm = nn.LayerNorm(decoder_dim)
        out = self.patch_size**2 * encoder.in_channels
        self.decoder_pred = nn.Linear(decoder_dim, out)

    def forward_encoder(
        self, images: torch.Tensor, mask_ratio: float, generator=None
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Mask, embed the visible patches, encode them: (latent, mask, ids_restore).

        The mask is drawn over the patches; the encoder gets the image with the
        masked pixels set to zero and keeps the visible tokens only (``embed``'s
        ``keep``). For the paper's linear patch embedding the zeros change nothing; a
        tokenizer that looks across patch borders (a convolutional stem) could
        otherwise see hidden pixels.

        Returns:
            latent (Tensor[B, 1+K, D]), mask (Tensor[B, N]), ids_restore
            (LongTensor[B, N]).
        """
        patches = patchify(images, self.patch_size)  # (B, N, P*P*C)
        visible, mask, ids_restore = random_masking(
            patches, mask_ratio, generator=generator
        )  # (B, K, P*P*C), (B, N), (B, N)
        keep = ids_restore.argsort(dim=1)[:, : visible.shape[1]]  # (B, K), shuffled
        hidden = _unpatchify_like(
            patches * (1 - mask[..., None]), images, self.patch_size
        )
        tokens = self.encoder.embed(hidden, keep=keep)  # (B, 1+K, D), positions added
        latent = self.encoder.encode_tokens(tokens)  # (B, 1+K, D)
        return latent, mask, ids_restore  # (B, 1+K, D)

    def forward_decoder(
        self, latent: torch.Tensor, ids_restore: torch.Tensor
    ) -> torch.Tensor:
        """Mask tokens in the gaps, unshuffle, decode: pixels Tensor[B, N, P*P*C]."""
        x = self.decoder_embed(latent)  # (B, 1+K, Dd)
        batch, n = ids_restore.shape
        gaps = self.mask_token.expand(batch, n - (x.shape[1] - 1), -1)  # (B, N-K, Dd)
        shuffled = torch.cat([x[:, 1:], gaps], dim=1)  # (B, N, Dd), shuffled order
        index = repeat(ids_restore, "b n -> b n d", d=x.shape[-1])
        x = torch.cat([x[:, :1], shuffled.gather(1, index)], dim=1)  # (B, 1+N, Dd)
        x = x + self.decoder_pos
        for block in self.decoder_blocks:
            x = block(x)  # (B, 1+N, Dd)
        return self.decoder_pred(self.decoder_norm(x))[:, 1:]  # (B, N, P*P*C)

    def forward(
        self,
        images: torch.Tensor,
        *,
        mask_ratio: float | None = None,
        generator: torch.Generator | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """images (Tensor[B, C, H, W]) -> (loss, pred Tensor[B, N, P*P*C], mask).

        ``mask_ratio`` overrides the pre-training ratio (e.g. to show reconstructions
        at several ratios); ``mask`` is Tensor[B, N], 1 = masked.
        """
        _check_mae_images(self, images)
        ratio = self.mask_ratio if mask_ratio is None else mask_ratio
        latent, mask, ids_restore = self.forward_encoder(images, ratio, generator)
        pred = self.forward_decoder(latent, ids_restore)  # (B, N, P*P*C)
        target = patchify(images, self.patch_size)  # (B, N, P*P*C)
        return mae_loss(pred, target, mask, norm_pix=self.norm_pix), pred, mask

    @torch.no_grad()
    def reconstruct(
        self, images: torch.Tensor, pred: torch.Tensor, mask: torch.Tensor
    ) -> torch.Tensor:
        """The picture of Fig. 2: visible patches as they were, masked ones predicted.

        With ``norm_pix`` the prediction is in normalised units; each predicted patch
        is shown with the true patch's mean and standard deviation (as the paper's
        figures do), so only its structure is the network's.
        """
        target = patchify(images, self.patch_size)  # (B, N, P*P*C)
        if self.norm_pix:
            mean = target.mean(dim=-1, keepdim=True)
            std = (target.var(dim=-1, keepdim=True) + 1e-6).sqrt()
            pred = pred * std + mean
        mixed = torch.where(mask[..., None].bool(), pred, target)  # (B, N, P*P*C)
        return _unpatchify_like(mixed, images, self.patch_size).clamp(0, 1)


def _unpatchify_like(tokens, images, patch_size) -> torch.Tensor:
    _, c, h, w = images.shape
    return unpatchify(tokens, patch_size, h, w, c)  # (B, C, H, W)


def _check_mae_args(encoder, decoder_dim, decoder_depth, decoder_heads, norm_pix):
    check = Checker("MAE")
    seams = ("embed", "encode_tokens", "patch_size", "grid", "feature_dim")
    check.that(
        isinstance(encoder, nn.Module) and all(hasattr(encoder, s) for s in seams),
        f"encoder must be a ViT (an nn.Module with {', '.join(seams)}), got "
        f"{type(encoder).__name__}",
    )
    check.ints(min_value=1, decoder_depth=decoder_depth, decoder_heads=decoder_heads)
    check.int("decoder_dim", decoder_dim, min_value=4)
    check.that(
        decoder_dim % 4 == 0 and decoder_dim % decoder_heads == 0,
        f"decoder_dim must be divisible by 4 (sin-cos positions) and by decoder_heads"
        f"={decoder_heads}, got {decoder_dim}",
    )
    check.bool("norm_pix", norm_pix)


def _check_mae_images(mae, images) -> None:
    check = Checker("MAE.forward")
    check.tensor("images", images, ndim=4, dims="(B, C, H, W)", finite=True)
    check.that(
        tuple(images.shape[-3:]) == (mae.encoder.in_channels, *mae.encoder.image_size),
        f"images must be (B, {mae.encoder.in_channels}, {mae.encoder.image_size[0]}, "
        f"{mae.encoder.image_size[1]}) (the decoder's positions fix the grid), got "
        f"{tuple(images.shape)}",
    )


def _check_mae_loss(pred, target, mask, norm_pix) -> None:
    check = Checker("mae_loss")
    check.tensor("pred", pred, ndim=3, dims="(B, N, P*P*C)", finite=True)
    check.tensor("target", target, ndim=3, dims="(B, N, P*P*C)", finite=True)
    check.tensor("mask", mask, ndim=2, dims="(B, N)", finite=True)
    check.that(
        pred.shape == target.shape,
        f"pred and target must have the same shape, got {tuple(pred.shape)} and "
        f"{tuple(target.shape)}",
    )
    check.that(
        tuple(mask.shape) == tuple(pred.shape[:2]) and bool(mask.sum() > 0),
        f"mask must be (B, N) = {tuple(pred.shape[:2])} with at least one masked "
        f"patch, got shape {tuple(mask.shape)} with {int(mask.sum())} masked",
    )
    check.bool("norm_pix", norm_pix)
