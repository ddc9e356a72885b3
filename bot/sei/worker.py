"""``python -m bot.sei.worker``: files queued requests into SEI and follows them.

Each round: rows left mid-call by a dead worker become ``conferir``
(``arquivamento.liberar_vencidos``), due requests are filed
(``arquivamento.processar``, retries with backoff), and every
``--intervalo-andamentos`` seconds the open requests' processes are read
(``acompanhamento.acompanhar``); once a day the catalogues are synced from SEI
(``catalogo.sincronizar`` into ``SEI_CATALOGS_DIR``; ``--intervalo-catalogos 0``
turns it off). Without SEI configured it says so and exits 0.
SIGTERM/SIGINT stop it between calls.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
import time
from types import FrameType

from bot import settings as settings_module
from bot.notificacoes import fila
from bot.sei import acompanhamento, arquivamento, avisos, catalogo
from bot.sei.cliente import ClienteSei, ErroSei
from bot.sei.config import ConfigSei
from bot.solicitacoes.store import RequestStore

logger = logging.getLogger(__name__)


def rodar(
    cfg: settings_module.Settings,
    parar: threading.Event,
    *,
    intervalo_s: float = 2.0,
    intervalo_andamentos_s: float = 300.0,
    intervalo_catalogos_s: float = 86400.0,
    pausa_teste_s: float = 0.0,
) -> int:
    """The worker loop until ``parar`` is set; 0, or 2 when SEI is not configured."""
    sei = ConfigSei.de_settings(cfg)
    if sei is None:
        print("SEI não configurado (SEI_WS_URL, SEI_WS_SIGLA_SISTEMA, SEI_WS_CHAVE): nada a fazer.")
        return 2
    cliente = ClienteSei(sei)
    prazo_envio_s = sei.connect_timeout_s + sei.timeout_s + 10 + pausa_teste_s
    ultima_leitura = 0.0
    ultimo_catalogo = time.monotonic()  # first sync one interval after start
    with RequestStore(cfg.requests_db_url) as store:
        arquivamento.migrar(store)
        # status changes made from SEI steps notify the requester as the panel's do
        fila.instalar(store, fila.Destinos.de(cfg))
        while not parar.is_set():
            arquivamento.liberar_vencidos(store, prazo_envio_s)
            arquivamento.processar(
                store,
                cliente,
                anexos_dir=cfg.anexos_dir,
                ao_arquivar=avisos.avisar_requerente,
                pausa_teste_s=pausa_teste_s,
            )
            if time.monotonic() - ultima_leitura >= intervalo_andamentos_s:
                ultima_leitura = time.monotonic()
                acompanhamento.acompanhar(store, cliente, cfg.project_root)
            if (
                intervalo_catalogos_s
                and time.monotonic() - ultimo_catalogo >= intervalo_catalogos_s
            ):
                ultimo_catalogo = time.monotonic()
                _sincronizar_catalogos(cliente, cfg)
            parar.wait(intervalo_s)
    return 0


def _sincronizar_catalogos(cliente: ClienteSei, cfg: settings_module.Settings) -> None:
    try:
        feito = catalogo.sincronizar(cliente, cfg.catalogs_dir)
    except ErroSei as erro:
        logger.warning("Daily catalogue sync from SEI skipped: %s", erro)
        return
    logger.info(
        "Daily catalogue sync: +%d/-%d units, +%d/-%d cargos.",
        len(feito.unidades_adicionadas),
        len(feito.unidades_removidas),
        len(feito.cargos_adicionados),
        len(feito.cargos_removidos),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.sei.worker", description=__doc__)
    parser.add_argument("--intervalo", type=float, default=2.0, help="segundos entre rodadas")
    parser.add_argument("--intervalo-andamentos", type=float, default=300.0)
    parser.add_argument(
        "--intervalo-catalogos", type=float, default=86400.0, help="0: sem sincronizar"
    )
    parser.add_argument("--pausa-teste", type=float, default=0.0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        cfg = settings_module.load()
    except settings_module.ConfiguracaoInvalida as erro:
        print(f"Configuração inválida: {erro}", file=sys.stderr)
        return 1
    logging.basicConfig(
        level=cfg.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    parar = threading.Event()

    def _sinal(_n: int, _f: FrameType | None) -> None:
        parar.set()

    signal.signal(signal.SIGTERM, _sinal)
    signal.signal(signal.SIGINT, _sinal)
    codigo = rodar(
        cfg,
        parar,
        intervalo_s=args.intervalo,
        intervalo_andamentos_s=args.intervalo_andamentos,
        intervalo_catalogos_s=args.intervalo_catalogos,
        pausa_teste_s=args.pausa_teste,
    )
    return 0 if codigo == 2 else codigo


if __name__ == "__main__":
    sys.exit(main())
