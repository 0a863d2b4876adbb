#!/usr/bin/env python3
"""Refresh the JavaScript and CSS that the web map export inlines, from the npm registry.

The exported map must open offline, so Leaflet and its plugins are vendored in ``resources/web``
rather than linked from a CDN. This script fetches them at the pinned versions below with
``npm pack`` (which checks the registry's integrity hash), copies only the files the page uses
plus each package's licence, and writes ``resources/web/VERSIONS.json`` and ``VERSIONS.md``.

Run it by hand after changing a pin: ``python scripts/refresh_web_assets.py``.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

WEB = Path(__file__).resolve().parents[1] / "resources" / "web"


@dataclass(frozen=True)
class Package:
    name: str
    version: str
    folder: str  # folder under resources/web
    files: tuple[str, ...]  # paths inside the package (below "package/")
    licence_file: str


PACKAGES: tuple[Package, ...] = (
    Package("leaflet", "1.9.4", "leaflet",
            ("dist/leaflet.js", "dist/leaflet.css", "dist/images/layers.png", "dist/images/layers-2x.png",
             "dist/images/marker-icon.png", "dist/images/marker-icon-2x.png", "dist/images/marker-shadow.png"),
            "LICENSE"),
    Package("leaflet.markercluster", "1.5.3", "markercluster",
            ("dist/leaflet.markercluster.js", "dist/MarkerCluster.css"),
            "MIT-LICENCE.txt"),
)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fetch(pkg: Package, work: Path) -> dict:
    """``npm pack`` one package into ``work`` and copy its files into resources/web."""
    out = subprocess.run(["npm", "pack", f"{pkg.name}@{pkg.version}", "--json", "--pack-destination", str(work)],
                         cwd=work, check=True, capture_output=True, text=True)
    info = json.loads(out.stdout)[0]
    tarball = work / info["filename"]
    unpacked = work / pkg.folder
    with tarfile.open(tarball) as tar:
        tar.extractall(unpacked, filter="data")
    root = unpacked / "package"
    meta = json.loads((root / "package.json").read_text(encoding="utf-8"))
    dest = WEB / pkg.folder
    if dest.exists():
        shutil.rmtree(dest)
    files = {}
    for rel in (*pkg.files, pkg.licence_file):
        src = root / rel
        target = dest / (Path(rel).name if not rel.startswith("dist/images/") else "images/" + Path(rel).name)
        if rel == pkg.licence_file:
            target = dest / "LICENSE"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, target)
        files[str(target.relative_to(WEB))] = _sha256(target)
    return {"name": pkg.name, "version": meta["version"], "license": meta.get("license", ""),
            "integrity": info.get("integrity", ""), "homepage": meta.get("homepage", ""), "files": files}


def write_versions(entries: list[dict]) -> None:
    (WEB / "VERSIONS.json").write_text(json.dumps({"packages": entries}, indent=2) + "\n", encoding="utf-8")
    lines = ["# Vendored web libraries", "",
             "Fetched from the npm registry by `scripts/refresh_web_assets.py`; do not edit by hand.", "",
             "| package | version | licence | folder |", "| --- | --- | --- | --- |"]
    for e in entries:
        folder = next(iter(e["files"])).split("/")[0]
        lines.append(f"| {e['name']} | {e['version']} | {e['license']} | `{folder}/` (see `{folder}/LICENSE`) |")
    lines += ["", "`assetmap.js` and `assetmap.css` are assetmap's own page code (MIT, like assetmap).", ""]
    (WEB / "VERSIONS.md").write_text("\n".join(lines), encoding="utf-8")


def main() -> int:
    if shutil.which("npm") is None:
        print("npm is needed to fetch the web libraries", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        entries = [fetch(pkg, Path(tmp)) for pkg in PACKAGES]
    write_versions(entries)
    for e in entries:
        print(f"{e['name']} {e['version']} ({e['license']}): {len(e['files'])} files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
