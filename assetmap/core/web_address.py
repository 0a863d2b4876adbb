"""Which website values assetmap keeps: http(s) web addresses only.

A website is published (GeoJSON, CSV, the web map's popup link), so a ``javascript:``, ``data:``,
``vbscript:`` or ``file:`` value is a trap for whoever opens the export in another tool, whatever
assetmap's own page does with it. A bare host ("www.example.org", "example.org/page") is kept as
typed and read as https (the web map links it as ``https://``), because that is how people write
web addresses on posters and in spreadsheets.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit

MAX_CHARS = 2000  # the longest address browsers and search engines reliably handle
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):", re.IGNORECASE)
_PORT_AFTER = re.compile(r"^\d+(?:[/?#]|$)")  # "example.org:8080/..." names a port, not a scheme
# host names: labels of letters (any script), digits, - and _; the last a top-level domain or an IPv4 number
_HOST = re.compile(r"^[\w-]+(?:\.[\w-]+)*\.(?:[^\W\d_]{2,}|xn--[a-z0-9-]+|\d{1,3})$", re.IGNORECASE)
_UNSAFE = re.compile(r"[<>\"`\\]")  # never in an address as typed; an apostrophe is (St_John's_Church)
# The everyday address (ASCII host, no user name, port under 10000): accepted without the full check, which
# matters when every website of 50,000 assets is checked on opening a project edited in QGIS.
_PLAIN = re.compile(r"(?:https?://)?[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}(?::\d{1,4})?"
                    r"(?:[/?#][\w\-.~%!$&'()*+,;=:@/?#\[\]]*)?", re.IGNORECASE | re.ASCII)
_HINT = {"mailto": "put an e-mail address in the E-mail field", "tel": "put a phone number in the Phone field"}


def _shown(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "..."


def web_address_problem(value: str) -> str | None:
    """Why ``value`` is not a web address assetmap keeps (None when it is one); the reason names what to write."""
    text = value.strip()
    if len(text) > MAX_CHARS:
        return f"a web address of {len(text):,} characters; at most {MAX_CHARS:,}"
    if _PLAIN.fullmatch(text):
        return None
    bad = next((c for c in text if c.isspace() or unicodedata.category(c) in ("Cc", "Cf", "Cs")), None)
    if bad is not None:
        return (f"'{_shown(text.encode('unicode_escape').decode('ascii'))}' holds a space or an invisible "
                f"character (U+{ord(bad):04X}); a web address has none")
    if text.startswith("//"):
        return f"'{_shown(text)}' has no scheme: write it with https:// (https:{_shown(text)})"
    scheme = _SCHEME.match(text)
    name = scheme.group(1).lower() if scheme else ""
    if scheme and (name in _HINT or text[scheme.end():].startswith("//") or not _PORT_AFTER.match(text[scheme.end():])):
        if name not in ("http", "https"):
            hint = _HINT.get(name, "only http:// and https:// addresses are kept")
            return f"'{_shown(text)}' is not a web page address ({name}: links are not kept); {hint}"
        rest = text[scheme.end():]
        if not rest.startswith("//"):
            return f"'{_shown(text)}' is not a web address (expected {name}://example.org)"
    else:
        text = "https://" + text  # a bare host: read as https, as the web map links it
    if _UNSAFE.search(text):
        return f"'{_shown(value.strip())}' holds a character a web address cannot (< > \" ` \\)"
    try:
        parts = urlsplit(text)
        _ = parts.port  # raises ValueError for a port that is not a number from 0 to 65535
    except ValueError:
        return f"'{_shown(value.strip())}' does not look like a web address (https://example.org)"
    if "@" in parts.netloc:
        return (f"'{_shown(value.strip())}' has a user name before the host (@): that is how a link pretends "
                "to go to one site and goes to another; give the plain address")
    if not parts.hostname or not _HOST.match(parts.hostname):
        return f"'{_shown(value.strip())}' does not look like a web address (https://example.org)"
    return None
