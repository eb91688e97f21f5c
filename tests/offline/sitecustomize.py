"""Block outbound network in every Python process the tests start (notebook kernels included).

``tests/conftest.py`` puts this folder on ``PYTHONPATH`` and sets ``SCRATCHVISION_OFFLINE=1``;
Python imports ``sitecustomize`` at start-up, so kernels launched by nbval are guarded too.
Loopback stays open: Jupyter kernels talk to their client over 127.0.0.1.
"""

import os

if os.environ.get("SCRATCHVISION_OFFLINE") == "1":
    import offline_guard

    offline_guard.install()
