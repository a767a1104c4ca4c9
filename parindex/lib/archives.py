"""Limits for the documents people upload, checked before any reader opens them.

DOCX and XLSX files are zip archives: 137 KB can expand to 100 MB of XML and keep a reader busy
for minutes. `check_zip` reads only the archive's directory (no decompression) and refuses an
archive whose members add up to more than `MAX_EXPANDED` bytes, that packs its content more
than `MAX_RATIO` times over, or that has more than `MAX_MEMBERS` members. Python's zip reader
never expands a member past the size the directory declares, so the directory is a bound.
`time_limit` stops a reader still busy after a few seconds (PDF pages, deeply nested tables).
"""

from __future__ import annotations

import io
import signal
import threading
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

# Enough for a plan of hundreds of pages with pictures, or a workbook of every criterion.
MAX_EXPANDED = 60_000_000
# Office XML packs 5 to 30 times over; a ratio above this is a bomb, once past a small size.
MAX_RATIO = 100
RATIO_FLOOR = 2_000_000
MAX_MEMBERS = 5_000
# Seconds a document reader may take before it is stopped.
READ_SECONDS = 10.0


class ArchiveRefused(ValueError):
    """The archive expands too far; `expanded` and `limit` are in bytes."""

    def __init__(self, reason: str, *, expanded: int, limit: int, ratio: float = 0.0) -> None:
        super().__init__(f"{reason}: {expanded} bytes expanded (limit {limit}), ratio {ratio:.0f}")
        self.reason = reason
        self.expanded = expanded
        self.limit = limit
        self.ratio = ratio


class ReadTooLong(TimeoutError):
    """A reader took longer than its time limit."""


def is_zip(data: bytes) -> bool:
    return data[:4] == b"PK\x03\x04"


def check_zip(
    data: bytes,
    *,
    max_expanded: int = MAX_EXPANDED,
    max_ratio: float = MAX_RATIO,
    max_members: int = MAX_MEMBERS,
) -> zipfile.ZipFile:
    """The archive, opened, once its directory shows it stays within the limits; raises
    ArchiveRefused (too large) or zipfile.BadZipFile (not an archive)."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    members = archive.infolist()
    expanded = sum(m.file_size for m in members)
    if len(members) > max_members:
        raise ArchiveRefused("members", expanded=expanded, limit=max_expanded)
    if expanded > max_expanded:
        raise ArchiveRefused("size", expanded=expanded, limit=max_expanded)
    ratio = expanded / max(len(data), 1)
    if expanded > RATIO_FLOOR and ratio > max_ratio:
        raise ArchiveRefused("ratio", expanded=expanded, limit=max_expanded, ratio=ratio)
    return archive


@contextmanager
def time_limit(seconds: float = READ_SECONDS) -> Iterator[None]:
    """Raise ReadTooLong in the block once `seconds` have passed.

    Uses the process's interval timer, so it acts in the main thread only (each request of a
    `parindex serve` worker runs there); elsewhere the size limits above are the bound.
    """
    if threading.current_thread() is not threading.main_thread() or seconds <= 0:
        yield
        return

    def expire(signum: int, frame: FrameType | None) -> None:
        raise ReadTooLong(f"reading took longer than {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expire)
    # Another timer already running (a test runner's, say) is put back when the block ends.
    started = time.monotonic()
    earlier, _interval = signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if earlier > 0:
            left = earlier - (time.monotonic() - started)
            signal.setitimer(signal.ITIMER_REAL, max(left, 0.001))
