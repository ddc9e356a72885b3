"""Reading uploaded planilhas (bot.solicitacoes.leitura): formats by content, hostile files.

Every hostile file is refused with its own Portuguese reason and nothing is
parsed beyond the bounds; the time each refusal takes is measured in
``bench/planilha.py``, not asserted here.
"""

from __future__ import annotations

import functools
import io
import random
import zipfile

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from planilhas_geradas import com_valor_em_cache

from bot import content
from bot.solicitacoes.leitura import LIMITE_LINHAS, PlanilhaRecusada, ler_planilha

CABECALHO = ["Nome completo", "CPF", "E-mail pessoal", "Sigla da unidade", "Cargo/Função"]
LINHA = ["Maria da Silva", "529.982.247-25", "maria@gmail.com", "GETIN", "Gerente"]


def xlsx(linhas, titulo="Cadastro de Usuários") -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = titulo
    for linha in linhas:
        ws.append(linha)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def recusa(dados) -> PlanilhaRecusada:
    with pytest.raises(PlanilhaRecusada) as erro:
        ler_planilha(dados)
    assert str(erro.value).strip() and "Traceback" not in str(erro.value)
    return erro.value


def _zip(entradas: dict[str, bytes], metodo=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", metodo) as z:
        for nome, conteudo in entradas.items():
            z.writestr(nome, conteudo)
    return buffer.getvalue()


def _trocar(
    dados: bytes, nome: str, conteudo: bytes, extra: dict[str, bytes] | None = None
) -> bytes:
    """The xlsx ``dados`` with part ``nome`` replaced (and ``extra`` parts added)."""
    entrada = zipfile.ZipFile(io.BytesIO(dados))
    partes = {i.filename: entrada.read(i) for i in entrada.infolist()}
    partes[nome] = conteudo
    partes.update(extra or {})
    return _zip(partes)


# ---------------------------------------------------------------- formats


def test_xlsx_is_read_by_content_whatever_the_name():
    tabela = ler_planilha(xlsx([CABECALHO, LINHA]))
    assert tabela.formato == "xlsx"
    assert tabela.abas[0].linhas == [CABECALHO, LINHA]


def test_our_own_planilha_skips_instructions_and_lists(tmp_path):
    from bot.solicitacoes import planilhas
    from bot.solicitacoes.tipos import TIPOS

    destino = tmp_path / "modelo.xlsx"
    listas = {"siglas": ["GETIN"], "cargos": ["Gerente"]}
    planilhas.gerar_modelo(TIPOS["cadastro_usuario"], destino, listas)
    tabela = ler_planilha(destino.read_bytes())
    assert [a.nome for a in tabela.abas] == ["Cadastro de Usuários"]
    assert tabela.abas[0].linhas[0][1:6] == CABECALHO


@pytest.mark.parametrize("codificacao", ["utf-8", "utf-8-sig", "latin-1", "cp1252"])
@pytest.mark.parametrize("separador", [",", ";"])
def test_csv_in_utf8_or_latin1_with_comma_or_semicolon(codificacao, separador):
    texto = "\r\n".join(separador.join(c for c in linha) for linha in [CABECALHO, LINHA])
    tabela = ler_planilha(texto.encode(codificacao))
    assert tabela.formato == "csv"
    assert tabela.abas[0].linhas == [CABECALHO, LINHA]


def test_numbers_and_dates_become_the_text_the_requester_sees():
    from datetime import datetime

    tabela = ler_planilha(xlsx([["CPF", "Data"], [52998224725, datetime(2026, 3, 5)], [1.5, None]]))
    aba = tabela.abas[0]
    assert aba.linhas[1] == ["52998224725", "05/03/2026"]
    assert aba.linhas[2] == ["1.5"]
    assert (2, 1) in aba.numericas and (1, 1) not in aba.numericas


def test_formulas_are_read_as_their_cached_values_and_flagged():
    dados = xlsx([CABECALHO, ["Maria da Silva", '=CONCATENATE("529.982.247-25")']])
    dados = com_valor_em_cache(dados, "B2", "529.982.247-25")
    aba = ler_planilha(dados).abas[0]
    assert aba.linhas[1] == ["Maria da Silva", "529.982.247-25"]
    assert aba.formulas == {(2, 2)}


@pytest.mark.parametrize(
    ("conteudo", "codigo"),
    [
        (_zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"}), "ods"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "xls"),
        (b"%PDF-1.4 oficio", "formato"),
        (b"", "vazio"),
    ],
)
def test_other_formats_get_how_to_save_as_xlsx(conteudo, codigo):
    erro = recusa(conteudo)
    assert erro.codigo == codigo
    if codigo in ("ods", "xls", "formato"):
        assert ".xlsx" in str(erro) and "Salvar como" in str(erro)


def test_macros_are_refused():
    dados = _trocar(
        xlsx([CABECALHO]),
        "[Content_Types].xml",
        zipfile.ZipFile(io.BytesIO(xlsx([CABECALHO])))
        .read("[Content_Types].xml")
        .replace(b"sheet.main+xml", b"sheet.macroEnabled.main+xml"),
        {"xl/vbaProject.bin": b"\x00" * 100},
    )
    assert recusa(dados).codigo == "macros"


def test_encrypted_files_are_refused():
    # an encrypted OOXML file is an OLE container with an EncryptionInfo stream
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500 + "EncryptionInfo".encode("utf-16-le")
    assert recusa(ole).codigo == "criptografada"
    # a zip whose entries carry the encryption flag
    dados = bytearray(xlsx([CABECALHO]))
    for assinatura in (b"PK\x03\x04", b"PK\x01\x02"):
        inicio = 0
        while (i := dados.find(assinatura, inicio)) >= 0:
            deslocamento = 6 if assinatura == b"PK\x03\x04" else 8
            dados[i + deslocamento] |= 0x1
            inicio = i + 4
    assert recusa(bytes(dados)).codigo == "criptografada"


# ---------------------------------------------------------------- limits and hostile files


def test_more_than_500_filled_rows_are_refused_empty_rows_are_not_counted():
    linhas = [CABECALHO] + [LINHA] * LIMITE_LINHAS
    assert len(ler_planilha(xlsx(linhas)).abas[0].linhas) == LIMITE_LINHAS + 1
    com_vazias = [CABECALHO] + [LINHA, [None]] * (LIMITE_LINHAS // 2)
    assert ler_planilha(xlsx(com_vazias)).abas[0].linhas[-1] == LINHA
    erro = recusa(xlsx([CABECALHO] + [LINHA] * (LIMITE_LINHAS + 1)))
    assert erro.codigo == "linhas" and "500" in str(erro)


def test_more_than_5_mb_is_refused_before_reading():
    erro = recusa(b"PK\x03\x04" + random.Random(1).randbytes(5 * 1024 * 1024))
    assert erro.codigo == "tamanho" and "5 MB" in str(erro)


def test_zip_bomb_is_refused_by_its_declared_size():
    bomba = _trocar(xlsx([CABECALHO]), "xl/media/vazio.bin", b"\x00" * (60 * 1024 * 1024))
    assert len(bomba) < 1024 * 1024
    assert recusa(bomba).codigo == "compactacao"


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>"""


@pytest.mark.parametrize(
    "parte", ["xl/worksheets/sheet1.xml", "xl/workbook.xml", "xl/styles.xml", "[Content_Types].xml"]
)
def test_billion_laughs_xml_is_refused_without_expanding(parte):
    import openpyxl.xml

    assert openpyxl.xml.DEFUSEDXML, "defusedxml ausente: o openpyxl leria XML sem proteção"
    dados = _trocar(xlsx([CABECALHO]), parte, BILLION_LAUGHS)
    assert recusa(dados).codigo in ("ilegivel", "formato")


def test_10000_columns_are_refused():
    erro = recusa(xlsx([[f"c{i}" for i in range(10_000)]]))
    assert erro.codigo == "colunas"


def test_binary_garbage_named_xlsx_is_refused():
    lixo = random.Random(7).randbytes(200_000)
    assert recusa(lixo).codigo == "formato"
    assert recusa(b"PK\x03\x04" + lixo).codigo == "ilegivel"


def test_a_1_mb_cell_is_refused():
    assert recusa(xlsx([CABECALHO, ["x" * 1_000_000]])).codigo == "celula"
    assert recusa(("Nome;CPF\n" + "x" * 1_000_000 + ";1\n").encode()).codigo == "celula"


def test_every_refusal_has_its_own_text_and_no_placeholder_left():
    textos = content.carregar("planilhas")
    for chave in [k for k in textos if k.startswith("recusa_")]:
        campos = {"mb": "6,0", "maximo": 500}
        assert "{" not in content.texto("planilhas", chave, **campos), chave


_BASE = xlsx([CABECALHO, LINHA, LINHA])
_CSV = "\n".join(map(";".join, [CABECALHO, LINHA])).encode()
# uncompressed, so that changed bytes reach the XML itself
_SEM_COMPACTAR = _zip(
    {
        i.filename: zipfile.ZipFile(io.BytesIO(_BASE)).read(i)
        for i in zipfile.ZipFile(io.BytesIO(_BASE)).infolist()
    },
    zipfile.ZIP_STORED,
)


@functools.cache
def _catalogos():
    from conftest import ROOT

    from bot import settings as configuracao
    from bot.solicitacoes.catalogos import Catalogos

    return Catalogos.carregar(configuracao.load({"SEI_PROJECT_ROOT": str(ROOT)}).catalogs_dir)


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(st.data())
def test_damaged_files_are_refused_never_crash(data):
    """Random bytes changed anywhere in a valid .xlsx (or a CSV): read or refused, nothing else."""
    from bot.solicitacoes.conferencia import PlanilhaNaoReconhecida, conferir

    base = bytearray(data.draw(st.sampled_from([_BASE, _SEM_COMPACTAR, _CSV])))
    for _ in range(data.draw(st.integers(1, 12))):
        base[data.draw(st.integers(0, len(base) - 1))] = data.draw(st.integers(0, 255))
    try:
        tabela = ler_planilha(bytes(base))
    except PlanilhaRecusada as erro:
        assert str(erro)
        return
    try:
        conferir(tabela, _catalogos())
    except PlanilhaNaoReconhecida as erro:
        assert str(erro)
