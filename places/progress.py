"""A dependency-free progress bar for long management commands run on a terminal."""

from __future__ import annotations

import time
from typing import TextIO


class TerminalProgress:
    """Callable progress sink: `progress(label, done, total)`; redraws at most ten times a second."""

    width = 30

    def __init__(self, stream: TextIO):
        self.stream = stream
        self._last_draw = 0.0
        self._label = ""

    def __call__(self, label: str, done: int, total: int | None) -> None:
        now = time.monotonic()
        final = total is not None and done >= total
        if not final and label == self._label and now - self._last_draw < 0.1:
            return
        if label != self._label and self._label:
            self.stream.write("\n")
        self._label = label
        self._last_draw = now
        if total:
            filled = int(self.width * done / total)
            bar = "#" * filled + "-" * (self.width - filled)
            line = f"\r{label:<12} [{bar}] {done:>9,}/{total:,} {100 * done // total:3d}%"
        else:
            line = f"\r{label:<12} {done:>9,}"
        self.stream.write(line)
        self.stream.flush()

    def finish(self) -> None:
        if self._label:
            self.stream.write("\n")
            self.stream.flush()
        self._label = ""
