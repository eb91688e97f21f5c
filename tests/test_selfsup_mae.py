"""MAE: masking properties, the loss on masked patches only, the encoder's seams."""

import pytest
import torch
from scratchvision.backbones import vit_tiny
from scratchvision.ops import patchify, unpatchify
from scratchvision.selfsup import MAE, mae_loss, random_masking


def _gen(seed=0):
    return torch.Generator().manual_seed(seed)


@pytest.mark.parametrize(("n", "ratio"), [(64, 0.75), (16, 0.5), (10, 0.33), (7, 0.0)])
def test_masking_keeps_round_one_minus_r_n_per_sample(n, ratio):
    tokens = torch.randn(5, n, 6)
    visible, mask, ids_restore = random_masking(tokens, ratio, generator=_gen())
    keep = round((1 - ratio) * n)
    assert visible.shape == (5, keep, 6)
    assert mask.shape == (5, n)
    assert (mask.sum(1) == n - keep).all()
    assert set(mask.unique().tolist()) <= {0.0, 1.0}


def test_visible_tokens_are_the_unmasked_ones_and_restore_inverts_the_shuffle():
    tokens = torch.randn(4, 16, 3)
    visible, mask, ids_restore = random_masking(tokens, 0.75, generator=_gen(1))
    for b in range(4):
        kept = tokens[b][mask[b] == 0]  # the visible ones, in original order
        # same set of rows, whatever the shuffled order
        assert torch.equal(
            kept[kept[:, 0].argsort()], visible[b][visible[b][:, 0].argsort()]
        )
    # ids_restore is a permutation, and its inverse argsort undoes it
    assert (ids_restore.sort(1).values == torch.arange(16)).all()
    ids_shuffle = ids_restore.argsort(1)
    shuffled = tokens.gather(1, ids_shuffle[..., None].expand(-1, -1, 3))
    restored = shuffled.gather(1, ids_restore[..., None].expand(-1, -1, 3))
    assert torch.equal(restored, tokens)
    assert torch.equal(shuffled[:, :4], visible)  # the kept ones come first


def test_masking_is_reproducible_per_generator_and_differs_per_sample():
    tokens = torch.randn(8, 64, 2)
    a = random_masking(tokens, 0.75, generator=_gen(3))[1]
    b = random_masking(tokens, 0.75, generator=_gen(3))[1]
    c = random_masking(tokens, 0.75, generator=_gen(4))[1]
    assert torch.equal(a, b) and not torch.equal(a, c)
    assert len({tuple(row.tolist()) for row in a}) == 8  # each sample its own mask


def test_masking_is_uniform_over_positions():
    tokens = torch.zeros(4000, 16, 1)
    mask = random_masking(tokens, 0.75, generator=_gen())[1]
    freq = mask.mean(0)  # each position masked about 75 % of the time
    assert (freq - 0.75).abs().max() < 0.03


def test_masking_refuses_a_ratio_that_hides_everything():
    with pytest.raises(ValueError, match="mask_ratio"):
        random_masking(torch.randn(2, 4, 3), 0.9)
    with pytest.raises(ValueError, match="mask_ratio"):
        random_masking(torch.randn(2, 4, 3), 1.0)


def test_mae_loss_ignores_visible_patches():
    pred, target = torch.randn(2, 8, 12), torch.randn(2, 8, 12)
    mask = torch.zeros(2, 8)
    mask[:, :3] = 1
    changed = pred.clone()
    changed[:, 3:] += 100.0  # only visible patches change
    for norm in (True, False):
        torch.testing.assert_close(
            mae_loss(pred, target, mask, norm_pix=norm),
            mae_loss(changed, target, mask, norm_pix=norm),
        )


def test_mae_loss_matches_a_direct_formula():
    pred, target = torch.randn(3, 5, 6), torch.rand(3, 5, 6)
    mask = (torch.rand(3, 5, generator=_gen()) < 0.6).float()
    mask[0, 0] = 1
    errors, count = 0.0, 0
    for b in range(3):
        for n in range(5):
            if mask[b, n]:
                t = target[b, n]
                t = (t - t.mean()) / (t.var() + 1e-6).sqrt()
                errors += ((pred[b, n] - t) ** 2).mean()
                count += 1
    torch.testing.assert_close(mae_loss(pred, target, mask), errors / count)
    raw = (((pred - target) ** 2).mean(-1) * mask).sum() / mask.sum()
    torch.testing.assert_close(mae_loss(pred, target, mask, norm_pix=False), raw)


def test_mae_shapes_and_encoder_sees_only_visible_tokens():
    encoder = vit_tiny(image_size=32, patch_size=4)
    mae = MAE(encoder, decoder_dim=32, decoder_depth=1)
    images = torch.rand(3, 3, 32, 32)
    latent, mask, ids = mae.forward_encoder(images, 0.75, _gen())
    assert latent.shape == (3, 1 + 16, 64)  # CLS + a quarter of 64 patches
    loss, pred, mask = mae(images, generator=_gen())
    assert pred.shape == (3, 64, 4 * 4 * 3) and mask.shape == (3, 64)
    assert loss.ndim == 0 and loss.item() > 0
    assert mae.reconstruct(images, pred, mask).shape == images.shape


def test_mae_reconstruction_keeps_visible_patches_exactly():
    mae = MAE(vit_tiny(image_size=16, patch_size=4), decoder_dim=16, decoder_depth=1)
    images = torch.rand(2, 3, 16, 16)
    _, pred, mask = mae(images, generator=_gen())
    mixed = patchify(mae.reconstruct(images, pred, mask), 4)
    visible = mask == 0
    torch.testing.assert_close(mixed[visible], patchify(images, 4)[visible])


def test_mae_decoder_output_does_not_depend_on_the_shuffle_of_the_visible_tokens():
    """Unshuffling puts every decoder token where its patch is: the prediction for a
    patch is the same whichever order the visible tokens were encoded in."""
    mae = MAE(vit_tiny(image_size=16, patch_size=4), decoder_dim=16, decoder_depth=1)
    mae.eval()
    images = torch.rand(1, 3, 16, 16)
    tokens = mae.encoder.embed(images)
    _, mask, ids_restore = random_masking(tokens[:, 1:], 0.5, generator=_gen())
    keep = ids_restore.argsort(1)[:, :8]  # visible patch indices, shuffled order
    flipped = keep.flip(1)  # the same patches, another order
    outs = []
    for order in (keep, flipped):
        visible = tokens[:, 1:].gather(1, order[..., None].expand(-1, -1, 64))
        latent = mae.encoder.encode_tokens(torch.cat([tokens[:, :1], visible], 1))
        rest = torch.tensor([[i for i in range(16) if i not in order[0].tolist()]])
        shuffle = torch.cat([order, rest], 1)
        outs.append(mae.forward_decoder(latent, shuffle.argsort(1)))
    torch.testing.assert_close(outs[0], outs[1], atol=1e-5, rtol=1e-5)


def test_mae_overfits_one_batch():
    torch.manual_seed(0)
    mae = MAE(vit_tiny(image_size=16, patch_size=4), decoder_dim=32, decoder_depth=1)
    images = torch.rand(4, 3, 16, 16, generator=_gen())
    opt = torch.optim.Adam(mae.parameters(), lr=2e-3)
    first = mae(images, generator=_gen())[0].item()
    for _ in range(150):  # the same mask every step: a fixed problem to overfit
        loss = mae(images, generator=_gen())[0]
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert loss.item() < first / 4, f"MAE loss {first:.3f} -> {loss.item():.3f}"


@pytest.mark.parametrize("tokenizer", ["patch", "conv"])
def test_the_encoder_never_sees_masked_pixels(tokenizer):
    encoder = vit_tiny(image_size=16, patch_size=4, tokenizer=tokenizer).eval()
    mae = MAE(encoder, decoder_dim=16, decoder_depth=1).eval()
    images = torch.rand(2, 3, 16, 16)
    latent, mask, _ = mae.forward_encoder(images, 0.75, _gen(5))
    changed = patchify(images, 4) + 10 * mask[..., None]  # repaint masked patches only
    changed = unpatchify(changed, 4, 16, 16, 3)
    again, mask_again, _ = mae.forward_encoder(changed, 0.75, _gen(5))
    assert torch.equal(mask, mask_again)
    torch.testing.assert_close(latent, again)
