"""``python -m bot.painel.servidor``: the panel on 127.0.0.1:SEI_PAINEL_PORT (waitress).

The launcher starts it (through ``bot.ops.processos painel``, which masks
CPF and e-mail in its logs). It touches only the request store, so it runs
beside any number of Rasa replicas. Publish it through the SESAU reverse
proxy (https), never directly: it listens on the loopback only.
"""

from __future__ import annotations

import logging
import signal
import sys
from typing import Any

from bot import settings as settings_module
from bot.settings import Settings

THREADS = 4
PROXY_HEADERS = "x-forwarded-for x-forwarded-proto x-forwarded-host"


def opcoes_waitress(cfg: Settings) -> dict[str, Any]:
    """waitress options: loopback, and with ``SEI_PAINEL_PROXIES`` the local reverse
    proxy's X-Forwarded-For/-Proto/-Host trusted (client address for throttling,
    https scheme); waitress drops those headers from anyone else."""
    opcoes: dict[str, Any] = {
        "host": "127.0.0.1",
        "port": cfg.painel_port,
        "threads": THREADS,
        "ident": "painel",
    }
    if cfg.painel_proxies:
        opcoes.update(
            trusted_proxy="127.0.0.1",
            trusted_proxy_count=cfg.painel_proxies,
            trusted_proxy_headers=PROXY_HEADERS,
            clear_untrusted_proxy_headers=True,
        )
    return opcoes


def main(argv: list[str] | None = None) -> int:  # noqa: ARG001 - no arguments
    """Serve the panel until SIGINT/SIGTERM."""
    import waitress

    from bot.painel.app import criar_app

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    cfg = settings_module.load()
    app = criar_app(cfg)
    app.extensions["sei_servicos"].store.migrar()
    try:
        app.extensions["sei_indicadores"].preparar()  # indexes of the conversation store
    except Exception as erro:  # the panel works without them, only slower
        logging.getLogger(__name__).warning("Indicator indexes not created: %s", erro)
    signal.signal(signal.SIGTERM, _parar)  # the launcher stops its children with SIGTERM
    try:
        servidor = waitress.create_server(app, **opcoes_waitress(cfg))
    except OSError as erro:
        print(
            f"Erro: o painel não pôde escutar em 127.0.0.1:{cfg.painel_port} ({erro.strerror}). "
            "Outra cópia já está rodando? Escolha outra porta em SEI_PAINEL_PORT.",
            file=sys.stderr,
        )
        app.extensions["sei_indicadores"].fechar()
        app.extensions["sei_servicos"].store.fechar()
        return 1
    print(f"Painel do NTS em http://127.0.0.1:{cfg.painel_port}/", flush=True)
    try:
        servidor.run()
    except KeyboardInterrupt:
        pass
    finally:
        app.extensions["sei_indicadores"].fechar()
        app.extensions["sei_servicos"].store.fechar()
    return 0


def _parar(_sinal: int, _quadro: object) -> None:
    raise KeyboardInterrupt


if __name__ == "__main__":
    sys.exit(main())
