"""Escaping for where data text is shown: the terminal, HTML, and scripts inlined in a page."""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
import unicodedata
from typing import Any


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


def json_for_script(data: Any) -> str:
    """JSON that cannot end or break out of the ``<script>`` element that holds it."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    for char, escaped in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e"),
                          ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escaped)
    return text


def csp_hash(source: str) -> str:
    """The Content-Security-Policy source (``'sha256-…'``) that allows this inline script
    or style."""
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"
