"""Helpers for work on a whole county's rows at once (imports, rankings)."""

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def older_objects_frozen() -> Iterator[None]:
    """Every full garbage collection scans every object in the process, and work that
    allocates 100,000 rows' worth of objects starts dozens of them: a fifth of an import's
    time, nearly all of it rescanning objects older than the work (Django's, the pinyin
    dictionaries). Frozen, those are left out; the work's own garbage is still collected.
    (Unfreezing returns every frozen object, so nested or concurrent uses only lose speed.)"""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
