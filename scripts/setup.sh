#!/usr/bin/env bash
# Set up assetmap on Debian or Ubuntu with the system's own Python (PEP 668 friendly):
#   1. the system packages the app and its tests need (only those missing; sudo when not root),
#   2. a virtual environment in .venv with assetmap (editable) and its test tools.
# The README's first command and .ci/run both call this script, so they cannot drift apart.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive

# Each entry is one package, or alternatives separated by '|' (the first one the archive has is used):
# Debian 12 and Ubuntu 24.04 name some libraries differently (libasound2 became libasound2t64).
WANTED=(
    python3-venv python3-pip        # a virtual environment from the system Python
    gdal-bin                        # ogrinfo: the project must open as a plain GeoPackage
    "chromium|chromium-browser"     # exported web maps are tested in a real headless browser
    libegl1 libgl1 libopengl0 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3   # Qt 6 offscreen
    libnss3 libxcomposite1 libxdamage1 libxrandr2 libxtst6 libxkbfile1 "libasound2t64|libasound2" libxshmfence1
    libxcb-cursor0 fonts-dejavu-core  # Qt WebEngine, and a font for reports and screenshots
)

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
available() { [ -n "$(apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ {print $2}' | grep -v '(none)')" ]; }

if command -v apt-get >/dev/null 2>&1; then
    missing=()
    for entry in "${WANTED[@]}"; do
        IFS='|' read -r -a choices <<< "$entry"
        have=""
        for pkg in "${choices[@]}"; do installed "$pkg" && have="$pkg" && break; done
        [ -n "$have" ] || missing+=("$entry")
    done
    if [ "${#missing[@]}" -gt 0 ]; then
        $SUDO apt-get update
        to_install=()
        for entry in "${missing[@]}"; do
            IFS='|' read -r -a choices <<< "$entry"
            pick="${choices[0]}"
            for pkg in "${choices[@]}"; do available "$pkg" && pick="$pkg" && break; done
            to_install+=("$pick")
        done
        $SUDO apt-get install -y --no-install-recommends "${to_install[@]}"
    fi
else
    echo "setup.sh: no apt-get here; install Python 3.11+ with venv, GDAL's command-line tools and Chromium yourself." >&2
fi

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[test]"
echo "assetmap is installed in .venv: run .venv/bin/assetmap (or activate it with: source .venv/bin/activate)"
