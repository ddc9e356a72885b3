"""The "clique aqui" links, set in the NTS panel (admin).

The keys and labels are those of ``config/links.yml`` (``Settings.links_file``,
tracked, never written here); a URL set in the panel goes to the override
file ``var/painel/links.yml`` (``bot.solicitacoes.servicos.arquivo_links_painel``),
written atomically, which the bot rereads when it changes
(``bot.faq.respostas.LinksVigentes``): in effect without a restart. Only
well-formed ``https://`` addresses without credentials are accepted, and
every change is recorded through the caller's ``Auditoria``.
"""

from __future__ import annotations

import fcntl
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit, urlunsplit

import yaml

from bot import content
from bot.arquivos import gravar_atomico
from bot.faq import respostas
from bot.settings import Settings
from bot.solicitacoes.servicos import arquivo_links_painel

logger = logging.getLogger(__name__)

LIMITE_URL = 500
ACAO_DEFINIR = "link_definido"
ACAO_RESTAURAR = "link_restaurado"

_PROIBIDOS = re.compile(r"[<>\"'`\\{}|^]")
_ROTULO_DNS = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_PERCENTUAL_RUIM = re.compile(r"%(?![0-9A-Fa-f]{2})")


class Auditoria(Protocol):
    """Records one change (the caller binds who made it; the panel's audit table)."""

    def __call__(self, *, acao: str, alvo: str, antes: str | None, depois: str | None) -> None:
        """Append the entry; raising undoes the change."""


class LinkInvalido(ValueError):
    """A link value refused; the message (Portuguese) says why and how to fix it."""


@dataclass(frozen=True)
class LinkPainel:
    """A link as the admin page lists it."""

    chave: str
    rotulo: str
    url: str | None  # in effect (None: a placeholder, the bot gives the NTS phones)
    url_arquivo: str | None  # what config/links.yml says (None: placeholder)
    no_painel: bool  # set in the panel (overrides the file)


def _msg(nome: str, **campos: object) -> str:
    grupo = content.entrada("painel_servicos", "links")
    return str(grupo[nome]).format(exemplo=grupo["exemplo"], **campos)


def validar_url(valor: str) -> str:
    """The address, normalised (scheme and host in lower case), or ``LinkInvalido``."""
    url = (valor or "").strip()
    if not url:
        raise LinkInvalido(_msg("vazio"))
    if len(url) > LIMITE_URL:
        raise LinkInvalido(_msg("longo", limite=LIMITE_URL, n=len(url)))
    if any(c.isspace() for c in url):
        raise LinkInvalido(_msg("espacos"))
    invalidos = sorted({c for c in url if _PROIBIDOS.match(c) or not c.isprintable()})
    if invalidos:
        mostrados = " ".join(c if c.isprintable() else f"U+{ord(c):04X}" for c in invalidos)
        raise LinkInvalido(_msg("caracteres", invalidos=mostrados))
    partes = urlsplit(url)
    if partes.scheme.lower() != "https" or not url.lower().startswith("https://"):
        raise LinkInvalido(_msg("esquema"))
    if "@" in partes.netloc:
        raise LinkInvalido(_msg("credenciais"))
    try:
        porta = partes.port
    except ValueError:
        raise LinkInvalido(_msg("porta")) from None
    if porta == 0:
        raise LinkInvalido(_msg("porta"))
    host = _host(partes.hostname or "")
    if host is None:
        raise LinkInvalido(_msg("site"))
    if _PERCENTUAL_RUIM.search(url):
        raise LinkInvalido(_msg("percentual"))
    netloc = host if porta is None else f"{host}:{porta}"
    normalizada = urlunsplit(("https", netloc, partes.path, partes.query, partes.fragment))
    if not re.match(r"^https?://[^\s<>\"']+$", normalizada):  # what the bot shows
        raise LinkInvalido(_msg("caracteres", invalidos="?"))
    return normalizada


def _host(nome: str) -> str | None:
    """A DNS name with a dot (internationalised names as punycode), else None."""
    try:
        ascii_ = nome.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return None
    rotulos = ascii_.rstrip(".").split(".")
    if len(rotulos) < 2 or len(ascii_) > 253:
        return None
    if not all(_ROTULO_DNS.match(r) for r in rotulos) or rotulos[-1].isdigit():
        return None
    return ascii_.rstrip(".")


class ServicoLinks:
    """List, validate, set and restore the links (see the module docstring)."""

    def __init__(self, arquivo: Path, sobreposicao: Path) -> None:
        self.arquivo = Path(arquivo)
        self.sobreposicao = Path(sobreposicao)

    @classmethod
    def de_settings(cls, settings: Settings) -> ServicoLinks:
        """The links of ``settings.links_file`` and the panel's override under var/."""
        return cls(settings.links_file, arquivo_links_painel(settings))

    def listar(self) -> list[LinkPainel]:
        """Every link of the file, in file order, with the URL in effect."""
        do_arquivo = respostas.carregar_links(self.arquivo)
        vigentes = respostas.carregar_links(self.arquivo, self.sobreposicao)
        painel = respostas.ler_sobreposicao(self.sobreposicao)
        return [
            LinkPainel(
                chave=chave,
                rotulo=link.rotulo,
                url=vigentes[chave].url,
                url_arquivo=link.url,
                no_painel=chave in painel,
            )
            for chave, link in do_arquivo.items()
        ]

    def buscar(self, chave: str) -> LinkPainel:
        """One link; ``LinkInvalido`` for a key the file does not have."""
        for link in self.listar():
            if link.chave == chave:
                return link
        raise LinkInvalido(_msg("desconhecido", chave=chave[:80]))

    def validar(self, chave: str, url: str) -> str:
        """The normalised URL for ``chave``, or ``LinkInvalido`` (message in Portuguese)."""
        self.buscar(chave)
        return validar_url(url)

    def definir(self, chave: str, url: str, auditar: Auditoria) -> LinkPainel:
        """Set the URL of ``chave`` (validated) in the override; audited."""
        nova = self.validar(chave, url)
        with self._trava():
            anteriores = respostas.ler_sobreposicao(self.sobreposicao)
            antes = self.buscar(chave).url
            self._gravar({**anteriores, chave: nova})
            self._auditar(
                auditar,
                acao=ACAO_DEFINIR,
                chave=chave,
                antes=antes,
                depois=nova,
                anteriores=anteriores,
            )
        logger.info("Link %s set in the panel.", chave)
        return self.buscar(chave)

    def restaurar(self, chave: str, auditar: Auditoria) -> LinkPainel:
        """Drop the panel's URL of ``chave``: the file's value is in effect again; audited."""
        atual = self.buscar(chave)
        with self._trava():
            anteriores = respostas.ler_sobreposicao(self.sobreposicao)
            if chave not in anteriores:
                return atual
            self._gravar({k: v for k, v in anteriores.items() if k != chave})
            depois = self.buscar(chave).url
            self._auditar(
                auditar,
                acao=ACAO_RESTAURAR,
                chave=chave,
                antes=atual.url,
                depois=depois,
                anteriores=anteriores,
            )
        logger.info("Link %s restored to the file's value.", chave)
        return self.buscar(chave)

    def _auditar(
        self,
        auditar: Auditoria,
        *,
        acao: str,
        chave: str,
        antes: str | None,
        depois: str | None,
        anteriores: dict[str, str],
    ) -> None:
        """Record the change; if that fails, put the previous override back."""
        try:
            auditar(acao=acao, alvo=chave, antes=antes, depois=depois)
        except BaseException:
            self._gravar(anteriores)
            raise

    def _gravar(self, urls: dict[str, str]) -> None:
        cabecalho = "".join(
            f"# {linha}\n" for linha in _msg("cabecalho").splitlines() if linha.strip()
        )
        corpo = yaml.safe_dump(dict(sorted(urls.items())), allow_unicode=True, sort_keys=False)
        texto = cabecalho + (corpo if urls else "{}\n")
        gravar_atomico(self.sobreposicao, lambda f: f.write(texto.encode("utf-8")))

    @contextmanager
    def _trava(self) -> Iterator[None]:
        """One writer at a time (panel processes or threads), on a lock file beside."""
        self.sobreposicao.parent.mkdir(parents=True, exist_ok=True)
        caminho = self.sobreposicao.with_name(f".{self.sobreposicao.name}.lock")
        with caminho.open("a") as arquivo:
            fcntl.flock(arquivo, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(arquivo, fcntl.LOCK_UN)
