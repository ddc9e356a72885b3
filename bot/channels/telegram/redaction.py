"""The adapter's log: the bot token and webhook secret never written, chatty libraries quiet."""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence


class SemSegredos(logging.Filter):
    """Redact the bot token and webhook secret; PTB retry-loop failures on one line."""

    def __init__(self, segredos: Sequence[str | None]) -> None:
        super().__init__()
        partes = [s for s in segredos if s] + [
            s.split(":", 1)[1] for s in segredos if s and ":" in s
        ]
        self._segredos = sorted(set(p for p in partes if p), key=len, reverse=True)

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record with secrets replaced by ***."""
        texto = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            erro = record.exc_info[1]
            if record.name.startswith("telegram") and "Network Retry Loop" in texto:
                texto += f" ({type(erro).__name__}: {erro})"
            else:
                texto += "\n" + logging.Formatter().formatException(record.exc_info)
        for segredo in self._segredos:
            texto = texto.replace(segredo, "***")
        record.msg, record.args, record.exc_info, record.exc_text = texto, None, None, None
        return True


def configurar_log(nivel: str, segredos: Sequence[str | None] = ()) -> None:
    """Our log at the configured level; third-party loggers that leak data kept quiet."""
    logging.basicConfig(
        level=nivel, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    for handler in logging.getLogger().handlers:
        handler.addFilter(SemSegredos(segredos))
    minimo = max(logging.getLogger().getEffectiveLevel(), logging.INFO)
    # httpx logs every URL (with the bot token); PTB and tornado log update contents at DEBUG
    for nome in ("httpx", "httpcore"):
        logging.getLogger(nome).setLevel(max(minimo, logging.WARNING))
    for nome in ("telegram", "tornado", "apscheduler"):
        logging.getLogger(nome).setLevel(minimo)
