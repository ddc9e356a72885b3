"""The panel's indicators, export, links, catalogues and audit pages over HTTP
(Flask's test client, the real services, a real SQLite store in tmp_path)."""

from __future__ import annotations

import csv
import io
import zipfile

import openpyxl
import pytest
from apoio import SENHA, configuracao, entrar, registrar, token

from bot.painel import usuarios
from bot.painel.app import criar_app

UNIDADES_RUINS = (
    "sigla,nome,sigla_superior\nSESAU,Secretaria,\nGAB,Gabinete,SESAU\nGAB,Outro gabinete,SESAU\n"
)


@pytest.fixture()
def app(tmp_path):
    aplicacao = criar_app(configuracao(tmp_path))
    store = aplicacao.extensions["sei_servicos"].store
    usuarios.criar(store, "ana", "Ana Admin", "admin", SENHA, autor="teste")
    usuarios.criar(store, "beto", "Beto Analista", "analista", SENHA, autor="teste")
    yield aplicacao
    aplicacao.extensions["sei_indicadores"].fechar()
    store.fechar()


@pytest.fixture()
def store(app):
    return app.extensions["sei_servicos"].store


def _cliente(app, login):
    cliente = app.test_client()
    assert entrar(cliente, login).status_code == 302
    return cliente, token(cliente.get("/solicitacoes").text)


def test_analyst_sees_indicators_but_not_the_admin_pages(app, store):
    registrar(store, 1)
    cliente, tk = _cliente(app, "beto")
    pagina = cliente.get("/indicadores")
    assert pagina.status_code == 200 and pagina.text.count('role="img"') >= 3
    assert "<script" not in pagina.text and "style=" not in pagina.text
    assert cliente.get("/indicadores/exemplos-nlu").text.startswith("# Mensagens")
    for url in ("/links", "/catalogos", "/auditoria", "/auditoria.csv"):
        assert cliente.get(url).status_code == 403, url
    assert cliente.post("/links/documentacao_sei", data={"csrf_token": tk}).status_code == 403
    assert cliente.post("/catalogos", data={"csrf_token": tk}).status_code == 403


def test_links_only_https_audited_and_restorable(app, store):
    cliente, tk = _cliente(app, "ana")
    url = "/links/documentacao_sei"
    ruim = cliente.post(url, data={"csrf_token": tk, "url": "http://sei.al.gov.br/"})
    assert ruim.status_code == 302
    assert "https://" in cliente.get("/links").text  # the refusal, flashed
    assert "Documentação do SEI" in cliente.get("/links").text
    cliente.post(url, data={"csrf_token": tk, "url": "https://sei.al.gov.br/doc"})
    pagina = cliente.get("/links").text
    assert "https://sei.al.gov.br/doc" in pagina and "definido no painel" in pagina
    cliente.post(url, data={"csrf_token": tk, "acao": "restaurar"})
    assert "https://sei.al.gov.br/doc" not in cliente.get("/links").text
    acoes = [(e.acao, e.autor, e.alvo) for e in store.auditoria()][:2]
    assert acoes == [
        ("link_restaurado", "ana", "documentacao_sei"),
        ("link_definido", "ana", "documentacao_sei"),
    ]
    assert "Link definido" in cliente.get("/auditoria").text


def test_bad_catalogue_refused_with_line_and_reason_current_stays(app, store):
    cliente, tk = _cliente(app, "ana")
    antes = cliente.get("/catalogos").text
    resposta = cliente.post(
        "/catalogos",
        data={
            "csrf_token": tk,
            "catalogo": "unidades",
            "arquivo": (io.BytesIO(UNIDADES_RUINS.encode()), "unidades.csv"),
        },
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "linha 4" in resposta.text and "continua valendo" in resposta.text
    assert "Outro gabinete" not in resposta.text
    assert resposta.text.count("<tr>") == antes.count("<tr>")
    assert store.auditoria()[0].acao == "usuario_criado"  # nothing audited
    boa = UNIDADES_RUINS.replace("GAB,Outro gabinete", "GAB2,Outro gabinete")
    resposta = cliente.post(
        "/catalogos",
        data={
            "csrf_token": tk,
            "catalogo": "unidades",
            "arquivo": (io.BytesIO(boa.encode()), "unidades.csv"),
        },
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "3 itens" in resposta.text and "Outro gabinete" in resposta.text
    assert store.auditoria()[0].acao == "catalogo_substituido"


def test_export_of_the_filtered_queue(app, store):
    a = registrar(store, 1, nome="Ana Exportada")
    b = registrar(store, 2, tipo="correcao_cargo", nome="Bia Exportada", cpf="111.444.777-35")
    registrar(store, 3, tipo="relato_erro")
    cliente, tk = _cliente(app, "beto")
    um = cliente.post("/solicitacoes/exportar", data={"csrf_token": tk, "tipo": a.tipo})
    assert um.status_code == 200 and um.mimetype.endswith("spreadsheetml.sheet")
    valores = [c for ln in openpyxl.load_workbook(io.BytesIO(um.data)).active.values for c in ln]
    assert "Ana Exportada" in valores and "Bia Exportada" not in valores
    todos = cliente.post("/solicitacoes/exportar", data={"csrf_token": tk})
    assert todos.mimetype == "application/zip"
    assert len(zipfile.ZipFile(io.BytesIO(todos.data)).namelist()) == 2
    busca = cliente.post(
        "/solicitacoes/exportar", data={"csrf_token": tk, "busca": "111.444.777-35"}
    )
    valores = [c for ln in openpyxl.load_workbook(io.BytesIO(busca.data)).active.values for c in ln]
    assert "Bia Exportada" in valores and b.protocolo in str(valores)
    nada = cliente.post(
        "/solicitacoes/exportar",
        data={"csrf_token": tk, "tipo": "relato_erro"},
        follow_redirects=True,
    )
    assert "não tem planilha" in nada.text
    assert "111.444" not in (nada.request.url or "")


def test_audit_csv_never_runs_as_a_formula(app, store):
    s = registrar(store, 1)
    from bot.solicitacoes import atendimento

    atendimento.anotar(store, s.protocolo, autor="beto", texto='=HYPERLINK("http://x")')
    cliente, _ = _cliente(app, "ana")
    resposta = cliente.get("/auditoria.csv")
    linhas = list(csv.reader(io.StringIO(resposta.text.lstrip("\ufeff"))))
    assert linhas[0][:3] == ["quando", "quem", "acao"]
    nota = next(ln for ln in linhas if ln[2] == "nota")
    assert nota[7].startswith("'=") and nota[3] == s.protocolo
