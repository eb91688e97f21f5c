"""Block outbound network in every Python process the tests start, kernels included.

``tests/conftest.py`` (and ``make test``, for the site build that runs the notebooks)
puts this folder on ``PYTHONPATH`` and sets ``SCRATCHVISION_OFFLINE=1``; Python imports
``sitecustomize`` at start-up, so every notebook kernel is guarded too. Loopback stays
open: Jupyter kernels talk to their client over 127.0.0.1.
"""

import os

if os.environ.get("SCRATCHVISION_OFFLINE") == "1":
    import offline_guard

    offline_guard.install()
