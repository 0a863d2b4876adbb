"""Import orchestration: files read by ``core.io`` become assets and people in the project store.

``pipeline`` prepares and commits an import of assets (columns, places, themes, re-import updates);
``people`` does the same for residents' skills; ``history`` records every committed import so it can be
taken back. Readers in ``core.io`` never reach here or into the store: data flows files → readers →
imports → project store.
"""
