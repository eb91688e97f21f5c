"""Chapter 2 checkers: the library's answers pass, typical mistakes fail."""

import pytest
import torch
import torch.nn.functional as F
from scratchvision import checks, selfsup


@pytest.mark.parametrize(
    ("checker", "reference"),
    [
        (checks.random_masking, selfsup.random_masking),
        (checks.mae_loss, selfsup.mae_loss),
        (checks.dino_loss, selfsup.dino_loss),
        (checks.update_center, selfsup.update_center),
    ],
)
def test_library_implementation_passes(checker, reference, capsys):
    assert checker(reference) is True
    assert "✓" in capsys.readouterr().out


def first_k_masking(tokens, mask_ratio, generator=None):
    """Not random, but every property holds: the checker must accept it."""
    b, n, _ = tokens.shape
    keep = round((1 - mask_ratio) * n)
    mask = torch.ones(b, n)
    mask[:, :keep] = 0
    return tokens[:, :keep], mask, torch.arange(n).repeat(b, 1)


def inverted_mask_masking(tokens, mask_ratio, generator=None):
    visible, mask, ids = selfsup.random_masking(tokens, mask_ratio, generator=generator)
    return visible, 1 - mask, ids  # 1 = visible: the wrong convention


def test_masking_checker_accepts_any_correct_choice_and_rejects_mistakes(capsys):
    assert checks.random_masking(first_k_masking) is True
    assert checks.random_masking(inverted_mask_masking) is False
    assert "1 = masked" in capsys.readouterr().out


def loss_on_all_patches(pred, target, mask, norm_pix=True):
    return F.mse_loss(pred, target)


def no_center_dino(student_logits, teacher_logits, center, *, student_temp,
                   teacher_temp):  # fmt: skip
    return selfsup.dino_loss(
        student_logits,
        teacher_logits,
        torch.zeros_like(center),
        student_temp=student_temp,
        teacher_temp=teacher_temp,
    )


def test_loss_checkers_reject_typical_mistakes(capsys):
    assert checks.mae_loss(loss_on_all_patches) is False
    assert checks.dino_loss(no_center_dino) is False
    assert checks.update_center(lambda c, t, momentum: t.mean((0, 1))) is False
    assert capsys.readouterr().out.count("✗") == 3
