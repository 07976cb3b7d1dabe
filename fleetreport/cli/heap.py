"""The cyclic garbage collector told to leave alone what a command keeps until it exits."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def kept_until_done() -> Iterator[None]:
    """Every object made so far (a loaded snapshot: hundreds of thousands of records) is left out
    of the collector's walks while the block runs (``gc.freeze``: "move them to a permanent
    generation and ignore them in all the future collections", Python's ``gc`` docs); the first
    collection while judging 10,000 desktops walked them all again (about 40 ms of 90 ms of
    collecting). Reference counting still frees them; ``gc.unfreeze`` gives them back to the
    collector afterwards, so a caller in a long-lived process (the tests) keeps its heap as it
    was."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
