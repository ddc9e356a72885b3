"""Export of the queue's filtered list: one consolidated planilha per kind.

The same workbook as ``sei-nts requests export`` (one path:
``Servicos.exportar``, i.e. ``bot.solicitacoes.planilhas.gerar_planilha``),
rows oldest first as the console lists them, returned as bytes: one .xlsx
when the list holds one kind, else a .zip with one .xlsx per kind (named as
the console names them, ``planilhas.nome_exportacao``). Kinds without a
planilha (relato de erro) are left out and named in ``Arquivo.sem_planilha``.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

from bot import content
from bot.solicitacoes import planilhas
from bot.solicitacoes.servicos import Servicos
from bot.solicitacoes.store import RequestStore
from bot.solicitacoes.tipos import FUSO, TIPOS, Solicitacao

TIPO_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TIPO_ZIP = "application/zip"


class ExportacaoVazia(ValueError):
    """Nothing to export (no request, or only kinds without a planilha); Portuguese."""


class ItemExportavel(Protocol):
    """What a queue row gives (``store.ItemFila`` has it): enough to read the request."""

    @property
    def protocolo(self) -> str:
        """NTS-AAAA-NNNNNN."""

    @property
    def tipo(self) -> str:
        """Kind key."""

    @property
    def criada_em(self) -> datetime:
        """When it was filed (aware)."""


@dataclass(frozen=True)
class Arquivo:
    """The export: file name, content type and bytes, and what went in."""

    nome: str
    tipo_conteudo: str
    conteudo: bytes
    quantidade: int  # requests exported
    tipos: tuple[str, ...]  # kinds exported, one planilha each
    sem_planilha: tuple[str, ...]  # kinds of the list left out

    def avisos(self) -> list[str]:
        """Portuguese notes for the page (kinds left out)."""
        return [
            str(content.entrada("painel_servicos", "exportacao")["sem_planilha"]).format(
                tipo=TIPOS[t].titulo
            )
            for t in self.sem_planilha
        ]


def ler_solicitacoes(store: RequestStore, itens: Iterable[ItemExportavel]) -> list[Solicitacao]:
    """The full requests of queue rows, through ``RequestStore.listar``: one
    read per kind since its oldest row's day, kept to the protocols given."""
    por_tipo: dict[str, set[str]] = defaultdict(set)
    desde: dict[str, datetime] = {}
    for item in itens:
        por_tipo[item.tipo].add(item.protocolo)
        if item.tipo not in desde or item.criada_em < desde[item.tipo]:
            desde[item.tipo] = item.criada_em
    lidas: list[Solicitacao] = []
    for tipo, protocolos in sorted(por_tipo.items()):
        dia = desde[tipo].astimezone(FUSO).date()
        lidas.extend(s for s in store.listar(tipo=tipo, desde=dia) if s.protocolo in protocolos)
    return lidas


def exportar(
    servicos: Servicos, solicitacoes: Iterable[Solicitacao], agora: datetime | None = None
) -> Arquivo:
    """One planilha per kind of ``solicitacoes`` (see the module docstring)."""
    momento = agora or datetime.now(FUSO)
    por_tipo: dict[str, list[Solicitacao]] = defaultdict(list)
    for s in solicitacoes:
        por_tipo[s.tipo].append(s)
    com_planilha = sorted(t for t in por_tipo if TIPOS[t].planilha is not None)
    sem_planilha = tuple(sorted(t for t in por_tipo if TIPOS[t].planilha is None))
    textos = content.entrada("painel_servicos", "exportacao")
    if not com_planilha:
        aviso = textos["nenhuma"]
        if sem_planilha:
            aviso += " " + " ".join(
                textos["sem_planilha"].format(tipo=TIPOS[t].titulo) for t in sem_planilha
            )
        raise ExportacaoVazia(aviso)
    arquivos: list[tuple[str, bytes]] = []
    with tempfile.TemporaryDirectory(prefix="exportacao-") as pasta:
        for tipo in com_planilha:
            lista = sorted(por_tipo[tipo], key=lambda s: (s.criada_em, s.protocolo))
            nome = planilhas.nome_exportacao(tipo, momento)
            destino = servicos.exportar(lista, tipo, Path(pasta) / nome)
            arquivos.append((nome, destino.read_bytes()))
    quantidade = sum(len(por_tipo[t]) for t in com_planilha)
    if len(arquivos) == 1:
        nome, dados = arquivos[0]
        return Arquivo(nome, TIPO_XLSX, dados, quantidade, tuple(com_planilha), sem_planilha)
    return Arquivo(
        f"NTS-exportacao-{momento.astimezone(FUSO):%Y%m%d-%H%M%S}.zip",
        TIPO_ZIP,
        _zip(arquivos, momento),
        quantidade,
        tuple(com_planilha),
        sem_planilha,
    )


def _zip(arquivos: Sequence[tuple[str, bytes]], momento: datetime) -> bytes:
    saida = io.BytesIO()
    data = momento.astimezone(FUSO).timetuple()[:6]
    with zipfile.ZipFile(saida, "w", zipfile.ZIP_DEFLATED) as arquivo_zip:
        for nome, dados in arquivos:
            info = zipfile.ZipInfo(nome, date_time=data)
            info.compress_type = zipfile.ZIP_DEFLATED
            arquivo_zip.writestr(info, dados)
    return saida.getvalue()
