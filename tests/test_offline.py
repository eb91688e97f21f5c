"""Default paths never touch the network; the guard works here and in subprocesses."""

import os
import socket
import subprocess
import sys

import pytest
from offline_guard import NetworkBlocked


def test_outbound_connection_is_blocked():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        with pytest.raises(NetworkBlocked):
            sock.connect(("93.184.216.34", 80))
    with pytest.raises(NetworkBlocked):
        socket.getaddrinfo("pypi.invalid", 443)


def test_loopback_is_allowed():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    with socket.create_connection(server.getsockname(), timeout=5):
        pass
    server.close()


def test_child_processes_are_guarded_too():
    """nbval kernels inherit the guard through PYTHONPATH's sitecustomize."""
    code = (
        "import socket\n"
        "try:\n    socket.create_connection(('1.1.1.1', 53), timeout=2)\n"
        "except OSError as e:\n    print(type(e).__name__)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=os.environ,
        timeout=60,
    )
    assert out.stdout.strip() == "NetworkBlocked", out.stdout + out.stderr


def test_library_default_paths_run_offline():
    """Import every module and run the data and plotting paths with the guard on."""
    import importlib
    import pkgutil

    import scratchvision

    for module in pkgutil.walk_packages(scratchvision.__path__, "scratchvision."):
        if module.name.endswith("__main__"):
            continue
        importlib.import_module(module.name)
    from scratchvision.data import ShapeWorld, natural_images

    scene = ShapeWorld(size=32).scene(0)
    assert scene.image.shape == (3, 32, 32)
    assert len(natural_images()) >= 10, (
        "the photographs that scikit-image and scikit-learn ship"
    )
