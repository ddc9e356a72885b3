"""Stopping the server processes the tests start (one helper for every test file)."""

from __future__ import annotations

import signal
import subprocess


def stop(
    *procs: subprocess.Popen, sig: int = signal.SIGINT, timeout: float = 60
) -> list[int | None]:
    """Send ``sig`` (Ctrl-C by default) to every process still running, wait up to
    ``timeout`` seconds for each, kill the ones that do not exit; their exit codes."""
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(sig)
    for proc in procs:
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return [proc.returncode for proc in procs]
