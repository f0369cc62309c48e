"""Escaping for the two places data text is shown: the terminal and HTML."""

from __future__ import annotations

import html
import unicodedata


def terminal(text: str) -> str:
    """Text safe to print: control characters (ESC sequences included) shown as escapes."""
    out = []
    for char in text:
        if char == "\n" or char == "\t" or not unicodedata.category(char).startswith("C"):
            out.append(char)
        elif ord(char) < 0x100:
            out.append(f"\\x{ord(char):02x}")
        else:
            out.append(f"\\u{ord(char):04x}")
    return "".join(out)


def html_text(text: str) -> str:
    """Text safe inside HTML element content and quoted attributes."""
    return html.escape(text, quote=True)
