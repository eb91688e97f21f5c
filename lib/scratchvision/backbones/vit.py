"""Vision Transformer: an image is a sequence of 16x16 words (Dosovitskiy et al. 2021).

Built bottom-up from ``scratchvision.blocks``: ``PatchEmbed`` (Eq. 1, patches →
tokens) → ``Block`` (pre-norm encoder layer, Eq. 2-3) → ``ViT`` (CLS token, position
embeddings, blocks, head on the CLS token, Eq. 4). The encoder has seams that map onto
the paper, and that MAE, DINO and SAM build on:

- ``embed(images, keep=None)``: patch tokens plus positions, CLS first (Eq. 1). Any
  image size divisible by P works (the learned positions are interpolated,
  :func:`~scratchvision.blocks.interpolate_pos_embed`); ``keep`` picks a subset of the
  patches (MAE's visible ones).
- ``encode_tokens(tokens)``: the blocks and the final LayerNorm, on any number of
  tokens.
- ``encode(images)``: the two together on a full grid of patches.

Inspection, the same in every backbone (see ``scratchvision.backbones``):
``record_attention(model)`` gives one Tensor[B, h, 1+N, 1+N] per block (token 0 is
CLS); ``features(images)`` is the CAM map, the patch tokens *entering the last block*
laid out as Tensor[B, D, H/P, W/P] (after the last block only the CLS token reaches the
head, so a later map would give Grad-CAM zero gradients on every patch);
``stage_maps(images)`` is the one level a plain ViT has, its final patch tokens as a
map; ``pos_embedding`` is Tensor[1, 1+N, D], for the position-similarity figure
(Fig. 7).

Taught in ``notebooks/01_cnn_vit/`` (ViT lesson).
"""

from __future__ import annotations

import torch
import torch.nn as nn
from einops import rearrange, repeat

from scratchvision.backbones._checks import check_images
from scratchvision.blocks import (
    Block,
    FeatureTap,
    interpolate_pos_embed,
    record_features,
    sincos_2d,
)
from scratchvision.blocks.tokenizers import TOKENIZERS
from scratchvision.validate import Checker


class ViT(nn.Module):
    """Vision Transformer classifier (Dosovitskiy et al. 2021, Eq. 1-4).

    Args:
        image_size: side of the square training input (or an (H, W) pair), divisible
            by ``patch_size``; it fixes the grid of the position embeddings.
        patch_size: side P of a patch.
        in_channels, num_classes: input channels and output classes.
        dim, depth, heads, mlp_ratio, dropout: width D, number of blocks, heads per
            block, MLP hidden width / D, dropout.
        pos_embed: ``'learned'`` (the paper) or ``'sincos'`` (fixed, :func:`sincos_2d`).
        pool: classify from the ``'cls'`` token (the paper) or the ``'mean'`` patch
            token. The CLS token is there either way, so attention maps always have
            1 + N tokens.
        tokenizer: ``'patch'`` (the paper's linear patch embedding), ``'conv'``
            (:class:`ConvStem`, Xiao et al. 2021) or ``'shifted'``
            (:class:`ShiftedPatchTokenizer`, Lee et al. 2021).
        locality: locality self-attention in every block (Lee et al. 2021).
    """

    def __init__(
        self,
        *,
        image_size: int | tuple[int, int] = 64,
        patch_size: int = 8,
        in_channels: int = 3,
        num_classes: int = 10,
        dim: int = 128,
        depth: int = 6,
        heads: int = 4,
        mlp_ratio: float = 2.0,
        dropout: float = 0.0,
        pos_embed: str = "learned",
        pool: str = "cls",
        tokenizer: str = "patch",
        locality: bool = False,
    ) -> None:
        super().__init__()
        self.grid = _check_vit_args(
            image_size, patch_size, in_channels, num_classes, dim, depth, heads,
            mlp_ratio, dropout, pos_embed, pool,
        )  # fmt: skip
        self.image_size = (self.grid[0] * patch_size, self.grid[1] * patch_size)
        self.patch_size, self.in_channels = patch_size, in_channels
        self.pool, self.feature_dim, n = pool, dim, self.grid[0] * self.grid[1]
        Checker("ViT").choice("tokenizer", tokenizer, tuple(TOKENIZERS))
        self.patch_embed = TOKENIZERS[tokenizer](
            patch_size=patch_size, in_channels=in_channels, dim=dim
        )
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        if pos_embed == "learned":
            self.pos_embedding = nn.Parameter(0.02 * torch.randn(1, 1 + n, dim))
        else:  # the CLS token gets position 0 (MAE): it has no place in the grid
            fixed = torch.cat([torch.zeros(1, dim), sincos_2d(*self.grid, dim)])
            self.register_buffer("pos_embedding", fixed[None])  # (1, 1+N, D)
        self.dropout = nn.Dropout(dropout)
        self.blocks = nn.ModuleList(
            Block(
                dim,
                heads=heads,
                mlp_ratio=mlp_ratio,
                dropout=dropout,
                locality=locality,
            )  # fmt: skip
            for _ in range(depth)
        )
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, num_classes)
        self.cam_layer = FeatureTap()

    def embed(
        self, images: torch.Tensor, *, keep: torch.Tensor | None = None
    ) -> torch.Tensor:
        """Patch tokens plus their positions, the CLS token first (Eq. 1).

        Args:
            images (Tensor[B, C, H, W]): H and W divisible by P; a size other than
                ``image_size`` interpolates the position embeddings.
            keep (LongTensor[B, K]): optional indices of the patches to keep
                (row-major), e.g. MAE's visible patches.

        Returns:
            Tensor[B, 1+N, D], or Tensor[B, 1+K, D] with ``keep``.
        """
        grid = self._check_embed_args(images, keep)
        pos = self.pos_embedding[0]  # (1+N_0, D): CLS, then the training grid
        x = self.patch_embed(images)  # (B, N, D)
        x = x + interpolate_pos_embed(pos[1:], self.grid, grid)  # (B, N, D)
        if keep is not None:
            x = x.gather(1, repeat(keep, "b k -> b k d", d=x.shape[-1]))  # (B, K, D)
        cls = repeat(self.cls_token[0] + pos[:1], "1 d -> b 1 d", b=x.shape[0])
        return self.dropout(torch.cat([cls, x], dim=1))  # (B, 1+N, D)

    def encode_tokens(
        self, tokens: torch.Tensor, *, grid: tuple[int, int] | None = None
    ) -> torch.Tensor:
        """The encoder blocks and the final LayerNorm (Eq. 2-4), for any N tokens.

        Args:
            tokens (Tensor[B, 1+N, D]): CLS first, as ``embed`` returns them.
            grid: (h, w) when the N patch tokens are a whole image's patches in order;
                then, before the last block, they pass ``cam_layer`` as a map
                Tensor[B, D, h, w] (``record_features``, Grad-CAM).

        Returns:
            Tensor[B, 1+N, D].
        """
        self._check_tokens(tokens, grid)
        for block in self.blocks[:-1]:
            tokens = block(tokens)  # (B, 1+N, D)
        if grid is not None:
            patches = self.cam_layer(_as_map(tokens, grid))  # (B, D, h, w)
            tokens = torch.cat([tokens[:, :1], _as_tokens(patches)], dim=1)
        return self.norm(self.blocks[-1](tokens))  # (B, 1+N, D)

    def encode(self, images: torch.Tensor) -> torch.Tensor:
        """images (Tensor[B, C, H, W]) -> final tokens Tensor[B, 1+N, D], CLS first."""
        tokens = self.embed(images)  # (B, 1+N, D)
        return self.encode_tokens(tokens, grid=self._grid_of(images))

    def features(self, images: torch.Tensor) -> torch.Tensor:
        """The CAM map: patch tokens entering the last block, Tensor[B, D, H/P, W/P]."""
        with record_features(self) as maps:
            self.encode(images)
        return maps[-1]  # (B, D, h, w)

    def stage_maps(self, images: torch.Tensor) -> list[torch.Tensor]:
        """The final patch tokens as a map, [Tensor[B, D, H/P, W/P]]: one resolution."""
        tokens = self.encode(images)  # (B, 1+N, D)
        return [_as_map(tokens, self._grid_of(images))]

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """images (Tensor[B, C, H, W]) -> logits Tensor[B, num_classes]."""
        x = self.encode(images)  # (B, 1+N, D)
        x = x[:, 0] if self.pool == "cls" else x[:, 1:].mean(dim=1)  # (B, D)
        return self.head(x)  # (B, num_classes)

    def _grid_of(self, images: torch.Tensor) -> tuple[int, int]:
        return images.shape[-2] // self.patch_size, images.shape[-1] // self.patch_size

    def _check_embed_args(self, images, keep) -> tuple[int, int]:
        """Finite images of whole patches, keep indexes patches; return the grid."""
        check_images("ViT", images, self.in_channels, multiple=self.patch_size)
        grid = self._grid_of(images)
        if keep is not None:
            _check_keep(keep, images.shape[0], grid[0] * grid[1])
        return grid

    def _check_tokens(self, tokens, grid) -> None:
        check = Checker("ViT.encode_tokens")
        check.tensor("tokens", tokens, ndim=3, dims="(B, 1+N, D)", floating=True)
        check.that(
            tokens.shape[1] >= 1 and tokens.shape[2] == self.feature_dim,
            f"tokens must be (B, 1+N, {self.feature_dim}) with CLS first, got shape "
            f"{tuple(tokens.shape)}",
        )
        if grid is not None:
            h, w = check.pair("grid", grid, min_value=1)
            check.that(
                tokens.shape[1] == 1 + h * w,
                f"grid {h}x{w} needs 1 + {h * w} tokens, got {tuple(tokens.shape)}",
            )


def vit_tiny(**overrides) -> ViT:
    """A ViT for 64x64 images that trains in minutes on a CPU (0.15 M parameters).

    D=64, 4 blocks, 4 heads.
    """
    return ViT(**{"dim": 64, "depth": 4, "heads": 4, **overrides})


def vit_small(**overrides) -> ViT:
    """The default ViT, spelled out (0.8 M parameters).

    D=128, 6 blocks, 4 heads, MLP ratio 2.
    """
    return ViT(**{"dim": 128, "depth": 6, "heads": 4, "mlp_ratio": 2.0, **overrides})


def _as_map(tokens: torch.Tensor, grid: tuple[int, int]) -> torch.Tensor:
    """Drop CLS, lay the patch tokens out on their grid: (B, 1+N, D) -> (B, D, h, w)."""
    return rearrange(tokens[:, 1:], "b (h w) d -> b d h w", h=grid[0], w=grid[1])


def _as_tokens(fmap: torch.Tensor) -> torch.Tensor:
    return rearrange(fmap, "b d h w -> b (h w) d")  # (B, N, D)


def _check_vit_args(
    image_size, patch_size, in_channels, num_classes, dim, depth, heads, mlp_ratio,
    dropout, pos_embed, pool,
) -> tuple[int, int]:  # fmt: skip
    """Sizes >= 1, whole patches, known choices; return the patch grid (h, w)."""
    check = Checker("ViT")
    height, width = check.pair("image_size", image_size, min_value=1)
    check.ints(min_value=1, patch_size=patch_size, in_channels=in_channels)
    check.ints(min_value=1, num_classes=num_classes, dim=dim, depth=depth, heads=heads)
    check.range("mlp_ratio", mlp_ratio, low=1e-6)
    check.range("dropout", dropout, low=0.0, high=1.0)
    check.choice("pos_embed", pos_embed, ("learned", "sincos"))
    check.choice("pool", pool, ("cls", "mean"))
    check.that(dim % heads == 0, f"dim must be divisible by heads, got {dim}, {heads}")
    check.that(
        height % patch_size == 0 and width % patch_size == 0,
        f"image_size must be divisible by patch_size={patch_size}, got {image_size!r}",
    )
    return height // patch_size, width // patch_size


def _check_keep(keep, batch: int, n: int) -> None:
    check = Checker("ViT.embed")
    check.tensor("keep", keep, ndim=2, dims="(B, K)", dtype=torch.long)
    check.that(
        keep.shape[0] == batch
        and (keep.numel() == 0 or 0 <= keep.min() <= keep.max() < n),
        f"keep must hold patch indices in [0, {n}) for each of the {batch} images, "
        f"got shape {tuple(keep.shape)}",
    )
