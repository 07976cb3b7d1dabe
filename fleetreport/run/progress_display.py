"""A live per-source progress display for terminals; under cron nothing is drawn."""

from __future__ import annotations

import sys
import threading
from collections.abc import Sequence
from types import TracebackType
from typing import TextIO

from fleetreport.collect.progress import ProgressView, SourceProgress
from fleetreport.text import terminal_safe

REFRESH_SECONDS = 0.2


class LiveProgress:
    """Redraws one line per source, in place, until the block ends."""

    def __init__(self, sources: Sequence[SourceProgress], stream: TextIO) -> None:
        self._sources = list(sources)
        self._stream = stream
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="progress", daemon=True)
        self._drawn = 0

    def __enter__(self) -> LiveProgress:
        _enable_escape_sequences()
        self._draw()
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join()
        self._draw()

    def _loop(self) -> None:
        while not self._stop.wait(REFRESH_SECONDS):
            self._draw()

    def _draw(self) -> None:
        lines = [describe(source.view()) for source in self._sources]
        move_up = f"\x1b[{self._drawn}F" if self._drawn else ""
        self._stream.write(move_up + "".join(f"\x1b[2K{line}\n" for line in lines))
        self._stream.flush()
        self._drawn = len(lines)


def describe(view: ProgressView) -> str:
    """``vcenter  https://vc01/sdk  collecting  2,000 objects  2 pages  14 requests  3.1 s``."""
    url = terminal_safe(view.url, limit=48)
    return (
        f"{view.kind:8} {url:48} {view.state:10} {view.objects:>8,} objects"
        f" {view.pages:>3} pages {view.round_trips:>4} requests {view.elapsed:6.1f} s"
    )


def _enable_escape_sequences() -> None:
    """Windows' classic console (cmd.exe, Windows PowerShell) draws the cursor movements of the
    live display only once asked to; colorama asks, and does nothing where that is not needed."""
    if sys.platform == "win32":
        import colorama

        colorama.just_fix_windows_console()
