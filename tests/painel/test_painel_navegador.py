"""The NTS panel in a real browser: Debian's Chromium driven by Playwright,
elements found by role and accessible name.

The panel runs in this process (waitress in a thread, the real app on a real
SQLite store in a temp folder); requests are filed through
``RequestStore.registrar`` and the screenshot through ``AnexoStore``, as the bot
does. One browser for the module; each test has its own context (cookies) and
its own ``X-Forwarded-For`` (the app trusts one proxy, as behind the SESAU
reverse proxy), so the per-address throttling of one test never blocks another.
Without chromium the tests skip, except under CI, where they fail.
"""

from __future__ import annotations

import io
import itertools
import json
import os
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import openpyxl
import pytest
from apoio import SENHA, configuracao, registrar
from conftest import PORT_BASE
from PIL import Image
from playwright.sync_api import expect

from bot.ops import cli
from bot.painel import usuarios
from bot.painel.app import criar_app
from bot.painel.servidor import opcoes_waitress
from bot.solicitacoes.anexos import AnexoStore

pytestmark = pytest.mark.e2e

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
PORTA, PORTA_NOVA = PORT_BASE + 180, PORT_BASE + 181
XSS = [
    "<script>alert('nome')</script>",
    '<img src=x onerror="alert(1)">',
    '"><svg onload=alert(2)>',
    '<a href="javascript:alert(3)">clique</a>',
    "{{ 7*7 }} <iframe src=javascript:alert(4)>",
]
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
_enderecos = (f"10.20.{i // 250}.{i % 250 + 1}" for i in itertools.count())


def _sem_navegador(motivo: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{motivo} — obrigatório no CI (.ci/install-system-deps instala o chromium)")
    pytest.skip(motivo)


@contextmanager
def _servidor(app, cfg, porta: int) -> Iterator[str]:
    """The app served by waitress on 127.0.0.1:porta, in a thread, with the options
    ``python -m bot.painel.servidor`` uses."""
    import waitress

    servidor = waitress.create_server(app, **{**opcoes_waitress(cfg), "port": porta})
    fio = threading.Thread(target=servidor.run, daemon=True)
    fio.start()
    try:
        yield f"http://127.0.0.1:{porta}"
    finally:
        servidor.close()
        fio.join(timeout=5)


@pytest.fixture(scope="module")
def navegador():
    if not CHROMIUM.exists():
        _sem_navegador("chromium ausente em /usr/bin/chromium (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _sem_navegador("pacote python 'playwright' ausente no venv")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def painel(tmp_path_factory):
    """(base URL, app, settings) of a panel with an admin and an analyst."""
    pasta = tmp_path_factory.mktemp("painel")
    cfg = configuracao(pasta, SEI_PAINEL_PROXIES="1")
    app = criar_app(cfg)
    store = app.extensions["sei_servicos"].store
    usuarios.criar(store, "ana", "Ana Administradora", "admin", SENHA, autor="teste")
    usuarios.criar(store, "beto", "Beto Analista", "analista", SENHA, autor="teste")
    with _servidor(app, cfg, PORTA) as base:
        yield base, app, cfg
    store.fechar()


class Aba:
    """A browser context (own cookies and address) with one page; any JS dialog fails."""

    def __init__(self, navegador, base: str) -> None:
        self.base = base
        self.contexto = navegador.new_context(
            accept_downloads=True,
            locale="pt-BR",
            extra_http_headers={"X-Forwarded-For": next(_enderecos)},
        )
        self.dialogos: list[str] = []
        self.erros: list[str] = []
        self.page = self.contexto.new_page()
        self.page.on("dialog", self._dialogo)
        self.page.on("console", self._console)

    def _console(self, mensagem) -> None:
        """Console errors (CSP refusals, script errors); HTTP statuses are asserted apart."""
        if mensagem.type == "error" and not mensagem.text.startswith(
            "Failed to load resource: the server responded with a status of"
        ):
            self.erros.append(mensagem.text)

    def _dialogo(self, dialogo) -> None:
        self.dialogos.append(dialogo.message)
        dialogo.dismiss()

    def entrar(self, login: str, senha: str = SENHA):
        page = self.page
        page.goto(self.base + "/entrar")
        page.get_by_label("Usuário").fill(login)
        page.get_by_label("Senha").fill(senha)
        page.get_by_role("button", name="Entrar").click()
        return page


@pytest.fixture()
def aba(navegador, painel) -> Iterator[Aba]:
    a = Aba(navegador, painel[0])
    yield a
    try:
        assert a.dialogos == [], f"um diálogo JavaScript foi aberto: {a.dialogos}"
        assert a.erros == [], f"erros no console (CSP?): {a.erros}"
    finally:
        a.contexto.close()


def _png() -> bytes:
    saida = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(saida, format="PNG")
    return saida.getvalue()


# --------------------------------------------------------------------- tests
def test_fresh_machine_login_page_says_how_to_create_the_first_admin(
    navegador, tmp_path, monkeypatch
):
    cfg = configuracao(tmp_path)
    app = criar_app(cfg)
    with _servidor(app, cfg, PORTA_NOVA) as base:
        a = Aba(navegador, base)
        page = a.page
        page.goto(base + "/solicitacoes")
        assert page.url.startswith(base + "/entrar")  # no session: the login page
        aviso = page.get_by_role("note")
        expect(aviso).to_contain_text("sei-nts users add")
        monkeypatch.setenv("SEI_VAR_DIR", str(tmp_path / "var"))
        codigo = cli.main(
            ["users", "add", "chefe", "--name", "Chefe", "--role", "admin", "--password-stdin"],
            out=io.StringIO(),
            entrada=io.StringIO(SENHA + "\n"),
        )
        assert codigo == 0
        a.entrar("chefe")
        expect(page.get_by_role("heading", name="Solicitações")).to_be_visible()
        page.get_by_role("button", name="Sair").click()
        expect(page.get_by_role("status")).to_have_text("Você saiu do painel.")
        page.goto(base + "/solicitacoes")
        assert page.url.startswith(base + "/entrar")
        expect(page.get_by_role("note")).to_have_count(0)
        a.contexto.close()
    app.extensions["sei_servicos"].store.fechar()


def test_queue_request_page_status_form_history_and_spreadsheet(aba, painel, monkeypatch):
    base, app, cfg = painel
    servicos = app.extensions["sei_servicos"]
    store = servicos.store
    cadastro = registrar(store, 101, unidade="SESAU-NTS", nome="Maria Queiroz")
    ref = AnexoStore(cfg.anexos_dir).salvar(_png(), "conversa-101")
    relato = registrar(store, 102, tipo="relato_erro", captura=ref, unidade="GETIN")
    page = aba.entrar("beto")
    expect(page.get_by_role("heading", name="Solicitações")).to_be_visible()
    page.get_by_label("Tipo").select_option(label="Relato de erro no SEI")
    page.get_by_role("button", name="Filtrar").click()
    expect(page.get_by_role("link", name=relato.protocolo)).to_be_visible()
    expect(page.get_by_role("link", name=cadastro.protocolo)).to_have_count(0)
    page.get_by_label("Buscar por protocolo, nome ou CPF").fill("maria queiroz")
    page.get_by_role("button", name="Buscar").click()
    assert "busca=" not in page.url and "maria" not in page.url.lower()
    page.get_by_label("Tipo").select_option(label="Todos")
    page.get_by_role("button", name="Filtrar").click()
    linha = page.get_by_role("row").filter(has=page.get_by_role("link", name=relato.protocolo))
    for esperado in ("GETIN", "Recebida", "prazo em"):
        expect(linha).to_contain_text(esperado)

    page.get_by_role("link", name=relato.protocolo).click()
    expect(page.get_by_role("heading", name=re.compile(relato.protocolo))).to_be_visible()
    expect(page.get_by_role("cell", name="Erro 102 ao assinar")).to_be_visible()
    imagem = page.get_by_role("img", name=re.compile("Captura de tela"))
    assert imagem.evaluate("i => i.complete && i.naturalWidth") == 40

    # keyboard only: select, observation, checkbox, button
    page.get_by_label("Nova situação").focus()
    page.keyboard.press("ArrowDown")  # Recebida -> Em andamento
    page.keyboard.press("Tab")
    page.keyboard.type("Encaminhado à equipe do SEI")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    assert page.get_by_label("Visível ao solicitante").is_checked()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page.get_by_role("status").first).to_contain_text("Em andamento")
    historico = page.get_by_role("table", name=re.compile("Histórico"))
    ultima = historico.get_by_role("row").last
    for esperado in ("beto", "Situação alterada", "Recebida", "Em andamento", "Encaminhado"):
        expect(ultima).to_contain_text(esperado)
    page.get_by_role("button", name="Atribuir a mim").click()
    expect(historico.get_by_role("row").last).to_contain_text("Responsável alterado")
    page.get_by_label("Nota interna (só o NTS vê)").fill("ligar para a unidade")
    page.get_by_role("button", name="Anotar").click()
    expect(historico.get_by_role("row").last).to_contain_text("ligar para a unidade")

    # the console: same service, same entry
    monkeypatch.setenv("SEI_VAR_DIR", str(cfg.var_dir))
    monkeypatch.delenv("REQUESTS_DB_URL", raising=False)
    args = ["requests", "status", cadastro.protocolo, "em_andamento"]
    args += ["--note", "Encaminhado à equipe do SEI", "--visible", "--by", "beto"]
    assert cli.main(args, out=io.StringIO()) == 0
    saida = io.StringIO()
    assert cli.main(["requests", "show", relato.protocolo, "--json"], out=saida) == 0
    do_painel = next(e for e in json.loads(saida.getvalue())["audit"] if e["action"] == "situacao")
    saida = io.StringIO()
    cli.main(["requests", "show", cadastro.protocolo, "--json"], out=saida)
    do_console = json.loads(saida.getvalue())["audit"][-1]
    assert {**do_painel, "at": None} == {**do_console, "at": None}

    page.goto(f"{base}/solicitacoes/{cadastro.protocolo}")
    expect(page.get_by_role("cell", name="Maria Queiroz")).to_be_visible()
    ultima = page.get_by_role("table", name=re.compile("Histórico")).get_by_role("row").last
    expect(ultima).to_contain_text("beto")
    expect(ultima).to_contain_text("Encaminhado")
    with page.expect_download() as baixado:
        page.get_by_role("link", name="Baixar a planilha").click()
    assert baixado.value.suggested_filename == f"{cadastro.protocolo}.xlsx"
    planilha = openpyxl.load_workbook(io.BytesIO(Path(baixado.value.path()).read_bytes()))
    valores = [c for linha in planilha.active.values for c in linha]
    assert "Maria Queiroz" in valores


def test_stored_xss_payloads_are_shown_as_text(aba, painel):
    base, app, _ = painel
    store = app.extensions["sei_servicos"].store
    page = aba.entrar("ana")
    for i, carga in enumerate(XSS):
        s = registrar(store, 200 + i, tipo="relato_erro", descricao=carga)
        pessoa = registrar(store, 300 + i, nome=carga)
        page.goto(f"{base}/solicitacoes/{s.protocolo}")
        expect(page.get_by_role("cell", name=carga, exact=True)).to_be_visible()
        page.get_by_label("Nota interna (só o NTS vê)").fill(carga)
        page.get_by_role("button", name="Anotar").click()
        nota = page.get_by_role("table", name=re.compile("Histórico")).get_by_role("row").last
        expect(nota).to_contain_text(carga)
        page.goto(f"{base}/solicitacoes/{pessoa.protocolo}")
        expect(page.get_by_role("cell", name=carga, exact=True)).to_be_visible()
        assert page.locator("script, iframe, svg, img[src='x']").count() == 0
    page.goto(f"{base}/solicitacoes")  # the queue too
    page.get_by_label("Buscar por protocolo, nome ou CPF").fill(XSS[0])
    page.get_by_role("button", name="Buscar").click()
    assert page.get_by_label("Buscar por protocolo, nome ou CPF").input_value() == XSS[0]
    time.sleep(0.3)  # a late onerror would open its dialog now (the fixture checks)


def test_analyst_is_denied_the_users_page_admin_adds_a_user(aba, navegador, painel):
    base = painel[0]
    page = aba.entrar("beto")
    expect(page.get_by_role("link", name="Usuários")).to_have_count(0)
    resposta = page.goto(base + "/usuarios")
    assert resposta.status == 403
    expect(page.get_by_role("alert")).to_contain_text("só para administradores")
    admin = Aba(navegador, base)
    try:
        pagina = admin.entrar("ana")
        pagina.get_by_role("link", name="Usuários").click()
        pagina.get_by_label("Login").fill("carla")
        pagina.get_by_label("Nome", exact=True).fill("Carla Analista")
        pagina.get_by_label("Senha (12 caracteres ou mais)").fill("senha da carla 123")
        pagina.get_by_role("button", name="Adicionar").click()
        expect(pagina.get_by_role("status")).to_contain_text("Usuário carla criado.")
        pagina.get_by_role("button", name="Desativar carla").click()
        expect(pagina.get_by_role("status")).to_contain_text("desativado")
    finally:
        admin.contexto.close()


def test_forged_or_missing_csrf_token_is_refused(aba, painel):
    base, app, _ = painel
    s = registrar(app.extensions["sei_servicos"].store, 400)
    page = aba.entrar("beto")
    url = f"{base}/solicitacoes/{s.protocolo}/situacao"
    for formulario in ({"situacao": "concluida"}, {"situacao": "concluida", "csrf_token": "x"}):
        assert page.request.post(url, form=formulario).status == 403
    page.goto(f"{base}/solicitacoes/{s.protocolo}")
    expect(page.get_by_role("definition").first).to_contain_text("Recebida")


def test_five_wrong_passwords_block_the_login(aba, painel):
    store = painel[1].extensions["sei_servicos"].store
    usuarios.criar(store, "dani", "Dani", "analista", SENHA, autor="teste")  # blocked below
    page = aba.page
    for _ in range(4):
        aba.entrar("dani", "senha errada")
        expect(page.get_by_role("alert")).to_have_text("Usuário ou senha incorretos.")
    aba.entrar("dani", "senha errada")
    expect(page.get_by_role("alert")).to_contain_text("Muitas tentativas")
    bloqueio = page.get_by_role("alert").inner_text()
    assert "Muitas tentativas" in bloqueio and "15 minutos" in bloqueio
    aba.entrar("dani")  # the right password, same address: still refused
    assert page.get_by_role("alert").inner_text() == bloqueio
    expect(page.get_by_role("heading", name="Solicitações")).to_have_count(0)


def test_idle_session_goes_back_to_login(aba, painel):
    """The server refuses a cookie signed longer ago than the idle limit (whatever
    the browser keeps): log in, shorten the limit to 2 s, wait, come back."""
    base, app, _ = painel
    original = app.permanent_session_lifetime
    page = aba.entrar("beto")
    expect(page.get_by_role("heading", name="Solicitações")).to_be_visible()
    app.permanent_session_lifetime = timedelta(seconds=2)
    try:
        page.reload()  # activity: still in
        expect(page.get_by_role("heading", name="Solicitações")).to_be_visible()
        time.sleep(3.5)
        page.goto(base + "/solicitacoes")
        assert page.url.startswith(base + "/entrar")
        expect(page.get_by_role("status")).to_contain_text("Entre com seu usuário")
    finally:
        app.permanent_session_lifetime = original


def test_indicators_export_and_a_refused_catalogue(aba, painel, tmp_path):
    _, app, _ = painel
    registrar(app.extensions["sei_servicos"].store, 500, nome="Pessoa Exportada")
    page = aba.entrar("ana")
    page.get_by_role("link", name="Indicadores").click()
    expect(page.get_by_role("heading", name="Indicadores", exact=True)).to_be_visible()
    expect(page.get_by_role("img", name="Solicitações por semana e situação")).to_be_visible()
    page.get_by_role("link", name="Solicitações").click()
    page.get_by_label("Tipo").select_option(label="Cadastro de usuário")
    page.get_by_role("button", name="Filtrar").click()
    with page.expect_download() as baixado:
        page.get_by_role("button", name="Exportar planilhas").click()
    planilha = openpyxl.load_workbook(io.BytesIO(Path(baixado.value.path()).read_bytes()))
    assert "Pessoa Exportada" in [c for linha in planilha.active.values for c in linha]
    page.get_by_role("link", name="Catálogos").click()
    ruim = tmp_path / "unidades.csv"
    ruim.write_text("sigla,nome,sigla_superior\nSESAU,S,\nGAB,G,SESAU\nGAB,H,SESAU\n")
    page.get_by_label("Catálogo", exact=True).select_option("unidades")
    page.get_by_label("Arquivo CSV").set_input_files(str(ruim))
    page.get_by_role("button", name="Enviar catálogo").click()
    expect(page.get_by_role("alert")).to_contain_text("linha 4")
    expect(page.get_by_role("alert")).to_contain_text("O catálogo atual continua valendo")


def _violacoes_axe(page) -> list[str]:
    """axe-core's WCAG 2.1 A/AA violations of the page (evaluated through the
    DevTools protocol, so the page's CSP stays as it is)."""
    from axe_playwright_python.base import AXE_SCRIPT

    page.evaluate(AXE_SCRIPT)
    resultado = page.evaluate(
        "o => axe.run(document, o)",
        {"runOnly": {"type": "tag", "values": WCAG_AA}, "resultTypes": ["violations"]},
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in resultado["violations"]
    ]


def test_pages_have_no_wcag_21_aa_violations(aba, painel):
    """axe-core on the login, queue, request, indicators and admin pages."""
    base, app, cfg = painel
    store = app.extensions["sei_servicos"].store
    ref = AnexoStore(cfg.anexos_dir).salvar(_png(), "conversa-600")
    s = registrar(store, 600, tipo="relato_erro", captura=ref)
    page = aba.page
    page.goto(base + "/entrar")
    falhas = {"entrar": _violacoes_axe(page)}
    aba.entrar("ana")
    for nome, url in (
        ("fila", "/solicitacoes"),
        ("solicitação", f"/solicitacoes/{s.protocolo}"),
        ("indicadores", "/indicadores"),
        ("usuários", "/usuarios"),
        ("catálogos", "/catalogos"),
        ("links", "/links"),
        ("auditoria", "/auditoria"),
    ):
        page.goto(base + url)
        falhas[nome] = _violacoes_axe(page)
    assert {k: v for k, v in falhas.items() if v} == {}
    page.set_content('<html lang="pt-BR"><body><main><img src="x"></main></body></html>')
    assert any(v.startswith("image-alt") for v in _violacoes_axe(page))  # axe is really on
