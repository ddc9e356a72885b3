"""The panel's security rules over HTTP (Flask's test client on the real app and
a real SQLite store): sessions, CSRF, roles, cookies, CSP, search without CPF
in URLs, the one code path for status changes."""

from __future__ import annotations

import logging
import re

import pytest
from apoio import SENHA, configuracao, entrar, registrar, token

from bot.painel import usuarios
from bot.painel.app import criar_app
from bot.solicitacoes.tipos import FUSO

CPF = "529.982.247-25"


@pytest.fixture()
def app(tmp_path):
    aplicacao = criar_app(configuracao(tmp_path))
    yield aplicacao
    aplicacao.extensions["sei_servicos"].store.fechar()


@pytest.fixture()
def store(app):
    return app.extensions["sei_servicos"].store


@pytest.fixture()
def pessoas(store):
    usuarios.criar(store, "ana", "Ana Admin", "admin", SENHA, autor="teste")
    usuarios.criar(store, "beto", "Beto Analista", "analista", SENHA, autor="teste")


def test_fresh_store_login_page_says_how_to_create_the_first_admin(app, store):
    pagina = app.test_client().get("/entrar")
    assert pagina.status_code == 200
    assert "sei-nts users add" in pagina.text and "--role admin" in pagina.text
    usuarios.criar(store, "ana", "Ana", "admin", SENHA, autor="teste")
    assert "sei-nts users add" not in app.test_client().get("/entrar").text


@pytest.mark.usefixtures("pessoas")
def test_every_page_needs_a_session(app, store):
    s = registrar(store, 1)
    cliente = app.test_client()
    for url in (
        "/",
        "/solicitacoes",
        f"/solicitacoes/{s.protocolo}",
        f"/solicitacoes/{s.protocolo}/planilha",
        f"/solicitacoes/{s.protocolo}/captura",
        "/usuarios",
    ):
        resposta = cliente.get(url)
        assert resposta.status_code == 302, url
        assert resposta.location.startswith("/entrar"), url


@pytest.mark.usefixtures("pessoas")
def test_every_post_checks_the_csrf_token(app, store):
    s = registrar(store, 1)
    cliente = app.test_client()
    assert cliente.post("/entrar", data={"login": "ana", "senha": SENHA}).status_code == 403
    assert entrar(cliente, "ana").status_code == 302
    for url, dados in (
        (f"/solicitacoes/{s.protocolo}/situacao", {"situacao": "concluida"}),
        (f"/solicitacoes/{s.protocolo}/nota", {"nota": "x"}),
        (f"/solicitacoes/{s.protocolo}/atribuir", {}),
        ("/usuarios", {"login": "eva", "nome": "Eva", "papel": "admin", "senha": SENHA}),
        ("/sair", {}),
    ):
        assert cliente.post(url, data=dados).status_code == 403, url  # missing
        forjado = {**dados, "csrf_token": "IjAxMjM0NTY3ODki.forjado"}
        assert cliente.post(url, data=forjado).status_code == 403, url  # forged
    assert store.buscar(s.protocolo).status == "recebida"
    assert store.usuario("eva") is None


@pytest.mark.usefixtures("pessoas")
def test_analyst_gets_403_on_the_admin_pages(app):
    cliente = app.test_client()
    entrar(cliente, "beto")
    assert cliente.get("/usuarios").status_code == 403
    pagina = cliente.get("/solicitacoes")
    assert pagina.status_code == 200 and 'href="/usuarios"' not in pagina.text
    dados = {"login": "eva", "nome": "Eva", "papel": "admin", "senha": SENHA}
    criar = cliente.post("/usuarios", data={**dados, "csrf_token": token(pagina.text)})
    assert criar.status_code == 403
    for acao in ("desativar", "senha", "papel", "reativar"):
        assert (
            cliente.post(
                f"/usuarios/ana/{acao}", data={"csrf_token": token(pagina.text), "papel": "x"}
            ).status_code
            == 403
        )


@pytest.mark.usefixtures("pessoas")
def test_admin_manages_users_and_their_sessions_end(app, store):
    admin, analista = app.test_client(), app.test_client()
    entrar(admin, "ana")
    entrar(analista, "beto")
    assert analista.get("/solicitacoes").status_code == 200
    tk = token(admin.get("/usuarios").text)
    admin.post("/usuarios/beto/senha", data={"csrf_token": tk, "senha": "nova senha comprida"})
    assert analista.get("/solicitacoes").status_code == 302  # the old session ended
    assert entrar(analista, "beto", "nova senha comprida").status_code == 302
    admin.post("/usuarios/beto/papel", data={"csrf_token": tk, "papel": "admin"})
    assert store.usuario("beto").papel == "admin"
    admin.post("/usuarios/beto/desativar", data={"csrf_token": tk})
    assert not store.usuario("beto").ativo
    assert entrar(analista, "beto", "nova senha comprida").status_code == 401
    novo = {"csrf_token": tk, "login": "eva", "nome": "Eva", "papel": "analista", "senha": "x"}
    pagina = admin.post("/usuarios", data=novo, follow_redirects=True)
    assert "pelo menos 12" in pagina.text and store.usuario("eva") is None
    admin.post("/usuarios", data={**novo, "senha": SENHA})
    assert store.usuario("eva").papel == "analista"
    pagina = admin.post("/usuarios/ana/desativar", data={"csrf_token": tk}, follow_redirects=True)
    assert "próprio usuário" in pagina.text and store.usuario("ana").ativo


@pytest.mark.usefixtures("pessoas")
def test_cookies_and_headers(tmp_path, app):
    cliente = app.test_client()
    resposta = entrar(cliente, "ana")
    cookie = resposta.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Secure" not in cookie
    pagina = cliente.get("/solicitacoes")
    csp = pagina.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "script-src" not in csp  # no script at all
    assert "frame-ancestors 'none'" in csp and "<script" not in pagina.text
    assert pagina.headers["X-Content-Type-Options"] == "nosniff"
    https = criar_app(configuracao(tmp_path, SEI_PAINEL_HTTPS="1"))
    cliente = https.test_client()
    login = cliente.get("/entrar", base_url="https://painel.sesau")
    assert "__Host-sei-painel=" in login.headers["Set-Cookie"]
    assert "Secure" in login.headers["Set-Cookie"]
    assert "Strict-Transport-Security" in login.headers
    https.extensions["sei_servicos"].store.fechar()


def test_idle_timeout_comes_from_the_setting(tmp_path):
    app = criar_app(configuracao(tmp_path, SEI_PAINEL_SESSAO_MIN="7"))
    assert app.permanent_session_lifetime.total_seconds() == 7 * 60
    cookie = app.test_client().get("/entrar").headers["Set-Cookie"]
    assert "Expires=" in cookie  # permanent: re-signed on every request, refused after 7 min
    app.extensions["sei_servicos"].store.fechar()


@pytest.mark.usefixtures("pessoas")
def test_wrong_passwords_are_throttled_with_one_message(app):
    cliente = app.test_client()
    for _ in range(4):
        assert "Usuário ou senha incorretos" in entrar(cliente, "ana", "errada").text
    for login, senha in (("ana", "errada"), ("ana", SENHA), ("nao.existe", "x")):
        resposta = entrar(cliente, login, senha)
        assert "Muitas tentativas" in resposta.text and resposta.status_code == 401
    assert "incorretos" not in resposta.text


@pytest.mark.usefixtures("pessoas")
def test_search_by_cpf_is_a_post_and_never_logged(app, store, caplog):
    caplog.set_level(logging.DEBUG)
    alvo = registrar(store, 1, cpf=CPF)
    outro = registrar(store, 2, cpf="111.444.777-35", nome="José Ação Teste")
    cliente = app.test_client()
    entrar(cliente, "beto")
    pagina = cliente.get("/solicitacoes")
    assert re.search(r'<form method="post"[^>]*role="search"', pagina.text)
    tk = token(pagina.text)
    for termo, esperado in (
        (CPF, alvo),
        ("52998224725", alvo),
        ("jose acao", outro),
        (outro.protocolo.lower(), outro),
    ):
        achado = cliente.post("/solicitacoes", data={"busca": termo, "csrf_token": tk})
        assert esperado.protocolo in achado.text, termo
        nao = alvo if esperado is outro else outro
        assert f">{nao.protocolo}<" not in achado.text, termo
    ignorado = cliente.get("/solicitacoes", query_string={"busca": CPF})  # GET: no search
    assert alvo.protocolo in ignorado.text and outro.protocolo in ignorado.text
    assert "52998224725" not in caplog.text and CPF not in caplog.text


@pytest.mark.usefixtures("pessoas")
def test_queue_filters_and_late_requests(app, store):
    from datetime import datetime, timedelta, timezone

    velha = store.registrar(
        "desanexacao",
        [
            {
                "processo_principal": "1",
                "processo_anexado": "2",
                "motivo": "m",
                "sigla": "NTS",
            }
        ],
        canal="rest",
        contato="c",
        unidade="NTS",
        chave_envio="velha",
        agora=datetime.now(timezone.utc) - timedelta(hours=49),
    )[0]
    nova = registrar(store, 2, unidade="GETIN")
    cliente = app.test_client()
    entrar(cliente, "beto")
    atrasadas = cliente.get("/solicitacoes", query_string={"atrasadas": "1"}).text
    assert velha.protocolo in atrasadas and nova.protocolo not in atrasadas
    assert "atrasada" in atrasadas
    por_unidade = cliente.get("/solicitacoes", query_string={"unidade": "getin"}).text
    assert nova.protocolo in por_unidade and velha.protocolo not in por_unidade
    por_tipo = cliente.get("/solicitacoes", query_string={"tipo": "desanexacao"}).text
    assert velha.protocolo in por_tipo and nova.protocolo not in por_tipo
    hoje = datetime.now(FUSO).date().isoformat()  # days are Maceió's
    periodo = cliente.get("/solicitacoes", query_string={"de": hoje, "ate": hoje}).text
    assert nova.protocolo in periodo
    todas = cliente.get("/solicitacoes").text
    assert todas.index(nova.protocolo) < todas.index(velha.protocolo)  # newest first
    errada = cliente.get("/solicitacoes", query_string={"de": "31/02"}).text
    assert "Data inválida: &#39;31/02&#39;" in errada


@pytest.mark.usefixtures("pessoas")
def test_queue_pages_of_50(app, store):
    for n in range(51):
        registrar(store, n)
    cliente = app.test_client()
    entrar(cliente, "beto")
    primeira = cliente.get("/solicitacoes").text
    assert (
        "página 1 de 2" in primeira and primeira.count("<tr>") + primeira.count("<tr class") >= 50
    )
    assert "Próxima página" in primeira
    segunda = cliente.get("/solicitacoes", query_string={"pagina": "2"}).text
    assert "página 2 de 2" in segunda and "NTS-" in segunda and "Página anterior" in segunda


def test_behind_https_the_login_post_needs_a_same_origin_referer(tmp_path):
    """Under https Flask-WTF also checks the Referer (the panel sends it same-origin)."""
    app = criar_app(configuracao(tmp_path, SEI_PAINEL_HTTPS="1"))
    store = app.extensions["sei_servicos"].store
    usuarios.criar(store, "ana", "Ana", "admin", SENHA, autor="teste")
    cliente = app.test_client()
    base = "https://painel.sesau"
    pagina = cliente.get("/entrar", base_url=base)
    assert pagina.headers["Referrer-Policy"] == "same-origin"
    dados = {"login": "ana", "senha": SENHA, "csrf_token": token(pagina.text)}
    assert cliente.post("/entrar", base_url=base, data=dados).status_code == 403
    outro = {"Referer": "https://outro.site/entrar"}
    assert cliente.post("/entrar", base_url=base, data=dados, headers=outro).status_code == 403
    mesmo = {"Referer": f"{base}/entrar"}
    assert cliente.post("/entrar", base_url=base, data=dados, headers=mesmo).status_code == 302
    store.fechar()


def test_a_visible_note_reaches_the_requesters_status_answer(store):
    """``status_publico`` (what the bot answers) carries the latest status change's
    note only when the NTS ticked "Visível ao solicitante"."""
    from bot.solicitacoes import atendimento

    s = registrar(store, 1)
    atendimento.mudar_situacao(store, s.protocolo, "em_andamento", autor="a", observacao="interna")
    assert "observacao" not in store.status_publico(s.protocolo)
    atendimento.mudar_situacao(
        store, s.protocolo, "concluida", autor="a", observacao="Acesso liberado", visivel=True
    )
    assert store.status_publico(s.protocolo)["observacao"] == "Acesso liberado"
    atendimento.mudar_situacao(store, s.protocolo, "em_andamento", autor="a")
    assert "observacao" not in store.status_publico(s.protocolo)


@pytest.mark.usefixtures("pessoas")
def test_after_login_back_to_the_page_asked_never_to_another_site(app, store):
    s = registrar(store, 1)
    cliente = app.test_client()
    pedido = cliente.get(f"/solicitacoes/{s.protocolo}")
    assert pedido.location == f"/entrar?next=%2Fsolicitacoes%2F{s.protocolo}"
    formulario = cliente.get(pedido.location)
    acao = re.search(r'<form method="post" action="([^"]+)" class="entrar"', formulario.text)
    assert acao.group(1) == f"/entrar?next=/solicitacoes/{s.protocolo}"  # the form keeps it
    dados = {"login": "beto", "senha": SENHA, "csrf_token": token(formulario.text)}
    resposta = cliente.post(pedido.location, data=dados)
    assert resposta.location == f"/solicitacoes/{s.protocolo}"
    for fora in ("https://mal.example/", "//mal.example/", "/\\\\mal.example"):
        cliente = app.test_client()
        dados["csrf_token"] = token(cliente.get("/entrar").text)
        resposta = cliente.post("/entrar", query_string={"next": fora}, data=dados)
        assert resposta.location == "/solicitacoes", fora


@pytest.mark.usefixtures("pessoas")
def test_http_errors_are_portuguese_pages(app):
    cliente = app.test_client()
    entrar(cliente, "beto")
    assert "não encontrada" in cliente.get("/solicitacoes/NTS-1999-000001").text
    resposta = cliente.get("/sair")
    assert resposta.status_code == 405 and "Pedido inválido" in resposta.text
