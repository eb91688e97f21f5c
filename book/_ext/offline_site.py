"""Sphinx extension: a course website that works with no network.

- MathJax is vendored from the npm registry at build time (``npm install mathjax@3``
  into ``_build/.vendor``) and served from the site's own ``_static/mathjax``.
- Notebook kernels run with ``SCRATCHVISION_STATIC=1``: live widgets (``plot.explore``)
  draw nothing, so no widget state or widget JavaScript lands on a page; their static
  twins (``plot.sweep_animation``) are what the site shows.
- sphinx-thebe's configuration script is dropped (the site launches no live kernels;
  it was added twice and threw ``THEBE_JS_URL has already been declared``), and the
  theme gets a valid default colour mode (an empty one logs an error on every page).
- The notebooks' execution cache is dropped when the library's code changes, so a
  lesson's outputs always come from the library as it is.
- ``static/scratchvision.css`` sizes code so that an 88-column line never scrolls.

``tests/test_site.py`` opens every page in headless Chromium with other hosts blocked.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError

MATHJAX = "mathjax@^3.2.2"
MATHJAX_ENTRY = "tex-mml-chtml.js"
# What the entry script loads at run time: fonts, TeX extensions (autoload), a11y, menu.
MATHJAX_PARTS = ["input", "output", "a11y", "ui", "adaptors", "sre", MATHJAX_ENTRY]


def vendor_mathjax(root: Path) -> Path:
    """Install MathJax from npm once; return the folder to serve as ``_static``."""
    static = root / "_build" / ".vendor" / "static"
    if (static / "mathjax" / MATHJAX_ENTRY).exists():
        return static
    npm = shutil.which("npm")
    if npm is None:
        raise ExtensionError(
            "offline_site: MathJax is vendored from the npm registry at build time, "
            "but npm was not found; install Node.js (e.g. apt-get install npm, or "
            "conda install nodejs) and build again"
        )
    prefix = root / "_build" / ".vendor" / "npm"
    install = [npm, "install", "--no-save", "--no-audit", "--no-fund"]
    subprocess.run(
        [*install, "--prefix", str(prefix), MATHJAX],
        check=True,
        capture_output=True,
        timeout=600,
    )
    es5 = prefix / "node_modules" / "mathjax" / "es5"
    target = static / "mathjax"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    for part in MATHJAX_PARTS:
        source = es5 / part
        if source.is_dir():
            shutil.copytree(source, target / part)
        elif source.exists():
            shutil.copy2(source, target / part)
    return static


def library_fingerprint(root: Path) -> str:
    """A hash of the library's code and checkpoint manifest.

    jupyter-cache re-runs a notebook only when its own code changes; a lesson's
    outputs also depend on the library it imports (``show_source`` prints it).
    """
    digest = hashlib.sha256()
    library = root / "lib" / "scratchvision"
    for path in sorted([*library.rglob("*.py"), *library.rglob("manifest.json")]):
        digest.update(str(path.relative_to(library)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def refresh_cache_when_the_library_changes(app: Sphinx, config) -> None:
    cache = Path(
        config.nb_execution_cache_path or Path(app.outdir).parent / ".jupyter_cache"
    )
    stamp = cache.parent / ".library-fingerprint"
    fingerprint = library_fingerprint(Path(app.confdir))
    if stamp.exists() and stamp.read_text() != fingerprint:
        shutil.rmtree(cache, ignore_errors=True)  # every lesson runs again ...
        app.connect("env-get-outdated", lambda app, env, *_: sorted(env.found_docs))
    stamp.parent.mkdir(parents=True, exist_ok=True)
    stamp.write_text(fingerprint)  # ... and every page is read again


def configure(app: Sphinx, config) -> None:
    refresh_cache_when_the_library_changes(app, config)
    root = Path(app.confdir)
    static = vendor_mathjax(root)
    own = Path(__file__).parent / "static"
    config.html_static_path = [*config.html_static_path, str(static), str(own)]
    config.mathjax_path = f"mathjax/{MATHJAX_ENTRY}"
    config.nb_ipywidgets_js = {}  # no page shows a live widget
    # pydata-sphinx-theme reads its colour mode from the template context.
    config.html_context = {"default_mode": "light", **config.html_context}


def drop_thebe(app: Sphinx, pagename, templatename, context, doctree) -> None:
    """Remove sphinx-thebe's scripts: the site starts no live kernels."""

    def is_thebe(script) -> bool:
        body = getattr(script, "attributes", {}).get("body", "")
        return "THEBE_JS_URL" in body or "sphinx-thebe" in (script.filename or "")

    if "script_files" in context:
        scripts = context["script_files"]
        context["script_files"] = [s for s in scripts if not is_thebe(s)]


def setup(app: Sphinx) -> dict:
    # Inherited by every notebook kernel the build starts.
    os.environ["SCRATCHVISION_STATIC"] = "1"
    app.connect("config-inited", configure)
    app.connect("html-page-context", drop_thebe)
    app.add_css_file("scratchvision.css")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
