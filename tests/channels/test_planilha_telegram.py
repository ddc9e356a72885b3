"""Planilhas on Telegram, end to end: the adapter against the Bot API stand-in and the real Rasa.

A blank planilha asked for comes as a document; filled with one CPF wrong and
sent back as a document, it is checked; the checked planilha comes as a
document with its Erros column; fixed in place and sent again, the rows are
filed. Needs the model trained with the planilha intents (models/sei.tar.gz).
"""

# ruff: noqa: F811 - the fixtures imported from the suite are used as parameters
from __future__ import annotations

import io
import random

import openpyxl
from geradores import gerar_cpf
from telegram_standin import documento

# the Telegram suite's stand-in, adapter and helpers
from test_telegram import TOKEN, Chat, adaptador, botoes, standin, textos  # noqa: F401

from bot.solicitacoes.store import RequestStore

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _documentos(standin, chat, desde):
    return [
        c.arquivos["document"]
        for c in standin.chamadas_de("sendDocument", chat.chat_id, desde=desde)
    ]


def _enviar(standin, chat, dados: bytes, nome: str, espera: str):
    file_id = standin.adicionar_arquivo(dados, f"documents/{nome}")
    return chat.enviar(documento(chat.chat_id, file_id, nome, XLSX, len(dados)), espera=espera)


def test_blank_planilha_document_filled_fixed_and_filed(adaptador, standin):
    _, _, var_dir = adaptador
    chat = Chat(standin, TOKEN, 700001515)
    desde = standin.marca()
    respostas = chat.dizer(
        "me manda a planilha de cadastro de usuários", espera="planilha em branco"
    )
    assert "Cadastro de Usuários" in textos(respostas)
    [modelo] = standin.esperar(lambda: _documentos(standin, chat, desde))
    assert modelo["nome"] == "Modelo-Cadastro-de-usuario.xlsx"

    rng = random.Random(1515)
    wb = openpyxl.load_workbook(io.BytesIO(modelo["dados"]))
    ws = wb["Cadastro de Usuários"]
    cpfs = [gerar_cpf(rng, mascarado=True), "529.982.247-26"]
    for linha, (nome, cpf) in enumerate(zip(["Maria da Silva", "José Lima"], cpfs, strict=True), 2):
        for coluna, valor in enumerate(
            (nome, cpf, f"p{linha}@gmail.com", "GETIN", "Enfermeiro"), 2
        ):
            ws.cell(linha, coluna, valor)
    buffer = io.BytesIO()
    wb.save(buffer)

    desde = standin.marca()
    respostas = _enviar(standin, chat, buffer.getvalue(), "cadastro.xlsx", "O que você quer fazer")
    texto = textos(respostas)
    assert "1 linha correta, 1 com erro" in texto and "Linha 3 · CPF:" in texto
    assert "Registrar a linha correta" in botoes(respostas)
    [conferida] = standin.esperar(lambda: _documentos(standin, chat, desde))
    assert conferida["nome"].startswith("Conferida-")
    wb = openpyxl.load_workbook(io.BytesIO(conferida["dados"]))
    ws = wb.active
    assert ws.cell(1, ws.max_column).value == "Erros"
    cpfs[1] = gerar_cpf(rng, mascarado=True)
    ws.cell(3, 3).value = cpfs[1]
    buffer = io.BytesIO()
    wb.save(buffer)

    respostas = _enviar(standin, chat, buffer.getvalue(), "corrigida.xlsx", "O que você quer fazer")
    assert "2 linhas corretas, nenhuma com erro" in textos(respostas)
    _, respostas = chat.tocar("Registrar as 2 linhas corretas", espera="Protocolo:")
    protocolo = textos(respostas).split("Protocolo: ")[1].split()[0]
    store = RequestStore(f"sqlite:///{var_dir / 'requests.db'}")
    try:
        assert [ln["cpf"] for ln in store.buscar(protocolo).linhas] == cpfs
    finally:
        store.fechar()


def test_a_spreadsheet_document_over_5_mb_is_refused_before_download(adaptador, standin):
    chat = Chat(standin, TOKEN, 700001516)
    grande = standin.adicionar_arquivo(
        b"PK\x03\x04", "documents/grande.xlsx", tamanho=6 * 1024 * 1024
    )
    respostas = chat.enviar(documento(chat.chat_id, grande, "grande.xlsx", XLSX, 6 * 1024 * 1024))
    assert "6,0 MB e o limite é 5 MB" in textos(respostas)
    assert not any(c.params.get("file_id") == grande for c in standin.chamadas_de("getFile"))
