"""A worker process's CPU priority: lowered while its slow work is set aside, restored after (Linux; elsewhere nothing).

A process is named by its pid *and* its start time (``/proc/PID/stat``), so that a pid the system has
since given to another process is never touched: a worker killed and replaced in the meantime is left alone.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

#: Niceness of a worker whose work was set aside: it gets the cores the others leave (about a tenth under load).
SLOW_NICE = 10


@dataclass(frozen=True)
class Process:
    """One process: its pid and its start time in clock ticks since boot (field 22 of ``/proc/PID/stat``)."""

    pid: int
    started: int

    @classmethod
    def of(cls, pid: int) -> Process | None:
        """The process with this pid now, or None when there is none (or no ``/proc``)."""
        started = _started(pid)
        return None if started is None else cls(pid, started)

    def alive(self) -> bool:
        """Whether this very process still runs (its pid not reused by another)."""
        return _started(self.pid) == self.started

    def lower(self) -> bool:
        """Lower its priority to `SLOW_NICE`; whether that was done."""
        return self._nice(SLOW_NICE)

    def restore(self) -> bool:
        """Give it back the normal priority; False when it is gone or this user may not raise priorities."""
        return self._nice(0)

    def _nice(self, value: int) -> bool:
        if not self.alive():
            return False
        try:
            os.setpriority(os.PRIO_PROCESS, self.pid, value)
        except (OSError, AttributeError):  # no permission to raise it again, gone meanwhile, or not on Unix
            return False
        return True


def _started(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) may hold spaces and parentheses: count the fields after its last ')'.
    fields = stat.rsplit(")", 1)[-1].split()
    return int(fields[19]) if len(fields) > 19 else None
