"""The Dask worker plugin of ``grade --executor dask://``: worker processes may start sandboxes, and stop them on close.

Dask runs worker processes as daemons under a nanny, and multiprocessing refuses children to a daemon;
without this plugin a cluster would check answers with no hard time or memory limit. Imported only when a
Dask executor is used (Dask is optional).
"""

from __future__ import annotations

from typing import Any

from distributed.diagnostics.plugin import WorkerPlugin

from symwork.classroom.run import allow_sandboxes, stop_sandboxes


class SandboxPlugin(WorkerPlugin):
    """Lets each worker process start sandbox workers (the same limits as a local run) and stops them at teardown."""

    name = "symwork-sandbox"
    idempotent = True

    def setup(self, worker: Any) -> None:
        allow_sandboxes()

    def teardown(self, worker: Any) -> None:
        stop_sandboxes()
