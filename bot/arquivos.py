"""Atomic file writes: a crash never leaves a half-written file behind.

The temporary file is ``.NOME.XXXX.tmp`` beside the destination; the launcher
and the retention purge remove the ones a killed process left.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import BinaryIO


@contextmanager
def substituir_atomico(destino: Path) -> Iterator[Path]:
    """A temporary file beside ``destino`` for the caller to fill by path (a
    program, SQLite's backup API); on success it is fsynced and renamed over
    ``destino`` (and the folder fsynced), on failure removed."""
    destino = Path(destino)
    destino.parent.mkdir(parents=True, exist_ok=True)
    fd, nome = tempfile.mkstemp(dir=destino.parent, prefix=f".{destino.name}.", suffix=".tmp")
    os.close(fd)
    temporario = Path(nome)
    try:
        yield temporario
        _fsync(temporario)
        os.replace(temporario, destino)
    except BaseException:
        temporario.unlink(missing_ok=True)
        raise
    with suppress(OSError):  # best effort: not every system can fsync a folder
        _fsync(destino.parent)


def gravar_atomico(destino: Path, escrever: Callable[[BinaryIO], object]) -> Path:
    """Write through ``escrever`` into a temporary file beside ``destino``, then
    rename it over ``destino`` (see ``substituir_atomico``)."""
    with substituir_atomico(destino) as temporario, temporario.open("wb") as arquivo:
        escrever(arquivo)
    return Path(destino)


def _fsync(caminho: Path) -> None:
    """Flush a file's (or a folder's) data to disk."""
    fd = os.open(caminho, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def carregar_segredo(caminho: Path) -> bytes:
    """A secret of 32 random bytes kept in ``caminho`` (mode 0600), created the
    first time; when several processes start at once, the first to link it wins."""
    caminho = Path(caminho)
    try:
        dados = caminho.read_bytes()
        if len(dados) >= 32:
            return dados
    except FileNotFoundError:
        pass
    caminho.parent.mkdir(parents=True, exist_ok=True)
    temporario = caminho.with_name(f".{caminho.name}.{os.getpid()}.tmp")
    fd = os.open(temporario, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as saida:
        saida.write(secrets.token_bytes(32))
        saida.flush()
        os.fsync(saida.fileno())
    try:
        os.link(temporario, caminho)  # atomic: the first process to create it wins
    except FileExistsError:
        pass
    finally:
        os.unlink(temporario)
    return caminho.read_bytes()
