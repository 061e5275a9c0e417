"""Child processes that end with the run that started them, even when it is killed with
SIGKILL: the workers that prepare a batch of files, and Prefect's temporary server.

On Linux a process can ask the kernel for a signal when its parent dies
(``prctl(PR_SET_PDEATHSIG)``); :func:`end_with_parent` asks for it first thing in the child,
then checks that the parent is still the one it was started by (it may have died before
the request). Elsewhere only that check is made: point ``PREFECT_API_URL`` at a running
server there, as production should anyway.

Run as a program, it starts another Python module as a child that ends with its parent::

    python -m victim_voice.ingestion.child_processes PARENT_PID -m uvicorn --port 8000 ...
"""

from __future__ import annotations

import ctypes
import os
import runpy
import signal
import sys

PR_SET_PDEATHSIG = 1  # linux/prctl.h


def end_with_parent(parent_pid: int, signal_number: int = signal.SIGKILL) -> bool:
    """Have this process receive ``signal_number`` when its parent dies; if the parent
    ``parent_pid`` is already gone, receive it now. False where the kernel cannot do it (not
    Linux): the process then outlives a parent killed with SIGKILL."""
    armed = False
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        armed = libc.prctl(PR_SET_PDEATHSIG, signal_number, 0, 0, 0) == 0
    if os.getppid() != parent_pid:  # the parent died before the request: adopted already
        os.kill(os.getpid(), signal_number)
    return armed


def main(argv: list[str]) -> None:
    """``PARENT_PID -m MODULE ARGS...``: end with the parent, then run MODULE as ``python -m``
    would (its own ``sys.argv``)."""
    if len(argv) < 3 or argv[1] != "-m" or not argv[0].isdecimal():
        raise SystemExit("usage: python -m victim_voice.ingestion.child_processes PARENT_PID -m MODULE [ARGS...]")
    # SIGKILL: nobody is left to answer, and a server still starting defers SIGTERM until it
    # has started (seconds); its SQLite database survives a kill
    end_with_parent(int(argv[0]))
    sys.argv = [argv[2], *argv[3:]]
    runpy.run_module(argv[2], run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main(sys.argv[1:])
