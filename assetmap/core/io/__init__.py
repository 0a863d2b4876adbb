"""Readers: files in, plain data (``RawTable``, geometries, lookups) out, with every bad row accounted for.

Nothing here touches the project store or the import pipeline (``core.imports`` does that, using these
readers); import-linter checks it.
"""
