"""Spreadsheets of the filed requests (bot.solicitacoes.planilhas).

Content, formula injection, control characters, atomic write and LibreOffice.
"""

from __future__ import annotations

import csv
import io
import os
import random
import re
import shutil
import subprocess
import zipfile
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path

import openpyxl
import pytest
from geradores import gerar_cpf
from injecoes import INJECOES, esperado, sem_formulas
from openpyxl import Workbook

from bot.solicitacoes import planilhas
from bot.solicitacoes.planilhas import gerar_planilha, nome_arquivo, nome_exportacao
from bot.solicitacoes.tipos import FUSO, OPERACOES, TIPOS, Solicitacao, Tipo, prazo

AGORA = datetime(2026, 3, 15, 10, 0, tzinfo=FUSO)
COM_PLANILHA = [t for t in TIPOS.values() if t.planilha]
SIGLAS = ["SESAU", "GETIN", "SUVISA", "DIASS", "GAP", "CIEVS", "HGE", "NTS"]
CARGOS = ["Assessor Técnico", "Assistente Administrativo", "Gerente", "Superintendente"]
LISTAS = {"siglas": SIGLAS, "cargos": CARGOS, "operacoes": list(OPERACOES)}
LIMITE_LO = 300  # seconds for one LibreOffice conversion run


# ---------------------------------------------------------------- test data


def _valor_exemplo(tipo: Tipo, kind: str, rng: random.Random, i: int) -> str:
    """A plausible value for one field."""
    exemplos = {
        "nome": f"Maria da Silva {chr(65 + i)}",
        "cpf": gerar_cpf(rng, mascarado=True, zero_inicial=i == 0),
        "email": f"maria.silva{i}@gmail.com",
        "sigla": SIGLAS[i % len(SIGLAS)],
        "siglas": "GETIN, DIASS",
        "sigla_nova": f"NOVA{i}",
        "cargo": CARGOS[i % len(CARGOS)],
        "processo": f"E:02000.000000303{i}/2020",
        "texto": "Processo anexado por engano ao principal.",
        "texto_curto": f"Núcleo de Testes {i}",
        "nome_unidade": f"Núcleo de Testes {i}",
        "processo_ou_documento": f"E:02000.000000303{i}/2020",
        "operacao": "REMOVER" if tipo.chave == "remocao_usuario" else "ADICIONAR",
    }
    return exemplos[kind]


def linha_exemplo(tipo: Tipo, rng: random.Random, i: int) -> dict[str, str]:
    """One row with every field of ``tipo`` filled."""
    return {c.nome: _valor_exemplo(tipo, c.tipo, rng, i) for c in tipo.campos}


def solicitacao(
    tipo: Tipo, numero: int, linhas: Sequence[dict[str, str]], criada_em: datetime = AGORA
) -> Solicitacao:
    """A filed request of ``tipo``."""
    return Solicitacao(
        protocolo=f"NTS-2026-{numero:06d}",
        tipo=tipo.chave,
        status="recebida",
        canal="telegram",
        contato="123456",
        unidade="GETIN",
        criada_em=criada_em,
        prazo_em=prazo(criada_em, tipo),
        linhas=tuple(linhas),
    )


def solicitacoes_exemplo(tipo: Tipo, quantas: int, seed: int = 7) -> list[Solicitacao]:
    """``quantas`` requests; multi-row kinds get two rows each."""
    rng = random.Random(seed)
    por_pedido = 2 if tipo.varias_linhas else 1
    pedidos = []
    for n in range(quantas):
        linhas = [linha_exemplo(tipo, rng, n * por_pedido + k) for k in range(por_pedido)]
        pedidos.append(solicitacao(tipo, n + 1, linhas, AGORA + timedelta(hours=n)))
    return pedidos


def linhas_esperadas(tipo: Tipo, pedidos: Sequence[Solicitacao]) -> list[list[str]]:
    """Expected data rows (Protocolo, fields..., Observações) as text."""
    return [
        [
            p.protocolo,
            *(esperado(linha.get(c.nome, "")) for c in tipo.campos),
            esperado(linha.get("observacoes", "")),
        ]
        for p in pedidos
        for linha in p.linhas
    ]


def gerar(
    tipo: Tipo, pedidos: Sequence[Solicitacao], pasta: Path, nome: str = "p.xlsx", listas=LISTAS
) -> Path:
    return gerar_planilha(tipo, pedidos, pasta / nome, listas, agora=AGORA)


# ---------------------------------------------------------------- inspection helpers


def valores(ws, linhas: int, colunas: int) -> list[list[str]]:
    return [
        ["" if ws.cell(r, c).value is None else ws.cell(r, c).value for c in range(1, colunas + 1)]
        for r in range(2, linhas + 2)
    ]


def alvo_validacao(wb, dv) -> list[str]:
    """Values of the range a list validation references (must be on Listas)."""
    m = re.fullmatch(r"'?Listas'?!\$([A-Z]+)\$(\d+):\$([A-Z]+)\$(\d+)", dv.formula1)
    assert m, f"validation does not reference a Listas range: {dv.formula1!r}"
    col, ini, col2, fim = m.groups()
    assert col == col2
    return [wb["Listas"][f"{col}{r}"].value for r in range(int(ini), int(fim) + 1)]


def instrucoes(wb) -> str:
    ws = wb["Instruções"]
    return "\n".join(str(c.value) for linha in ws.iter_rows() for c in linha if c.value)


# ---------------------------------------------------------------- content


@pytest.mark.parametrize("quantas", [1, 3])
@pytest.mark.parametrize("tipo", COM_PLANILHA, ids=lambda t: t.chave)
def test_planilha_de_cada_tipo(tmp_path, tipo, quantas):
    pedidos = solicitacoes_exemplo(tipo, quantas)
    caminho = gerar(tipo, pedidos, tmp_path / "sub" / "pasta")
    assert caminho == tmp_path / "sub" / "pasta" / "p.xlsx"

    wb = openpyxl.load_workbook(caminho)
    assert wb.sheetnames == [tipo.planilha, "Instruções", "Listas"]
    ws = wb.worksheets[0]
    assert wb.active.title == tipo.planilha and len(tipo.planilha) <= 31
    cabecalho = ["Protocolo", *(c.coluna for c in tipo.campos), "Observações"]
    assert [c.value for c in ws[1]] == cabecalho
    assert all(c.font.bold for c in ws[1])
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref.startswith("A1:")
    esperadas = linhas_esperadas(tipo, pedidos)
    assert valores(ws, len(esperadas), len(cabecalho)) == esperadas
    assert ws.cell(len(esperadas) + 2, 1).value is None
    for col in range(1, len(cabecalho) + 1):
        assert 10 <= ws.column_dimensions[openpyxl.utils.get_column_letter(col)].width <= 60

    _confere_cpf(ws, tipo, esperadas)
    _confere_validacoes(wb, ws, tipo, len(esperadas))
    assert wb["Listas"].sheet_state == "hidden"
    _confere_instrucoes(wb, tipo, pedidos)
    assert wb.properties.creator == "Assistente do SEI - SESAU/AL"
    assert tipo.planilha in wb.properties.title
    assert "Maria" not in (wb.properties.title or "")
    sem_formulas(caminho)


def _confere_cpf(ws, tipo: Tipo, esperadas: list[list[str]]) -> None:
    nomes = [c.nome for c in tipo.campos]
    if "cpf" not in nomes:
        return
    col = nomes.index("cpf") + 2
    for r, linha in enumerate(esperadas, start=2):
        celula = ws.cell(r, col)
        assert celula.data_type == "s" and celula.number_format == "@"
        assert celula.value == linha[col - 1]
        assert re.fullmatch(r"\d{3}\.\d{3}\.\d{3}-\d{2}", celula.value)
    assert ws.cell(2, col).value.startswith("0")  # leading zero kept
    assert ws.cell(len(esperadas) + 150, col).number_format == "@"  # rows for manual additions


def _confere_validacoes(wb, ws, tipo: Tipo, n: int) -> None:
    por_coluna = {}
    for dv in ws.data_validations.dataValidation:
        assert dv.type == "list"
        for faixa in str(dv.sqref).split():
            por_coluna[re.match(r"[A-Z]+", faixa).group()] = (dv, faixa)
    com_lista = [(i, c) for i, c in enumerate(tipo.campos, start=2) if c.lista]
    assert len(por_coluna) == len(com_lista)
    for indice, campo in com_lista:
        letra = openpyxl.utils.get_column_letter(indice)
        dv, faixa = por_coluna[letra]
        assert faixa == f"{letra}2:{letra}{n + 1 + planilhas.LINHAS_EXTRAS}"
        assert alvo_validacao(wb, dv) == list(LISTAS[campo.lista])
        assert "," not in dv.formula1  # a range, not an inline list
        assert len(dv.prompt or "") <= 255 and len(dv.promptTitle or "") <= 32
        assert len(dv.error or "") <= 255 and len(dv.errorTitle or "") <= 32


def _confere_instrucoes(wb, tipo: Tipo, pedidos: Sequence[Solicitacao]) -> None:
    texto = instrucoes(wb)
    assert "Gerada em 15/03/2026 às 10:00" in texto.replace("\n", " ")
    for p in pedidos:
        assert p.protocolo in texto
        assert f"até {p.prazo_em.astimezone(FUSO):%d/%m/%Y às %H:%M}" in texto
    assert f"({tipo.prazo_horas} horas)" in texto
    for campo in tipo.campos:
        assert campo.coluna in texto
    tipos = {c.tipo for c in tipo.campos}
    if "cpf" in tipos:
        assert "11 dígitos" in texto
    if "email" in tipos:
        assert "uso pessoal" in texto and "coletivo" in texto and "Hotmail" in texto
    if "cargo" in tipos:
        assert "Lei Delegada" in texto
    if tipos & {"sigla", "siglas"}:
        assert "como é usada no SEI" in texto or "como usadas no SEI" in texto
    if "processo" in tipos:
        assert "E:02000.0000003030/2020" in texto


def test_prazo_de_48_horas_na_desanexacao(tmp_path):
    tipo = TIPOS["desanexacao"]
    wb = openpyxl.load_workbook(gerar(tipo, solicitacoes_exemplo(tipo, 1), tmp_path))
    assert "até 17/03/2026 às 10:00 (48 horas)" in instrucoes(wb)


@pytest.mark.parametrize(
    "chave, trecho",
    [
        ("lotacao", "Obrigatório em MUDAR; deixe em branco em ADICIONAR."),
        ("remocao_usuario", "Obrigatório. Unidade(s) das quais o usuário deve ser desligado."),
    ],
)
def test_siglas_da_lotacao_dependem_da_operacao(tmp_path, chave, trecho):
    tipo = TIPOS[chave]
    texto = instrucoes(openpyxl.load_workbook(gerar(tipo, solicitacoes_exemplo(tipo, 1), tmp_path)))
    assert trecho in texto and "Opcional. Sigla" not in texto


def test_datas_no_horario_de_maceio(tmp_path):
    tipo = TIPOS["correcao_cargo"]
    utc = datetime(2026, 3, 15, 13, 0, tzinfo=timezone.utc)
    pedido = solicitacao(tipo, 5, [linha_exemplo(tipo, random.Random(2), 0)], criada_em=utc)
    destino = gerar_planilha(tipo, [pedido], tmp_path / "x.xlsx", LISTAS, agora=utc)
    texto = instrucoes(openpyxl.load_workbook(destino))
    assert "15/03/2026 às 10:00 (horário de Maceió)" in texto
    assert "Solicitada em 15/03/2026 às 10:00; prazo previsto: até 18/03/2026 às 10:00" in texto


def test_observacoes_e_chaves_extras(tmp_path):
    tipo = TIPOS["cadastro_usuario"]
    linha = linha_exemplo(tipo, random.Random(3), 1)
    linha["observacoes"] = (
        "E-mail Hotmail/Outlook mantido: o solicitante confirmou que não tem outro"
    )
    linha["origem"] = "formulário"
    ws = openpyxl.load_workbook(gerar(tipo, [solicitacao(tipo, 9, [linha])], tmp_path)).active
    assert ws.cell(2, len(tipo.campos) + 2).value == (
        "E-mail Hotmail/Outlook mantido: o solicitante confirmou que não tem outro; "
        "origem: formulário"
    )


def test_remocao_sem_operacao_vira_remover_e_divide_planilha_com_lotacao(tmp_path):
    remocao, lotacao = TIPOS["remocao_usuario"], TIPOS["lotacao"]
    rng = random.Random(4)
    sem_operacao = {k: v for k, v in linha_exemplo(remocao, rng, 0).items() if k != "operacao"}
    pedidos = [
        solicitacao(lotacao, 1, [linha_exemplo(lotacao, rng, 1)]),
        solicitacao(remocao, 2, [sem_operacao]),
    ]
    ws = openpyxl.load_workbook(gerar(lotacao, pedidos, tmp_path)).active
    col = [c.nome for c in lotacao.campos].index("operacao") + 2
    assert [ws.cell(2, col).value, ws.cell(3, col).value] == ["ADICIONAR", "REMOVER"]


def test_lista_de_operacoes_tem_padrao(tmp_path):
    tipo = TIPOS["lotacao"]
    caminho = gerar(tipo, solicitacoes_exemplo(tipo, 1), tmp_path, listas={"siglas": SIGLAS})
    wb = openpyxl.load_workbook(caminho)
    alvos = [alvo_validacao(wb, dv) for dv in wb.active.data_validations.dataValidation]
    assert list(OPERACOES) in alvos


def test_listas_longas_e_com_virgulas_usam_faixa(tmp_path):
    tipo = TIPOS["cadastro_usuario"]
    cargos = [f"Cargo de número {i}, com vírgula e nome comprido" for i in range(400)]
    caminho = gerar(
        tipo,
        solicitacoes_exemplo(tipo, 1),
        tmp_path,
        listas={"siglas": [*SIGLAS, "GETIN"], "cargos": cargos},
    )
    wb = openpyxl.load_workbook(caminho)
    alvos = [alvo_validacao(wb, dv) for dv in wb.active.data_validations.dataValidation]
    assert cargos in alvos and SIGLAS in alvos  # deduplicated, order kept


@pytest.mark.parametrize("listas", [{"siglas": SIGLAS}, {"siglas": SIGLAS, "cargos": []}])
def test_lista_obrigatoria_ausente(tmp_path, listas):
    tipo = TIPOS["cadastro_usuario"]
    with pytest.raises(ValueError, match="cargos"):
        gerar(tipo, solicitacoes_exemplo(tipo, 1), tmp_path, listas=listas)
    assert list(tmp_path.iterdir()) == []


def test_relato_de_erro_nao_tem_planilha(tmp_path):
    tipo = TIPOS["relato_erro"]
    with pytest.raises(ValueError):
        gerar_planilha(tipo, [], tmp_path / "x.xlsx", LISTAS)
    assert not (tmp_path / "x.xlsx").exists()


def test_tipo_de_outra_planilha_e_recusado(tmp_path):
    cadastro, cargo = TIPOS["cadastro_usuario"], TIPOS["correcao_cargo"]
    with pytest.raises(ValueError, match="NTS-2026-000001"):
        gerar(cadastro, solicitacoes_exemplo(cargo, 1), tmp_path)


def test_modelo_em_branco(tmp_path):
    tipo = TIPOS["cadastro_usuario"]
    wb = openpyxl.load_workbook(gerar(tipo, [], tmp_path))
    assert wb.active.max_row >= 2 and wb.active.cell(2, 1).value is None
    assert "Modelo em branco" in instrucoes(wb)
    assert len(wb.active.data_validations.dataValidation) == 2


# ---------------------------------------------------------------- safety


def _pedidos_injecao(tipo: Tipo) -> list[Solicitacao]:
    """Each payload in every field (and Observações) of one row; one row per payload."""
    linhas = [{**{c.nome: carga for c in tipo.campos}, "observacoes": carga} for carga in INJECOES]
    if tipo.varias_linhas:
        return [solicitacao(tipo, 1, linhas)]
    return [solicitacao(tipo, i + 1, [linha]) for i, linha in enumerate(linhas)]


LISTAS_INJECAO = {"siglas": SIGLAS + INJECOES, "cargos": INJECOES, "operacoes": INJECOES}


@pytest.mark.parametrize("tipo", COM_PLANILHA, ids=lambda t: t.chave)
def test_injecao_de_formulas_vira_texto(tmp_path, tipo):
    pedidos = _pedidos_injecao(tipo)
    caminho = gerar(tipo, pedidos, tmp_path, listas=LISTAS_INJECAO)
    sem_formulas(caminho)
    wb = openpyxl.load_workbook(caminho, data_only=False)
    ws = wb.active
    esperadas = linhas_esperadas(tipo, pedidos)
    assert valores(ws, len(esperadas), len(esperadas[0])) == esperadas
    for linha in ws.iter_rows(min_row=2, max_row=len(esperadas) + 1):
        for celula in linha[1:]:
            assert celula.data_type == "s"
            if celula.value.lstrip().startswith(("=", "+", "-", "@")):
                assert celula.quotePrefix, (celula.coordinate, celula.value)
    listas = [c.value for linha in wb["Listas"].iter_rows(min_row=2) for c in linha if c.value]
    assert "=1+1" in listas and "#N/A" in listas


def test_caracteres_de_controle_removidos(tmp_path):
    tipo = TIPOS["desanexacao"]
    controles = "".join(chr(i) for i in range(32))
    extras = "\x7f\x85\x9f\ufffe\uffff\ud800"
    linha = {
        "processo_principal": f"E:02000.{controles}0000003030/2020",
        "processo_anexado": "E:02000.0000003031/2020" + extras,
        "motivo": f"Motivo{controles}com controles\r\nsegunda linha",
        "sigla": f"{controles}GETIN",
        "observacoes": controles,
    }
    ws = openpyxl.load_workbook(gerar(tipo, [solicitacao(tipo, 1, [linha])], tmp_path)).active
    assert [c.value for c in ws[2]] == [
        "NTS-2026-000001",
        "E:02000.\n0000003030/2020",
        "E:02000.0000003031/2020",
        "Motivo\ncom controles\nsegunda linha",
        "\nGETIN",
        "\n",
    ]
    for celula in ws[2]:
        assert not re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f]", celula.value)


def test_texto_longo_truncado_no_limite_do_excel(tmp_path):
    tipo = TIPOS["desanexacao"]
    linha = linha_exemplo(tipo, random.Random(5), 0)
    linha["motivo"] = "x" * 40000
    ws = openpyxl.load_workbook(gerar(tipo, [solicitacao(tipo, 1, [linha])], tmp_path)).active
    assert len(ws.cell(2, 4).value) == 32767


# ---------------------------------------------------------------- atomic write


def _salvar_pela_metade(self: Workbook, arquivo) -> None:
    """Replacement for Workbook.save: writes half of the real file, then crashes."""
    buffer = io.BytesIO()
    _SALVAR_ORIGINAL(self, buffer)
    dados = buffer.getvalue()
    arquivo.write(dados[: len(dados) // 2])
    arquivo.flush()
    raise OSError("disco cheio")


_SALVAR_ORIGINAL = Workbook.save


@pytest.mark.parametrize("antigo", [b"conteudo antigo", None])
def test_falha_no_meio_da_escrita_preserva_destino(tmp_path, monkeypatch, antigo):
    tipo = TIPOS["cadastro_usuario"]
    destino = tmp_path / "NTS-2026-000001.xlsx"
    if antigo is not None:
        destino.write_bytes(antigo)
    monkeypatch.setattr(Workbook, "save", _salvar_pela_metade)
    with pytest.raises(OSError, match="disco cheio"):
        gerar_planilha(tipo, solicitacoes_exemplo(tipo, 1), destino, LISTAS)
    if antigo is None:
        assert list(tmp_path.iterdir()) == []
    else:
        assert list(tmp_path.iterdir()) == [destino] and destino.read_bytes() == antigo


def test_interrupcao_tambem_limpa_o_temporario(tmp_path, monkeypatch):
    def interromper(self, arquivo):
        arquivo.write(b"PK\x03\x04")
        raise KeyboardInterrupt

    tipo = TIPOS["correcao_cargo"]
    monkeypatch.setattr(Workbook, "save", interromper)
    with pytest.raises(KeyboardInterrupt):
        gerar_planilha(tipo, solicitacoes_exemplo(tipo, 1), tmp_path / "a.xlsx", LISTAS)
    assert list(tmp_path.iterdir()) == []


def test_falha_ao_renomear_nao_deixa_temporario(tmp_path):
    tipo = TIPOS["correcao_cargo"]
    destino = tmp_path / "ocupado.xlsx"
    destino.mkdir()
    with pytest.raises(OSError):
        gerar_planilha(tipo, solicitacoes_exemplo(tipo, 1), destino, LISTAS)
    assert [p.name for p in tmp_path.iterdir()] == ["ocupado.xlsx"] and destino.is_dir()


def test_fsync_antes_de_substituir(tmp_path, monkeypatch):
    eventos: list[str] = []
    fsync, replace = os.fsync, os.replace
    monkeypatch.setattr(os, "fsync", lambda fd: (eventos.append("fsync"), fsync(fd))[1])
    monkeypatch.setattr(os, "replace", lambda a, b: (eventos.append("replace"), replace(a, b))[1])
    tipo = TIPOS["correcao_cargo"]
    destino = tmp_path / "b.xlsx"
    destino.write_bytes(b"velho")
    gerar_planilha(tipo, solicitacoes_exemplo(tipo, 1), destino, LISTAS)
    assert eventos[:2] == ["fsync", "replace"]
    assert zipfile.is_zipfile(destino) and list(tmp_path.iterdir()) == [destino]


# ---------------------------------------------------------------- file names


def test_nome_arquivo():
    assert nome_arquivo("NTS-2026-000123") == "NTS-2026-000123.xlsx"


@pytest.mark.parametrize(
    "ruim",
    [
        "NTS-2026-123",
        "nts-2026-000123",
        "../NTS-2026-000123",
        "NTS-2026-000123.xlsx",
        "NTS-2026-000123\n",
        "",
        "NTS-\uff12\uff10\uff12\uff16-000123",
        "Maria da Silva",
    ],
)
def test_nome_arquivo_invalido(ruim):
    with pytest.raises(ValueError):
        nome_arquivo(ruim)


def test_nome_exportacao():
    utc = datetime(2026, 3, 15, 13, 5, 9, tzinfo=timezone.utc)
    assert nome_exportacao("cadastro_usuario", utc) == (
        "NTS-exportacao-cadastro_usuario-20260315-100509.xlsx"
    )
    for chave, agora in [
        ("relato_erro", utc),
        ("nao_existe", utc),
        ("cadastro_usuario", datetime(2026, 3, 15)),
    ]:
        with pytest.raises(ValueError):
            nome_exportacao(chave, agora)


# ---------------------------------------------------------------- LibreOffice


def _soffice() -> str:
    """Path of soffice; fails under CI=…, skips elsewhere."""
    caminho = shutil.which("soffice") or shutil.which("libreoffice")
    if caminho:
        return caminho
    mensagem = (
        "LibreOffice (soffice) não encontrado: rode .ci/install-system-deps "
        "(pacote Debian libreoffice-calc-nogui)"
    )
    if os.environ.get("CI"):
        pytest.fail(mensagem)
    pytest.skip(mensagem)


@pytest.fixture(scope="session")
def perfil_lo(tmp_path_factory) -> str:
    """A LibreOffice user profile of this test session only."""
    return tmp_path_factory.mktemp("perfil-libreoffice").as_uri()


def converter(
    soffice: str, perfil: str, filtro: str, arquivos: Sequence[Path], saida: Path
) -> None:
    """Convert each file with headless LibreOffice (``filtro``: its --convert-to argument)."""
    comando = [
        soffice,
        f"-env:UserInstallation={perfil}",
        "--headless",
        "--norestore",
        "--convert-to",
        filtro,
        "--outdir",
        str(saida),
        *map(str, arquivos),
    ]
    try:
        r = subprocess.run(
            comando,
            capture_output=True,
            text=True,
            timeout=LIMITE_LO,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"LibreOffice não terminou em {LIMITE_LO} s")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Error" not in r.stdout + r.stderr, r.stdout + r.stderr


def converter_csv(soffice: str, perfil: str, arquivos: Sequence[Path], saida: Path) -> None:
    """Convert the first sheet of each file to UTF-8 CSV with headless LibreOffice."""
    converter(soffice, perfil, "csv:Text - txt - csv (StarCalc):44,34,76,1", arquivos, saida)


def ler_csv(caminho: Path) -> list[list[str]]:
    with caminho.open(encoding="utf-8", newline="") as f:
        return [linha for linha in csv.reader(f) if any(linha)]


def test_libreoffice_abre_todas_as_planilhas(tmp_path, perfil_lo):
    soffice = _soffice()
    casos: list[tuple[Path, list[list[str]]]] = []
    for tipo in COM_PLANILHA:
        for rotulo, pedidos, listas in [
            ("normal", solicitacoes_exemplo(tipo, 3), LISTAS),
            ("injecao", _pedidos_injecao(tipo), LISTAS_INJECAO),
        ]:
            caminho = gerar(
                tipo, pedidos, tmp_path / "xlsx", f"{tipo.chave}-{rotulo}.xlsx", listas=listas
            )
            cabecalho = ["Protocolo", *(c.coluna for c in tipo.campos), "Observações"]
            casos.append((caminho, [cabecalho, *linhas_esperadas(tipo, pedidos)]))
    saida = tmp_path / "csv"
    converter_csv(soffice, perfil_lo, [c for c, _ in casos], saida)
    for caminho, linhas in casos:
        obtido = ler_csv(saida / f"{caminho.stem}.csv")
        assert obtido == linhas, caminho.name
    texto = (saida / f"{TIPOS['cadastro_usuario'].chave}-injecao.csv").read_text("utf-8")
    assert '"=1+1"' in texto and '"#N/A"' in texto
    assert not re.search(r"Err:\d+|#NAME\?", texto.replace('"#NAME?"', ""))


# ---------------------------------------------------------------- printing (issue 15)


def test_impressao_paisagem_uma_pagina_de_largura_cabecalho_repetido_rodape(tmp_path):
    for tipo in COM_PLANILHA:
        pedidos = solicitacoes_exemplo(tipo, 1)
        wb = openpyxl.load_workbook(gerar(tipo, pedidos, tmp_path, f"{tipo.chave}.xlsx"))
        ws = wb.active
        assert ws.page_setup.orientation == "landscape", tipo.chave
        assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.print_title_rows == "$1:$1"
        assert pedidos[0].protocolo in ws.oddFooter.left.text
        assert "&P" in ws.oddFooter.right.text and "&N" in ws.oddFooter.right.text
        ultima = openpyxl.utils.get_column_letter(len(tipo.campos) + 2)
        assert ws.print_area.endswith(f"${ultima}${1 + len(pedidos[0].linhas)}"), ws.print_area
        instrucoes_ = wb["Instruções"]
        assert instrucoes_.page_setup.fitToWidth == 1
        assert pedidos[0].protocolo in instrucoes_.oddFooter.left.text
    modelo = tmp_path / "modelo.xlsx"
    planilhas.gerar_modelo(TIPOS["cadastro_usuario"], modelo, LISTAS)
    ws = openpyxl.load_workbook(modelo).active
    assert ws.oddFooter.left.text == "Modelo em branco"
    assert ws.print_area.endswith(f"${planilhas.LINHAS_MODELO + 1}")


def converter_pdf(soffice: str, perfil: str, arquivos: Sequence[Path], saida: Path) -> None:
    """Print each workbook to PDF with headless LibreOffice."""
    converter(soffice, perfil, "pdf", arquivos, saida)


def paginas(pdf: Path) -> tuple[int, int]:
    """(landscape pages, portrait pages) of a PDF LibreOffice wrote."""
    caixas = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf.read_bytes())
    paisagem = sum(1 for w, h in caixas if float(w) > float(h) + 1)
    retrato = sum(1 for w, h in caixas if float(h) > float(w) + 1)
    return paisagem, retrato  # the page tree's own (square) box counts as neither


def test_libreoffice_imprime_1_20_e_200_linhas_sem_partir_colunas(tmp_path, perfil_lo, rng):
    soffice = _soffice()
    tipo = TIPOS["cadastro_usuario"]
    arquivos = []
    for n in (1, 20, 200):
        linhas = [linha_exemplo(tipo, rng, i) for i in range(n)]
        linhas[0]["observacoes"] = "Texto longo de observação. " * 8
        arquivos.append(
            gerar(tipo, [solicitacao(tipo, n, linhas)], tmp_path / "xlsx", f"c{n}.xlsx")
        )
    modelo = tmp_path / "xlsx" / "modelo.xlsx"
    planilhas.gerar_modelo(tipo, modelo, LISTAS)
    conferida = tmp_path / "xlsx" / "conferida.xlsx"
    erros = [("cpf", "Linha 2 · CPF: " + "os dígitos verificadores não conferem. " * 3)]
    planilhas.gerar_conferida(
        tipo, [(linha_exemplo(tipo, rng, i), erros) for i in range(20)], conferida, LISTAS
    )
    saida = tmp_path / "pdf"
    converter_pdf(soffice, perfil_lo, [*arquivos, modelo, conferida], saida)
    dados = {p.stem: paginas(p) for p in saida.glob("*.pdf")}
    # the data sheet in landscape, one page wide: 1 and 20 rows fit one page
    assert dados["c1"][0] == 1 and dados["c20"][0] == 1, dados
    assert 2 <= dados["c200"][0] <= 10, dados
    assert dados["modelo"][0] == 1 and dados["conferida"][0] == 1, dados
    # the Instruções sheet in portrait, the same for every size; Listas (hidden) not printed
    assert dados["c1"][1] == dados["c20"][1] == dados["c200"][1] >= 1, dados
