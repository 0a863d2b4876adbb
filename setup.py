"""Ships the top-level ``resources/`` and ``sample_data/`` folders inside the package.

pyproject.toml holds everything else; this file only maps those two folders to
``assetmap._resources`` and ``assetmap._sample_data``, so a wheel (``pip install .``) carries
them and an editable install (``pip install -e .``) reads them where they are.
"""

from pathlib import Path

from setuptools import find_packages, setup

DATA_PACKAGES = {"assetmap._resources": "resources", "assetmap._sample_data": "sample_data"}


def data_packages() -> dict[str, str]:
    """Each data folder and its subfolders as packages (setuptools wants every folder named)."""
    out = {}
    for package, folder in DATA_PACKAGES.items():
        for sub in [Path(folder), *sorted(p for p in Path(folder).rglob("*") if p.is_dir())]:
            out[".".join([package, *sub.relative_to(folder).parts])] = str(sub)
    return out


PACKAGES = data_packages()

setup(
    packages=find_packages(include=["assetmap", "assetmap.*"]) + list(PACKAGES),
    package_dir=PACKAGES,
    package_data={"assetmap.gui": ["*.js"], **{name: ["*"] for name in PACKAGES}},
)
