"""The vendored Leaflet, plugin and page code, ready to inline into one HTML file.

Inlining is what lets the exported map open from an e-mail attachment with no network: nothing
is fetched from a CDN. Leaflet's CSS points at images beside it, so those become data URIs;
source-map comments are dropped so no browser tool tries to fetch a missing ``.map`` file.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from assetmap.core.resources import resources_dir

# (folder/file) in resources/web, in load order.
SCRIPTS: tuple[str, ...] = ("leaflet/leaflet.js", "markercluster/leaflet.markercluster.js", "assetmap.js")
STYLES: tuple[str, ...] = ("leaflet/leaflet.css", "markercluster/MarkerCluster.css", "assetmap.css")

_URL = re.compile(r"url\((['\"]?)(images/[A-Za-z0-9_.\-]+\.png)\1\)")
_SOURCEMAP = re.compile(r"^\s*//# sourceMappingURL=.*$", re.MULTILINE)


@dataclass(frozen=True)
class WebAssets:
    scripts: tuple[str, ...]
    styles: tuple[str, ...]
    licences: str  # licence notices, kept beside the inlined code as the licences require


def web_dir() -> Path:
    return resources_dir() / "web"


def _data_uri(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def _inline_css(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    return _URL.sub(lambda m: f"url({_data_uri(path.parent / m.group(2))})", text)


def _check(text: str, tag: str, name: str) -> str:
    if f"</{tag}" in text.lower():
        raise ValueError(f"{name} contains '</{tag}' and cannot be inlined safely")
    return text


@lru_cache(maxsize=1)
def load_web_assets() -> WebAssets:
    """Read (once) the scripts and styles the page inlines, and the licence notices to keep."""
    base = web_dir()
    scripts = tuple(_check(_SOURCEMAP.sub("", (base / s).read_text(encoding="utf-8")), "script", s) for s in SCRIPTS)
    styles = tuple(_check(_inline_css(base / s), "style", s) for s in STYLES)
    notices = []
    for folder in sorted({s.split("/")[0] for s in SCRIPTS if "/" in s}):
        notices.append(f"{folder}:\n" + (base / folder / "LICENSE").read_text(encoding="utf-8").strip())
    licences = "\n\n".join(notices).replace("--", "- -")  # safe inside an HTML comment
    return WebAssets(scripts, styles, licences)
