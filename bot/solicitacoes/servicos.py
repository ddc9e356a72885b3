"""Filing a request: store, spreadsheet and attachment, behind one object.

``Servicos`` is what the conversation engine (``bot.solicitacoes.motor``) and the
staff console use: the catalogues, the FAQ links, the request store, the
spreadsheet folder and the attachment store, all built lazily from
``Settings`` (nothing is opened at import time). Links and catalogues set in
the NTS panel live under ``var/painel/`` (``arquivo_links_painel``,
``pasta_catalogos_painel``) and take effect without a restart.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from functools import cached_property
from pathlib import Path

from bot.faq import respostas
from bot.settings import Settings
from bot.solicitacoes import cota, planilhas
from bot.solicitacoes.anexos import AnexoStore
from bot.solicitacoes.catalogos import ARQUIVO_CARGOS, ARQUIVO_UNIDADES, Catalogos
from bot.solicitacoes.estado import Estado
from bot.solicitacoes.store import RequestStore
from bot.solicitacoes.tipos import OPERACOES, TIPOS, Solicitacao

logger = logging.getLogger(__name__)


def arquivo_links_painel(settings: Settings) -> Path:
    """The links set in the NTS panel (``chave: url``), over ``settings.links_file``."""
    return settings.var_dir / "painel" / "links.yml"


def pasta_catalogos_painel(settings: Settings) -> Path:
    """The catalogues uploaded in the NTS panel; used instead of
    ``settings.catalogs_dir`` once it holds both files."""
    return settings.var_dir / "painel" / "catalogos"


def pasta_catalogos(settings: Settings) -> Path:
    """The catalogue folder in effect: the panel's when complete, else the configured one."""
    painel = pasta_catalogos_painel(settings)
    if (painel / ARQUIVO_UNIDADES).is_file() and (painel / ARQUIVO_CARGOS).is_file():
        return painel
    return settings.catalogs_dir


class Servicos:
    """Everything a request needs from the outside world."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._catalogos: tuple[Path, Catalogos] | None = None
        self._pasta_invalida: Path | None = None
        # sends a filed request's notices to an address: (protocolo, canal, endereco)
        # -> the reply text; set by the process's glue when e-mail notices are on
        # (bot.notificacoes.avisos.Avisos.assinar), None: the form does not offer them
        self.assinante: Callable[[str, str, str], str] | None = None
        # the SEI web service files each request itself (set by the glue: bot.sei)
        self.arquiva_no_sei = False

    @property
    def catalogos(self) -> Catalogos:
        """Unit and cargo catalogues (reloaded when the NTS replaces the files;
        the panel's folder once it has both)."""
        pasta = pasta_catalogos(self.settings)
        if self._catalogos is None or pasta not in (self._catalogos[0], self._pasta_invalida):
            try:
                self._catalogos = (pasta, Catalogos.carregar(pasta))
            except ValueError as erro:
                if self._catalogos is None:
                    raise
                logger.error("Catalogue folder %s is invalid; keeping the last. %s", pasta, erro)
                self._pasta_invalida = pasta
        return self._catalogos[1]

    @cached_property
    def _links(self) -> respostas.LinksVigentes:
        return respostas.LinksVigentes(
            self.settings.links_file, arquivo_links_painel(self.settings)
        )

    @property
    def links(self) -> dict[str, respostas.Link]:
        """The "clique aqui" links of the FAQ answers (the panel's override included,
        reread when it changes)."""
        return self._links.atual()

    @cached_property
    def store(self) -> RequestStore:
        """The request store (SQLite under var/ or PostgreSQL by URL)."""
        return RequestStore(self.settings.requests_db_url)

    @cached_property
    def anexos(self) -> AnexoStore:
        """Screenshots received in error reports."""
        return AnexoStore(self.settings.anexos_dir)

    def listas(self) -> dict[str, Sequence[str]]:
        """Drop-down lists of the spreadsheets."""
        return {
            "siglas": self.catalogos.unidades.siglas(),
            "cargos": self.catalogos.cargos.nomes(),
            "operacoes": OPERACOES,
        }

    def registrar(self, estado: Estado, canal: str, contato: str) -> Solicitacao:
        """File the request of a finished form; idempotent on ``estado.id``.
        ``cota.LimiteDiario`` (nothing filed) when ``contato`` reached today's cap."""
        if not self._no_limite(contato, estado.id):
            raise cota.LimiteDiario(self.settings.limite_registros_dia)
        tipo = estado.definicao
        anexo = next((ln.get("captura") for ln in estado.linhas if ln.get("captura")), None)
        solicitacao, criada = self.store.registrar(
            tipo.chave,
            [dict(linha) for linha in estado.linhas],
            canal=canal,
            contato=contato,
            unidade=estado.unidade or "",
            chave_envio=estado.id,
            anexo=anexo,
        )
        if criada and self.settings.pausa_envio_teste_s > 0:  # crash tests: filed, unanswered
            time.sleep(self.settings.pausa_envio_teste_s)
        if tipo.planilha and (criada or not self._planilha_existe(solicitacao)):
            solicitacao = self.gerar_planilha(solicitacao)
        logger.info(
            "solicitacao %s registrada (%s)",
            solicitacao.protocolo,
            "nova" if criada else "repetida",
        )
        return solicitacao

    def caminho_planilha(self, protocolo: str) -> Path:
        """Where the spreadsheet of a request is kept (named by protocol)."""
        return self.settings.planilhas_dir / planilhas.nome_arquivo(protocolo)

    def _planilha_existe(self, solicitacao: Solicitacao) -> bool:
        return self.caminho_planilha(solicitacao.protocolo).exists()

    def gerar_planilha(self, solicitacao: Solicitacao) -> Solicitacao:
        """(Re)write the spreadsheet of one request and record its path."""
        destino = self.caminho_planilha(solicitacao.protocolo)
        planilhas.gerar_planilha(TIPOS[solicitacao.tipo], [solicitacao], destino, self.listas())
        return self.store.definir_planilha(solicitacao.protocolo, str(destino))

    def _no_limite(self, contato: str, chave_envio: str) -> bool:
        """``contato`` is under today's cap of filings, or this one was filed already."""
        if cota.pode_registrar(self.store, contato, self.settings.limite_registros_dia):
            return True
        return cota.ja_registrada(self.store, chave_envio)

    def status_publico(self, protocolo: str) -> dict[str, str] | None:
        """Status a requester may see (no personal data)."""
        return self.store.status_publico(protocolo)

    def exportar(self, solicitacoes: list[Solicitacao], tipo_chave: str, destino: Path) -> Path:
        """One consolidated spreadsheet of many requests of one kind."""
        return planilhas.gerar_planilha(TIPOS[tipo_chave], solicitacoes, destino, self.listas())
