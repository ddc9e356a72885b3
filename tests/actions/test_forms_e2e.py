"""Whole requests through Rasa's REST channel, real servers and store."""

import io
import random
import subprocess
import sys

import openpyxl
from conftest import RASA_PORT, rest_say
from geradores import gerar_cpf
from PIL import Image

from bot.solicitacoes import botoes
from bot.solicitacoes.anexos import AnexoStore
from bot.solicitacoes.store import RequestStore


def say(sender, text, metadata=None):
    replies = rest_say(RASA_PORT, sender, text, metadata)
    return replies, "\n".join(r.get("text") or "" for r in replies)


def _store(var_dir):
    return RequestStore(f"sqlite:///{var_dir / 'requests.db'}")


def test_cadastro_from_faq_answer_with_a_typo_corrected(server):
    _, var_dir = server
    rng = random.Random(11)
    replies, text = say("e2e-cad", "preciso cadastrar uma servidora nova no sei")
    assert "planilha de Cadastro de Usuários" in text
    botao = next(
        b for r in replies for b in r.get("buttons", []) if b["title"] == "Preencher agora"
    )
    _, text = say("e2e-cad", botao["payload"])
    assert "LGPD" in text and "sigla da sua unidade" in text
    say("e2e-cad", "getin")
    say("e2e-cad", "maria DA silva")
    _, text = say("e2e-cad", "123.456.789-10")
    assert "CPF" in text and "Qual o CPF de Maria da Silva" in text
    cpf = gerar_cpf(rng, mascarado=True)
    say("e2e-cad", cpf)
    replies, text = say("e2e-cad", "maria.silva@gmial.com")
    payloads = [b["payload"] for r in replies for b in r.get("buttons", [])]
    assert "maria.silva@gmail.com" in [botoes.valor(p) for p in payloads]  # step-tagged
    say("e2e-cad", "maria.silva@gmail.com")
    say("e2e-cad", "NTS")
    say("e2e-cad", "Enfermeiro")
    say("e2e-cad", "não")
    _, text = say("e2e-cad", "confirmar")
    assert "Protocolo: NTS-" in text and "72 horas" in text
    protocolo = text.split("Protocolo: ")[1].split()[0]
    store = _store(var_dir)
    salvo = store.buscar(protocolo)
    assert salvo.linhas[0]["cpf"] == cpf and salvo.linhas[0]["nome"] == "Maria da Silva"
    planilha = var_dir / "planilhas" / f"{protocolo}.xlsx"
    ws = openpyxl.load_workbook(planilha)["Cadastro de Usuários"]
    assert cpf in [c.value for row in ws.iter_rows() for c in row]
    store.fechar()
    # the form is over: the status question and FAQs work again
    _, text = say("e2e-cad", f"qual o status do protocolo {protocolo}?")
    assert "Recebida" in text and "Maria" not in text and cpf not in text


def test_error_report_with_uploaded_screenshot_via_metadata(server):
    _, var_dir = server
    buffer = io.BytesIO()
    Image.new("RGB", (20, 10), "blue").save(buffer, format="PNG")
    ref = AnexoStore(var_dir / "anexos").salvar(buffer.getvalue(), "e2e-erro")
    _, text = say("e2e-erro", "como faço pra relatar um erro no sei?")
    assert "imagem da tela" in text and "Quer começar?" in text
    _, text = say("e2e-erro", "sim")  # the offer of the answer just given
    assert "Descreva o erro" in text
    say("e2e-erro", "A tela de assinatura fica em branco ao clicar em Assinar.")
    _, text = say("e2e-erro", "(captura de tela)", metadata={"anexo": ref})
    assert "sigla da sua unidade" in text
    say("e2e-erro", "GETIN")
    say("e2e-erro", "pular")
    _, text = say("e2e-erro", "confirmar")
    protocolo = text.split("Protocolo: ")[1].split()[0]
    store = _store(var_dir)
    assert store.buscar(protocolo).anexo == ref
    store.fechar()


def test_cancel_in_the_middle_and_faq_still_answered(server):
    say("e2e-canc", "quero abrir uma solicitação de desanexação agora")
    _, text = say("e2e-canc", "em quanto tempo o nts atende?")
    assert "48 horas" in text and "número completo do processo principal" in text
    _, text = say("e2e-canc", "cancelar")
    assert "Nada foi enviado" in text
    _, text = say("e2e-canc", "cancelar")
    assert "Não há nenhuma solicitação em andamento" in text


def test_staff_console_sees_what_the_bot_filed(server):
    _, var_dir = server
    exe = f"{sys.prefix}/bin/sei-nts"
    result = subprocess.run(
        [exe, "requests", "list", "--json"],
        check=False,
        capture_output=True,
        text=True,
        env={"SEI_VAR_DIR": str(var_dir), "PATH": "/usr/bin:/bin"},
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert '"kind": "cadastro_usuario"' in result.stdout


def _botao(replies, titulo):
    return next(b for r in replies for b in r.get("buttons", []) if b["title"] == titulo)


def test_earlier_buttons_and_a_request_typed_as_a_name_over_rest(server):
    """Issue 18 through Rasa: stale buttons refused in and after the form, requests not names."""
    _, var_dir = server
    sender = "e2e-botoes-antigos"
    replies, _ = say(sender, "preciso cadastrar uma servidora nova no sei")
    _, text = say(sender, _botao(replies, "Preencher agora")["payload"])
    assert "sigla da sua unidade" in text
    say(sender, "GETIN")
    _, text = say(sender, "quero cadastrar um servidor novo no sei")
    assert "parece um pedido" in text and "Quero Cadastrar" not in text
    replies, text = say(sender, "continuar")
    assert "nome completo" in text
    say(sender, "Rita Alves")
    say(sender, gerar_cpf(random.Random(18), mascarado=True))
    say(sender, "rita.alves@gmail.com")
    say(sender, "NTS")
    replies, text = say(sender, "Enfermeiro")
    sim_incluir = _botao(replies, "Sim, incluir")
    replies, text = say(sender, "não")
    assert "Confira a solicitação" in text
    _, text = say(sender, sim_incluir["payload"])  # the earlier "Sim, incluir"
    assert "era de uma pergunta anterior" in text and "Confira a solicitação" in text
    store = _store(var_dir)
    assert [s for s in store.listar() if s.contato == sender] == []
    replies, text = say(sender, _botao(replies, "Confirmar")["payload"])
    assert "Protocolo: NTS-" in text
    _, text = say(sender, sim_incluir["payload"])  # after the form ended
    assert "solicitação que já foi encerrada" in text
    assert len([s for s in store.listar() if s.contato == sender]) == 1
    store.fechar()
