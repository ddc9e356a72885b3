"""The unit and cargo catalogues in the NTS panel (admin): see, upload, replace.

An uploaded CSV is checked by the very function ``sei-nts catalog check``
runs (``Catalogos.carregar`` of ``bot.solicitacoes.catalogos``, on a
temporary folder holding the new file and the current other one), after
checks against hostile files (size, empty, binary). A bad file is refused
with the line and the reason, and nothing changes. A good one is written
atomically into ``var/painel/catalogos/``
(``bot.solicitacoes.servicos.pasta_catalogos_painel``; the tracked
``data/catalogs`` is never written), the other catalogue copied beside it
the first time; the bot switches to that folder once it holds both files
(``Servicos.catalogos``) and reloads a file when it changes: no restart.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bot import content
from bot.arquivos import gravar_atomico
from bot.painel.links import Auditoria
from bot.settings import Settings
from bot.solicitacoes.catalogos import (
    ARQUIVO_CARGOS,
    ARQUIVO_UNIDADES,
    CatalogoInvalido,
    Catalogos,
    Unidade,
)
from bot.solicitacoes.servicos import pasta_catalogos, pasta_catalogos_painel

logger = logging.getLogger(__name__)

ARQUIVOS = {"unidades": ARQUIVO_UNIDADES, "cargos": ARQUIVO_CARGOS}
LIMITE_BYTES = 900 * 1024  # below the panel's request limit (1 MB), so this message shows
LIMITE_LINHA = 4000  # bytes of one CSV line (a unit or cargo is far shorter)
ACAO_SUBSTITUIR = "catalogo_substituido"
# starts of files that are not text: zip (xlsx, docx, ods), OLE (xls), PDF, images, gzip
_ASSINATURAS_BINARIAS = (
    b"PK\x03\x04",
    b"\xd0\xcf\x11\xe0",
    b"%PDF",
    b"\x89PNG",
    b"\xff\xd8\xff",
    b"GIF8",
    b"\x1f\x8b",
)


class CatalogoRecusado(ValueError):
    """An uploaded catalogue refused: ``linha`` (or None) and ``motivo``; the
    message (Portuguese) says the current catalogue stays."""

    def __init__(self, mensagem: str, linha: int | None = None, motivo: str = "") -> None:
        super().__init__(mensagem)
        self.linha = linha
        self.motivo = motivo or mensagem


@dataclass(frozen=True)
class Situacao:
    """The catalogues in effect, for the admin page."""

    unidades: tuple[Unidade, ...]
    cargos: tuple[str, ...]
    pasta: Path
    do_painel: bool  # uploaded in the panel (else the configured folder)


def _msg(chave_texto: str, **campos: object) -> str:
    return str(content.entrada("painel_servicos", "catalogo")[chave_texto]).format(**campos)


def _tamanho(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MB".replace(".", ",")
    return f"{n // 1024} KB" if n >= 1024 else f"{n} bytes"


def _arquivo(nome: str) -> str:
    if nome not in ARQUIVOS:
        raise CatalogoRecusado(_msg("desconhecido", nome=str(nome)[:40]))
    return ARQUIVOS[nome]


def _resumo(conteudo: bytes, n: int, nome: str) -> str:
    """Audit text of a catalogue version: its size and digest (never its rows)."""
    return f"{n} {_msg(nome)}; sha256 {hashlib.sha256(conteudo).hexdigest()[:16]}"


def _gravar(destino: Path, dados: bytes) -> None:
    gravar_atomico(destino, lambda arquivo: arquivo.write(dados))


def conferir_bytes(nome: str, conteudo: bytes) -> None:
    """Refuse, before parsing, an empty, oversized or binary upload."""
    _arquivo(nome)
    rotulo = _msg(nome)
    if not conteudo.strip():
        raise CatalogoRecusado(_msg("vazio", nome=rotulo))
    if len(conteudo) > LIMITE_BYTES:
        raise CatalogoRecusado(
            _msg(
                "grande",
                tamanho=_tamanho(len(conteudo)),
                limite=_tamanho(LIMITE_BYTES),
                nome=rotulo,
            )
        )
    if b"\x00" in conteudo or conteudo.startswith(_ASSINATURAS_BINARIAS):
        raise CatalogoRecusado(_msg("binario"))
    for numero, linha in enumerate(conteudo.splitlines(), start=1):
        if len(linha) > LIMITE_LINHA:
            motivo = _msg("linha_longa", limite=LIMITE_LINHA)
            raise CatalogoRecusado(
                _msg("invalido_linha", linha=numero, motivo=motivo), numero, motivo
            )


class ServicoCatalogo:
    """The catalogues of ``settings`` as the panel shows and replaces them."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.pasta_painel = pasta_catalogos_painel(settings)

    def pasta(self) -> Path:
        """The folder in effect (the panel's once complete)."""
        return pasta_catalogos(self.settings)

    def situacao(self) -> Situacao:
        """Units and cargos in effect."""
        pasta = self.pasta()
        catalogos = Catalogos.carregar(pasta)
        return Situacao(
            unidades=tuple(catalogos.unidades),
            cargos=tuple(catalogos.cargos),
            pasta=pasta,
            do_painel=pasta == self.pasta_painel,
        )

    def validar(self, nome: str, conteudo: bytes) -> int:
        """How many entries the upload has, or ``CatalogoRecusado`` (line, reason)."""
        conferir_bytes(nome, conteudo)
        arquivo = _arquivo(nome)
        with tempfile.TemporaryDirectory(prefix="catalogo-") as temporaria:
            pasta = Path(temporaria)
            atual = self.pasta()
            for outro in ARQUIVOS.values():
                if outro != arquivo:
                    shutil.copyfile(atual / outro, pasta / outro)
            (pasta / arquivo).write_bytes(conteudo)
            try:
                catalogos = Catalogos.carregar(pasta)  # what `sei-nts catalog check` runs
            except CatalogoInvalido as erro:
                if erro.linha:
                    mensagem = _msg("invalido_linha", linha=erro.linha, motivo=erro.motivo)
                else:
                    mensagem = _msg("invalido", motivo=erro.motivo)
                raise CatalogoRecusado(mensagem, erro.linha, erro.motivo) from None
        return len(catalogos.unidades) if nome == "unidades" else len(catalogos.cargos)

    def substituir(self, nome: str, conteudo: bytes, auditar: Auditoria) -> int:
        """Validate and put the upload in effect; audited (a failed audit undoes it).

        Returns the number of entries of the new catalogue.
        """
        n = self.validar(nome, conteudo)
        arquivo = _arquivo(nome)
        with self._trava():
            atual = self.pasta()
            anteriores = {a: self._ler(self.pasta_painel / a) for a in ARQUIVOS.values()}
            antes_bytes = (atual / arquivo).read_bytes()
            antes_n = self._contar(nome, atual)
            for outro in ARQUIVOS.values():  # the other catalogue first: no half switch
                if outro != arquivo and anteriores[outro] is None:
                    _gravar(self.pasta_painel / outro, (atual / outro).read_bytes())
            _gravar(self.pasta_painel / arquivo, conteudo)
            try:
                auditar(
                    acao=ACAO_SUBSTITUIR,
                    alvo=nome,
                    antes=_resumo(antes_bytes, antes_n, nome),
                    depois=_resumo(conteudo, n, nome),
                )
            except BaseException:
                self._voltar(anteriores)
                raise
        logger.info("Catalogue %s replaced in the panel (%d entries).", nome, n)
        return n

    @staticmethod
    def _contar(nome: str, pasta: Path) -> int:
        catalogos = Catalogos.carregar(pasta)
        return len(catalogos.unidades) if nome == "unidades" else len(catalogos.cargos)

    @staticmethod
    def _ler(caminho: Path) -> bytes | None:
        try:
            return caminho.read_bytes()
        except FileNotFoundError:
            return None

    def _voltar(self, anteriores: dict[str, bytes | None]) -> None:
        """Put the panel's folder back as it was (a file it did not have is removed)."""
        for arquivo, conteudo in anteriores.items():
            destino = self.pasta_painel / arquivo
            if conteudo is None:
                destino.unlink(missing_ok=True)
            else:
                _gravar(destino, conteudo)

    @contextmanager
    def _trava(self) -> Iterator[None]:
        """One replacement at a time, on a lock file in the panel's folder."""
        self.pasta_painel.mkdir(parents=True, exist_ok=True)
        with (self.pasta_painel / ".lock").open("a") as arquivo:
            fcntl.flock(arquivo, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(arquivo, fcntl.LOCK_UN)
