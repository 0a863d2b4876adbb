"""The Qt-free core of assetmap: data model, project store, importers, analysis and export.

Nothing under this package may import Qt, so that every job runs headless (CLI, tests, CI).
"""
