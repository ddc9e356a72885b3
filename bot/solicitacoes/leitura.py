"""Reading an uploaded planilha safely: ``.xlsx`` by content, or ``.csv``.

``ler_planilha`` takes the bytes a channel received and returns the cells of
every sheet as text (``Tabela``), or raises ``PlanilhaRecusada`` with a
Portuguese message saying what is wrong and how to fix it. The checks come
before any parsing and bound time and memory: at most ``LIMITE_BYTES`` on
the wire, a zip whose declared uncompressed size, entry count and ratio are
bounded (zip bombs), no macros (``.xlsm`` content), no encryption, at most
``LIMITE_LINHAS`` data rows, ``LIMITE_COLUNAS`` columns and
``LIMITE_CELULA`` characters per cell. XML is parsed by openpyxl through
defusedxml (no entity expansion); formula cells are read as their cached
values, never evaluated, and reported in ``Tabela.formulas``.
"""

from __future__ import annotations

import csv
import io
import logging
import re
import warnings
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from bot import content
from bot.text import strip_accents

logger = logging.getLogger(__name__)

LIMITE_BYTES = 5 * 1024 * 1024
LIMITE_DESCOMPACTADO = 25 * 1024 * 1024  # declared uncompressed size of all zip entries
LIMITE_ENTRADAS = 300
LIMITE_TAXA = 200  # uncompressed/compressed ratio of one big entry
LIMITE_LINHAS = 500  # data rows (the header row not counted)
LIMITE_COLUNAS = 60
LIMITE_CELULA = 5000  # characters (the longest field takes 2,000)
LIMITE_ABAS = 20
_LINHAS_VAZIAS_SEGUIDAS = 2000  # stop reading after this many empty rows in a row

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = b"PK\x03\x04"
_CRIPTOGRAFIA_OLE = "EncryptionInfo".encode("utf-16-le")
_ODS = b"application/vnd.oasis.opendocument"
_FORMULA_XML = re.compile(rb"<(?:[A-Za-z0-9_]+:)?f[\s>/]")
_ABAS_IGNORADAS = {"instrucoes", "listas"}

Celula = str | None


class PlanilhaRecusada(ValueError):
    """The file cannot be read as a planilha; the message says why and what to do.

    ``codigo``: tamanho, vazio, formato, ods, xls, macros, criptografada,
    compactacao, linhas, colunas, celula, ilegivel.
    """

    def __init__(self, codigo: str, **campos: object) -> None:
        super().__init__(texto(f"recusa_{codigo}", **campos))
        self.codigo = codigo


def texto(chave: str, **campos: object) -> str:
    """One text of ``bot/content/planilhas.yml``."""
    return content.texto("planilhas", chave, **campos)


@dataclass
class Aba:
    """One sheet: its rows of text cells (``None`` empty) and formula positions."""

    nome: str
    linhas: list[list[Celula]] = field(default_factory=list)
    # (row, column) from 1, as the spreadsheet numbers them
    formulas: set[tuple[int, int]] = field(default_factory=set)
    # cells typed as numbers (a CPF may have lost its leading zeros)
    numericas: set[tuple[int, int]] = field(default_factory=set)


@dataclass
class Tabela:
    """What was read: the format and the sheets, in order."""

    formato: str  # "xlsx" or "csv"
    abas: list[Aba]


# ---------------------------------------------------------------- entry point


def ler_planilha(dados: Any) -> Tabela:
    """The sheets of an uploaded ``.xlsx`` or ``.csv`` (``PlanilhaRecusada`` if refused)."""
    if isinstance(dados, memoryview):
        dados = dados.tobytes()
    if not isinstance(dados, (bytes, bytearray)) or not dados:
        raise PlanilhaRecusada("vazio")
    dados = bytes(dados)
    if len(dados) > LIMITE_BYTES:
        raise PlanilhaRecusada("tamanho", mb=_mb(len(dados)))
    if dados.startswith(_OLE):
        if _CRIPTOGRAFIA_OLE in dados:
            raise PlanilhaRecusada("criptografada")
        raise PlanilhaRecusada("xls")
    if dados.startswith(_ZIP):
        return Tabela("xlsx", _ler_xlsx(dados))
    if dados[:5] == b"{\\rtf" or dados.startswith(b"%PDF"):
        raise PlanilhaRecusada("formato")
    return Tabela("csv", [_ler_csv(dados)])


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.1f}".replace(".", ",")


# ---------------------------------------------------------------- xlsx


def _abrir_zip(dados: bytes) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(dados))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise PlanilhaRecusada("ilegivel") from None


def _conferir_zip(arquivo: zipfile.ZipFile) -> None:
    """Refuse what is not a plain OOXML workbook before anything is decompressed."""
    entradas = arquivo.infolist()
    nomes = {e.filename for e in entradas}
    if "mimetype" in nomes:
        with arquivo.open("mimetype") as f:
            if f.read(100).startswith(_ODS):
                raise PlanilhaRecusada("ods")
    if len(entradas) > LIMITE_ENTRADAS:
        raise PlanilhaRecusada("compactacao")
    if any(e.flag_bits & 0x1 for e in entradas):
        raise PlanilhaRecusada("criptografada")
    total = sum(e.file_size for e in entradas)
    suspeita = any(
        e.file_size > 1024 * 1024 and e.file_size > LIMITE_TAXA * max(e.compress_size, 1)
        for e in entradas
    )
    if total > LIMITE_DESCOMPACTADO or suspeita:
        raise PlanilhaRecusada("compactacao")
    if "[Content_Types].xml" not in nomes or "xl/workbook.xml" not in nomes:
        raise PlanilhaRecusada("formato")
    if any(n.lower().endswith("vbaproject.bin") for n in nomes):
        raise PlanilhaRecusada("macros")
    with arquivo.open("[Content_Types].xml") as f:
        tipos = f.read(LIMITE_DESCOMPACTADO)
    if b"macroEnabled" in tipos or b"vbaProject" in tipos:
        raise PlanilhaRecusada("macros")


def _tem_formulas(arquivo: zipfile.ZipFile) -> bool:
    """Whether any worksheet XML has a formula element (cheap scan of bounded data)."""
    for entrada in arquivo.infolist():
        if entrada.filename.startswith("xl/worksheets/") and entrada.filename.endswith(".xml"):
            with arquivo.open(entrada) as f:
                if _FORMULA_XML.search(f.read()):
                    return True
    return False


def _carregar(dados: bytes, *, valores: bool) -> Any:
    from openpyxl import load_workbook  # here: the channels import this module's limits

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "data validation extension not supported"...
            return load_workbook(
                io.BytesIO(dados), read_only=True, data_only=valores, keep_links=False
            )
    except PlanilhaRecusada:
        raise
    except Exception as erro:  # openpyxl raises many kinds on malformed parts
        logger.info("xlsx ilegível (%s)", type(erro).__name__)
        raise PlanilhaRecusada("ilegivel") from None


def _ler_xlsx(dados: bytes) -> list[Aba]:
    try:
        with _abrir_zip(dados) as arquivo:
            _conferir_zip(arquivo)
            formulas = _tem_formulas(arquivo)
    except PlanilhaRecusada:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError):
        raise PlanilhaRecusada("ilegivel") from None  # a damaged part, a bad CRC, odd compression
    livro = _carregar(dados, valores=True)
    try:
        if len(livro.sheetnames) > LIMITE_ABAS:
            raise PlanilhaRecusada("formato")
        abas = [_ler_aba(ws) for ws in livro.worksheets if _aba_de_dados(ws.title)]
    except PlanilhaRecusada:
        raise
    except Exception as erro:
        logger.info("xlsx ilegível ao ler as células (%s)", type(erro).__name__)
        raise PlanilhaRecusada("ilegivel") from None
    finally:
        livro.close()
    if formulas:
        _marcar_formulas(dados, abas)
    return abas


def _aba_de_dados(titulo: str) -> bool:
    return strip_accents(titulo).strip().lower() not in _ABAS_IGNORADAS


def _marcar_formulas(dados: bytes, abas: list[Aba]) -> None:
    """Second, formula-text pass: which cells hold formulas (their values stay)."""
    livro = _carregar(dados, valores=False)
    try:
        por_nome = {a.nome: a for a in abas}
        for ws in livro.worksheets:
            aba = por_nome.get(ws.title)
            if aba is None:
                continue
            for i, linha in enumerate(_linhas_brutas(ws, len(aba.linhas)), start=1):
                for j, valor in enumerate(linha, start=1):
                    if isinstance(valor, str) and valor.startswith("="):
                        aba.formulas.add((i, j))
    finally:
        livro.close()


def _linhas_brutas(ws: Any, limite: int) -> Any:
    for i, linha in enumerate(ws.iter_rows(values_only=True), start=1):
        if i > limite:
            return
        yield linha


def _ler_aba(ws: Any) -> Aba:
    """Rows of one sheet as text, bounded in rows, columns and cell length."""
    aba = Aba(ws.title)
    vazias = 0
    cheias = 0
    for i, linha in enumerate(ws.iter_rows(values_only=True), start=1):
        celulas = _celulas(linha, i, aba)
        if any(c is not None for c in celulas):
            cheias += 1
            vazias = 0
            if cheias > LIMITE_LINHAS + 1:  # + the header
                raise PlanilhaRecusada("linhas", maximo=LIMITE_LINHAS)
        else:
            vazias += 1
            if vazias > _LINHAS_VAZIAS_SEGUIDAS:
                break
        aba.linhas.append(celulas)
    while aba.linhas and all(c is None for c in aba.linhas[-1]):
        aba.linhas.pop()
    return aba


def _celulas(linha: tuple[Any, ...], i: int, aba: Aba) -> list[Celula]:
    ultima = max((j for j, v in enumerate(linha) if v is not None and v != ""), default=-1)
    if ultima >= LIMITE_COLUNAS:
        raise PlanilhaRecusada("colunas", maximo=LIMITE_COLUNAS)
    saida: list[Celula] = []
    for j, valor in enumerate(linha[: ultima + 1], start=1):
        if isinstance(valor, (int, float)) and not isinstance(valor, bool):
            aba.numericas.add((i, j))
        saida.append(_texto_celula(valor))
    return saida


def _texto_celula(valor: Any) -> Celula:
    """A cell's value as the requester sees it, as text."""
    if valor is None:
        return None
    if isinstance(valor, bool):
        return "VERDADEIRO" if valor else "FALSO"
    if isinstance(valor, float) and valor.is_integer() and abs(valor) < 1e16:
        valor = int(valor)
    if isinstance(valor, datetime):
        texto_ = valor.strftime("%d/%m/%Y %H:%M" if valor.time() != time() else "%d/%m/%Y")
    elif isinstance(valor, date):
        texto_ = valor.strftime("%d/%m/%Y")
    else:
        texto_ = str(valor)
    if len(texto_) > LIMITE_CELULA:
        raise PlanilhaRecusada("celula", maximo=f"{LIMITE_CELULA:,}".replace(",", "."))
    texto_ = texto_.strip()
    return texto_ or None


# ---------------------------------------------------------------- csv


def _decodificar(dados: bytes) -> str:
    if b"\x00" in dados[:4096]:
        if dados[:2] in (b"\xff\xfe", b"\xfe\xff"):
            try:
                return dados.decode("utf-16")
            except UnicodeDecodeError:
                pass
        raise PlanilhaRecusada("formato")
    try:
        return dados.decode("utf-8-sig")
    except UnicodeDecodeError:
        texto_ = dados.decode("cp1252", errors="replace")
    controles = sum(1 for c in texto_[:4096] if ord(c) < 32 and c not in "\r\n\t")
    if controles > 8 or "\ufffd" in texto_[:4096]:
        raise PlanilhaRecusada("formato")
    return texto_


def _delimitador(primeira: str) -> str:
    contagem = {d: primeira.count(d) for d in (";", ",", "\t")}
    melhor = max(contagem, key=lambda d: contagem[d])
    return melhor if contagem[melhor] else ","


def _ler_csv(dados: bytes) -> Aba:
    texto_ = _decodificar(dados)
    primeira = next((ln for ln in texto_.splitlines() if ln.strip()), "")
    leitor = csv.reader(io.StringIO(texto_, newline=""), delimiter=_delimitador(primeira))
    aba = Aba("CSV")
    cheias = 0
    try:
        for i, linha in enumerate(leitor, start=1):
            celulas = _celulas(tuple(c or None for c in linha), i, aba)
            if any(c is not None for c in celulas):
                cheias += 1
                if cheias > LIMITE_LINHAS + 1:
                    raise PlanilhaRecusada("linhas", maximo=LIMITE_LINHAS)
            aba.linhas.append(celulas)
    except csv.Error as erro:
        codigo = "celula" if "field larger" in str(erro) else "formato"
        raise PlanilhaRecusada(codigo, maximo=f"{LIMITE_CELULA:,}".replace(",", ".")) from None
    while aba.linhas and all(c is None for c in aba.linhas[-1]):
        aba.linhas.pop()
    if not aba.linhas:
        raise PlanilhaRecusada("vazio")
    return aba
