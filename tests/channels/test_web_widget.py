"""The web chat in a real browser.

Headless Chromium from Debian (/usr/bin/chromium, never `playwright install`)
driven by the playwright package; the gateway (`python -m bot.channels.web.app`)
as a subprocess with the real Rasa + action server of the `server` fixture
behind it. Without chromium the tests skip, except when CI is set: then they
fail, so the CI can never silently lose them. The README's screenshots are not
taken here (tests never write tracked files): ``make screenshots`` does it.
"""

from __future__ import annotations

import io
import json
import os
import random
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import openpyxl
import pytest
from conftest import RASA_PORT, ROOT, WEB_PORT
from geradores import gerar_cpf
from PIL import Image
from processes import stop

from bot import settings
from bot.arquivos import carregar_segredo
from bot.channels.identidade import Links, remetente
from bot.solicitacoes.anexos import AnexoStore
from bot.solicitacoes.store import RequestStore

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
RESPOSTA_MS = 60_000
HOSTIS = ["<img src=x onerror=alert(1)>", "[x](javascript:alert(1))"]


def _sem_navegador(motivo: str) -> None:
    """Skip with the reason, or fail when running in CI."""
    if os.environ.get("CI"):
        pytest.fail(f"{motivo} — obrigatório no CI (.ci/install-system-deps instala o chromium)")
    pytest.skip(motivo)


# ------------------------------------------------------------------ fixtures


@pytest.fixture(scope="session")
def chromium_disponivel() -> Path:
    """Debian's chromium and the playwright package, checked before Rasa starts."""
    if not CHROMIUM.exists():
        _sem_navegador("chromium ausente em /usr/bin/chromium (apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _sem_navegador("pacote python 'playwright' ausente no venv")
    return CHROMIUM


@pytest.fixture(scope="module")
def playwright_(chromium_disponivel):
    """One Playwright driver for this module (sync API)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


def _responde(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.fixture(scope="session")
def gateway(chromium_disponivel, server) -> Iterator[tuple[str, Path]]:
    """The web gateway on WEB_PORT in front of the test Rasa; (base URL, var dir)."""
    _, var_dir = server
    base = f"http://127.0.0.1:{WEB_PORT}/"
    if _responde(base + "static/sei-widget.js"):  # already started (by the launcher)
        yield base, var_dir
        return
    log = Path(var_dir) / "web.log"
    env = dict(
        os.environ,
        SEI_WEB_PORT=str(WEB_PORT),
        SEI_RASA_PORT=str(RASA_PORT),
        SEI_VAR_DIR=str(var_dir),
    )
    with open(log, "wb") as saida:
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot.channels.web.app"],
            cwd=ROOT,
            env=env,
            stdout=saida,
            stderr=subprocess.STDOUT,
        )
    try:
        limite = time.monotonic() + 30
        while not _responde(base):
            if proc.poll() is not None or time.monotonic() > limite:
                pytest.fail("o gateway web não subiu:\n" + log.read_text()[-3000:])
            time.sleep(0.2)
        yield base, var_dir
    finally:
        stop(proc, timeout=15)


class Navegador:
    """A fresh Chromium profile with one page on the demo page, watching for trouble."""

    def __init__(self, playwright, perfil: Path, base: str, viewport: dict[str, int]) -> None:
        self.base = base
        self.contexto = playwright.chromium.launch_persistent_context(
            str(perfil),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport=viewport,
            accept_downloads=True,
            locale="pt-BR",
        )
        self.dialogos: list[str] = []
        self.erros: list[str] = []
        self.page = self.nova_aba()

    def nova_aba(self):
        """A new tab on the demo page (its own sessionStorage)."""
        page = self.contexto.new_page()
        page.on("dialog", self._dialogo)
        page.on("pageerror", lambda erro: self.erros.append(f"pageerror: {erro}"))
        page.on("console", lambda m: m.type == "error" and self.erros.append(m.text))
        page.goto(self.base)
        page.wait_for_selector(".sei-lancador", state="visible")
        return page

    def _dialogo(self, dialogo) -> None:
        """Any alert/confirm/prompt means injected script ran: the test fails."""
        self.dialogos.append(dialogo.message)
        dialogo.dismiss()

    def fechar(self) -> None:
        self.contexto.close()


@pytest.fixture()
def navegador(playwright_, gateway, tmp_path) -> Iterator[Navegador]:
    nav = Navegador(playwright_, tmp_path / "perfil", gateway[0], DESKTOP)
    yield nav
    try:
        assert nav.dialogos == [], f"um diálogo JavaScript foi aberto: {nav.dialogos}"
        assert nav.erros == [], f"erros no console (CSP?): {nav.erros}"
    finally:
        nav.fechar()


# ------------------------------------------------------------------ helpers


def abrir(page) -> None:
    page.get_by_role("button", name="Abrir o assistente do SEI").click()
    page.get_by_role("dialog", name="Assistente do SEI").wait_for(state="visible")


def _n_bot(page) -> int:
    return page.locator(".sei-msg-bot, .sei-msg-aviso").count()


def esperar_respostas(page, antes: int) -> str:
    """Wait until the widget is idle with new bot messages; their text."""
    page.wait_for_function(
        "n => document.querySelector('.sei-widget').dataset.ocupado === 'false'"
        " && document.querySelectorAll('.sei-msg-bot, .sei-msg-aviso').length > n",
        arg=antes,
        timeout=RESPOSTA_MS,
    )
    novas = page.locator(".sei-msg-bot, .sei-msg-aviso").all_inner_texts()[antes:]
    return "\n".join(novas)


def dizer(page, texto: str) -> str:
    """Type a message, press Enter, return the bot's answer."""
    antes = _n_bot(page)
    caixa = page.get_by_role("textbox", name="Mensagem")
    caixa.fill(texto)
    caixa.press("Enter")
    return esperar_respostas(page, antes)


def tocar(page, titulo: str) -> str:
    """Tap the latest button with this title; the bot's answer."""
    antes = _n_bot(page)
    page.locator(".sei-opcao", has_text=titulo).last.click()
    return esperar_respostas(page, antes)


def estado(page) -> dict:
    return json.loads(page.evaluate("sessionStorage.getItem('sei-widget:v1')"))


def _get(url: str, cabecalhos: dict[str, str]) -> tuple[int, bytes, httpx.Headers]:
    resposta = httpx.get(url, headers=cabecalhos, timeout=30)
    return resposta.status_code, resposta.content, resposta.headers


def _png(cor: str = "blue") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 40), cor).save(buffer, format="PNG")
    return buffer.getvalue()


def _luminancia(rgb: tuple[int, int, int]) -> float:
    canais = []
    for valor in rgb:
        c = valor / 255
        canais.append(c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4)
    return 0.2126 * canais[0] + 0.7152 * canais[1] + 0.0722 * canais[2]


def _contraste(a: str, b: str) -> float:
    la, lb = (_luminancia(tuple(int(x) for x in re.findall(r"\d+", c)[:3])) for c in (a, b))
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


# ------------------------------------------------------------------ tests


def test_faq_button_cadastro_with_typo_download_and_reload(navegador, gateway, tmp_path):
    page = navegador.page
    _, var_dir = gateway
    abrir(page)
    assert (
        page.evaluate(
            "document.activeElement.getAttribute('aria-label') || "
            "document.activeElement.labels[0].textContent"
        )
        == "Mensagem"
    )

    texto = dizer(page, "esqueci minha senha do sei o q eu faco")
    assert "recuperação de senha" in texto

    texto = dizer(page, "bom dia")
    assert "assistente virtual do SEI" in texto
    grupo = page.locator(".sei-botoes").nth(page.locator(".sei-botoes").count() - 1)
    texto = tocar(page, "Ver todos os assuntos")
    assert "Escolha um assunto" in texto
    assert page.locator(".sei-msg-usuario").last.inner_text().endswith("Ver todos os assuntos")
    assert all(b.is_disabled() for b in grupo.locator("button").all())

    # a cadastro de usuário, with an invalid CPF corrected along the way
    cpf = gerar_cpf(random.Random(2026), mascarado=True)
    texto = dizer(page, "preciso cadastrar uma servidora nova no sei")
    assert "planilha de Cadastro de Usuários" in texto
    texto = tocar(page, "Preencher agora")
    assert "LGPD" in texto and "sigla da sua unidade" in texto
    dizer(page, "getin")
    dizer(page, "maria DA silva")
    texto = dizer(page, "123.456.789-10")
    assert "CPF" in texto and "Qual o CPF de Maria da Silva" in texto
    dizer(page, cpf)
    texto = dizer(page, "maria.silva@gmial.com")
    assert "maria.silva@gmail.com" in texto
    tocar(page, "maria.silva@gmail.com")
    dizer(page, "NTS")
    dizer(page, "Enfermeiro")
    dizer(page, "não")
    texto = dizer(page, "confirmar")
    assert "Protocolo: NTS-" in texto
    protocolo = re.search(r"NTS-\d{4}-\d{6}", texto).group(0)

    # the spreadsheet: a download button -> fetch with X-Sei-Sessao -> Blob -> file
    botao = page.get_by_role("button", name=re.compile(r"Baixar planilha NTS-"))
    with page.expect_download() as baixado:
        botao.click()
    download = baixado.value
    assert download.suggested_filename == f"{protocolo}.xlsx"
    destino = tmp_path / download.suggested_filename
    download.save_as(destino)
    celulas = [
        c.value
        for ws in openpyxl.load_workbook(destino).worksheets
        for linha in ws.iter_rows()
        for c in linha
    ]
    assert cpf in celulas and "Maria da Silva" in celulas

    # a reload keeps the conversation (sessionStorage) and the same session id
    antes = page.locator(".sei-log").inner_text()
    sessao = estado(page)["sessao"]
    assert re.fullmatch(r"[A-Za-z0-9_-]{32}", sessao)
    page.reload()
    page.get_by_role("dialog", name="Assistente do SEI").wait_for(state="visible")
    assert page.locator(".sei-log").inner_text() == antes
    assert estado(page)["sessao"] == sessao
    assert page.locator(".sei-opcao", has_text="Ver todos os assuntos").first.is_disabled()
    assert f"Baixar planilha {protocolo}.xlsx" in page.locator(".sei-baixar").inner_text()
    # ... and the conversation goes on where it was
    texto = dizer(page, f"qual o status do protocolo {protocolo}?")
    assert "Recebida" in texto and "Maria" not in texto

    # a new tab (new browser session) starts fresh, with another session id
    outra = navegador.nova_aba()
    assert outra.locator(".sei-msg").count() == 1
    assert estado(outra)["sessao"] != sessao

    # the download link is bound to this conversation
    url = next(i for i in estado(page)["itens"] if i.get("tipo") == "planilha")["url"]
    status, corpo, cabecalhos = _get(gateway[0] + url, {"X-Sei-Sessao": sessao})
    assert status == 200 and corpo[:2] == b"PK"
    assert cabecalhos["Content-Disposition"].startswith("attachment")
    assert _get(gateway[0] + url, {"X-Sei-Sessao": estado(outra)["sessao"]})[0] in (403, 404)
    assert _get(gateway[0] + url, {})[0] in (403, 404)
    assert Path(var_dir, "planilhas", f"{protocolo}.xlsx").exists()


def test_download_refused_for_another_session_or_an_expired_token(gateway):
    base, var_dir = gateway
    pasta = Path(var_dir) / "planilhas"
    pasta.mkdir(parents=True, exist_ok=True)
    arquivo = "NTS-2099-999999.xlsx"
    (pasta / arquivo).write_bytes(b"PK\x03\x04 teste")
    segredo = carregar_segredo(Path(var_dir) / "segredo-remetente")
    sessao, outra = "A" * 32, "B" * 32
    links = Links(segredo, 3600)
    valido = links.emitir(arquivo, remetente("web", sessao, segredo))
    ttl = settings.load().download_ttl_s  # the gateway's SEI_DOWNLOAD_TTL_S
    vencido = links.emitir(arquivo, remetente("web", sessao, segredo), agora=time.time() - ttl - 60)
    assert _get(f"{base}api/download/{valido}", {"X-Sei-Sessao": sessao})[0] == 200
    assert _get(f"{base}api/download/{valido}", {"X-Sei-Sessao": outra})[0] in (403, 404)
    status, corpo, cabecalhos = _get(f"{base}api/download/{vencido}", {"X-Sei-Sessao": sessao})
    assert status in (403, 404) and "expirado" in json.loads(corpo)["erro"]
    assert cabecalhos["X-Content-Type-Options"] == "nosniff"


def test_error_report_with_a_screenshot_upload(navegador, gateway):
    page = navegador.page
    _, var_dir = gateway
    abrir(page)
    texto = dizer(page, "como faço pra relatar um erro no sei?")
    assert "imagem da tela" in texto and "Quer começar?" in texto
    texto = dizer(page, "sim")
    assert "Descreva o erro" in texto
    dizer(page, "A tela de assinatura fica em branco ao clicar em Assinar.")

    # client-side checks: not PNG/JPEG, or over 10 MB -> Portuguese notice, nothing sent
    pedidos: list[str] = []
    page.on("request", lambda r: "/api/anexo" in r.url and pedidos.append(r.url))
    anexar = page.get_by_role("button", name=re.compile("Anexar captura de tela"))
    for arquivo, trecho in [
        (
            {"name": "tela.gif", "mimeType": "image/gif", "buffer": b"GIF89a...."},
            "não é uma imagem PNG ou JPEG",
        ),
        (
            {
                "name": "enorme.png",
                "mimeType": "image/png",
                "buffer": _png() + b"\0" * (10 * 1024 * 1024),
            },
            "limite é 10 MB",
        ),
    ]:
        antes = _n_bot(page)
        with page.expect_file_chooser() as escolha:
            anexar.click()
        escolha.value.set_files(arquivo)
        assert trecho in esperar_respostas(page, antes)
    assert pedidos == []

    antes = _n_bot(page)
    with page.expect_file_chooser() as escolha:
        anexar.click()
    escolha.value.set_files(
        {"name": "erro-assinatura.png", "mimeType": "image/png", "buffer": _png("red")}
    )
    texto = esperar_respostas(page, antes)
    assert "sigla da sua unidade" in texto
    assert (
        "Captura de tela enviada: erro-assinatura.png"
        in page.locator(".sei-msg-usuario").last.inner_text()
    )
    dizer(page, "GETIN")
    dizer(page, "pular")
    texto = dizer(page, "confirmar")
    protocolo = re.search(r"NTS-\d{4}-\d{6}", texto).group(0)
    store = RequestStore(f"sqlite:///{Path(var_dir) / 'requests.db'}")
    try:
        ref = store.buscar(protocolo).anexo
    finally:
        store.fechar()
    assert ref and AnexoStore(Path(var_dir) / "anexos").caminho(ref).read_bytes() == _png("red")


def test_hostile_text_stays_inert(navegador):
    page = navegador.page
    abrir(page)
    for hostil in HOSTIS:
        dizer(page, hostil)
    # the bot's side too: a crafted reply through the renderer
    resposta = {
        "respostas": [
            {
                "tipo": "texto",
                "texto": (
                    "perigo: <img src=x onerror=alert(1)> e [x](javascript:alert(1)) e "
                    "[y](JAVASCRIPT:alert(2)) e javascript:alert(3)\n"
                    "ok: [portal](https://www.saude.al.gov.br/) e http://exemplo.org/a?b=1."
                ),
            }
        ]
    }
    page.route(
        "**/api/mensagem",
        lambda rota: rota.fulfill(
            status=200, content_type="application/json", body=json.dumps(resposta)
        ),
    )
    texto = dizer(page, "mostre links")
    page.unroute("**/api/mensagem")
    assert "<img src=x onerror=alert(1)>" in texto and "[x](javascript:alert(1))" in texto

    log = page.locator("[role=log]")
    usuario = page.locator(".sei-msg-usuario").all_inner_texts()
    assert any(t.endswith(HOSTIS[0]) for t in usuario) and any(
        t.endswith(HOSTIS[1]) for t in usuario
    )
    assert log.locator("img, script, iframe, svg").count() == 0
    hrefs = log.locator("a").evaluate_all("as => as.map(a => [a.href, a.rel, a.target])")
    assert hrefs == [
        ["https://www.saude.al.gov.br/", "noopener noreferrer", "_blank"],
        ["http://exemplo.org/a?b=1", "noopener noreferrer", "_blank"],
    ]
    page.wait_for_timeout(300)  # give an injected handler the chance to fire
    assert navegador.dialogos == []


def test_reconnects_with_backoff_and_keeps_the_typed_text(navegador):
    page = navegador.page
    abrir(page)
    falhas = {"n": 0}

    def instavel(rota):
        if falhas["n"] < 2:
            falhas["n"] += 1
            rota.abort("connectionrefused")
        else:
            rota.continue_()

    page.route("**/api/mensagem", instavel)
    antes = _n_bot(page)
    caixa = page.get_by_role("textbox", name="Mensagem")
    caixa.fill("em quanto tempo o nts atende?")
    caixa.press("Enter")
    page.get_by_text("Reconectando…").wait_for(state="visible")
    assert "72 horas" in esperar_respostas(page, antes)
    assert falhas["n"] == 2
    page.unroute("**/api/mensagem")
    navegador.erros.clear()  # the aborted requests are logged as console errors

    # Rasa down for good: the friendly message, the bubble withdrawn, the text kept
    page.route(
        "**/api/mensagem",
        lambda rota: rota.fulfill(
            status=503,
            content_type="application/json",
            body=json.dumps({"erro": "O assistente está temporariamente indisponível."}),
        ),
    )
    usuario_antes = page.locator(".sei-msg-usuario").count()
    antes = _n_bot(page)
    caixa.fill("quem administra o sei?")
    caixa.press("Enter")
    texto = esperar_respostas(page, antes)
    assert "temporariamente indisponível" in texto
    assert caixa.input_value() == "quem administra o sei?"
    assert page.locator(".sei-msg-usuario").count() == usuario_antes
    page.unroute("**/api/mensagem")
    navegador.erros.clear()  # the 503s are logged as console errors


def test_earlier_buttons_are_disabled_when_the_conversation_moves_on(navegador):
    """Issue 18, item 1: an old button cannot be tapped after the next turn."""
    page = navegador.page
    abrir(page)
    recebidas: list[str] = []

    def responder(rota):
        texto = json.loads(rota.request.post_data or "{}").get("texto", "")
        recebidas.append(texto)
        if texto == "falha":
            rota.fulfill(status=503, content_type="application/json", body='{"erro": "fora"}')
            return
        botoes = {
            "cargo": [
                {"titulo": "Sim, incluir", "payload": "sim"},
                {"titulo": "Não, seguir", "payload": "nao"},
            ],
            "não": [{"titulo": "Confirmar", "payload": "confirmar"}],
        }.get(texto, [])
        corpo = {"respostas": [{"tipo": "texto", "texto": f"pergunta {texto}", "botoes": botoes}]}
        rota.fulfill(status=200, content_type="application/json", body=json.dumps(corpo))

    page.route("**/api/mensagem", responder)
    dizer(page, "cargo")
    antigo = page.locator(".sei-opcao", has_text="Sim, incluir")
    assert antigo.is_enabled() and antigo.get_attribute("aria-disabled") == "false"

    # a typed message that fails to go leaves the buttons live
    dizer(page, "falha")
    navegador.erros.clear()  # the 503 is logged as a console error
    assert antigo.is_enabled()

    dizer(page, "não")  # typed instead of tapped: the group belongs to an earlier question
    assert antigo.is_disabled() and antigo.get_attribute("aria-disabled") == "true"
    assert page.locator(".sei-opcao", has_text="Não, seguir").is_disabled()
    assert page.locator(".sei-opcao", has_text="Confirmar").is_enabled()
    enviadas = len(recebidas)
    antigo.click(force=True)  # even a forced click sends nothing
    page.wait_for_timeout(300)
    assert len(recebidas) == enviadas and "sim" not in recebidas

    # a used group stays disabled, and so do the superseded ones, across a reload
    tocar(page, "Confirmar")
    assert page.locator(".sei-opcao", has_text="Confirmar").is_disabled()
    page.reload()
    page.get_by_role("dialog", name="Assistente do SEI").wait_for(state="visible")
    for titulo in ("Sim, incluir", "Não, seguir", "Confirmar"):
        botao = page.locator(".sei-opcao", has_text=titulo)
        assert botao.is_disabled() and botao.get_attribute("aria-disabled") == "true", titulo
    page.unroute("**/api/mensagem")


def test_keyboard_aria_and_contrast(navegador):
    page = navegador.page
    lancador = page.get_by_role("button", name="Abrir o assistente do SEI")
    assert lancador.get_attribute("aria-expanded") == "false"
    lancador.focus()
    page.keyboard.press("Enter")
    dialogo = page.get_by_role("dialog", name="Assistente do SEI")
    dialogo.wait_for(state="visible")
    assert lancador.get_attribute("aria-expanded") == "true"
    foco = "document.activeElement.className"
    assert "sei-entrada" in page.evaluate(foco)
    page.keyboard.press("Tab")
    assert "sei-enviar" in page.evaluate(foco)
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    assert "sei-anexar" in page.evaluate(foco)

    log = page.locator("[role=log]")
    assert log.get_attribute("aria-live") == "polite" and log.get_attribute("aria-label")
    sem_nome = page.evaluate("""() => [...document.querySelectorAll(
        '.sei-widget button, .sei-widget textarea')].filter(e =>
        !(e.getAttribute('aria-label') || e.textContent.trim() ||
          (e.labels && e.labels.length))).length""")
    assert sem_nome == 0

    dizer(page, "bom dia")
    cores = page.evaluate("""() => {
        const par = (sel, fundoSel) => {
            const e = document.querySelector(sel);
            const f = document.querySelector(fundoSel || sel);
            return [sel, getComputedStyle(e).color, getComputedStyle(f).backgroundColor];
        };
        return [par('.sei-msg-bot .sei-balao'), par('.sei-msg-usuario .sei-balao'),
                par('.sei-titulo', '.sei-cabecalho'), par('.sei-subtitulo', '.sei-cabecalho'),
                par('.sei-opcao'), par('.sei-entrada'), par('.sei-rodape'),
                par('.sei-lancador')];
    }""")
    for seletor, frente, fundo in cores:
        assert _contraste(frente, fundo) >= 4.5, (seletor, frente, fundo)

    page.keyboard.press("Escape")
    dialogo.wait_for(state="hidden")
    assert "sei-lancador" in page.evaluate(foco)
    assert lancador.get_attribute("aria-expanded") == "false"


def test_phone_sized_viewport_gets_a_full_screen_panel(playwright_, gateway, tmp_path):
    nav = Navegador(playwright_, tmp_path / "perfil", gateway[0], PHONE)
    try:
        page = nav.page
        abrir(page)
        dizer(page, "bom dia")
        caixa = page.get_by_role("dialog", name="Assistente do SEI").bounding_box()
        assert caixa == {"x": 0, "y": 0, "width": PHONE["width"], "height": PHONE["height"]}
        assert not page.locator(".sei-lancador").is_visible()
        assert nav.dialogos == [] and nav.erros == []
    finally:
        nav.fechar()


def _payload_guardado(dados, titulo):
    """The payload of the last button titled ``titulo`` kept in the widget's state."""
    achados = []

    def andar(x):
        if isinstance(x, dict):
            if x.get("titulo") == titulo and isinstance(x.get("payload"), str):
                achados.append(x["payload"])
            for valor in x.values():
                andar(valor)
        elif isinstance(x, list):
            for valor in x:
                andar(valor)

    andar(dados)
    assert achados, titulo
    return achados[-1]


def test_stale_payload_and_a_request_typed_as_a_name_in_the_browser(navegador):
    """Issue 18, real widget and server: a request is no name; a late payload files nothing."""
    page = navegador.page
    abrir(page)
    dizer(page, "preciso cadastrar uma servidora nova no sei")
    assert "sigla da sua unidade" in tocar(page, "Preencher agora")
    assert "nome completo" in dizer(page, "getin")
    texto = dizer(page, "quero cadastrar um servidor novo no sei")
    assert "parece um pedido" in texto and "Quero Cadastrar" not in texto
    assert "nome completo" in tocar(page, "Continuar preenchendo")
    dizer(page, "Rita Alves")
    dizer(page, gerar_cpf(random.Random(1818), mascarado=True))
    dizer(page, "rita.alves@gmail.com")
    dizer(page, "NTS")
    assert "incluir mais" in dizer(page, "Enfermeiro")
    antigo = page.locator(".sei-opcao", has_text="Sim, incluir").last
    payload = _payload_guardado(estado(page), "Sim, incluir")
    assert "Confira a solicitação" in dizer(page, "não")
    assert antigo.is_disabled()
    # a late copy of the old tap (another tab, a retried request) reaches the server anyway
    resposta = page.evaluate(
        """async (payload) => {
            const estado = JSON.parse(sessionStorage.getItem('sei-widget:v1'));
            const r = await fetch('api/mensagem', {method: 'POST',
                headers: {'Content-Type': 'application/json'},
                body: JSON.stringify({sessao: estado.sessao, texto: payload, id: 'tardio-0001'})});
            return await r.json();
        }""",
        payload,
    )
    textos = " ".join(r.get("texto", "") for r in resposta["respostas"])
    assert payload.startswith("/botao_formulario") and "era de uma pergunta anterior" in textos
    assert "Solicitação registrada" not in textos
    assert "Protocolo: NTS-" in tocar(page, "Confirmar")


def test_the_news_of_a_filed_request_shows_when_the_widget_is_reopened(navegador, gateway):
    """Issue 13: the NTS's visible note reaches the browser session that filed the request,
    on reopening (a reload in the same session), without typing anything."""
    from bot import settings
    from bot.notificacoes.avisos import Avisos
    from bot.solicitacoes import atendimento
    from bot.solicitacoes.servicos import Servicos

    page = navegador.page
    _, var_dir = gateway
    abrir(page)
    dizer(page, "quero abrir uma solicitação de correção de cargo")
    dizer(page, "GETIN")
    dizer(page, "Rita Alves")
    dizer(page, gerar_cpf(random.Random(1313), mascarado=True))
    assert "Confira a solicitação" in dizer(page, "Enfermeiro")
    texto = tocar(page, "Confirmar")
    protocolo = re.search(r"NTS-\d{4}-\d{6}", texto).group(0)
    s = Servicos(settings.load({"SEI_PROJECT_ROOT": str(ROOT), "SEI_VAR_DIR": str(var_dir)}))
    try:
        Avisos.de(s)  # this process's changes queue notices, as the panel's do
        atendimento.mudar_situacao(
            s.store, protocolo, "em_andamento", autor="ana", observacao="Na SEPLAG.", visivel=True
        )
    finally:
        s.store.fechar()
    antes = _n_bot(page)
    page.reload()
    page.get_by_role("dialog", name="Assistente do SEI").wait_for(state="visible")
    page.wait_for_function(
        "n => document.querySelectorAll('.sei-msg-bot, .sei-msg-aviso').length > n",
        arg=antes,
        timeout=RESPOSTA_MS,
    )
    ultima = page.locator(".sei-msg-bot").last.inner_text()
    assert protocolo in ultima and "Na SEPLAG." in ultima
