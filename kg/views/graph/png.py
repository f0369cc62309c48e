"""A view as PNG: its SVG figure (:mod:`kg.views.graph.svg`: title, date, legend, data
note) rasterised in headless Chromium (through playwright, every network request refused), so
the PNG and the SVG are one figure."""

from __future__ import annotations

import math
import os
import re
import shutil
from typing import Any

from kg.core.errors import UsageError

CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
TARGET_WIDTH = 3200  # pixels across a PNG, whatever the figure's size (within MIN/MAX_SCALE)
MIN_SCALE, MAX_SCALE = 1.0, 2.0
PAGE = ("<!doctype html><html><head><meta charset='utf-8'><meta http-equiv="
        "'Content-Security-Policy' content=\"default-src 'none'; style-src 'unsafe-inline'\">"
        "<style>html,body{{margin:0;padding:0;background:#fff}}svg{{display:block}}</style>"
        "</head><body>{svg}</body></html>")


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


def figure_size(svg: str) -> tuple[int, int]:
    """The width and height (CSS px) an SVG figure declares on its root element."""
    root = re.match(r"\s*<svg\b[^>]*>", svg)
    width = re.search(r'\bwidth="([\d.]+)"', root.group(0)) if root else None
    height = re.search(r'\bheight="([\d.]+)"', root.group(0)) if root else None
    if not (width and height):
        raise ValueError("not an SVG figure with a width and height")
    return max(1, math.ceil(float(width.group(1)))), max(1, math.ceil(float(height.group(1))))


def png_scale(width: int) -> float:
    """Device pixels per CSS pixel: about ``TARGET_WIDTH`` pixels across, 1× to 2×."""
    return min(MAX_SCALE, max(MIN_SCALE, TARGET_WIDTH / width))


def render_png(svg: str) -> bytes:
    """The SVG figure as PNG, rasterised in headless Chromium, every network request
    refused (the figure is inline in a page whose CSP forbids any fetch)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise UsageError("--format png needs the playwright package "
                         "(pip install playwright) and Chromium") from None
    executable = chromium_path()
    if not executable:
        raise UsageError("--format png needs Chromium (apt-get install chromium, or set "
                         "KG_CHROMIUM); --format svg needs no browser")
    width, height = figure_size(svg)
    refused: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height},
                                    device_scale_factor=png_scale(width))

            def route(r: Any) -> None:
                refused.append(r.request.url)
                r.abort()

            page.route("**/*", route)
            page.set_content(PAGE.format(svg=svg), wait_until="load")
            png = page.locator("svg").first.screenshot(type="png", timeout=120_000)
        finally:
            browser.close()
    if refused:
        raise RuntimeError(f"the figure tried to fetch {refused[:3]}")
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
