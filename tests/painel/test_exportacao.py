"""bot.painel.exportacao: the filtered list as one planilha per kind, the same
workbook `sei-nts requests export` writes."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from geradores import gerar_cpf

from bot import settings
from bot.ops import cli
from bot.painel.exportacao import (
    TIPO_XLSX,
    TIPO_ZIP,
    ExportacaoVazia,
    exportar,
    ler_solicitacoes,
)
from bot.solicitacoes.planilhas import ABA_INSTRUCOES
from bot.solicitacoes.servicos import Servicos
from bot.solicitacoes.tipos import FUSO, TIPOS

ROOT = Path(__file__).resolve().parents[2]
AGORA = datetime(2026, 11, 20, 15, 30, tzinfo=FUSO)


@pytest.fixture
def env(tmp_path, monkeypatch):
    """The console and the services on one temporary var/ (SQLite store)."""
    monkeypatch.setenv("SEI_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("REQUESTS_DB_URL", raising=False)
    servicos = Servicos(settings.load())
    yield servicos
    servicos.store.fechar()


@pytest.fixture
def arquivadas(env, rng):
    """Requests of three kinds (one without a planilha), some concluded."""
    store = env.store
    quando = [datetime(2026, 11, d, 9, 0, tzinfo=FUSO) for d in (2, 3, 4, 5, 6, 9, 10)]
    tipos = ["cadastro_usuario", "correcao_cargo", "cadastro_usuario", "relato_erro"] * 2
    for i, (tipo, momento) in enumerate(zip(tipos, quando, strict=False)):
        if tipo == "relato_erro":
            linha = {"descricao": "Erro ao assinar", "captura": "x.png", "sigla": "NTS"}
        else:
            linha = {"nome": f"Pessoa Teste {chr(65 + i)}", "cpf": gerar_cpf(rng, True)}
            linha["cargo"] = "Enfermeiro"
            if tipo == "cadastro_usuario":
                linha.update(email=f"pessoa{i}@example.com", sigla="NTS")
        s, _ = store.registrar(
            tipo,
            [linha],
            canal="telegram",
            contato=f"c{i}",
            unidade="GETIN",
            chave_envio=f"k{i}",
            agora=momento,
        )
        if i % 3 == 0:
            store.atualizar_status(s.protocolo, "concluida")
    return store.listar()


def _livro(dados: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(dados))


def _valores(wb: openpyxl.Workbook, aba: str) -> list[tuple[object, ...]]:
    return [tuple(r) for r in wb[aba].iter_rows(values_only=True) if any(r)]


def _sem_data(linhas: list[tuple[object, ...]]) -> list[tuple[object, ...]]:
    """Instruções rows without the "Gerada em" one (the time of generation)."""
    return [r for r in linhas if r[0] != "Gerada em"]


def test_one_kind_gives_one_xlsx_equal_to_the_console_export(env, arquivadas, tmp_path):
    destino = tmp_path / "cli.xlsx"
    codigo = cli.main(
        ["requests", "export", "--kind", "cadastro_usuario", "--out", str(destino)],
        out=io.StringIO(),
    )
    assert codigo == 0

    arquivo = exportar(env, env.store.listar(tipo="cadastro_usuario"), agora=AGORA)

    assert arquivo.tipo_conteudo == TIPO_XLSX
    assert arquivo.nome == "NTS-exportacao-cadastro_usuario-20261120-153000.xlsx"
    assert arquivo.quantidade == 4 and arquivo.tipos == ("cadastro_usuario",)
    painel, console = _livro(arquivo.conteudo), openpyxl.load_workbook(destino)
    assert painel.sheetnames == console.sheetnames
    titulo = TIPOS["cadastro_usuario"].planilha
    assert _valores(painel, titulo) == _valores(console, titulo)
    assert len(_valores(painel, titulo)) == 1 + 4  # header + one row per request
    assert _sem_data(_valores(painel, ABA_INSTRUCOES)) == _sem_data(
        _valores(console, ABA_INSTRUCOES)
    )


def test_filtered_by_status_matches_the_console_with_the_same_filter(env, arquivadas, tmp_path):
    destino = tmp_path / "cli.xlsx"
    argumentos = ["requests", "export", "--kind", "cadastro_usuario", "--status", "concluida"]
    assert cli.main([*argumentos, "--out", str(destino)], out=io.StringIO()) == 0
    filtradas = env.store.listar(tipo="cadastro_usuario", status="concluida")
    assert filtradas
    titulo = TIPOS["cadastro_usuario"].planilha
    painel = _livro(exportar(env, filtradas).conteudo)
    assert _valores(painel, titulo) == _valores(openpyxl.load_workbook(destino), titulo)


def test_several_kinds_give_a_zip_of_one_planilha_each(env, arquivadas):
    arquivo = exportar(env, reversed(arquivadas), agora=AGORA)

    assert arquivo.tipo_conteudo == TIPO_ZIP and arquivo.nome.endswith(".zip")
    assert arquivo.tipos == ("cadastro_usuario", "correcao_cargo")
    assert arquivo.sem_planilha == ("relato_erro",)
    assert arquivo.avisos() == [
        "Relato de erro no SEI não tem planilha e ficou fora da exportação."
    ]
    assert arquivo.quantidade == 6
    with zipfile.ZipFile(io.BytesIO(arquivo.conteudo)) as z:
        assert z.testzip() is None
        nomes = sorted(z.namelist())
        assert nomes == [
            "NTS-exportacao-cadastro_usuario-20261120-153000.xlsx",
            "NTS-exportacao-correcao_cargo-20261120-153000.xlsx",
        ]
        cargo = _livro(z.read(nomes[1]))
    protocolos = [r[0] for r in _valores(cargo, TIPOS["correcao_cargo"].planilha)[1:]]
    esperados = [s.protocolo for s in arquivadas if s.tipo == "correcao_cargo"]
    assert protocolos == esperados  # oldest first, as the console lists them


def test_rows_of_the_queue_are_read_back_in_full(env, arquivadas):
    alguns = [s for s in arquivadas if s.tipo != "correcao_cargo"][1:]
    lidas = ler_solicitacoes(env.store, alguns)
    assert sorted(s.protocolo for s in lidas) == sorted(s.protocolo for s in alguns)
    assert all(s.linhas for s in lidas)


def test_nothing_to_export_is_a_clear_message(env, arquivadas):
    with pytest.raises(ExportacaoVazia, match="nada a exportar"):
        exportar(env, [])
    with pytest.raises(ExportacaoVazia, match="Relato de erro no SEI não tem planilha"):
        exportar(env, [s for s in arquivadas if s.tipo == "relato_erro"])
