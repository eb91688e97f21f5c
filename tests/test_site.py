"""The built website as a reader gets it: every page in headless Chromium, offline.

The site (``make book``) is served on 127.0.0.1 and every request to another host is
blocked and recorded. A page fails when it asks another host for anything, logs a
console error or throws, leaves an equation untypeset, shows fewer images than its
notebook has figure cells, has a code block that scrolls sideways at 1280 px, shows an
exercise's solution openly (solutions are collapsed; ``make student`` deletes them),
links to a page or anchor that does not exist, or loads more than ``PAGE_BUDGET``
bytes (everything it loads, the HTML included)."""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
from site_pages import HTML, code_cells, figure_cells, notebook_sources, page

CHROMIUM = Path("/usr/bin/chromium")
PAGE_BUDGET = (
    7_000_000  # bytes a page loads, all resources, uncompressed (lessons: ~5-6 MB)
)
PAGES = sorted(
    p for p in HTML.rglob("*.html") if not {"_static", "_sources"} & set(p.parts)
)
FIGURES = {page(p): len(figure_cells(p, on_page=True)) for p in notebook_sources()}
SOLUTIONS = {
    page(p): sum({"solution", "hide-cell"} <= set(tags) for _, tags in code_cells(p))
    for p in notebook_sources()
}


@pytest.fixture(scope="module")
def server():
    if not (HTML / "index.html").exists():
        pytest.fail("no built site in _build/html: run make book (make test does)")
    handler = functools.partial(_QuietHandler, directory=str(HTML))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def browser():
    playwright = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.exists():
        pytest.fail(
            "the browser test needs Debian's chromium: make browser installs it"
        )
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox"], headless=True
        )
        yield chromium
        chromium.close()


def visit(browser, url: str) -> dict:
    """Load one page offline; return what a reader's browser did and saw."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    record = {"external": [], "errors": []}
    origin = urlparse(url).netloc

    def route(request_route):
        request = request_route.request
        if urlparse(request.url).netloc not in (origin, ""):
            record["external"].append(request.url)
            return request_route.abort()
        return request_route.continue_()

    context.route("**/*", route)
    tab = context.new_page()
    tab.on("console", lambda m: m.type == "error" and record["errors"].append(m.text))
    tab.on("pageerror", lambda e: record["errors"].append(f"uncaught: {e}"))
    tab.goto(url, wait_until="networkidle")  # idle: a redirect page has moved on
    tab.evaluate("window.MathJax?.startup?.promise ?? null")
    tab.wait_for_load_state("networkidle")
    record.update(
        tab.evaluate(
            """() => ({
        math: document.querySelectorAll('.math').length,
        untypeset: [...document.querySelectorAll('.math')]
            .filter(m => !m.querySelector('mjx-container')).map(m => m.textContent),
        images: [...document.querySelectorAll('article img')]
            .filter(i => i.complete && i.naturalWidth > 0).length,
        links: [...document.querySelectorAll('a[href]')].map(a => a.href),
        ids: [...document.querySelectorAll('[id]')].map(e => e.id),
        scrolling: [...document.querySelectorAll('article pre')]
            .filter(p => p.scrollWidth > p.clientWidth + 1)
            .map(p => p.textContent.split('\\n')
                .reduce((a, b) => (b.length > a.length ? b : a), '')),
        solutions: document.querySelectorAll('.tag_solution .cell_input').length,
        shown: [...document.querySelectorAll('.tag_solution .cell_input pre'),
                ...document.querySelectorAll(
                    '.admonition.dropdown p:not(.admonition-title)')]
            .filter(e => e.getBoundingClientRect().height > 0 && e.checkVisibility(
                {visibilityProperty: true, opacityProperty: true}))
            .map(e => e.textContent.slice(0, 60)),
        bytes: [...performance.getEntriesByType('navigation'),
                ...performance.getEntriesByType('resource')]
            .reduce((sum, e) => sum + e.decodedBodySize, 0),
    })"""
        )
    )
    context.close()
    return record


@pytest.mark.parametrize("path", PAGES, ids=lambda p: str(p.relative_to(HTML)))
def test_page_works_offline(server, browser, path):
    url = f"{server}/{path.relative_to(HTML).as_posix()}"
    seen = visit(browser, url)
    name = path.relative_to(HTML)
    assert not seen["external"], f"{name} requested other hosts: {seen['external'][:5]}"
    assert not seen["errors"], f"{name} logged console errors: {seen['errors'][:5]}"
    assert not seen["untypeset"], (
        f"{name}: {len(seen['untypeset'])} of {seen['math']} equations not typeset, "
        f"e.g. {seen['untypeset'][:3]}"
    )
    assert seen["bytes"] <= PAGE_BUDGET, (
        f"{name} loads {seen['bytes'] / 1e6:.2f} MB, "
        f"over its {PAGE_BUDGET / 1e6} MB budget"
    )
    wanted = FIGURES.get(path, 0)
    assert seen["images"] >= wanted, (
        f"{name} shows {seen['images']} images, its notebook has {wanted} figure cells"
    )
    assert not seen["scrolling"], (
        f"{name}: {len(seen['scrolling'])} code blocks scroll sideways at 1280 px; "
        f"longest lines: {seen['scrolling'][:3]}"
    )
    assert not seen["shown"], f"{name} shows solutions openly: {seen['shown'][:3]}"
    solutions = SOLUTIONS.get(path, 0)
    assert seen["solutions"] == solutions, (
        f"{name} has {seen['solutions']} collapsed solutions, its notebook {solutions}"
    )
    broken = [link for link in seen["links"] if not _resolves(link, server, path)]
    assert not broken, f"{name} has broken internal links: {broken[:5]}"


@functools.cache
def _ids(target: Path) -> frozenset[str]:
    import re

    return frozenset(re.findall(r'\bid="([^"]+)"', target.read_text(errors="replace")))


def _resolves(link: str, server: str, source: Path) -> bool:
    """An internal link must name an existing file and, if it has one, a real id."""
    parsed = urlparse(link)
    if f"{parsed.scheme}://{parsed.netloc}" != server:
        return True  # a link to another site is the reader's choice, not a request
    target = HTML / unquote(parsed.path).lstrip("/")
    if target.is_dir():
        target = target / "index.html"
    if not target.exists():
        return False
    if parsed.fragment and target.suffix == ".html":
        return unquote(parsed.fragment) in _ids(target)
    return True


def test_every_lesson_page_is_checked():
    assert PAGES, "no built site in _build/html: run make book (make test does)"
    missing = [str(p) for p in FIGURES if p not in PAGES]
    assert not missing, f"notebooks without a built page: {missing}"
