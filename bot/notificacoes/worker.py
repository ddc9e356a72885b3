"""The notification worker: takes due notifications from the outbox and delivers them.

    python -m bot.ops.processos notificacoes   (masked logs; what the launcher runs)
    python -m bot.notificacoes.worker [--ate-esvaziar]

Channels: e-mail when ``SEI_SMTP_URL`` is set (else it says so once at start
and e-mails wait in the outbox), Telegram when ``TELEGRAM_BOT_TOKEN`` is set.
On SQLite one worker runs at a time (a file lock under ``var/run``); on
PostgreSQL any number (``FOR UPDATE SKIP LOCKED``). SIGTERM stops it after
the message in hand. Logs name notification ids, protocols and channels,
never an address.
"""

from __future__ import annotations

import argparse
import fcntl
import logging
import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime

from sqlalchemy.exc import SQLAlchemyError

from bot import settings as settings_module
from bot.notificacoes import assinaturas, fila, resumo, textos
from bot.notificacoes.envio import ConfigSmtp, EnvioSmtp, EnvioTelegram, Falha
from bot.notificacoes.segredo import Chaves
from bot.settings import ConfiguracaoInvalida, Settings
from bot.solicitacoes.store import RequestStore
from bot.solicitacoes.tipos import FUSO

logger = logging.getLogger(__name__)

ESPERA_BANCO_S = 5.0  # seconds between tries while the request store is down


class Entregador:
    """Delivers claimed notifications on the channels configured."""

    def __init__(self, cfg: Settings, store: RequestStore) -> None:
        self.cfg = cfg
        self.store = store
        self.chaves = Chaves.do_arquivo(cfg.avisos_secret_file)
        self.painel_url = (cfg.painel_url or f"http://127.0.0.1:{cfg.painel_port}").rstrip("/")
        self.smtp: EnvioSmtp | None = None
        if cfg.smtp_url:
            if not cfg.email_remetente:
                raise ConfiguracaoInvalida(textos.texto("sem_remetente"))
            try:
                config = ConfigSmtp.da_url(cfg.smtp_url)
            except ValueError as erro:
                raise ConfiguracaoInvalida(str(erro)) from None
            self.smtp = EnvioSmtp(config, cfg.email_remetente)
        self.telegram = (
            EnvioTelegram(cfg.telegram_token, cfg.telegram_api_url) if cfg.telegram_token else None
        )

    @property
    def canais(self) -> list[str]:
        """The channels this worker can deliver on."""
        return [c for c, e in (("email", self.smtp), ("telegram", self.telegram)) if e]

    def link(self, protocolo: str) -> str:
        """The request's page in the panel."""
        return f"{self.painel_url}/solicitacoes/{protocolo}"

    def _mensagem(self, t: fila.Tarefa) -> textos.Mensagem:
        if t.evento == "nova":
            return textos.nova(t.dados, self.link(t.dados["protocolo"]))
        if t.evento == "resumo":
            return textos.resumo(t.dados, self.link)
        prefixo = self.cfg.avisos_parar_url  # a link only when something serves it
        parar = None
        if t.canal == "email" and t.protocolo and prefixo:
            parar = assinaturas.link_parar(self.chaves, prefixo, t.protocolo)
        return textos.situacao(t.dados, parar)

    def entregar(self, t: fila.Tarefa) -> str:
        """Deliver one notification; its new state."""
        destino = t.destino
        if t.assinatura_id is not None:
            destino = None if t.endereco is None else self.chaves.decifrar(t.endereco)
            if destino is None:  # stopped or purged meanwhile
                fila.concluir(self.store, t.id, fila.DESCARTADA)
                return fila.DESCARTADA
        try:
            if destino is None:
                raise Falha("sem destino", permanente=True)
            msg = self._mensagem(t)
            if t.canal == "email" and self.smtp is not None:
                self.smtp.enviar(destino, msg, t.chave)
            elif t.canal == "telegram" and self.telegram is not None:
                self.telegram.enviar(destino, msg.texto)
            else:
                raise Falha(f"canal {t.canal} não configurado")
        except Falha as erro:
            return self._falhou(t, erro)
        except Exception as erro:  # a bug or a bad stored value: this row only
            logger.exception("Notification %d could not be built or sent.", t.id)
            return self._falhou(t, Falha(f"erro inesperado ({type(erro).__name__})", True))
        fila.concluir(self.store, t.id)
        logger.info(
            "Notification %d (%s, %s, %s) delivered.", t.id, t.evento, t.canal, t.protocolo or "-"
        )
        return fila.ENVIADA

    def _falhou(self, t: fila.Tarefa, erro: Falha) -> str:
        estado = fila.adiar(
            self.store,
            t,
            str(erro),
            permanente=erro.permanente,
            tentativas=self.cfg.avisos_tentativas,
            espera_s=self.cfg.avisos_espera_s,
        )
        logger.warning(
            "Notification %d (%s, %s, %s) attempt %d failed: %s -> %s.",
            t.id,
            t.evento,
            t.canal,
            t.protocolo or "-",
            t.tentativas,
            erro,
            estado,
        )
        return estado

    def fechar(self) -> None:
        """Close the connections."""
        for envio in (self.smtp, self.telegram):
            if envio is not None:
                envio.fechar()


@contextmanager
def _trava_sqlite(cfg: Settings) -> Iterator[None]:
    """On SQLite, one worker at a time (waits for the lock); nothing on PostgreSQL."""
    if not cfg.requests_db_url.startswith("sqlite"):
        yield
        return
    caminho = cfg.run_dir / "notificacoes.lock"
    caminho.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(caminho, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            logger.info("Another notification worker is running on this SQLite store; waiting.")
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _preparar(cfg: Settings, store: RequestStore, parar: threading.Event) -> bool:
    """Migrate and hook the store, waiting while the database is down; False if stopped."""
    avisado = False
    while not parar.is_set():
        try:
            fila.instalar(store, fila.Destinos.de(cfg))
            return True
        except SQLAlchemyError as erro:
            if not avisado:
                logger.warning("Request store unavailable (%s); retrying.", type(erro).__name__)
                avisado = True
            parar.wait(ESPERA_BANCO_S)
    return False


def rodar(
    cfg: Settings, parar: threading.Event, *, ate_esvaziar: bool = False, intervalo_s: float = 1.0
) -> int:
    """The delivery loop until ``parar`` is set (or, ``ate_esvaziar``, nothing is due).
    The database going away does not end it: it waits and goes on."""
    store = RequestStore(cfg.requests_db_url)
    entregador = Entregador(cfg, store)
    horario = resumo.hora(cfg.avisos_resumo_hora)
    if entregador.smtp is None:
        logger.warning(textos.texto("sem_smtp"))
    resumo_feito: date | None = None
    try:
        if not _preparar(cfg, store, parar):
            return 0
        with _trava_sqlite(cfg):
            if cfg.requests_db_url.startswith("sqlite"):
                fila.liberar_orfas(store)  # the lock is ours: nobody else is sending
            logger.info(
                "Notification worker started (channels: %s).",
                ", ".join(entregador.canais) or "none",
            )
            while not parar.is_set():
                try:
                    hoje = datetime.now(FUSO).date()
                    if resumo_feito != hoje and datetime.now(FUSO).time() >= horario:
                        resumo.enfileirar_resumo(store, fila.Destinos.de(cfg), horario)
                        resumo_feito = hoje
                    tarefas = fila.reivindicar(store, entregador.canais)  # none: no DB access
                    for tarefa in tarefas:
                        if parar.is_set():
                            break
                        entregador.entregar(tarefa)
                except SQLAlchemyError as erro:
                    logger.warning("Request store unavailable (%s); retrying.", type(erro).__name__)
                    parar.wait(ESPERA_BANCO_S)
                    continue
                if not tarefas:
                    entregador.fechar()
                    if ate_esvaziar:
                        break
                    parar.wait(intervalo_s)
    finally:
        entregador.fechar()
        store.fechar()
    logger.info("Notification worker stopped.")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point (see module docstring)."""
    parser = argparse.ArgumentParser(prog="python -m bot.notificacoes.worker")
    parser.add_argument(
        "--ate-esvaziar", action="store_true", help="sair quando nada estiver pendente"
    )
    parser.add_argument("--intervalo", type=float, default=1.0, help="segundos entre consultas")
    args = parser.parse_args(argv)
    try:
        cfg = settings_module.load()
    except ConfiguracaoInvalida as erro:
        print(f"Configuração inválida: {erro}", file=sys.stderr)
        return 1
    logging.basicConfig(
        level=cfg.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its INFO line carries the bot token
    parar = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: parar.set())
    signal.signal(signal.SIGINT, lambda *_: parar.set())
    try:
        return rodar(cfg, parar, ate_esvaziar=args.ate_esvaziar, intervalo_s=args.intervalo)
    except (ConfiguracaoInvalida, ValueError) as erro:
        print(f"Configuração inválida: {erro}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
