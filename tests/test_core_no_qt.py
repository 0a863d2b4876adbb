"""assetmap.core must never import Qt, so that every job runs headless."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def test_core_imports_with_qt_blocked() -> None:
    script = textwrap.dedent("""
        import importlib, pkgutil, sys

        class BlockQt:
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] in ("PyQt6", "PyQt5", "PySide6", "PySide2", "sip"):
                    raise ImportError(f"Qt is blocked in the core: {name}")
                return None

        sys.meta_path.insert(0, BlockQt())
        import assetmap.core
        names = [m.name for m in pkgutil.walk_packages(assetmap.core.__path__, "assetmap.core.")]
        for name in names:
            importlib.import_module(name)
        import assetmap.cli.cmd_import, assetmap.cli.cmd_assets  # the headless CLI too
        print(len(names))
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.strip()) >= 20  # every core module was really imported
