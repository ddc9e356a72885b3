"""Atomic file writes: a crash never leaves a half-written file behind."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO


def gravar_atomico(destino: Path, escrever: Callable[[BinaryIO], None]) -> Path:
    """Write through ``escrever`` into a temporary file beside ``destino``,
    fsync it, then rename it over ``destino`` (and fsync the folder)."""
    destino = Path(destino)
    destino.parent.mkdir(parents=True, exist_ok=True)
    fd, temporario = tempfile.mkstemp(dir=destino.parent, prefix=f".{destino.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as arquivo:
            escrever(arquivo)
            arquivo.flush()
            os.fsync(arquivo.fileno())
        os.replace(temporario, destino)
    except BaseException:
        Path(temporario).unlink(missing_ok=True)
        raise
    _fsync_pasta(destino.parent)
    return destino


def _fsync_pasta(pasta: Path) -> None:
    """Persist the rename (best effort: not every system can fsync a folder)."""
    try:
        fd = os.open(pasta, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
