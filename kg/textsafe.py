"""Escaping for the two places data text is shown: the terminal and HTML."""

from __future__ import annotations

import html
import re
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


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def html_text(text: str) -> str:
    """Text safe inside HTML element content and quoted attributes — and well-formed XML
    (SVG): the characters XML 1.0 cannot hold are shown as ``\\uXXXX``."""
    return _NOT_XML.sub(lambda m: f"\\u{ord(m.group()):04x}", html.escape(text, quote=True))


def file_name(text: str) -> str:
    """A file name as shown in a message: every control character escaped, the newline and
    the tab included (in a name they are never layout, and a raw newline would forge a line
    of output)."""
    return terminal(text).replace("\n", "\\x0a").replace("\t", "\\x09")
