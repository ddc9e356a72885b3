"""CPF and e-mail masking for every log line of every process.

``mascarar(texto)`` (``bot.mascara``) rewrites CPFs as ``***.982.247-**`` and
e-mail addresses as ``m***@gmail.com`` in any string. ``instalar()`` applies
it everywhere a process can write a log line:

- ``logging.Logger.handle`` wrapped, so every record is masked before any
  filter or handler sees it, whatever logger, level or handler (including
  handlers that Rasa, Sanic or coloredlogs add later, loggers that do not
  propagate, and ``extra`` fields such as Sanic's access-log request line);
- ``FiltroMascara`` on the handlers that already exist (for records handed
  to a handler directly, e.g. built with ``logging.makeLogRecord``);
- a structlog processor, inserted before the renderer of every
  ``structlog.configure`` call (Rasa 3.6 logs parsed user text, slots and
  events through structlog at DEBUG: ``processor.message.parse`` ...);
- optionally, ``sys.stdout``/``sys.stderr`` wrapped so that ``print``,
  warnings and tracebacks written directly are masked too (the servers;
  not the staff console, whose output must show the data).

What counts as a CPF: ``xxx.xxx.xxx-xx`` always (a mistyped CPF is still
personal data); 11 digits written otherwise (bare, with spaces or other
dashes) only when the check digits are valid, so that other numbers
(protocols, process numbers, timestamps) stay readable.
"""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from typing import Any, TextIO

from bot.mascara import mascarar

_PROFUNDIDADE_MAXIMA = 12

# LogRecord attributes that are not "extra" data passed by the caller.
_ATRIBUTOS_PADRAO = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {
    "message",
    "asctime",
    "_sei_mascarado",
}


def mascarar_valor(valor: Any, _profundidade: int = 0) -> Any:
    """A log value with CPFs and e-mails masked, recursively.

    Containers are rebuilt; other objects are replaced by their masked
    ``repr`` only when it holds something to mask (that is what a renderer
    would print).
    """
    if isinstance(valor, str):
        return mascarar(valor)
    if valor is None or isinstance(valor, (bool, float)):
        return valor
    if _profundidade > _PROFUNDIDADE_MAXIMA:
        return "[...]"
    proximo = _profundidade + 1
    if isinstance(valor, dict):
        return {mascarar_valor(k, proximo): mascarar_valor(v, proximo) for k, v in valor.items()}
    if isinstance(valor, (list, tuple, set, frozenset)):
        itens = [mascarar_valor(v, proximo) for v in valor]
        if isinstance(valor, tuple) and not hasattr(valor, "_fields"):
            return tuple(itens)
        return itens
    if isinstance(valor, (bytes, bytearray)):
        texto = bytes(valor).decode("utf-8", "replace")
        mascarado = mascarar(texto)
        return valor if mascarado == texto else mascarado
    try:
        texto = str(valor) if isinstance(valor, int) else repr(valor)
    except Exception:
        return "<objeto>"
    mascarado = mascarar(texto)
    return valor if mascarado == texto else mascarado


# ----------------------------------------------------------------- logging


def mascarar_registro(record: logging.LogRecord) -> logging.LogRecord:
    """Mask a log record in place (message, arguments, exception, stack, extras)."""
    marca = getattr(record, "_sei_mascarado", None)
    if marca is not None and marca[0] is record.msg and marca[1] is record.args:
        return record  # already masked (and msg/args not replaced since)
    if isinstance(record.msg, dict):
        record.msg = mascarar_valor(record.msg)
        record.args = mascarar_valor(record.args)
    else:
        try:
            mensagem = record.getMessage()
        except Exception:
            record.msg = mascarar_valor(record.msg)
            record.args = mascarar_valor(record.args)
        else:
            mascarada = mascarar(mensagem)
            if mascarada != mensagem:
                record.msg, record.args = mascarada, ()
    if record.exc_info and record.exc_info[0] is not None:
        texto = record.exc_text or "".join(traceback.format_exception(*record.exc_info))
        texto = texto.rstrip("\n")
        mascarado = mascarar(texto)
        if mascarado != texto:  # never re-rendered from the live exception again
            record.exc_text, record.exc_info = mascarado, None
    elif record.exc_text:
        record.exc_text = mascarar(record.exc_text)
    if record.stack_info:
        record.stack_info = mascarar(record.stack_info)
    for nome, valor in list(vars(record).items()):
        if nome not in _ATRIBUTOS_PADRAO and isinstance(valor, (str, dict, list, tuple)):
            setattr(record, nome, mascarar_valor(valor))
    record._sei_mascarado = (record.msg, record.args)
    return record


class FiltroMascara(logging.Filter):
    """Handler/logger filter that masks CPFs and e-mails of every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record; never drops it."""
        mascarar_registro(record)
        return True


def instalar_logger() -> None:
    """Wrap ``logging.Logger.handle`` (once): records are masked on their way in."""
    original = logging.Logger.handle
    if getattr(original, "_sei_mascara", False):
        return

    def handle(self: logging.Logger, record: logging.LogRecord) -> Any:
        mascarar_registro(record)
        return original(self, record)

    handle._sei_mascara = True  # type: ignore[attr-defined]
    handle._sei_original = original  # type: ignore[attr-defined]
    handle.__doc__ = original.__doc__
    logging.Logger.handle = handle  # type: ignore[method-assign]


def _todos_os_handlers() -> list[logging.Handler]:
    handlers = list(logging.getLogger().handlers)
    for logger in list(logging.Logger.manager.loggerDict.values()):
        if isinstance(logger, logging.Logger):
            handlers.extend(logger.handlers)
    return handlers


def instalar_filtros() -> int:
    """Add ``FiltroMascara`` to every handler that exists now; how many got it."""
    novos = 0
    for handler in _todos_os_handlers():
        if not any(isinstance(f, FiltroMascara) for f in handler.filters):
            handler.addFilter(FiltroMascara())
            novos += 1
    return novos


# ----------------------------------------------------------------- structlog


def processador_structlog(_logger: Any, _metodo: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    """structlog processor: mask every value of the event (exceptions rendered first)."""
    exc_info = event_dict.pop("exc_info", None)
    if exc_info:
        if exc_info is True:
            exc_info = sys.exc_info()
        elif isinstance(exc_info, BaseException):
            exc_info = (type(exc_info), exc_info, exc_info.__traceback__)
        if isinstance(exc_info, tuple) and exc_info[0] is not None:
            event_dict.setdefault("exception", "".join(traceback.format_exception(*exc_info)))
    return {chave: mascarar_valor(valor) for chave, valor in event_dict.items()}


def _com_processador(processadores: Any) -> Any:
    lista = list(processadores)
    if processador_structlog in lista:
        return lista
    # before the renderer (the last processor), after everything that adds data
    posicao = len(lista) - 1 if lista else 0
    return [*lista[:posicao], processador_structlog, *lista[posicao:]]


def instalar_structlog() -> bool:
    """Insert the processor in structlog's configuration, now and on every reconfiguration.

    False when structlog is not installed.
    """
    try:
        import structlog
        from structlog import _config
    except ImportError:
        return False
    if getattr(structlog.configure, "_sei_mascara", False):
        return True
    original = _config.configure

    def configure(*args: Any, **kwargs: Any) -> None:
        if args:
            args = (_com_processador(args[0]), *args[1:])
        elif kwargs.get("processors") is not None:
            kwargs["processors"] = _com_processador(kwargs["processors"])
        original(*args, **kwargs)

    configure._sei_mascara = True  # type: ignore[attr-defined]
    configure.__doc__ = original.__doc__
    structlog.configure = configure
    _config.configure = configure  # configure_once() calls it by this name
    original(processors=_com_processador(structlog.get_config()["processors"]))
    return True


# ----------------------------------------------------------------- streams


class FluxoMascarado:
    """A text stream that masks what is written to it, line by line.

    Complete lines are masked and written at once; a partial line waits for
    its end (or ``flush``), so a CPF written in two pieces is still caught.
    """

    LIMITE_PENDENTE = 64 * 1024

    def __init__(self, original: TextIO) -> None:
        self._original = original
        self._pendente = ""
        self._trava = threading.RLock()

    @property
    def original(self) -> TextIO:
        """The wrapped stream."""
        return self._original

    def write(self, texto: str) -> int:
        """Mask and write the complete lines; keep the partial one."""
        if not isinstance(texto, str):
            return self._original.write(texto)
        with self._trava:
            dados = self._pendente + texto
            corte = dados.rfind("\n") + 1
            if len(dados) - corte > self.LIMITE_PENDENTE:
                corte = len(dados)
            pronto, self._pendente = dados[:corte], dados[corte:]
            if pronto:
                self._original.write(mascarar(pronto))
        return len(texto)

    def writelines(self, linhas: Any) -> None:
        """Write each line."""
        for linha in linhas:
            self.write(linha)

    def flush(self) -> None:
        """Write the pending partial line (masked) and flush."""
        with self._trava:
            if self._pendente:
                self._original.write(mascarar(self._pendente))
                self._pendente = ""
        self._original.flush()

    def __getattr__(self, nome: str) -> Any:
        return getattr(self._original, nome)


def instalar_fluxos() -> None:
    """Wrap ``sys.stdout`` and ``sys.stderr`` (once)."""
    for nome in ("stdout", "stderr"):
        fluxo = getattr(sys, nome)
        if fluxo is not None and not isinstance(fluxo, FluxoMascarado):
            setattr(sys, nome, FluxoMascarado(fluxo))


# ----------------------------------------------------------------- all of it

_trava_instalacao = threading.Lock()


def instalar(fluxos: bool = True) -> None:
    """Mask CPFs and e-mails in everything this process logs (idempotent).

    ``fluxos``: also wrap stdout/stderr (servers); the staff console passes
    False, since its output is meant to show the data to the NTS.
    """
    with _trava_instalacao:
        instalar_logger()
        instalar_filtros()
        instalar_structlog()
        if fluxos:
            instalar_fluxos()
