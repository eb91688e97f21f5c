"""Test-session set-up: offline guard everywhere, non-interactive matplotlib backend."""

import os
import socket
import sys
from pathlib import Path

OFFLINE_DIR = Path(__file__).parent / "offline"

# Environment for every process this session starts (subprocess tests). The notebooks
# run in the site build, which make test starts with this same offline guard.
os.environ["SCRATCHVISION_OFFLINE"] = "1"
os.environ["PYTHONPATH"] = os.pathsep.join(
    [str(OFFLINE_DIR), *filter(None, [os.environ.get("PYTHONPATH")])]
)
if os.environ.get("PYTEST_XDIST_WORKER"):
    # Parallel workers (and the notebook kernels they start) share the cores: one thread
    # each avoids oversubscription, which slows PyTorch's CPU kernels by an order of
    # magnitude.
    os.environ["OMP_NUM_THREADS"] = "1"

sys.path.insert(0, str(OFFLINE_DIR))
import offline_guard  # noqa: E402

offline_guard.install()

import matplotlib  # noqa: E402

matplotlib.use("Agg")  # this process draws into files only; kernels keep inline figures

ROOT = Path(__file__).resolve().parents[1]

import pytest  # noqa: E402
import torch  # noqa: E402


@pytest.fixture(autouse=True)
def one_thread():
    """One torch thread per test: tests share 2 cores with a parallel worker.

    ``make test`` runs two workers, and oversubscribed OpenMP threads spin-wait and slow
    PyTorch's CPU kernels by an order of magnitude.
    """
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture
def no_network(monkeypatch):
    """Stricter than the session guard: no connection at all, loopback included."""

    def refuse(*args, **kwargs):
        raise OSError("network access attempted in an offline test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def overfit_one_batch(
    model, x, y, *, factor: float, steps: int, lr: float = 1e-3
) -> None:
    """Assert Adam cuts one batch's cross-entropy by ``factor`` within ``steps``."""
    import torch.nn.functional as F

    opt = torch.optim.Adam(model.parameters(), lr=lr)
    first = F.cross_entropy(model(x), y).item()
    for _ in range(steps):
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if loss.item() < first / factor:
            break
    assert loss.item() < first / factor, (
        f"loss went from {first:.3f} to {loss.item():.3f} in {steps} steps"
    )
