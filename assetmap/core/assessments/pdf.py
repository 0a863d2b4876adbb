"""PDF of the report, printed by a Chromium already on the machine (never downloaded).

No pure-Python PDF library installed here lays out HTML and CSS well enough for the report
(WeasyPrint is not installed and pulls in Pango). Playwright, already a test dependency, drives
the system's Chromium to print the same HTML, so the PDF matches what a browser prints. Without
both, the user is told to print the HTML from a browser: the page is laid out for A4.
"""

from __future__ import annotations

import os
import shutil

from assetmap.core.errors import AssetmapError

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "microsoft-edge")
_NO_PDF = ("writing a PDF needs the Python package playwright and a Chromium browser on this computer ({why}); "
           "write .html instead and print it to PDF from any browser (it is laid out for A4)")


def find_chromium() -> str | None:
    """The browser to print with: ``ASSETMAP_CHROMIUM`` if set, else the first Chromium on PATH."""
    override = os.environ.get("ASSETMAP_CHROMIUM")
    if override:
        return override
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def pdf_available() -> bool:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return False
    return find_chromium() is not None


def html_to_pdf(html: str) -> bytes:
    """Print self-contained HTML to A4 PDF bytes; every network request is refused."""
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise AssetmapError(_NO_PDF.format(why="playwright is not installed")) from None
    browser_path = find_chromium()
    if browser_path is None:
        raise AssetmapError(_NO_PDF.format(why="no Chromium found; set ASSETMAP_CHROMIUM to its path"))
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=browser_path, args=["--no-sandbox"])
            try:
                page = browser.new_page()
                page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(("data:", "about:"))
                           else route.abort())
                page.set_content(html, wait_until="load")
                # tagged: headings, tables and reading order reach screen readers; outline: bookmarks
                return page.pdf(format="A4", print_background=True, prefer_css_page_size=True, tagged=True,
                                outline=True)
            finally:
                browser.close()
    except PlaywrightError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise AssetmapError(_NO_PDF.format(why=f"Chromium failed: {first}")) from None
