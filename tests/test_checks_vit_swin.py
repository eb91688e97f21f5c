"""ViT and Swin checkers: the library passes, classic mistakes fail with a message."""

import pytest
from einops import rearrange
from scratchvision import checks
from scratchvision.backbones.swin import msa_flops, wmsa_flops
from scratchvision.ops.patches import patchify
from scratchvision.ops.windows import window_partition


@pytest.mark.parametrize(
    "checker,reference",
    [
        (checks.patchify, patchify),
        (checks.window_partition, window_partition),
        (checks.wmsa_flops, wmsa_flops),
        (
            checks.vit_tokens,
            lambda size, patch: (
                (size // patch) ** 2 + 1,
                ((size // patch) ** 2 + 1) ** 2,
            ),
        ),
    ],
)
def test_right_answers_pass(checker, reference, capsys):
    assert checker(reference) is True
    assert "✓" in capsys.readouterr().out


@pytest.mark.parametrize(
    "checker,wrong,message",
    [
        # channels first inside a patch: same shape, different order
        (
            checks.patchify,
            lambda x, p: rearrange(
                x, "b c (h p1) (w p2) -> b (h w) (c p1 p2)", p1=p, p2=p
            ),
            "values differ",
        ),
        # column-major windows
        (
            checks.window_partition,
            lambda x, m: rearrange(
                x, "b (h m1) (w m2) c -> (b w h) (m1 m2) c", m1=m, m2=m
            ),
            "values differ",
        ),
        (
            checks.wmsa_flops,
            lambda h, w, C, M: msa_flops(h, w, C),
            "expected 327680, got 524288",
        ),  # global, not windowed
        (
            checks.vit_tokens,
            lambda size, patch: ((size // patch) ** 2, (size // patch) ** 4),
            "expected (65, 4225), got (64, 4096)",
        ),  # forgot CLS
    ],
)
def test_wrong_answers_fail_with_message(checker, wrong, message, capsys):
    assert checker(wrong) is False
    out = capsys.readouterr().out
    assert out.startswith("✗") and message in out, out
