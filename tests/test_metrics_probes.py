"""k-NN and linear-probe accuracy: oracles, properties, known answers."""

import pytest
import torch
import torch.nn.functional as F
from scratchvision.metrics import knn_accuracy, linear_probe


def _clusters(n_per, classes=3, dim=5, spread=0.1, seed=0):
    g = torch.Generator().manual_seed(seed)
    centres = torch.randn(classes, dim, generator=g) * 3
    labels = torch.arange(classes).repeat_interleave(n_per)
    return centres[labels] + spread * torch.randn(len(labels), dim, generator=g), labels


def _knn_loop(bank, bank_labels, query, query_labels, k, t):
    """The DINO protocol written out, one query at a time."""
    classes = int(max(bank_labels.max(), query_labels.max())) + 1
    right = 0
    for q, label in zip(query, query_labels):
        sims = torch.stack([F.cosine_similarity(q, b, dim=0) for b in bank])
        top = sims.argsort(descending=True)[:k]
        votes = torch.zeros(classes)
        for i in top:
            votes[bank_labels[i]] += torch.exp(sims[i] / t)
        right += int(votes.argmax() == label)
    return right / len(query)


def test_knn_matches_a_direct_loop():
    bank, bank_labels = _clusters(10, spread=2.0)
    query, query_labels = _clusters(6, spread=2.0, seed=1)
    for k, t in ((1, 0.07), (5, 0.5), (20, 0.07)):
        assert knn_accuracy(
            bank, bank_labels, query, query_labels, k=k, temperature=t
        ) == pytest.approx(_knn_loop(bank, bank_labels, query, query_labels, k, t))


def test_knn_is_perfect_on_separated_clusters_and_at_chance_on_noise():
    bank, labels = _clusters(50)
    assert knn_accuracy(bank, labels, bank, labels) == 1.0
    g = torch.Generator().manual_seed(0)
    noise = torch.randn(2000, 16, generator=g)
    random_labels = torch.randint(0, 4, (2000,), generator=g)
    acc = knn_accuracy(
        noise[:1000], random_labels[:1000], noise[1000:], random_labels[1000:]
    )
    assert 0.18 < acc < 0.32  # chance is 0.25


def test_knn_ignores_feature_scale_and_is_batched_like_single_queries():
    bank, labels = _clusters(20, spread=1.5)
    query, q_labels = _clusters(30, spread=1.5, seed=2)
    scale = torch.rand(len(query), 1) + 0.5
    whole = knn_accuracy(bank, labels, query * scale, q_labels)
    assert whole == knn_accuracy(bank, labels, query, q_labels)
    single = [
        knn_accuracy(bank, labels, query[i : i + 1], q_labels[i : i + 1])
        for i in range(len(query))
    ]
    assert whole == pytest.approx(sum(single) / len(single))


def test_linear_probe_reads_linearly_separable_labels_and_not_noise():
    x, y = _clusters(40, classes=4, dim=8, spread=0.5)
    assert linear_probe(x, y, x, y) == 1.0
    g = torch.Generator().manual_seed(1)
    noise = torch.randn(800, 8, generator=g)
    labels = torch.randint(0, 4, (800,), generator=g)
    assert linear_probe(noise[:400], labels[:400], noise[400:], labels[400:]) < 0.35


def test_linear_probe_is_deterministic_and_matches_sklearn():
    sklearn = pytest.importorskip("sklearn.linear_model")
    x, y = _clusters(60, classes=3, dim=6, spread=2.5)
    xt, yt = _clusters(60, classes=3, dim=6, spread=2.5, seed=3)
    ours = linear_probe(x, y, xt, yt)
    assert ours == linear_probe(x, y, xt, yt)
    mean, std = x.mean(0), x.std(0)
    ref = sklearn.LogisticRegression(C=1 / (2 * 1e-4 * len(x)), max_iter=2000)
    ref.fit(((x - mean) / std).numpy(), y.numpy())
    theirs = ref.score(((xt - mean) / std).numpy(), yt.numpy())
    assert abs(ours - theirs) <= 0.02
