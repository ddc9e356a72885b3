"""``python -m bot.painel.servidor``: the panel on 127.0.0.1:SEI_PAINEL_PORT (waitress).

The launcher starts it (through ``bot.ops.processos painel``, which masks
CPF and e-mail in its logs). It touches only the request store, so it runs
beside any number of Rasa replicas. Publish it through the SESAU reverse
proxy (https), never directly: it listens on the loopback only.
"""

from __future__ import annotations

import logging
import sys

from bot import settings as settings_module

THREADS = 4


def main(argv: list[str] | None = None) -> int:  # noqa: ARG001 - no arguments
    """Serve the panel until SIGINT/SIGTERM."""
    import waitress

    from bot.painel.app import criar_app

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    cfg = settings_module.load()
    app = criar_app(cfg)
    app.extensions["sei_servicos"].store.migrar()
    print(f"Painel do NTS em http://127.0.0.1:{cfg.painel_port}/", flush=True)
    waitress.serve(app, host="127.0.0.1", port=cfg.painel_port, threads=THREADS, ident="painel")
    return 0


if __name__ == "__main__":
    sys.exit(main())
