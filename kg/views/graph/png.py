"""A view as PNG: the HTML page rendered in headless Chromium (through playwright, every
network request refused) and screenshotted, so it is pixel-identical to the viewer."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from kg.core.errors import UsageError

CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def chromium_path() -> str | None:
    """Chromium to drive: $KG_CHROMIUM, else the first chromium on PATH."""
    explicit = os.environ.get("KG_CHROMIUM")
    if explicit:
        return explicit
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


def render_png(html: str, *, width: int = 1600, height: int = 1000, scale: int = 2) -> bytes:
    """Screenshot of the page's graph in headless Chromium, every network request refused."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise UsageError("--format png needs the playwright package "
                         "(pip install playwright) and Chromium") from None
    executable = chromium_path()
    if not executable:
        raise UsageError("--format png needs Chromium (apt-get install chromium, or set "
                         "KG_CHROMIUM); --format svg needs no browser")
    with tempfile.TemporaryDirectory(prefix="kg-viz-") as tmp:
        page_path = Path(tmp) / "view.html"
        page_path.write_text(html, encoding="utf-8")
        url = page_path.as_uri()
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            try:
                page = browser.new_page(viewport={"width": width, "height": height},
                                        device_scale_factor=scale)
                refused: list[str] = []

                def route(r: Any) -> None:
                    if r.request.url == url:
                        r.continue_()
                    else:
                        refused.append(r.request.url)
                        r.abort()

                page.route("**/*", route)
                page.goto(url)
                # The page's CSP forbids eval, so wait on a selector, not a JS predicate.
                page.wait_for_selector("body[data-kg-ready='true']", state="attached",
                                       timeout=120_000)
                page.evaluate("window.kgViz.staticMode()")
                png = page.locator("#kg-net").screenshot(type="png")
            finally:
                browser.close()
    if refused:
        raise RuntimeError(f"the page tried to fetch {refused[:3]}")
    return png


def sign_png(png: bytes) -> bytes:
    """The PNG with a ``Software: aigov-kg`` text chunk after its header, so that the write
    guard knows a later ``kg viz --out`` may replace it (``kg.core.outputs.VIEW``)."""
    import struct
    import zlib

    signature, header_end = b"\x89PNG\r\n\x1a\n", 8 + 4 + 4 + 13 + 4  # IHDR comes first
    if not png.startswith(signature) or png[12:16] != b"IHDR":
        return png
    body = b"tEXtSoftware\x00aigov-kg"
    chunk = struct.pack(">I", len(body) - 4) + body + struct.pack(">I", zlib.crc32(body))
    return png[:header_end] + chunk + png[header_end:]
