"""The web chat gateway with aiohttp's test client and a fake Rasa."""

from __future__ import annotations

import asyncio
import io
import logging
import random
import re
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer
from geradores import gerar_cpf
from PIL import Image

from bot.channels.identidade import Links, remetente
from bot.channels.rasa_client import RasaIndisponivel
from bot.channels.web import app as web
from bot.channels.web.state import Repeticoes
from bot.solicitacoes.anexos import AnexoStore

SEGREDO = b"s" * 32
SESSAO = "Abc_def-0123456789abcdefGHIJKLMN"
OUTRA = "Zzz_def-0123456789abcdefGHIJKLMN"
SENDER = remetente("web", SESSAO, SEGREDO)
STATIC = Path(web.__file__).parent / "static"


class RasaFalso:
    """Records what the gateway sends; answers with canned replies."""

    def __init__(
        self,
        respostas: list[dict[str, Any]] | None = None,
        falhar: bool = False,
        atraso_s: float = 0.0,
    ) -> None:
        self.respostas = respostas if respostas is not None else [{"text": "Olá!"}]
        self.falhar = falhar
        self.atraso_s = atraso_s
        self.chamadas: list[tuple] = []

    async def enviar(
        self, remetente: str, texto: str, metadata: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        self.chamadas.append((remetente, texto, metadata))
        if self.atraso_s:
            await asyncio.sleep(self.atraso_s)
        if self.falhar:
            raise RasaIndisponivel("ConnectionRefused")
        return self.respostas

    async def close(self) -> None:
        pass


def _config(tmp_path: Path, **extra: Any) -> web.Config:
    return web.Config(
        segredo=SEGREDO,
        planilhas_dir=tmp_path / "planilhas",
        anexos_dir=tmp_path / "anexos",
        **extra,
    )


def rodar(
    tmp_path: Path, rasa: RasaFalso, corpo: Callable[[TestClient], Awaitable[None]], **extra: Any
) -> None:
    """Run ``corpo(client)`` against a fresh gateway app."""

    async def principal() -> None:
        app = web.criar_app(_config(tmp_path, **extra), rasa)
        async with TestClient(TestServer(app)) as cliente:
            await corpo(cliente)

    asyncio.run(principal())


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (30, 20), "red").save(buffer, format="PNG")
    return buffer.getvalue()


def _planilha(tmp_path: Path, nome: str = "NTS-2026-000042.xlsx") -> Path:
    pasta = tmp_path / "planilhas"
    pasta.mkdir(parents=True, exist_ok=True)
    (pasta / nome).write_bytes(b"PK\x03\x04 planilha")
    return pasta / nome


def _assert_security_headers(headers: Any, frame_ancestors: str = "'self'") -> None:
    csp = headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert f"frame-ancestors {frame_ancestors}" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"


# ------------------------------------------------------------------ page and assets


def test_page_and_assets_are_served_with_security_headers(tmp_path):
    async def corpo(c: TestClient) -> None:
        for caminho, tipo in [
            ("/", "text/html"),
            ("/static/sei-widget.js", "javascript"),
            ("/static/sei-widget.css", "text/css"),
            ("/static/pagina.css", "text/css"),
        ]:
            r = await c.get(caminho)
            assert r.status == 200, caminho
            assert tipo in r.headers["Content-Type"], caminho
            assert r.headers["Content-Type"].endswith("charset=utf-8"), caminho
            _assert_security_headers(r.headers, "https://saude.al.gov.br")
        for caminho in ["/nada", "/static/nada.js", "/static/../web.py", "/static/%2e%2e/web.py"]:
            r = await c.get(caminho)
            assert r.status == 404, caminho
            _assert_security_headers(r.headers, "https://saude.al.gov.br")

    rodar(tmp_path, RasaFalso(), corpo, frame_ancestors="https://saude.al.gov.br")


def test_demo_page_embeds_the_widget_with_one_tag_and_nothing_inline_or_remote():
    html = (STATIC / "index.html").read_text(encoding="utf-8")
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert len(scripts) == 1 and 'src="static/sei-widget.js"' in scripts[0]
    assert "data-servidor=" in scripts[0] and "data-cor=" in scripts[0]
    assert re.search(r"<script\b[^>]*>\s*</script>", html)  # no inline code
    assert not re.search(r"\sstyle=|\son\w+=", html)  # no inline style/handlers
    assert not re.search(r"(src|href)=\"(https?:)?//", html)  # no CDN / remote asset
    for texto in (
        "Secretaria de Estado da Saúde",
        "Sistema Eletrônico de Informação - Sei!",
        "Secretaria de Estado da Saúde de Alagoas — Av. da Paz, 978 – Jaraguá, Maceió – AL",
    ):
        assert texto in html


def test_widget_never_parses_message_content_as_html():
    for arquivo in ("sei-widget.js",):
        fonte = (STATIC / arquivo).read_text(encoding="utf-8")
        for proibido in (
            "innerHTML",
            "outerHTML",
            "insertAdjacentHTML",
            "document.write",
            "eval(",
            "new Function",
        ):
            assert proibido not in fonte, proibido
        assert "getRandomValues" in fonte and "sessionStorage" in fonte
    for arquivo in ("sei-widget.css", "pagina.css", "sei-widget.js"):
        fonte = (STATIC / arquivo).read_text(encoding="utf-8")
        assert not re.search(r"@import|url\(\s*['\"]?(https?:)?//", fonte), arquivo


# ------------------------------------------------------------------ /api/mensagem


def test_message_goes_to_rasa_as_hmac_sender_and_replies_are_transformed(tmp_path):
    rasa = RasaFalso(
        [
            {
                "recipient_id": "x",
                "text": "Linha 1\nLinha 2",
                "buttons": [{"title": "Preencher agora", "payload": "/abrir"}, {"title": 3}],
            },
            {
                "recipient_id": "x",
                "custom": {
                    "tipo": "planilha",
                    "protocolo": "NTS-2026-000042",
                    "arquivo": "NTS-2026-000042.xlsx",
                },
            },
            {"recipient_id": "x", "custom": {"tipo": "planilha", "arquivo": "../../etc/passwd"}},
            {"recipient_id": "x", "image": "http://exemplo/imagem.png"},
        ]
    )

    async def corpo(c: TestClient) -> None:
        r = await c.post("/api/mensagem", json={"sessao": SESSAO, "texto": "oi"})
        assert r.status == 200
        assert r.headers["Cache-Control"] == "no-store"
        _assert_security_headers(r.headers)
        dados = await r.json()
        texto, planilha = dados["respostas"]
        assert texto == {
            "tipo": "texto",
            "texto": "Linha 1\nLinha 2",
            "botoes": [{"titulo": "Preencher agora", "payload": "/abrir"}],
        }
        assert planilha["tipo"] == "planilha" and planilha["arquivo"] == "NTS-2026-000042.xlsx"
        token = planilha["url"].removeprefix("api/download/")
        assert Links(SEGREDO, 3600).verificar(token, SENDER) == "NTS-2026-000042.xlsx"

    rodar(tmp_path, rasa, corpo)
    assert rasa.chamadas == [(SENDER, "oi", None)]
    assert SESSAO not in SENDER and SENDER.startswith("web-")


@pytest.mark.parametrize(
    "corpo_pedido, status, trecho",
    [
        ({"sessao": "curta", "texto": "oi"}, 400, "Sessão inválida"),
        ({"sessao": "a" * 65, "texto": "oi"}, 400, "Sessão inválida"),
        ({"sessao": "../../../etc/passwd!!", "texto": "oi"}, 400, "Sessão inválida"),
        ({"texto": "oi"}, 400, "Sessão inválida"),
        ({"sessao": SESSAO, "texto": "   "}, 400, "Digite uma mensagem"),
        ({"sessao": SESSAO, "texto": 5}, 400, "Pedido inválido"),
        ({"sessao": SESSAO, "texto": "é" * 5121}, 413, "muito longa"),
        (["lista"], 400, "Pedido inválido"),
    ],
)
def test_invalid_messages_get_a_portuguese_error(tmp_path, corpo_pedido, status, trecho):
    rasa = RasaFalso()

    async def corpo(c: TestClient) -> None:
        r = await c.post("/api/mensagem", json=corpo_pedido)
        assert r.status == status
        assert trecho in (await r.json())["erro"]

    rodar(tmp_path, rasa, corpo)
    assert rasa.chamadas == []


def test_text_of_exactly_10_kb_passes_and_bodies_that_are_not_json_are_refused(tmp_path):
    rasa = RasaFalso()

    async def corpo(c: TestClient) -> None:
        r = await c.post("/api/mensagem", json={"sessao": SESSAO, "texto": "a" * 10240})
        assert r.status == 200
        r = await c.post(
            "/api/mensagem",
            data="sessao=x&texto=y",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert r.status == 415 and "JSON" in (await r.json())["erro"]
        r = await c.post(
            "/api/mensagem", data="{quebrado", headers={"Content-Type": "application/json"}
        )
        assert r.status == 400
        r = await c.post(
            "/api/mensagem", data=b"x" * (200 * 1024), headers={"Content-Type": "application/json"}
        )
        assert r.status == 413

    rodar(tmp_path, rasa, corpo)
    assert len(rasa.chamadas) == 1


def test_rasa_down_gives_503_with_a_friendly_message(tmp_path):
    async def corpo(c: TestClient) -> None:
        r = await c.post("/api/mensagem", json={"sessao": SESSAO, "texto": "oi"})
        assert r.status == 503
        assert "temporariamente indisponível" in (await r.json())["erro"]
        _assert_security_headers(r.headers)

    rodar(tmp_path, RasaFalso(falhar=True), corpo)


def test_real_rasa_client_with_rasa_down_gives_503(tmp_path):
    """Nothing listens on the port: the real client's error becomes a friendly 503."""
    import socket

    from bot.channels.rasa_client import RasaClient

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        porta = s.getsockname()[1]

    async def principal() -> None:
        app = web.criar_app(_config(tmp_path), RasaClient(f"http://127.0.0.1:{porta}", 5))
        async with TestClient(TestServer(app)) as c:
            r = await c.post("/api/mensagem", json={"sessao": SESSAO, "texto": "oi"})
            assert r.status == 503
            assert "SESAU NTS" in (await r.json())["erro"]

    asyncio.run(principal())


def test_a_retried_message_id_reaches_rasa_once_but_a_failure_is_retried(tmp_path):
    rasa = RasaFalso(atraso_s=0.2)

    async def corpo(c: TestClient) -> None:
        pedido = {"sessao": SESSAO, "texto": "oi", "id": "abcdefgh12345678"}
        primeiro, segundo = await asyncio.gather(
            c.post("/api/mensagem", json=pedido), c.post("/api/mensagem", json=pedido)
        )
        assert primeiro.status == segundo.status == 200
        assert await primeiro.json() == await segundo.json()
        assert len(rasa.chamadas) == 1
        await c.post("/api/mensagem", json=dict(pedido, id="outroid-12345678"))
        assert len(rasa.chamadas) == 2
        rasa.falhar = True
        falho = dict(pedido, id="falhaid-12345678")
        assert (await c.post("/api/mensagem", json=falho)).status == 503
        rasa.falhar = False
        assert (await c.post("/api/mensagem", json=falho)).status == 200
        assert len(rasa.chamadas) == 4

    rodar(tmp_path, rasa, corpo)


def test_a_second_message_while_one_is_in_flight_gets_429_and_never_reaches_rasa(tmp_path):
    """Issue 17: one message of a session in Rasa at a time (the widget waits for
    the answer); a retry of the one in flight is not another message."""
    rasa = RasaFalso(atraso_s=0.3)

    async def corpo(c: TestClient) -> None:
        primeira = {"sessao": SESSAO, "texto": "esqueci a senha", "id": "primeira-1234567"}
        tarefa = asyncio.ensure_future(c.post("/api/mensagem", json=primeira))
        await asyncio.sleep(0.1)  # the first one is in Rasa now
        segunda = await c.post(
            "/api/mensagem", json={"sessao": SESSAO, "texto": "oi", "id": "segunda-12345678"}
        )
        assert segunda.status == 429 and segunda.headers["Retry-After"] == "1"
        erro = (await segunda.json())["erro"]
        assert "mensagem anterior" in erro and "aguarde um instante" in erro
        assert "O que você digitou" in erro
        sem_id = await c.post("/api/mensagem", json={"sessao": SESSAO, "texto": "oi"})
        assert sem_id.status == 429
        repetida = await c.post("/api/mensagem", json=primeira)  # the widget's retry
        outra_sessao = await c.post("/api/mensagem", json={"sessao": OUTRA, "texto": "oi"})
        assert repetida.status == 200 and outra_sessao.status == 200
        assert (await tarefa).status == 200
        assert [t for _, t, _ in rasa.chamadas] == ["esqueci a senha", "oi"]  # 2nd: OUTRA
        # answered: the session's next message goes through
        depois = await c.post("/api/mensagem", json={"sessao": SESSAO, "texto": "obrigado"})
        assert depois.status == 200 and rasa.chamadas[-1][1] == "obrigado"
        # a screenshot sent while a message is in flight is refused the same way
        tarefa = asyncio.ensure_future(c.post("/api/mensagem", json=dict(primeira, id="x" * 16)))
        await asyncio.sleep(0.1)
        anexo = await c.post("/api/anexo", data=_formulario(_png()))
        assert anexo.status == 429 and "mensagem anterior" in (await anexo.json())["erro"]
        assert (await tarefa).status == 200

    rodar(tmp_path, rasa, corpo)


async def _recusadas_com_uma_em_voo(c: TestClient, vezes: int) -> None:
    """Message "um" in Rasa (0.3 s) and ``vezes`` others of the session refused meanwhile."""
    tarefa = asyncio.ensure_future(c.post("/api/mensagem", json={"sessao": SESSAO, "texto": "um"}))
    await asyncio.sleep(0.1)
    for _ in range(vezes):
        r = await c.post("/api/mensagem", json={"sessao": SESSAO, "texto": "flood"})
        assert r.status == 429 and "mensagem anterior" in (await r.json())["erro"]
    assert (await tarefa).status == 200


def test_refused_in_flight_messages_do_not_eat_the_session_quota(tmp_path):
    rasa = RasaFalso(atraso_s=0.3)

    async def corpo(c: TestClient) -> None:
        await _recusadas_com_uma_em_voo(c, 5)
        # 1 of the 2 allowed used: the next one is served, the one after is over the limit
        assert (
            await c.post("/api/mensagem", json={"sessao": SESSAO, "texto": "dois"})
        ).status == 200
        r = await c.post("/api/mensagem", json={"sessao": SESSAO, "texto": "tres"})
        assert r.status == 429 and "aguarde um instante" in (await r.json())["erro"]

    rodar(tmp_path, rasa, corpo, limite_sessao="2/60")


# ------------------------------------------------------------------ /api/anexo


def _formulario(
    dados: bytes, sessao: str = SESSAO, nome: str = "tela.png", tipo: str = "image/png"
) -> aiohttp.FormData:
    form = aiohttp.FormData()
    form.add_field("sessao", sessao)
    form.add_field("arquivo", dados, filename=nome, content_type=tipo)
    return form


def test_screenshot_is_stored_for_this_conversation_and_handed_to_the_form(tmp_path):
    rasa = RasaFalso([{"text": "Recebi a imagem."}])

    async def corpo(c: TestClient) -> None:
        r = await c.post("/api/anexo", data=_formulario(_png()))
        assert r.status == 200
        assert (await r.json())["respostas"] == [{"tipo": "texto", "texto": "Recebi a imagem."}]

    rodar(tmp_path, rasa, corpo)
    [(sender, texto, metadata)] = rasa.chamadas
    assert sender == SENDER and texto == "[captura de tela enviada]"
    store = AnexoStore(tmp_path / "anexos")
    assert store.pertence(metadata["anexo"], SENDER)
    assert not store.pertence(metadata["anexo"], remetente("web", OUTRA, SEGREDO))
    assert store.caminho(metadata["anexo"]).read_bytes() == _png()


def test_uploads_that_are_not_images_too_big_or_without_session_are_refused(tmp_path):
    rasa = RasaFalso()

    async def corpo(c: TestClient) -> None:
        r = await c.post(
            "/api/anexo", data=_formulario(b"%PDF-1.4 ...", nome="doc.pdf", tipo="application/pdf")
        )
        assert r.status == 400 and "não é uma imagem PNG ou JPEG" in (await r.json())["erro"]
        grande = _png() + b"\0" * (10 * 1024 * 1024)
        r = await c.post("/api/anexo", data=_formulario(grande))
        assert r.status == 413 and "10 MB" in (await r.json())["erro"]
        r = await c.post("/api/anexo", data=_formulario(_png(), sessao="x"))
        assert r.status == 400 and "Sessão inválida" in (await r.json())["erro"]
        form = aiohttp.FormData()
        form.add_field("sessao", SESSAO)
        r = await c.post("/api/anexo", data=form)
        assert r.status in (400, 415) and "Nenhum arquivo" in (await r.json())["erro"]

    rodar(tmp_path, rasa, corpo)
    assert rasa.chamadas == []
    assert not list((tmp_path / "anexos").glob("*"))  # nothing stored


def test_upload_limit_is_enforced_while_reading_a_chunked_body(tmp_path):
    """No Content-Length (chunked): the reader itself stops past 10 MB."""
    rasa = RasaFalso()

    async def pedacos():
        yield b'--fronteira\r\nContent-Disposition: form-data; name="sessao"\r\n\r\n'
        yield SESSAO.encode() + b"\r\n"
        yield (
            b'--fronteira\r\nContent-Disposition: form-data; name="arquivo"; '
            b'filename="a.png"\r\nContent-Type: image/png\r\n\r\n'
        )
        for _ in range(11):
            yield b"\0" * (1024 * 1024)
        yield b"\r\n--fronteira--\r\n"

    async def corpo(c: TestClient) -> None:
        r = await c.post(
            "/api/anexo",
            data=pedacos(),
            headers={"Content-Type": "multipart/form-data; boundary=fronteira"},
        )
        assert r.status == 413

    rodar(tmp_path, rasa, corpo)
    assert rasa.chamadas == []


# ------------------------------------------------------------------ /api/download


def test_spreadsheet_download_needs_the_token_and_the_same_session(tmp_path):
    planilha = _planilha(tmp_path)
    links = Links(SEGREDO, 3600)
    token = links.emitir(planilha.name, SENDER)
    quase = links.emitir(planilha.name, SENDER, agora=time.time() - 3500)
    vencido = links.emitir(planilha.name, SENDER, agora=time.time() - 3601)
    intruso = links.emitir("../segredo-remetente", SENDER)
    ausente = links.emitir("NTS-2026-000099.xlsx", SENDER)
    (tmp_path / "fora.xlsx").write_bytes(b"segredo")
    (tmp_path / "planilhas" / "NTS-2026-000007.xlsx").symlink_to(tmp_path / "fora.xlsx")
    simbolico = links.emitir("NTS-2026-000007.xlsx", SENDER)

    async def corpo(c: TestClient) -> None:
        r = await c.get(f"/api/download/{token}", headers={"X-Sei-Sessao": SESSAO})
        assert r.status == 200
        assert await r.read() == planilha.read_bytes()
        assert r.headers["Content-Disposition"] == 'attachment; filename="NTS-2026-000042.xlsx"'
        assert "spreadsheetml" in r.headers["Content-Type"]
        _assert_security_headers(r.headers)
        r = await c.get(f"/api/download/{quase}", headers={"X-Sei-Sessao": SESSAO})
        assert r.status == 200  # within SEI_DOWNLOAD_TTL_S
        recusados = [
            (token, {}),  # no session header
            (token, {"X-Sei-Sessao": OUTRA}),  # another conversation
            (token, {"X-Sei-Sessao": "curta"}),
            (vencido, {"X-Sei-Sessao": SESSAO}),  # expired (past SEI_DOWNLOAD_TTL_S)
            (token[:-3] + "AAA", {"X-Sei-Sessao": SESSAO}),  # forged
            (intruso, {"X-Sei-Sessao": SESSAO}),  # name outside the pattern
            (ausente, {"X-Sei-Sessao": SESSAO}),  # no such file
            (simbolico, {"X-Sei-Sessao": SESSAO}),  # symlink out of the folder
            ("..%2F..%2Fetc%2Fpasswd", {"X-Sei-Sessao": SESSAO}),
        ]
        for tok, cabecalhos in recusados:
            r = await c.get(f"/api/download/{tok}", headers=cabecalhos)
            assert r.status == 404, tok
            corpo_resposta = await r.read()
            assert b"segredo" not in corpo_resposta
            assert "link expirado" in (await r.json())["erro"]

    rodar(tmp_path, RasaFalso(), corpo, download_ttl_s=3600)


# ------------------------------------------------------------------ privacy and helpers


def test_logs_carry_no_message_text_session_or_token(tmp_path, caplog):
    planilha = _planilha(tmp_path)
    token = Links(SEGREDO, 3600).emitir(planilha.name, SENDER)
    rasa = RasaFalso([{"text": "ok"}])

    async def corpo(c: TestClient) -> None:
        await c.post("/api/mensagem", json={"sessao": SESSAO, "texto": "meu cpf 52998224725"})
        await c.get(f"/api/download/{token}", headers={"X-Sei-Sessao": SESSAO})
        rasa.falhar = True
        await c.post("/api/mensagem", json={"sessao": SESSAO, "texto": "maria@exemplo.com"})

    with caplog.at_level(logging.DEBUG, logger="bot.channels.web"):
        rodar(tmp_path, rasa, corpo)
    registro = caplog.text
    assert "/api/mensagem" in registro and "/api/download/{token}" in registro
    for dado in ("52998224725", "maria@exemplo.com", SESSAO, SENDER, token, "NTS-2026-000042"):
        assert dado not in registro


def test_repeticoes_forgets_failures_expired_and_oldest_entries():
    async def principal() -> None:
        agora = {"t": 0.0}
        rep = Repeticoes(validade_s=300.0, maximo=2, relogio=lambda: agora["t"])
        chamadas: list[str] = []

        def fabrica(nome: str, falhar: bool = False) -> Callable[[], Awaitable[str]]:
            async def executar() -> str:
                chamadas.append(nome)
                if falhar:
                    raise RasaIndisponivel("x")
                return nome

            return executar

        for _ in range(2):  # a failure is not kept: the retry really runs
            with pytest.raises(RasaIndisponivel):
                await rep.executar(("s", "falha"), fabrica("falha", falhar=True))
        assert chamadas == ["falha", "falha"]
        chamadas.clear()
        assert await rep.executar(("s", "a"), fabrica("a")) == "a"
        assert await rep.executar(("s", "a"), fabrica("a de novo")) == "a"  # reused
        assert await rep.executar(None, fabrica("sem id")) == "sem id"
        assert await rep.executar(None, fabrica("sem id")) == "sem id"  # no id: always runs
        agora["t"] = 301.0  # past validade_s: forgotten
        assert await rep.executar(("s", "a"), fabrica("a depois")) == "a depois"
        await rep.executar(("s", "b"), fabrica("b"))
        await rep.executar(("s", "c"), fabrica("c"))  # past maximo: the oldest (a) forgotten
        assert await rep.executar(("s", "c"), fabrica("c de novo")) == "c"
        assert await rep.executar(("s", "a"), fabrica("a outra vez")) == "a outra vez"
        assert chamadas == ["a", "sem id", "sem id", "a depois", "b", "c", "a outra vez"]

    asyncio.run(principal())


def test_main_reads_settings_and_binds_the_configured_host(monkeypatch, tmp_path, capsys):
    chamadas: dict[str, Any] = {}

    def run_app(app, host, port, **kwargs):
        chamadas.update(app=app, host=host, port=port)
        kwargs["print"]("(aiohttp)")

    monkeypatch.setenv("SEI_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("SEI_WEB_PORT", "18123")
    monkeypatch.delenv("SEI_HOST", raising=False)
    monkeypatch.setattr(web.web, "run_app", run_app)
    assert web.main() == 0
    assert chamadas["host"] == "127.0.0.1" and chamadas["port"] == 18123
    assert (tmp_path / "var" / "segredo-remetente").exists()
    assert capsys.readouterr().out == "Chat web do SEI pronto: http://127.0.0.1:18123/\n"
    monkeypatch.setenv("SEI_HOST", "0.0.0.0")
    assert web.main([]) == 0
    assert chamadas["host"] == "0.0.0.0"
    assert capsys.readouterr().out == "Chat web do SEI pronto: http://0.0.0.0:18123/\n"


def test_a_flooding_session_gets_429_in_portuguese_and_others_are_served(tmp_path):
    rasa = RasaFalso()

    async def corpo(c: TestClient) -> None:
        status = []
        for _ in range(5):
            r = await c.post("/api/mensagem", json={"sessao": SESSAO, "texto": "oi"})
            status.append(r.status)
        assert status == [200, 200, 200, 429, 429]
        dados = await r.json()
        assert "aguarde um instante" in dados["erro"] and "O que você digitou" in dados["erro"]
        assert 1 <= int(r.headers["Retry-After"]) <= 60
        outra = await c.post("/api/mensagem", json={"sessao": OUTRA, "texto": "oi"})
        assert outra.status == 200
        assert len(rasa.chamadas) == 4  # the refused ones never reached Rasa

    rodar(tmp_path, rasa, corpo, limite_sessao="3/60", limite_endereco="100/60")


def test_a_session_that_keeps_sending_while_refused_stays_refused(tmp_path):
    """Issue 17: every attempt counts in ``limite_tentativas``, refused ones too: a
    script that goes on sending gets no fresh quota when the session window
    slides; once it stops for the window, it is served again."""
    rasa = RasaFalso()

    async def enviar(c: TestClient, sessao: str = SESSAO) -> int:
        return (await c.post("/api/mensagem", json={"sessao": sessao, "texto": "oi"})).status

    async def insistente(c: TestClient) -> None:
        assert [await enviar(c) for _ in range(6)] == [200] * 3 + [429] * 3
        await asyncio.sleep(1.1)  # the session's 3/1 has slid, the 6 attempts of 3 s not
        r = await c.post("/api/mensagem", json={"sessao": SESSAO, "texto": "oi"})
        assert r.status == 429 and "aguarde um instante" in (await r.json())["erro"]
        assert 1 <= int(r.headers["Retry-After"]) <= 3
        assert await enviar(c, OUTRA) == 200  # another session: its own attempts
        await asyncio.sleep(3.1)  # quiet for the whole window
        assert await enviar(c) == 200
        assert len(rasa.chamadas) == 5  # 3 + OUTRA + the last one

    rodar(tmp_path, rasa, insistente, limite_sessao="3/1", limite_tentativas="6/3")

    async def sem_regra(c: TestClient) -> None:  # the same flood, refused ones not counted
        assert [await enviar(c) for _ in range(6)] == [200] * 3 + [429] * 3
        await asyncio.sleep(1.1)
        assert await enviar(c) == 200

    rodar(tmp_path, RasaFalso(), sem_regra, limite_sessao="3/1")


def test_messages_refused_while_one_is_in_flight_count_as_attempts(tmp_path):
    rasa = RasaFalso(atraso_s=0.3)

    async def corpo(c: TestClient) -> None:
        await _recusadas_com_uma_em_voo(c, 3)
        r = await c.post("/api/mensagem", json={"sessao": SESSAO, "texto": "dois"})
        assert r.status == 429 and "aguarde um instante" in (await r.json())["erro"]
        assert [t for _, t, _ in rasa.chamadas] == ["um"]

    rodar(tmp_path, rasa, corpo, limite_tentativas="4/60")


def test_the_address_limit_uses_x_forwarded_for_only_behind_trusted_proxies(tmp_path):
    async def corpo_sem_proxy(c: TestClient) -> None:
        for i in range(3):  # a forged header is ignored: every session is one address
            sessao = f"Abc_def-0123456789abcdefGHIJKL{i:02d}"
            r = await c.post(
                "/api/mensagem",
                json={"sessao": sessao, "texto": "oi"},
                headers={"X-Forwarded-For": f"10.0.0.{i}"},
            )
            assert r.status == (200 if i < 2 else 429)

    rodar(tmp_path, RasaFalso(), corpo_sem_proxy, limite_endereco="2/60")

    async def corpo_com_proxy(c: TestClient) -> None:
        for i in range(3):  # behind one trusted proxy: each client address counts apart
            sessao = f"Abc_def-0123456789abcdefGHIJKL{i:02d}"
            r = await c.post(
                "/api/mensagem",
                json={"sessao": sessao, "texto": "oi"},
                headers={"X-Forwarded-For": f"203.0.113.9, 10.0.0.{i}"},
            )
            assert r.status == 200

    rodar(tmp_path, RasaFalso(), corpo_com_proxy, limite_endereco="2/60", proxies=1)


def test_a_message_refused_by_one_limit_counts_against_neither(tmp_path):
    """A session's flood does not fill its address (everyone behind one NAT), and
    messages refused by a full address do not eat their session's own quota."""

    async def corpo(c: TestClient) -> None:
        async def enviar(sessao: str, endereco: str) -> int:
            r = await c.post(
                "/api/mensagem",
                json={"sessao": sessao, "texto": "oi"},
                headers={"X-Forwarded-For": endereco},
            )
            return r.status

        abusador = [await enviar(SESSAO, "10.0.0.1") for _ in range(10)]
        assert abusador == [200] * 3 + [429] * 7
        # 3 of the address's 5 used: a colleague behind the same address is served
        assert [await enviar(OUTRA, "10.0.0.1") for _ in range(2)] == [200, 200]
        # the address is full now: a third session is refused there ...
        terceira = "Xyz_def-0123456789abcdefGHIJKL99"
        assert [await enviar(terceira, "10.0.0.1") for _ in range(3)] == [429] * 3
        # ... and those refusals did not count against its own quota (3/60)
        assert [await enviar(terceira, "10.0.0.2") for _ in range(4)] == [200] * 3 + [429]

    rodar(tmp_path, RasaFalso(), corpo, limite_sessao="3/60", limite_endereco="5/60", proxies=1)


def test_a_filed_request_ties_its_news_to_the_session_shown_on_the_next_message(tmp_path):
    """Issue 13, web chat: the NTS's visible note reaches the session that filed it."""
    from conftest import ROOT

    from bot import settings
    from bot.notificacoes.avisos import Avisos
    from bot.solicitacoes import atendimento
    from bot.solicitacoes.servicos import Servicos

    cfg = settings.load({"SEI_PROJECT_ROOT": str(ROOT), "SEI_VAR_DIR": str(tmp_path / "var")})
    s = Servicos(cfg)
    avisos = Avisos.de(s)  # hooks the store: status changes queue their notices
    filed, _ = s.store.registrar(
        "correcao_cargo",
        [{"nome": "Ana Lima", "cpf": gerar_cpf(random.Random(13)), "cargo": "Enfermeiro"}],
        canal="web",
        contato=SENDER,
        unidade="GETIN",
        chave_envio="envio-web-1",
    )
    rasa = RasaFalso(
        [
            {
                "text": "Solicitação registrada!",
                "custom": {"tipo": "registrada", "protocolo": filed.protocolo},
            }
        ]
    )

    async def corpo(c: TestClient) -> None:
        await c.post("/api/mensagem", json={"sessao": SESSAO, "texto": "confirmar"})
        rasa.respostas = [{"text": "Como posso ajudar?"}]
        atendimento.mudar_situacao(
            s.store,
            filed.protocolo,
            "em_andamento",
            autor="ana",
            observacao="Aguardando a SEPLAG.",
            visivel=True,
        )
        r = await c.post("/api/mensagem", json={"sessao": OUTRA, "texto": "oi"})
        assert "SEPLAG" not in str(await r.json())  # another session sees nothing
        r = await c.post("/api/mensagem", json={"sessao": SESSAO, "texto": "oi"})
        respostas = (await r.json())["respostas"]
        assert filed.protocolo in respostas[0]["texto"] and "SEPLAG" in respostas[0]["texto"]
        assert respostas[-1]["texto"] == "Como posso ajudar?"
        r = await c.post("/api/mensagem", json={"sessao": SESSAO, "texto": "oi"})
        assert "SEPLAG" not in str(await r.json())  # shown once
        # reopening the widget (same browser session) shows new news without a message
        atendimento.mudar_situacao(
            s.store, filed.protocolo, "concluida", autor="ana", observacao="Feito.", visivel=True
        )
        chamadas = len(rasa.chamadas)
        r = await c.post("/api/avisos", json={"sessao": SESSAO})
        respostas = (await r.json())["respostas"]
        assert len(respostas) == 1 and "Feito." in respostas[0]["texto"]
        assert len(rasa.chamadas) == chamadas  # Rasa is not asked anything
        r = await c.post("/api/avisos", json={"sessao": SESSAO})
        assert (await r.json())["respostas"] == []
        r = await c.post("/api/avisos", json={"sessao": "curta"})
        assert r.status == 400

    async def principal() -> None:
        app = web.criar_app(_config(tmp_path), rasa, avisos)
        async with TestClient(TestServer(app)) as cliente:
            await corpo(cliente)

    try:
        asyncio.run(principal())
    finally:
        s.store.fechar()


def test_the_stop_link_of_the_notice_e_mails_shows_a_button_and_stops_on_post(tmp_path):
    """Issue 13: SEI_AVISOS_PARAR_URL is this route; a GET stops nothing (mail scanners)."""
    from conftest import ROOT

    from bot import settings
    from bot.notificacoes import assinaturas
    from bot.notificacoes.avisos import Avisos
    from bot.solicitacoes.servicos import Servicos

    cfg = settings.load({"SEI_PROJECT_ROOT": str(ROOT), "SEI_VAR_DIR": str(tmp_path / "var")})
    s = Servicos(cfg)
    avisos = Avisos.de(s)
    filed, _ = s.store.registrar(
        "correcao_cargo",
        [{"nome": "Ana Lima", "cpf": gerar_cpf(random.Random(14)), "cargo": "Enfermeiro"}],
        canal="web",
        contato=SENDER,
        unidade="GETIN",
        chave_envio="envio-parar-1",
    )
    avisos.assinar(filed.protocolo, "email", "ana.lima@gmail.com")
    caminho = assinaturas.link_parar(avisos.chaves, "/avisos/parar", filed.protocolo)

    async def corpo(c: TestClient) -> None:
        r = await c.get(caminho)
        pagina = await r.text()
        assert r.status == 200 and "Parar os avisos" in pagina and "<script" not in pagina
        _assert_security_headers(r.headers)
        # the GET stopped nothing: the subscription was still on
        assert "não vai mais receber avisos" in avisos.parar(filed.protocolo)
        avisos.assinar(filed.protocolo, "email", "ana.lima@gmail.com")
        r = await c.post(caminho, data={"List-Unsubscribe": "One-Click"})
        assert r.status == 200 and "não vai mais receber avisos" in await r.text()
        r = await c.post(caminho[:-6] + "AAAAAA")
        assert r.status in (200, 404) and "não" in (await r.text()).lower()
        r = await c.get("/avisos/parar/<script>alert(1)</script>")
        assert "<script>alert" not in await r.text()

    async def principal() -> None:
        app = web.criar_app(_config(tmp_path), RasaFalso(), avisos)
        async with TestClient(TestServer(app)) as cliente:
            await corpo(cliente)

    try:
        asyncio.run(principal())
    finally:
        s.store.fechar()
