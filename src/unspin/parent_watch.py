"""A child process that ends when its parent does, however the parent ends (kill -9 included).

Used by `unspin batch`'s worker processes and `unspin serve --workers N`'s: without it, a killed
driver or supervisor leaves its workers running (batch workers blocked on their task queue, web
workers still listening on the port).
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time

PARENT_POLL_SECONDS = 0.5  # how often a child checks that its parent is still alive
PR_SET_PDEATHSIG = 1  # linux/prctl.h


def die_with_parent(parent: int) -> None:
    """End this process when the process `parent` ends.

    On Linux the kernel sends SIGKILL at once (`prctl(PR_SET_PDEATHSIG)`); a thread that polls the
    parent pid covers other systems and a parent that died before the prctl call.
    """
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
        except (OSError, AttributeError):  # no prctl: the watch thread below still ends the process
            pass
    if os.getppid() != parent:  # the parent is already gone
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(PARENT_POLL_SECONDS)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="unspin-parent-watch", daemon=True).start()
