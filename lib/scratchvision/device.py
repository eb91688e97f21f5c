"""Pick the compute device once and say which, in one line.

The course runs on a laptop CPU; a GPU (CUDA) or Apple GPU (MPS) only makes it faster.
"""

from __future__ import annotations

import torch

from .validate import check_choice


def pick_device(prefer: str = "auto", *, verbose: bool = True) -> torch.device:
    """``cuda`` if available, else ``mps``, else ``cpu`` (or the device you ``prefer``).

    Args:
        prefer: ``"auto"``, ``"cpu"``, ``"cuda"`` or ``"mps"``. Asking for a device that
            is not available raises a ``ValueError`` rather than silently falling back.
        verbose: print one line saying which device was chosen and why.
    """
    check_choice("prefer", prefer, ("auto", "cpu", "cuda", "mps"), fn="pick_device")
    available = {
        "cuda": torch.cuda.is_available(),
        "mps": getattr(torch.backends, "mps", None) is not None
        and torch.backends.mps.is_available(),
        "cpu": True,
    }
    if prefer == "auto":
        name = next(n for n in ("cuda", "mps", "cpu") if available[n])
    elif not available[prefer]:
        raise ValueError(
            f"pick_device: prefer={prefer!r} was asked for, but no {prefer} device is "
            "available here"
        )
    else:
        name = prefer
    device = torch.device(name)
    if verbose:
        print(f"scratchvision: using {describe(device)}")
    return device


def describe(device: torch.device) -> str:
    """One line about a device: its kind, and the GPU's name or the CPU thread count."""
    if device.type == "cuda":
        return f"cuda ({torch.cuda.get_device_name(device)})"
    if device.type == "mps":
        return "mps (Apple GPU)"
    return f"cpu ({torch.get_num_threads()} threads)"
