"""Prefect's temporary server, started so that it ends with the command that needed it.

With no ``PREFECT_API_URL``, Prefect 3 starts a temporary server the first time a flow needs
its API: ``python -m uvicorn ...`` as a child process (``SubprocessASGIServer``), stopped at
exit. A run killed with SIGKILL never reaches exit, and the server (about 250 MB) stayed
behind. :func:`start_temporary_server` starts that same server first, from the calling
thread, with its command wrapped by :mod:`victim_voice.ingestion.child_processes`: the
server asks the kernel to kill it when this process dies, however it dies.
Prefect then finds it running and uses it.

Call it from the main thread, before the flow (the kernel signals a child when the *thread*
that started it ends, and the main thread lasts as long as the process)::

    >>> start_temporary_server()  # doctest: +SKIP
"""

from __future__ import annotations

import logging
import os
import subprocess
import types
from collections.abc import Iterator
from contextlib import contextmanager

WRAPPER = "victim_voice.ingestion.child_processes"
logger = logging.getLogger(__name__)


def ending_with(parent_pid: int, args: list[str]) -> list[str]:
    """A ``python -m MODULE ...`` command run through the wrapper, so the child ends with
    ``parent_pid``; any other command unchanged.

    >>> ending_with(41, ["/venv/bin/python", "-m", "uvicorn", "--port", "8001"])
    ['/venv/bin/python', '-m', 'victim_voice.ingestion.child_processes', '41', '-m', 'uvicorn', '--port', '8001']
    >>> ending_with(41, ["chromium", "--headless"])
    ['chromium', '--headless']
    """
    if len(args) >= 3 and args[1] == "-m" and args[2] == "uvicorn":
        return [args[0], "-m", WRAPPER, str(parent_pid), *args[1:]]
    return list(args)


@contextmanager
def servers_ending_with_this_process(server_module: types.ModuleType) -> Iterator[None]:
    """While the block runs, the servers ``server_module`` starts with ``subprocess.Popen``
    end with this process (only that module's name ``subprocess`` is replaced)."""

    class Subprocess(types.ModuleType):
        def __getattr__(self, name: str) -> object:
            return getattr(subprocess, name)

        @staticmethod
        def Popen(args, *more, **options):  # subprocess's own name
            return subprocess.Popen(ending_with(os.getpid(), list(args)), *more, **options)

    original = server_module.subprocess
    server_module.subprocess = Subprocess("subprocess")
    try:
        yield
    finally:
        server_module.subprocess = original


def start_temporary_server() -> None:
    """Start Prefect's temporary server now, ending with this process, when a flow run would
    start one (no ``PREFECT_API_URL``); nothing otherwise."""
    from prefect.settings import get_current_settings

    settings = get_current_settings()
    if settings.api.url or not settings.server.ephemeral.enabled:
        return
    from prefect.server.api import server as server_module

    server = server_module.SubprocessASGIServer()
    if server.running:
        return
    with servers_ending_with_this_process(server_module):
        server.start()
    process = server.server_process
    if process is not None and WRAPPER not in process.args:
        logger.warning("Prefect started its temporary server differently: it may outlive a killed run")
