"""Entry points of the assistant's processes, with CPF/e-mail masking installed.

    python -m bot.ops.processos rasa run --model models/sei.tar.gz ... [--debug]
    python -m bot.ops.processos acoes --actions actions --port 5055 [--debug]
    python -m bot.ops.processos web
    python -m bot.ops.processos telegram
    python -m bot.ops.processos painel
    python -m bot.ops.processos notificacoes
    python -m bot.ops.processos sei

Each one installs ``bot.ops.logmask`` (log records, structlog, stdout/stderr)
and then hands over to the program it replaces, with the same arguments:
Rasa's own CLI (``rasa.__main__.main``), rasa-sdk's action server
(what ``rasa run actions`` runs), the web chat gateway, the Telegram adapter, the NTS panel,
the notification worker, the SEI worker.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from bot.ops import logmask
from bot.settings import ConfiguracaoInvalida

USO = (
    "uso: python -m bot.ops.processos {rasa,acoes,web,telegram,painel,notificacoes,sei} "
    "[argumentos]\n"
    "  rasa      servidor Rasa (mesmos argumentos do comando rasa, ex.: run --model ...)\n"
    "  acoes     servidor de ações (argumentos do rasa-sdk: --actions, --port, --debug...)\n"
    "  web       gateway do chat web\n"
    "  telegram  adaptador do Telegram\n"
    "  painel    painel web do NTS\n"
    "  notificacoes  entrega dos avisos (e-mail, Telegram)\n"
    "  sei       processos no SEI: abertura, andamentos, catálogos (bot.sei.worker)\n"
)


def _codigo(valor: object) -> int:
    """Exit status of a ``SystemExit`` code / return value."""
    if valor is None:
        return 0
    if isinstance(valor, int):
        return valor
    print(valor, file=sys.stderr)
    return 1


def rasa_servidor(argv: list[str]) -> int:
    """Rasa's CLI (``rasa ARGS``) with masked logs and ``bot.rasa.patches``."""
    logmask.instalar()
    from bot.rasa import patches

    patches.install()  # first: Rasa's CLI modules import what it keeps out
    import rasa.__main__

    sys.argv = ["rasa", *argv]  # Rasa's main() reads sys.argv itself
    try:
        rasa.__main__.main()
    except SystemExit as saida:
        return _codigo(saida.code)
    return 0


def servidor_acoes(argv: list[str]) -> int:
    """rasa-sdk's action server (``rasa run actions ARGS``) with masked logs."""
    logmask.instalar()
    from rasa_sdk.__main__ import main_from_args
    from rasa_sdk.endpoint import create_argument_parser

    parser = create_argument_parser()
    parser.prog = "python -m bot.ops.processos acoes"
    try:
        main_from_args(parser.parse_args(argv))
    except SystemExit as saida:
        return _codigo(saida.code)
    return 0


def gateway_web(argv: list[str]) -> int:
    """The web chat gateway with masked logs."""
    logmask.instalar()
    from bot.channels.web import app as web

    return web.main(argv)


def adaptador_telegram(argv: list[str]) -> int:  # noqa: ARG001 - no arguments
    """The Telegram adapter with masked logs."""
    logmask.instalar()
    from bot.channels.telegram import app as telegram

    return telegram.main()


def painel_nts(argv: list[str]) -> int:
    """The NTS panel (waitress) with masked logs."""
    logmask.instalar()
    from bot.painel import servidor

    return servidor.main(argv)


def entrega_avisos(argv: list[str]) -> int:
    """The notification worker (bot.notificacoes.worker) with masked logs."""
    logmask.instalar()
    from bot.notificacoes import worker

    return worker.main(argv)


def worker_sei(argv: list[str]) -> int:
    """The SEI worker (bot.sei.worker) with masked logs."""
    logmask.instalar()
    from bot.sei import worker

    return worker.main(argv)


PROCESSOS: dict[str, Callable[[list[str]], int]] = {
    "rasa": rasa_servidor,
    "acoes": servidor_acoes,
    "web": gateway_web,
    "telegram": adaptador_telegram,
    "painel": painel_nts,
    "notificacoes": entrega_avisos,
    "sei": worker_sei,
}


def main(argv: list[str] | None = None) -> int:
    """``python -m bot.ops.processos NOME [ARGS...]``."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv or argv[0] not in PROCESSOS:
        if argv and argv[0] not in ("-h", "--help"):
            print(f"Processo desconhecido: {argv[0]!r}.", file=sys.stderr)
            print(USO, file=sys.stderr)
            return 2
        print(USO, file=sys.stderr if not argv else sys.stdout)
        return 2 if not argv else 0
    try:
        return PROCESSOS[argv[0]](argv[1:])
    except ConfiguracaoInvalida as erro:  # one line naming the variable, no traceback
        print(f"Configuração inválida: {erro}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
