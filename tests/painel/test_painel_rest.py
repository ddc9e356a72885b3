"""End to end: a request filed through Rasa's REST channel (the ``server``
fixture: the launcher with Rasa, the action server, the web gateway and the NTS
panel), then worked in the panel the launcher started, in a real browser, and
seen in ``sei-nts requests show --json``."""

from __future__ import annotations

import io
import json
import os
import random
import re
import uuid
from pathlib import Path

import httpx
import pytest
from conftest import RASA_PORT, rest_say
from geradores import gerar_cpf
from playwright.sync_api import expect

from bot.ops import cli

pytestmark = pytest.mark.e2e

CHROMIUM = Path("/usr/bin/chromium")
PAINEL = f"http://127.0.0.1:{RASA_PORT + 150}"  # what tests/conftest.start_launcher sets
SENHA = "senha longa do teste rest"


def _texto(mensagem: str, sender: str) -> str:
    return "\n".join(r.get("text") or "" for r in rest_say(RASA_PORT, sender, mensagem))


def test_request_filed_through_rest_is_worked_in_the_launchers_panel(server, monkeypatch):
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("chromium ausente em /usr/bin/chromium — obrigatório no CI")
        pytest.skip("chromium ausente em /usr/bin/chromium")
    _, var_dir = server
    assert httpx.get(PAINEL + "/entrar", timeout=5).status_code == 200  # started by the launcher
    rng = random.Random(1212)
    nome, cpf = "Helena Prado Teste", gerar_cpf(rng, mascarado=True)
    sender = f"painel-{uuid.uuid4().hex[:8]}"
    for mensagem in (
        "quero abrir uma solicitação de cadastro",
        "GETIN",
        nome,
        cpf,
        "helena.prado77@gmail.com",
        "NTS",
        "Enfermeiro",
        "não",
    ):
        _texto(mensagem, sender)
    texto = _texto("confirmar", sender)
    assert "Protocolo: NTS-" in texto, texto
    protocolo = texto.split("Protocolo: ")[1].split()[0]

    monkeypatch.setenv("SEI_VAR_DIR", str(var_dir))
    monkeypatch.delenv("REQUESTS_DB_URL", raising=False)
    login = f"rest{uuid.uuid4().hex[:6]}"
    adicionar = ["users", "add", login, "--name", "Analista REST", "--role", "analista"]
    entrada = io.StringIO(SENHA + "\n")
    assert cli.main([*adicionar, "--password-stdin"], out=io.StringIO(), entrada=entrada) == 0

    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            page = browser.new_page(locale="pt-BR")
            page.goto(PAINEL + f"/solicitacoes/{protocolo}")  # asks to log in, then goes there
            page.get_by_label("Usuário").fill(login)
            page.get_by_label("Senha").fill(SENHA)
            page.get_by_role("button", name="Entrar").click()
            expect(page.get_by_role("heading", name=re.compile(protocolo))).to_be_visible()
            expect(page.get_by_role("cell", name=nome)).to_be_visible()
            expect(page.get_by_role("cell", name=cpf)).to_be_visible()
            page.get_by_label("Nova situação").select_option(label="Em andamento")
            page.get_by_label("Observação").fill("Cadastro em análise")
            page.get_by_label("Visível ao solicitante").check()
            page.get_by_role("button", name="Salvar").click()
            ultima = page.get_by_role("table", name=re.compile("Histórico")).get_by_role("row").last
            expect(ultima).to_contain_text("Cadastro em análise")
            expect(ultima).to_contain_text(login)
            assert cpf not in page.url and cpf.replace(".", "").replace("-", "") not in page.url
        finally:
            browser.close()

    saida = io.StringIO()
    assert cli.main(["requests", "show", protocolo, "--json"], out=saida) == 0
    dados = json.loads(saida.getvalue())
    assert dados["status"] == "em_andamento"
    ultimo = dados["audit"][-1]
    assert (ultimo["by"], ultimo["action"], ultimo["after"], ultimo["note"], ultimo["visible"]) == (
        login,
        "situacao",
        "em_andamento",
        "Cadastro em análise",
        True,
    )
