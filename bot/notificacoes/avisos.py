"""One object for the callers of the notifications: the engine, the channels, the panel.

avisos = Avisos.de(servicos)           # or Avisos(store, settings)
avisos.assinar(protocolo, "email", endereco)    # after "Quer receber os avisos...?"
avisos.assinar(protocolo, "telegram", str(chat_id))
avisos.assinar(protocolo, "web", sender)
avisos.parar(protocolo)                 # "parar avisos" -> the text to answer
avisos.pendentes_para(sender)           # web widget: notices to show now
avisos.parar_por_link(token)            # panel route /avisos/parar/<token>
avisos.falhas(protocolo); avisos.reenviar(id)   # panel: failed + "reenviar"
"""

from __future__ import annotations

from functools import cached_property

from bot.notificacoes import assinaturas, fila, textos
from bot.notificacoes.segredo import Chaves
from bot.notificacoes.tabelas import migrar
from bot.settings import Settings
from bot.solicitacoes.servicos import Servicos
from bot.solicitacoes.store import RequestStore


class Avisos:
    """The notification API over one store (the key file is read on first use)."""

    def __init__(self, store: RequestStore, settings: Settings) -> None:
        self.store = store
        self.settings = settings
        self._pronto = False

    def _preparar(self) -> None:
        """The tables exist (once per object; the web gateway may be the first to ask)."""
        if not self._pronto:
            with self.store.na_transacao() as conn:
                migrar(conn)
            self._pronto = True

    @classmethod
    def de(cls, servicos: Servicos) -> Avisos:
        """Over a process's ``Servicos`` (hooks its store too: ``fila.ligar``)."""
        fila.ligar(servicos)
        avisos = cls(servicos.store, servicos.settings)
        avisos._pronto = True
        return avisos

    @property
    def email_ligado(self) -> bool:
        """Whether e-mail can be sent (``SEI_SMTP_URL``): only then offer
        "Quer receber os avisos desta solicitação por e-mail?"."""
        return bool(self.settings.smtp_url)

    @property
    def telegram_ligado(self) -> bool:
        """Whether Telegram pushes can be sent (``TELEGRAM_BOT_TOKEN``)."""
        return bool(self.settings.telegram_token)

    @cached_property
    def chaves(self) -> Chaves:
        """Keys from ``SEI_AVISOS_SECRET_FILE`` (created the first time)."""
        return Chaves.do_arquivo(self.settings.avisos_secret_file)

    def assinar(self, protocolo: str, canal: str, endereco: str) -> str:
        """Send the notices of ``protocolo`` to ``endereco`` on ``canal``; the reply text
        (for e-mail; the caller validates the address like the other e-mails)."""
        self._preparar()
        assinaturas.assinar(self.store, self.chaves, protocolo, canal, endereco)
        return textos.texto("assinado_email", protocolo=protocolo)

    def parar(self, protocolo: str) -> str:
        """ "parar avisos": stop them for ``protocolo``; the reply text."""
        self._preparar()
        chave = "parado" if assinaturas.parar(self.store, protocolo) else "parado_nenhum"
        return textos.texto(chave, protocolo=protocolo)

    def parar_por_link(self, token: str) -> str:
        """The one-click link of an e-mail: the page's text (stopped, or link invalid)."""
        self._preparar()
        protocolo = assinaturas.parar_por_link(self.store, self.chaves, token)
        if protocolo is None:
            return textos.texto("parar_link_invalido")
        return textos.texto("parado", protocolo=protocolo)

    def pendentes_para(self, sender: str) -> list[str]:
        """The web widget's notices for ``sender`` (each returned once)."""
        self._preparar()
        return assinaturas.pendentes_para(self.store, self.chaves, sender)

    def falhas(self, protocolo: str) -> list[fila.Falha]:
        """Notifications of ``protocolo`` given up on (panel: request page)."""
        self._preparar()
        return fila.falhas(self.store, protocolo)

    def reenviar(self, notificacao_id: int) -> bool:
        """Queue a failed notification again (panel: "reenviar")."""
        self._preparar()
        return fila.reenviar(self.store, notificacao_id)
