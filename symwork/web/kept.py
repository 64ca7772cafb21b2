"""Results the server keeps, so that the same request is answered again without a worker: bounded, least recently used.

A class types the same few answers again and again, and each keystroke of the answer box asks for a
preview. What is kept was computed in the sandbox pool and is a function of its key alone (a decided
check of one answer to one variant, the reading of one text, one variant's prompt), so an answer from
here is the answer the pool would give; untrusted text is only ever a key here, never read.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

Value = TypeVar("Value")


class Kept(Generic[Value]):
    """A thread-safe map of at most ``entries`` items and ``chars`` characters (keys and values), oldest use dropped first."""

    def __init__(self, *, entries: int, chars: int) -> None:
        if entries < 1 or chars < 1:
            raise ValueError(f"entries={entries!r} and chars={chars!r} must be at least 1.")
        self.entries = entries
        self.chars = chars
        self._items: OrderedDict[Hashable, tuple[Value, int]] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._items)

    @property
    def size(self) -> int:
        """Characters kept now (as counted by `put`)."""
        return self._size

    def get(self, key: Hashable) -> Value | None:
        """The value kept for ``key`` (now the most recently used), or None."""
        with self._lock:
            found = self._items.get(key)
            if found is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return found[0]

    def put(self, key: Hashable, value: Value, size: int) -> None:
        """Keep ``value`` for ``key``, counted as ``size`` characters; too large a value is not kept."""
        if size > self.chars:
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._size -= old[1]
            self._items[key] = (value, size)
            self._size += size
            while len(self._items) > self.entries or self._size > self.chars:
                _, (_, dropped) = self._items.popitem(last=False)
                self._size -= dropped
