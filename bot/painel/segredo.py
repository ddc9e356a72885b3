"""The panel's session signing key: random bytes in a file under var/ (0600)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def carregar_chave(caminho: Path) -> bytes:
    """Read the key, creating it the first time (the first process to link it wins)."""
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
        os.link(temporario, caminho)
    except FileExistsError:
        pass
    finally:
        os.unlink(temporario)
    return caminho.read_bytes()
