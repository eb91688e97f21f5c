"""How good are features without fine-tuning? k-NN and linear-probe accuracy.

Self-supervised pre-training is judged by what a frozen network's features let a
simple classifier do with the labels (Caron et al. 2021, Sec. 4.1; He et al. 2022,
Sec. 4):

* :func:`knn_accuracy`: DINO's protocol: a test image takes the weighted vote of its
  ``k`` most similar training images (cosine similarity, weights ``exp(sim / T)``). No
  parameter is trained, so it measures the geometry of the feature space directly.
* :func:`linear_probe`: a logistic regression on standardised features, trained to
  convergence (full-batch L-BFGS from zero, so the result is deterministic): how much
  of the label is *linearly* readable.

MAE's features are known to be weak under both and strong after fine-tuning; DINO's are
strong under k-NN (the two lessons of ``notebooks/02_self_supervised/``).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from scratchvision.validate import Checker


def knn_accuracy(
    train_features: torch.Tensor,
    train_labels: torch.Tensor,
    test_features: torch.Tensor,
    test_labels: torch.Tensor,
    *,
    k: int = 20,
    temperature: float = 0.07,
) -> float:
    """Weighted k-nearest-neighbour accuracy (Wu et al. 2018; DINO, Sec. 4.1).

    Args:
        train_features (Tensor[N, D]), train_labels (Tensor[N]): the labelled bank.
        test_features (Tensor[M, D]), test_labels (Tensor[M]): what is scored.
        k: neighbours that vote (DINO: 20).
        temperature: T in the vote weight ``exp(cos / T)`` (DINO: 0.07).

    Returns:
        the fraction of test images whose vote is their label, a float in [0, 1].
    """
    classes = _check_probe_args(
        "knn_accuracy", train_features, train_labels, test_features, test_labels
    )
    Checker("knn_accuracy").int("k", k, min_value=1)
    Checker("knn_accuracy").range("temperature", temperature, low=1e-6)
    bank = F.normalize(train_features.float(), dim=1)  # (N, D)
    correct = 0
    for start in range(0, len(test_features), 1024):  # bounded memory: (1024, N)
        query = F.normalize(test_features[start : start + 1024].float(), dim=1)
        sim, index = (query @ bank.T).topk(min(k, len(bank)), dim=1)  # (m, k)
        votes = torch.zeros(len(query), classes)  # (m, classes)
        votes.scatter_add_(1, train_labels[index], (sim / temperature).exp())
        correct += (votes.argmax(1) == test_labels[start : start + 1024]).sum().item()
    return correct / len(test_features)


def linear_probe(
    train_features: torch.Tensor,
    train_labels: torch.Tensor,
    test_features: torch.Tensor,
    test_labels: torch.Tensor,
    *,
    weight_decay: float = 1e-4,
    steps: int = 100,
) -> float:
    """Accuracy of a logistic regression on frozen features (He et al. 2022, Sec. 4).

    Features are standardised with the training set's mean and standard deviation;
    the weights start at zero and L-BFGS minimises the cross-entropy plus
    ``weight_decay * |W|^2`` on the whole training set (a convex problem: the same
    features always give the same probe).

    Args:
        train_features (Tensor[N, D]), train_labels (Tensor[N]): what the probe fits.
        test_features (Tensor[M, D]), test_labels (Tensor[M]): what it is scored on.
        weight_decay: L2 penalty on the weights (>= 0).
        steps: L-BFGS iterations.

    Returns:
        test accuracy, a float in [0, 1].
    """
    classes = _check_probe_args(
        "linear_probe", train_features, train_labels, test_features, test_labels
    )
    Checker("linear_probe").range("weight_decay", weight_decay, low=0.0)
    Checker("linear_probe").int("steps", steps, min_value=1)
    mean, std = train_features.mean(0), train_features.std(0) + 1e-6  # (D,)
    x, x_test = (train_features - mean) / std, (test_features - mean) / std
    weight = torch.zeros(x.shape[1], classes, requires_grad=True)  # (D, classes)
    bias = torch.zeros(classes, requires_grad=True)
    optimizer = torch.optim.LBFGS(
        [weight, bias], max_iter=steps, line_search_fn="strong_wolfe"
    )

    def closure():
        optimizer.zero_grad()
        loss = F.cross_entropy(x @ weight + bias, train_labels)
        loss = loss + weight_decay * weight.pow(2).sum()
        loss.backward()
        return loss

    with torch.enable_grad():
        optimizer.step(closure)
    with torch.no_grad():
        return ((x_test @ weight + bias).argmax(1) == test_labels).float().mean().item()


def _check_probe_args(fn, train_features, train_labels, test_features, test_labels):
    """Features (N, D), (M, D); integer labels of matching lengths; return classes."""
    check = Checker(fn)
    for name, value in (
        ("train_features", train_features),
        ("test_features", test_features),
    ):
        check.tensor(
            name,
            value,
            ndim=2,
            dims="(N, D)",
            floating=True,
            finite=True,
            nonempty=True,
        )
    for name, value, feats in (
        ("train_labels", train_labels, train_features),
        ("test_labels", test_labels, test_features),
    ):
        check.tensor(name, value, ndim=1, dims="(N,)")
        check.that(
            not value.is_floating_point()
            and value.dtype != torch.bool
            and len(value) == len(feats)
            and (value.numel() == 0 or value.min() >= 0),
            f"{name} must hold {len(feats)} integer class labels >= 0 (one per "
            f"feature row), got dtype {value.dtype} and shape {tuple(value.shape)}",
        )
    check.that(
        train_features.shape[1] == test_features.shape[1],
        f"test_features must have the training features' width "
        f"{train_features.shape[1]}, got {test_features.shape[1]}",
    )
    return int(max(train_labels.max(), test_labels.max())) + 1
