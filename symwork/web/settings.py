"""What a `symwork serve` run is configured with, and the web's limits (body sizes, time limits, queue)."""

from __future__ import annotations

import ipaddress
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from symwork.seeds import DEFAULT_COURSE

#: Largest typed answer (or preview text) in UTF-8 bytes; the parser reads at most 10,000 characters anyway.
ANSWER_BYTES = 10_000
#: Largest hand derivation sent to verify, in UTF-8 bytes.
DERIVATION_BYTES = 100_000
#: Largest uploaded CSV (submissions or roster), in bytes.
UPLOAD_BYTES = 20 * 1024 * 1024
#: Room for the JSON around a field (keys, quotes) when a whole body is capped.
ENVELOPE_BYTES = 2_000
#: JSON may write a character of a field as up to six bytes (``\\u00e9``); bodies are capped at that, fields exactly.
JSON_ESCAPE = 6
#: Seconds a preview (parse and print) may take in its worker.
PREVIEW_SECONDS = 1.0
#: Seconds a whole verify may take in its worker; the steps left after that are "undecided", not checked.
VERIFY_SECONDS = 30.0
#: Results kept per kind (decided checks, previews, prompts): at most this many, and this many characters.
KEPT_ENTRIES = 10_000
KEPT_CHARS = 32_000_000
#: Shortest lecturer token accepted from a file (a made one has 32 characters).
LECTURER_TOKEN_CHARS = 16
#: The server process's interpreter switch interval, in seconds (Python's default is 0.005; see `symwork serve`).
SWITCH_SECONDS = 0.0005
#: Seconds a client is asked to wait before retrying when the queue is full (the Retry-After header).
RETRY_AFTER_SECONDS = 2
#: Finished grading runs kept for download (oldest dropped first), and how long at most.
KEPT_GRADE_RUNS = 8
KEPT_GRADE_SECONDS = 3600.0
#: The largest seed a page or request may ask for (seeds are unsigned 63-bit, as in a submissions CSV).
MAX_SEED = 2**63 - 1


def default_workers() -> int:
    """One sandbox worker per core this process may use (at least one)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class Settings:
    """One `symwork serve` run: where it listens, the class it serves, and its limits."""

    host: str = "127.0.0.1"
    port: int = 8000
    course: str = DEFAULT_COURSE
    roster: Path | None = None
    workers: int = 1
    queue: int = 64
    timeout: float = 2.0
    memory: int | None = 1 << 30
    grade_jobs: int | None = None
    #: The lecturer's token: grading needs it (see `symwork.web.lecturer`); a new one for every run by default.
    lecturer_token: str = field(default_factory=lambda: secrets.token_urlsafe(24), repr=False)

    @property
    def public(self) -> bool:
        """Whether the address is reachable from other machines (anything but loopback)."""
        return not is_loopback(self.host)


def is_loopback(host: str) -> bool:
    """``127.0.0.1``, ``::1``, ``localhost`` and the rest of 127.0.0.0/8 are loopback; anything else is a network."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
