"""Planilhas in the web chat, end to end: real browser, gateway, Rasa and action server.

A blank planilha asked for in free text comes as a download button; filled
(one CPF wrong) and uploaded through the widget's file chooser, it is checked;
the checked planilha comes back with its Erros column; the cell is fixed in
place, the file uploaded again, and the rows filed as one request.
Needs the model trained with the planilha intents (models/sei.tar.gz).
"""

# ruff: noqa: F811 - the fixtures imported from the suite are used as parameters
from __future__ import annotations

import random
import re
from pathlib import Path

import openpyxl
from geradores import gerar_cpf

# the widget suite's browser, gateway and helpers
from test_web_widget import (  # noqa: F401 - fixtures used by name
    _n_bot,
    abrir,
    chromium_disponivel,
    dizer,
    esperar_respostas,
    gateway,
    navegador,
    playwright_,
    tocar,
)

from bot.solicitacoes.store import RequestStore

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def baixar(page, rotulo: str, destino: Path) -> Path:
    """Click the latest download button whose label has ``rotulo``; the saved file."""
    botao = page.locator(".sei-msg", has_text=rotulo).last.locator(".sei-baixar")
    with page.expect_download() as baixado:
        botao.click()
    caminho = destino / baixado.value.suggested_filename
    baixado.value.save_as(caminho)
    return caminho


def enviar_planilha(page, caminho: Path) -> str:
    """Upload ``caminho`` with the widget's planilha button; the bot's answer."""
    antes = _n_bot(page)
    with page.expect_file_chooser() as escolha:
        page.get_by_role("button", name=re.compile("Enviar planilha preenchida")).click()
    escolha.value.set_files(
        {"name": caminho.name, "mimeType": XLSX, "buffer": caminho.read_bytes()}
    )
    return esperar_respostas(page, antes)


def test_blank_planilha_filled_one_error_fixed_and_filed(navegador, gateway, tmp_path):
    page = navegador.page
    _, var_dir = gateway
    abrir(page)
    texto = dizer(page, "me manda a planilha de cadastro de usuários")
    assert "planilha em branco de Cadastro de Usuários" in texto
    modelo = baixar(page, "Planilha em branco: Cadastro de Usuários", tmp_path)
    assert modelo.name == "Modelo-Cadastro-de-usuario.xlsx"

    rng = random.Random(15)
    wb = openpyxl.load_workbook(modelo)
    ws = wb["Cadastro de Usuários"]
    pessoas = [
        # addresses of this test only: the session's server keeps the requests other
        # tests filed, and a value already in an open request is flagged
        ("Maria da Silva", gerar_cpf(rng, mascarado=True), "maria.planilhaweb@gmail.com"),
        ("João Pereira", "529.982.247-26", "joao.planilhaweb@gmail.com"),  # wrong check digits
        ("Ana Souza", gerar_cpf(rng, mascarado=True), "ana.planilhaweb@gmail.com"),
    ]
    for linha, (nome, cpf, email) in enumerate(pessoas, start=2):
        for coluna, valor in enumerate((nome, cpf, email, "GETIN", "Enfermeiro"), start=2):
            ws.cell(linha, coluna, valor)
    preenchida = tmp_path / "preenchida.xlsx"
    wb.save(preenchida)

    texto = enviar_planilha(page, preenchida)
    assert "Planilha enviada: preenchida.xlsx" in page.locator(".sei-msg-usuario").last.inner_text()
    assert "2 linhas corretas, 1 com erro" in texto
    assert "Linha 3 · CPF:" in texto
    conferida = baixar(page, "Planilha conferida", tmp_path)
    wb = openpyxl.load_workbook(conferida)
    ws = wb.active
    assert ws.cell(1, ws.max_column).value == "Erros"
    assert ws.cell(3, ws.max_column).value.startswith("Linha 3 · CPF:")

    cpf_certo = gerar_cpf(rng, mascarado=True)
    ws.cell(3, 3).value = cpf_certo
    corrigida = tmp_path / "corrigida.xlsx"
    wb.save(corrigida)
    texto = enviar_planilha(page, corrigida)
    assert "3 linhas corretas, nenhuma com erro" in texto
    texto = tocar(page, "Registrar as 3 linhas corretas")
    protocolo = re.search(r"NTS-\d{4}-\d{6}", texto).group(0)
    store = RequestStore(f"sqlite:///{Path(var_dir) / 'requests.db'}")
    try:
        solicitacao = store.buscar(protocolo)
    finally:
        store.fechar()
    assert solicitacao.tipo == "cadastro_usuario" and solicitacao.unidade == "GETIN"
    assert [ln["cpf"] for ln in solicitacao.linhas] == [pessoas[0][1], cpf_certo, pessoas[2][1]]
    assert Path(var_dir, "planilhas", f"{protocolo}.xlsx").exists()
    assert page.locator(".sei-baixar", has_text=f"{protocolo}.xlsx").count() == 1


def test_an_ods_gets_how_to_save_as_xlsx(navegador, gateway, tmp_path):
    page = navegador.page
    abrir(page)
    ods = tmp_path / "planilha.ods"
    import zipfile

    with zipfile.ZipFile(ods, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
    texto = enviar_planilha(page, ods)
    assert "formato do LibreOffice (.ods)" in texto and "Salvar como" in texto
