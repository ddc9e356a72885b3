"""Telegram adapter, tested for real and offline.

The adapter runs unmodified (``python -m bot.channels.telegram.app``, as in
production) against a local stand-in of the Bot API (tests/telegram_standin.py)
and the real Rasa + action server (fixture ``server``), or a canned Rasa
(``rasa_falso``) where the scenario does not need the real one.
"""

import io
import json
import os
import random
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import openpyxl
import pytest
import yaml
from conftest import LIMITES_DE_TESTE, PORT_BASE, RASA_PORT, ROOT
from geradores import gerar_cpf
from PIL import Image
from processes import stop
from telegram_standin import TelegramStandin, documento, figurinha, foto, texto, toque

from bot import content
from bot.arquivos import carregar_segredo
from bot.channels.identidade import remetente
from bot.channels.telegram import rendering, state
from bot.solicitacoes.anexos import AnexoStore
from bot.solicitacoes.store import RequestStore

TOKEN = "123:TEST"
TOKEN_RASA_FORA = "456:RASAFORA"
TOKEN_WEBHOOK = "789:WEBHOOK"
TOKEN_BOTOES = "654:BOTOES"
WEBHOOK_PORT, PORTA_FECHADA = PORT_BASE + 88, PORT_BASE + 89
WEBHOOK_URL = "https://sei.example.invalid/telegram/hook"
WEBHOOK_SECRET = "segredo-de-teste-0123456789abcdef"


# ----- helpers ----------------------------------------------------------------------------------
def t(chave, **campos):
    """A Telegram text of bot/content/canais.yml."""
    return content.texto("canais", f"telegram_{chave}", **campos)


def iniciar_adaptador(standin, token, var_dir, log, rasa_port=RASA_PORT, **extra):
    """Start `python -m bot.channels.telegram.app` pointed at the stand-in."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TELEGRAM_")}
    env.update(
        TELEGRAM_BOT_TOKEN=token,
        TELEGRAM_API_URL=standin.url,
        SEI_VAR_DIR=str(var_dir),
        SEI_RASA_PORT=str(rasa_port),
        SEI_LOG_LEVEL="DEBUG",
        **{**LIMITES_DE_TESTE, **extra},
    )
    with open(log, "wb") as saida:
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot.channels.telegram.app"],
            cwd=ROOT,
            env=env,
            stdout=saida,
            stderr=subprocess.STDOUT,
        )
    metodo = "setWebhook" if "TELEGRAM_WEBHOOK_URL" in extra else "deleteWebhook"
    try:
        standin.esperar(
            lambda: proc.poll() is not None or standin.chamadas_de(metodo, token=token), timeout=60
        )
    except AssertionError:
        proc.kill()
        raise
    assert proc.poll() is None, "o adaptador terminou:\n" + Path(log).read_text()[-3000:]
    return proc


def sem_chaves_telegram(**extra):
    """The environment without TELEGRAM_* variables, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TELEGRAM_")}
    env.update(extra)
    return env


def imagem(formato, tamanho=(64, 40)):
    """Bytes of a small generated image."""
    buffer = io.BytesIO()
    Image.new("RGB", tamanho, "red").save(buffer, format=formato)
    return buffer.getvalue()


class Chat:
    """One private chat with the bot, driven through the stand-in."""

    def __init__(self, standin, token, chat_id):
        self.s, self.token, self.chat_id = standin, token, chat_id

    def _saida(self, desde):
        """Messages and documents delivered to this chat since ``desde``."""
        return [
            c
            for c in self.s.chamadas_de(chat_id=self.chat_id, desde=desde, token=self.token)
            if c.metodo in ("sendMessage", "sendDocument") and not c.falhou
        ]

    def esperar(self, desde, espera=None, timeout=60.0, calma=0.5):
        """Messages sent to this chat since ``desde``, once ``espera`` shows up and it's quiet."""

        def chegou():
            """True once the expected reply is there."""
            textos = " ".join(c.params.get("text", "") for c in self._saida(desde))
            return (espera in textos) if espera else bool(self._saida(desde))

        self.s.esperar(chegou, timeout)
        while True:
            ultima = max(
                c.momento
                for c in self.s.chamadas_de(chat_id=self.chat_id, desde=desde, token=self.token)
            )
            if time.monotonic() - ultima >= calma:
                return self._saida(desde)
            time.sleep(0.1)

    def enviar(self, update, espera=None, **kw):
        """Feed one update; the bot's messages in answer."""
        desde = self.s.marca()
        self.s.alimentar(self.token, update)
        return self.esperar(desde, espera, **kw)

    def dizer(self, conteudo, espera=None, **kw):
        """Send a text; the bot's messages in answer."""
        return self.enviar(texto(self.chat_id, conteudo), espera, **kw)

    def botao(self, titulo):
        """(message id, callback data) of the newest button titled ``titulo``."""
        for chamada in reversed(self._saida(0)):
            teclado = (chamada.params.get("reply_markup") or {}).get("inline_keyboard", [])
            for linha in teclado:
                for botao in linha:
                    if botao["text"] == titulo:
                        return chamada.resultado["message_id"], botao["callback_data"]
        raise AssertionError(f"botão {titulo!r} não encontrado")

    def tocar(self, titulo, espera=None):
        """Tap the newest button titled ``titulo``; (tap calls, the bot's messages)."""
        desde = self.s.marca()
        self.s.alimentar(self.token, toque(self.chat_id, *self.botao(titulo)))
        respostas = self.esperar(desde, espera)
        return self.s.chamadas_de(chat_id=None, desde=desde, token=self.token), respostas

    def tocar_vencido(self, message_id, dados):
        """Tap a button the bot should no longer know; (its answerCallbackQuery, all calls)."""
        desde = self.s.marca()
        self.s.alimentar(self.token, toque(self.chat_id, message_id, dados))
        resposta = self.s.esperar(
            lambda: self.s.chamadas_de("answerCallbackQuery", desde=desde, token=self.token)
        )[0]
        time.sleep(0.5)  # room for anything else it would (wrongly) do
        return resposta, self.s.chamadas_de(chat_id=None, desde=desde, token=self.token)


def textos(chamadas):
    """Texts of sendMessage calls joined."""
    return "\n".join(c.params.get("text", "") for c in chamadas if c.metodo == "sendMessage")


def botoes(chamadas):
    """Titles of the inline buttons in the calls."""
    return [
        b["text"]
        for c in chamadas
        for linha in (c.params.get("reply_markup") or {}).get("inline_keyboard", [])
        for b in linha
    ]


# ----- fixtures ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def standin():
    """The Bot API stand-in, shared by the module's tests."""
    s = TelegramStandin().start()
    yield s
    s.stop()


@pytest.fixture(scope="module")
def adaptador(server, standin, tmp_path_factory):
    """One polling adapter for the scenarios against the real Rasa; (proc, log, var_dir)."""
    _, var_dir = server
    log = tmp_path_factory.mktemp("telegram") / "adaptador.log"
    proc = iniciar_adaptador(standin, TOKEN, var_dir, log)
    yield proc, log, var_dir
    stop(proc, timeout=30)


class RasaFalso:
    """Rasa's REST webhook with canned replies; records the messages it receives."""

    def __init__(self, responder: Callable[[str], list[dict]]) -> None:
        self.recebidas: list[dict] = []
        falso = self

        class Tratador(BaseHTTPRequestHandler):
            def do_POST(self):
                corpo = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                falso.recebidas.append(corpo)
                dados = json.dumps(responder(corpo["message"])).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(dados)))
                self.end_headers()
                self.wfile.write(dados)

            def log_message(self, *args):
                """Quiet."""

        self.servidor = ThreadingHTTPServer(("127.0.0.1", 0), Tratador)
        self.porta = self.servidor.server_address[1]


@contextmanager
def rasa_falso(responder: Callable[[str], list[dict]]) -> Iterator[RasaFalso]:
    """A canned Rasa served from a thread while the block runs."""
    rasa = RasaFalso(responder)
    fio = threading.Thread(target=rasa.servidor.serve_forever, daemon=True)
    fio.start()
    try:
        yield rasa
    finally:
        rasa.servidor.shutdown()
        rasa.servidor.server_close()
        fio.join(10)


def sender_de(var_dir, chat_id):
    """The sender id the adapter derives for a chat."""
    return remetente("telegram", str(chat_id), carregar_segredo(var_dir / "segredo-remetente"))


# ----- pure pieces ------------------------------------------------------------------------------
def test_long_texts_are_split_under_the_limit_at_boundaries():
    paragrafo = ("palavra " * 125).strip()  # 999 characters
    partes = rendering.dividir_texto("\n\n".join([paragrafo] * 5), limite=4096)
    assert [p.count("\n\n") for p in partes] == [3, 0]  # 4 paragraphs fit, then 1
    assert all(p.endswith("palavra") and p.startswith("palavra") for p in partes)
    assert "\n\n".join(partes) == "\n\n".join([paragrafo] * 5)  # cut at paragraph breaks
    linhas = "\n".join(["linha de texto"] * 400)
    assert all(
        len(p) <= 1000 and not p.endswith("linh") for p in rendering.dividir_texto(linhas, 1000)
    )
    assert rendering.dividir_texto("x" * 2500, 1000) == ["x" * 1000, "x" * 1000, "x" * 500]
    emojis = rendering.dividir_texto("😀" * 3000)  # 2 UTF-16 units each, as Telegram counts
    assert [len(p) for p in emojis] == [2048, 952]
    assert (
        rendering.dividir_texto("  curto  ") == ["curto"] and rendering.dividir_texto("   ") == []
    )


def test_recent_update_ids_are_bounded():
    recentes = state.Recentes(limite=3)
    assert [recentes.primeira_vez(i) for i in (1, 2, 1, 3, 4, 1)] == [
        True,
        True,
        False,
        True,
        True,
        True,
    ]


def test_missing_token_or_unsafe_webhook_refuses_to_start(tmp_path):
    casos = [
        ({}, "TELEGRAM_BOT_TOKEN"),
        (
            {"TELEGRAM_BOT_TOKEN": "1:x", "TELEGRAM_WEBHOOK_URL": WEBHOOK_URL},
            "TELEGRAM_WEBHOOK_SECRET",
        ),
        (
            {
                "TELEGRAM_BOT_TOKEN": "1:x",
                "TELEGRAM_WEBHOOK_URL": "http://sei.example/hook",
                "TELEGRAM_WEBHOOK_SECRET": WEBHOOK_SECRET,
            },
            "https://",
        ),
        (
            {
                "TELEGRAM_BOT_TOKEN": "1:x",
                "TELEGRAM_WEBHOOK_URL": WEBHOOK_URL,
                "TELEGRAM_WEBHOOK_SECRET": "com espaço",
            },
            "TELEGRAM_WEBHOOK_SECRET",
        ),
    ]
    for extra, menciona in casos:
        env = sem_chaves_telegram(SEI_VAR_DIR=str(tmp_path / "var"), **extra)
        r = subprocess.run(
            [sys.executable, "-m", "bot.channels.telegram.app"],
            check=False,
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        linhas = r.stderr.strip().splitlines()
        assert r.returncode != 0 and len(linhas) == 1, r.stderr
        assert linhas[0].startswith("Erro: ") and menciona in linhas[0]
        assert linhas[0] in {
            t(c) for c in ("sem_token", "sem_segredo", "url_invalida", "segredo_invalido")
        }


def test_refused_token_exits_with_one_line_and_never_logs_the_token(standin, tmp_path):
    env = sem_chaves_telegram(
        SEI_VAR_DIR=str(tmp_path / "var"),
        TELEGRAM_API_URL=standin.url,
        TELEGRAM_BOT_TOKEN="999:RECUSADO",
    )
    r = subprocess.run(
        [sys.executable, "-m", "bot.channels.telegram.app"],
        check=False,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 1 and r.stderr.strip().splitlines()[-1] == t("token_recusado")
    assert "RECUSADO" not in r.stderr and "Traceback" not in r.stderr


def test_rasa_builtin_telegram_channel_stays_off(root):
    credenciais = yaml.safe_load((root / "credentials.yml").read_text(encoding="utf-8"))
    assert "telegram" not in (credenciais or {})
    assert "bot.rasa.rest.ReliableRestInput" in credenciais  # the REST channel


# ----- against a canned Rasa --------------------------------------------------------------------
def test_buttons_carry_long_payloads_once_and_expired_ones_get_a_clear_answer(standin, tmp_path):
    longo = '/abrir_solicitacao{"tipo_solicitacao":"atualizacao_email"}' * 3  # > 64 bytes

    def responder(mensagem):
        if mensagem == "oi":
            opcoes = [
                {"title": "Preencher agora", "payload": longo},
                {"title": "Outro", "payload": "/x"},
            ]
            return [{"text": "Quer começar?", "buttons": opcoes}]
        return [{"text": f"recebi {len(mensagem)} caracteres"}]

    log = tmp_path / "adaptador.log"
    with rasa_falso(responder) as rasa:
        proc = iniciar_adaptador(standin, TOKEN_BOTOES, tmp_path / "var", log, rasa.porta)
        try:
            chat = Chat(standin, TOKEN_BOTOES, 700000909)
            respostas = chat.dizer("oi", espera="Quer começar")
            assert botoes(respostas) == ["Preencher agora", "Outro"]
            mensagem_id, primeiro = chat.botao("Preencher agora")
            _, outro = chat.botao("Outro")
            assert len(primeiro.encode()) <= 64 and len(outro.encode()) <= 64 and primeiro != outro
            assert longo not in json.dumps([c.params for c in respostas])  # PTB keeps it

            chamadas, respostas = chat.tocar("Preencher agora", espera="recebi")
            assert textos(respostas) == (
                t("voce_escolheu", titulo="Preencher agora") + f"\nrecebi {len(longo)} caracteres"
            )
            toques = [c for c in chamadas if c.metodo == "answerCallbackQuery"]
            assert len(toques) == 1 and "text" not in toques[0].params
            assert rasa.recebidas[-1]["message"] == longo

            # the same button again, its sibling (one choice per message), made-up data
            for dados in (primeiro, outro, "f" * 64, "lixo"):
                resposta, chamadas = chat.tocar_vencido(mensagem_id, dados)
                assert resposta.params["text"] == t("botao_expirado"), dados
                metodos = [c.metodo for c in chamadas if c.metodo != "getUpdates"]
                assert metodos == ["answerCallbackQuery", "editMessageReplyMarkup"], dados
            assert [m["message"] for m in rasa.recebidas] == ["oi", longo]
        finally:
            stop(proc, timeout=30)
    registro = log.read_text()
    assert "Traceback" not in registro and "falha ao processar" not in registro


def test_menu_typing_and_earlier_keyboards_are_removed(standin, tmp_path):
    """Issue 18: the "/" menu, "typing" per turn, one live keyboard per chat (items 1, 17)."""
    token = "321:TECLADOS"

    def responder(mensagem):
        botoes_ = [{"title": f"Sim ({mensagem})", "payload": "sim"}]
        if mensagem == "sem botões":
            return [{"text": "só texto"}]
        if mensagem == "dois":
            return [
                {"text": "primeira pergunta", "buttons": botoes_},
                {"text": "segunda pergunta", "buttons": botoes_},
            ]
        return [{"text": f"pergunta {mensagem}", "buttons": botoes_}]

    log = tmp_path / "adaptador.log"
    with rasa_falso(responder) as rasa:
        proc = iniciar_adaptador(standin, token, tmp_path / "var", log, rasa.porta)
        try:
            standin.esperar(lambda: standin.comandos.get(token))
            menu = standin.comandos[token]
            assert [c["command"] for c in menu] == ["start", "ajuda", "cancelar", "status"]
            for comando in menu:
                assert comando["description"] == t(f"comando_{comando['command']}")
            chat = Chat(standin, token, 700000919)

            desde = standin.marca()
            chat.dizer("um", espera="pergunta um")
            turno = standin.chamadas_de(chat_id=chat.chat_id, desde=desde, token=token)
            metodos = [c.metodo for c in turno]
            assert metodos[0] == "sendChatAction" and turno[0].params["action"] == "typing"
            primeira, _ = chat.botao("Sim (um)")

            desde = standin.marca()
            chat.dizer("dois", espera="segunda pergunta")
            edicoes = standin.chamadas_de("editMessageReplyMarkup", chat.chat_id, desde, token)
            segunda, _ = chat.botao("Sim (dois)")  # the newest: on "segunda pergunta"
            enviadas = [c for c in chat._saida(desde) if c.metodo == "sendMessage"]
            mensagem_1 = enviadas[0].resultado["message_id"]
            # the previous turn's keyboard, then the first of this turn's two
            assert [int(c.params["message_id"]) for c in edicoes] == [primeira, mensagem_1]
            assert all("reply_markup" not in c.params for c in edicoes)

            # a failed edit (message too old) is logged and ignored: the reply still comes
            standin.falhar("editMessageReplyMarkup", chat.chat_id)
            desde = standin.marca()
            assert textos(chat.dizer("sem botões", espera="só texto")) == "só texto"
            edicoes = standin.chamadas_de("editMessageReplyMarkup", chat.chat_id, desde, token)
            assert [int(c.params["message_id"]) for c in edicoes] == [segunda]
            # nothing left to remove on the next turn
            desde = standin.marca()
            chat.dizer("tres", espera="pergunta tres")
            assert not standin.chamadas_de("editMessageReplyMarkup", chat.chat_id, desde, token)
        finally:
            stop(proc, timeout=30)
    registro = log.read_text()
    assert "teclado anterior não removido" in registro and "Traceback" not in registro


# ----- against the real Rasa --------------------------------------------------------------------
def test_faq_commands_and_plain_text(adaptador, standin):
    chat = Chat(standin, TOKEN, 700000101)
    respostas = chat.dizer("/start", espera="Assuntos mais procurados")
    assert "assistente virtual do SEI" in textos(respostas)
    assert "Falar com o SESAU NTS" in botoes(respostas)
    respostas = chat.dizer("esqueci minha senha do sei", espera="recuperação de senha")
    assert "mesmo informado no ato do cadastro" in textos(respostas)
    assert "Escolha um assunto" in textos(chat.dizer("/ajuda", espera="Escolha um assunto"))
    assert "Não há nenhuma solicitação em andamento" in textos(
        chat.dizer("/cancelar", espera="Não há nenhuma")
    )
    assert textos(chat.dizer("/status")) == t("uso_status")
    assert "Não encontrei o protocolo NTS-2026-999999" in textos(
        chat.dizer("/status NTS-2026-999999", espera="protocolo")
    )
    assert textos(chat.dizer("/restart")) == t("comando_desconhecido")  # never relayed as intent
    assert textos(chat.dizer(' /faq_contato_nts{"x":1}')) == t("comando_desconhecido")
    enviadas = standin.chamadas_de("sendMessage", chat_id=chat.chat_id)
    assert enviadas and all("parse_mode" not in c.params for c in enviadas)


def test_cadastro_with_button_taps_ends_with_the_spreadsheet(adaptador, standin):
    _, log, var_dir = adaptador
    chat = Chat(standin, TOKEN, 700000202)
    cpf = gerar_cpf(random.Random(2026), mascarado=True)
    respostas = chat.dizer("preciso cadastrar uma servidora nova no sei", espera="Quer começar")
    assert "Preencher agora" in botoes(respostas)
    chamadas, respostas = chat.tocar("Preencher agora", espera="sigla da sua unidade")
    resposta_toque = [c for c in chamadas if c.metodo == "answerCallbackQuery"]
    edicao = [c for c in chamadas if c.metodo == "editMessageReplyMarkup"]
    assert len(resposta_toque) == 1 and len(edicao) == 1
    assert "reply_markup" not in edicao[0].params  # keyboard removed
    assert textos(respostas).startswith("Você escolheu: Preencher agora")
    assert "LGPD" in textos(respostas)
    chat.dizer("getin", espera="nome completo")
    chat.dizer("maria DA silva", espera="CPF de Maria da Silva")
    chat.dizer(cpf, espera="e-mail pessoal")
    chat.dizer("maria.silva@gmail.com", espera="sigla da unidade")
    chat.dizer("NTS", espera="cargo")
    chat.dizer("Enfermeiro", espera="incluir mais")
    _, respostas = chat.tocar("Não, seguir", espera="Confira")
    assert cpf in textos(respostas) and "Confirmar" in botoes(respostas)
    _, respostas = chat.tocar("Confirmar", espera="Protocolo:")
    protocolo = textos(respostas).split("Protocolo: ")[1].split()[0]
    documento_ = standin.esperar(lambda: standin.chamadas_de("sendDocument", chat.chat_id))[0]
    arquivo = documento_.arquivos["document"]
    assert arquivo["nome"] == f"{protocolo}.xlsx"
    assert arquivo["dados"] == (var_dir / "planilhas" / f"{protocolo}.xlsx").read_bytes()
    planilha = openpyxl.load_workbook(io.BytesIO(arquivo["dados"]))["Cadastro de Usuários"]
    celulas = [c.value for linha in planilha.iter_rows() for c in linha]
    assert cpf in celulas and "Maria da Silva" in celulas
    assert "Recebida" in textos(chat.dizer(f"/status {protocolo}", espera="Recebida"))
    # the log: derived sender ids and update ids only; no texts, CPF, e-mail or chat id
    registro = log.read_text()
    sender = sender_de(var_dir, chat.chat_id)
    assert sender in registro and "Traceback" not in registro
    for proibido in (
        cpf,
        cpf.replace(".", "").replace("-", ""),
        "maria.silva@gmail.com",
        "Maria",
        "maria",
        str(chat.chat_id),
        "Enfermeiro",
        TOKEN.split(":")[1],
    ):
        assert proibido not in registro, proibido


def test_error_report_screenshot_is_stored_and_filed(adaptador, standin):
    _, _, var_dir = adaptador
    chat = Chat(standin, TOKEN, 700000303)
    jpeg = imagem("JPEG")
    fora = standin.adicionar_arquivo(jpeg, "photos/fora.jpg")
    chat.dizer("quero relatar um erro no sei", espera="Quer começar")
    # an image before the bot asks for it is not taken (nor downloaded)
    assert textos(chat.enviar(foto(chat.chat_id, fora, len(jpeg)))) == t("imagem_fora_de_hora")
    chat.dizer("sim", espera="Descreva o erro")
    chat.dizer(
        "A tela de assinatura fica em branco ao clicar em Assinar.", espera="captura da tela"
    )
    # too big by Telegram's own size: refused before downloading
    grande = standin.adicionar_arquivo(jpeg, "photos/grande.jpg", tamanho=11 * 1024 * 1024)
    respostas = chat.enviar(foto(chat.chat_id, grande, 11 * 1024 * 1024))
    assert "11,0 MB e o limite é 10 MB" in textos(respostas)
    # "tela.png" that is really a GIF: downloaded, checked by content, refused
    gif = standin.adicionar_arquivo(imagem("GIF"), "documents/tela.png")
    respostas = chat.enviar(documento(chat.chat_id, gif, "tela.png", "image/png", 100))
    assert "não é uma imagem PNG ou JPEG" in textos(respostas)
    assert not any(
        c.params.get("file_id") in (fora, grande) for c in standin.chamadas_de("getFile")
    )
    # the real screenshot
    boa = standin.adicionar_arquivo(jpeg, "photos/tela.jpg")
    desde = standin.marca()
    respostas = chat.enviar(foto(chat.chat_id, boa, len(jpeg)), espera="sigla da sua unidade")
    assert standin.chamadas_de("getFile", desde=desde, token=TOKEN)[0].params["file_id"] == boa
    assert standin.chamadas_de("download", desde=desde)[0].params["file_path"] == "photos/tela.jpg"
    chat.dizer("GETIN", espera="processo")
    chat.tocar("Pular", espera="Confira")
    _, respostas = chat.tocar("Confirmar", espera="Protocolo:")
    protocolo = textos(respostas).split("Protocolo: ")[1].split()[0]
    store = RequestStore(f"sqlite:///{var_dir / 'requests.db'}")
    ref = store.buscar(protocolo).anexo
    store.fechar()
    anexos = AnexoStore(var_dir / "anexos")
    assert ref and anexos.caminho(ref).read_bytes() == jpeg
    assert anexos.pertence(ref, sender_de(var_dir, chat.chat_id))
    assert not standin.chamadas_de("sendDocument", chat.chat_id)  # no planilha for this kind


def test_non_image_document_and_sticker_are_refused(adaptador, standin):
    _, _, var_dir = adaptador
    chat = Chat(standin, TOKEN, 700000404)
    pdf = standin.adicionar_arquivo(b"%PDF-1.4 teste", "documents/oficio.pdf")
    antes = set((var_dir / "anexos").glob("*")) if (var_dir / "anexos").exists() else set()
    respostas = chat.enviar(documento(chat.chat_id, pdf, "oficio.pdf", "application/pdf", 14))
    assert textos(respostas) == t("so_texto_e_imagem")
    assert "PNG ou JPEG" in textos(respostas) and "10 MB" in textos(respostas)
    assert textos(chat.enviar(figurinha(chat.chat_id))) == t("so_texto_e_imagem")
    assert all(c.params["file_id"] != pdf for c in standin.chamadas_de("getFile"))
    depois = set((var_dir / "anexos").glob("*")) if (var_dir / "anexos").exists() else set()
    assert depois == antes


def test_group_chats_are_refused_and_nothing_is_relayed(adaptador, standin):
    _, log, _ = adaptador
    chat = Chat(standin, TOKEN, -100700000606)
    update = texto(chat.chat_id, "meu cpf e 52998224725")
    update["message"]["chat"]["type"] = "group"
    respostas = chat.enviar(update)
    assert textos(respostas) == t("so_conversa_privada")
    assert "52998224725" not in log.read_text()


def test_duplicate_update_is_processed_once(adaptador, standin):
    _, log, _ = adaptador
    chat = Chat(standin, TOKEN, 700000505)
    update = texto(chat.chat_id, "oi")
    update["update_id"] = standin.novo_update_id()
    desde = standin.marca()
    standin.alimentar(TOKEN, update, json.loads(json.dumps(update)))
    respostas = chat.esperar(desde, "Assuntos mais procurados", calma=1.5)
    assert textos(respostas).count("assistente virtual do SEI") == 1
    standin.esperar(lambda: f"update {update['update_id']} repetido" in log.read_text(), 10)
    assert log.read_text().count(f"update {update['update_id']} de ") == 1


def test_a_failure_inside_a_handler_is_logged_and_answered_politely(adaptador, standin):
    _, log, _ = adaptador
    chat = Chat(standin, TOKEN, 700000808)
    standin.falhar("sendMessage", chat.chat_id)  # Telegram refuses the first reply
    assert textos(chat.dizer("esqueci minha senha do sei")) == t("indisponivel")
    registro = log.read_text()
    assert "falha ao processar o update" in registro and "BadRequest" in registro
    assert "esqueci" not in registro and "falha simulada" not in registro


def test_rasa_down_gets_a_friendly_message(standin, tmp_path):
    log = tmp_path / "adaptador.log"
    proc = iniciar_adaptador(
        standin, TOKEN_RASA_FORA, tmp_path / "var", log, rasa_port=PORTA_FECHADA
    )
    try:
        chat = Chat(standin, TOKEN_RASA_FORA, 700000606)
        assert textos(chat.dizer("oi")) == t("indisponivel")
        assert textos(chat.dizer("/status NTS-2026-000001")) == t("indisponivel")
    finally:
        stop(proc, timeout=30)
    registro = log.read_text()
    assert "Rasa indisponível" in registro and "Traceback" not in registro


def test_webhook_requires_the_secret_header(server, standin, tmp_path):
    _, var_dir = server
    log = tmp_path / "webhook.log"
    proc = iniciar_adaptador(
        standin,
        TOKEN_WEBHOOK,
        var_dir,
        log,
        TELEGRAM_WEBHOOK_URL=WEBHOOK_URL,
        TELEGRAM_WEBHOOK_SECRET=WEBHOOK_SECRET,
        TELEGRAM_WEBHOOK_PORT=str(WEBHOOK_PORT),
    )
    try:
        registrado = standin.chamadas_de("setWebhook", token=TOKEN_WEBHOOK)[0].params
        assert registrado["url"] == WEBHOOK_URL and registrado["secret_token"] == WEBHOOK_SECRET
        assert not standin.chamadas_de("getUpdates", token=TOKEN_WEBHOOK)
        chat = Chat(standin, TOKEN_WEBHOOK, 700000707)

        def postar(conteudo, segredo, update_id=None):
            """POST an update to the adapter's webhook; (HTTP status, update_id)."""
            update = texto(chat.chat_id, conteudo)
            update["update_id"] = update_id or standin.novo_update_id()
            cabecalhos = {"Content-Type": "application/json"}
            if segredo is not None:
                cabecalhos["X-Telegram-Bot-Api-Secret-Token"] = segredo
            resposta = httpx.post(
                f"http://127.0.0.1:{WEBHOOK_PORT}/telegram/hook",
                content=json.dumps(update).encode(),
                headers=cabecalhos,
                timeout=30,
            )
            return resposta.status_code, update["update_id"]

        standin.esperar(lambda: _porta_aberta(WEBHOOK_PORT), 30)
        desde = standin.marca()
        sem, id_sem = postar("esqueci minha senha do sei", None)
        errado, id_errado = postar("esqueci minha senha do sei", "segredo-errado")
        assert (sem, errado) == (403, 403)
        status, id_ok = postar("oi", WEBHOOK_SECRET)
        assert status == 200
        respostas = chat.esperar(desde, "Assuntos mais procurados", calma=1.0)
        # Telegram re-delivering the same update: processed once
        assert postar("oi", WEBHOOK_SECRET, update_id=id_ok)[0] == 200
        time.sleep(1.5)
        respostas = chat._saida(desde)
        assert textos(respostas).count("assistente virtual do SEI") == 1
        assert "recuperação de senha" not in textos(respostas)
        registro = log.read_text()
        assert f"update {id_sem} " not in registro and f"update {id_errado} " not in registro
        assert f"update {id_ok} repetido" in registro
        assert WEBHOOK_SECRET not in registro
    finally:
        stop(proc, timeout=30)


def _porta_aberta(porta):
    """True when something listens on the loopback port."""
    import socket

    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", porta)) == 0


def test_stale_keyboard_and_a_request_typed_as_a_name(adaptador, standin):
    """Issue 18 on the stand-in: an earlier keyboard's tap files nothing; a request is no name."""
    _, _, var_dir = adaptador
    chat = Chat(standin, TOKEN, 700000218)
    chat.dizer("preciso cadastrar uma servidora nova no sei", espera="Quer começar")
    chat.tocar("Preencher agora", espera="sigla da sua unidade")
    chat.dizer("getin", espera="nome completo")
    respostas = chat.dizer("quero cadastrar um servidor novo no sei", espera="parece um pedido")
    assert "Quero Cadastrar" not in textos(respostas)
    assert botoes(respostas) == ["Continuar preenchendo", "Sair do formulário"]
    chat.tocar("Continuar preenchendo", espera="nome completo")
    chat.dizer("Rita Alves", espera="CPF de Rita Alves")
    chat.dizer(gerar_cpf(random.Random(218), mascarado=True), espera="e-mail pessoal")
    chat.dizer("rita.alves@gmail.com", espera="sigla da unidade")
    chat.dizer("NTS", espera="cargo")
    chat.dizer("Enfermeiro", espera="incluir mais")
    sim_incluir = chat.botao("Sim, incluir")
    chat.dizer("não", espera="Confira")  # typed: the earlier keyboard is edited away
    desde = standin.marca()
    standin.alimentar(TOKEN, toque(chat.chat_id, *sim_incluir))  # a late tap of it anyway
    chamadas = standin.esperar(
        lambda: standin.chamadas_de("answerCallbackQuery", desde=desde, token=TOKEN)
    )
    time.sleep(3)  # room for a (wrong) filing
    respostas = chat._saida(desde)
    assert "Solicitação registrada" not in textos(respostas)
    # PTB still knows the button (its callback data cache): the engine refuses it
    assert not any(c.params.get("text") == t("botao_expirado") for c in chamadas)
    assert "era de uma pergunta anterior" in textos(respostas)
    store = RequestStore(f"sqlite:///{var_dir / 'requests.db'}")
    contato = sender_de(var_dir, chat.chat_id)
    assert [s for s in store.listar() if s.contato == contato] == []
    _, respostas = chat.tocar("Confirmar", espera="Protocolo:")
    assert len([s for s in store.listar() if s.contato == contato]) == 1
    store.fechar()


def test_a_flooding_chat_is_throttled_and_told_once_while_others_are_served(standin, tmp_path):
    """Issue 17: per-chat limit (SEI_LIMITE_CHAT); the excess never reaches Rasa."""
    token = "654:LIMITE"
    log = tmp_path / "adaptador.log"
    with rasa_falso(lambda m: [{"text": f"eco {m}"}]) as rasa:
        proc = iniciar_adaptador(
            standin, token, tmp_path / "var", log, rasa.porta, SEI_LIMITE_CHAT="3/60"
        )
        try:
            abusador, outro = Chat(standin, token, 700000917), Chat(standin, token, 700000918)
            desde = standin.marca()
            for i in range(8):
                standin.alimentar(token, texto(abusador.chat_id, f"m{i}"))
            saida = abusador.esperar(desde, espera="aguarde um instante", calma=1.5)
            ecos = [c for c in saida if c.params.get("text", "").startswith("eco ")]
            avisos = [c for c in saida if "aguarde um instante" in c.params.get("text", "")]
            assert len(ecos) == 3 and len(avisos) == 1
            assert "eco ola" in textos(outro.dizer("ola", espera="eco ola"))
            assert len(rasa.recebidas) == 4
            registro = log.read_text()
            assert str(abusador.chat_id) not in registro and "Traceback" not in registro
        finally:
            stop(proc)


def test_a_chat_that_keeps_sending_while_refused_stays_refused(standin, tmp_path):
    """Issue 17: SEI_LIMITE_TENTATIVAS counts the refused messages too: the chat's
    3/1 slides, but a flood that goes on gets no fresh quota until it stops."""
    token = "655:INSISTE"
    log = tmp_path / "adaptador.log"
    with rasa_falso(lambda m: [{"text": f"eco {m}"}]) as rasa:
        proc = iniciar_adaptador(
            standin,
            token,
            tmp_path / "var",
            log,
            rasa.porta,
            SEI_LIMITE_CHAT="3/1",
            SEI_LIMITE_TENTATIVAS="6/4",
        )
        try:
            abusador = Chat(standin, token, 700000919)
            desde = standin.marca()
            for i in range(8):
                standin.alimentar(token, texto(abusador.chat_id, f"m{i}"))
            abusador.esperar(desde, espera="aguarde um instante", calma=1.2)
            assert len(rasa.recebidas) == 3
            desde = standin.marca()  # 3/1 has slid by now; the 8 attempts of 4 s not
            standin.alimentar(token, texto(abusador.chat_id, "de novo"))
            time.sleep(1.5)
            assert len(rasa.recebidas) == 3
            assert not [c for c in abusador._saida(desde) if "eco" in c.params.get("text", "")]
            time.sleep(3.0)  # quiet for the whole window
            assert "eco enfim" in textos(abusador.dizer("enfim", espera="eco enfim"))
            assert len(rasa.recebidas) == 4
        finally:
            stop(proc)


def test_a_request_filed_in_a_chat_gets_its_news_there(standin, tmp_path):
    """Issue 13 on the stand-in: the adapter ties the chat (encrypted) to the request;
    the NTS's visible note reaches that chat through the notification worker."""
    from bot import settings as configuracao
    from bot.notificacoes.avisos import Avisos
    from bot.solicitacoes import atendimento
    from bot.solicitacoes.servicos import Servicos

    token = "987:AVISOS"
    var = tmp_path / "var"
    cfg = configuracao.load(
        {"SEI_PROJECT_ROOT": str(ROOT), "SEI_VAR_DIR": str(var), "TELEGRAM_BOT_TOKEN": token}
    )
    s = Servicos(cfg)
    Avisos.de(s)
    filed, _ = s.store.registrar(
        "correcao_cargo",
        [{"nome": "Ana Lima", "cpf": gerar_cpf(random.Random(13)), "cargo": "Enfermeiro"}],
        canal="telegram",
        contato="telegram-x",
        unidade="GETIN",
        chave_envio="envio-telegram-1",
    )
    registrada = {"tipo": "registrada", "protocolo": filed.protocolo}
    log = tmp_path / "adaptador.log"
    with rasa_falso(lambda m: [{"text": "Solicitação registrada!", "custom": registrada}]) as rasa:
        proc = iniciar_adaptador(standin, token, var, log, rasa.porta)
        try:
            chat = Chat(standin, token, 700000913)
            chat.dizer("confirmar", espera="registrada")
            time.sleep(1)  # the subscription is written after the reply
        finally:
            stop(proc)
    atendimento.mudar_situacao(
        s.store,
        filed.protocolo,
        "concluida",
        autor="ana",
        observacao="Acesso criado.",
        visivel=True,
    )
    env = {**sem_chaves_telegram(), "TELEGRAM_BOT_TOKEN": token, "TELEGRAM_API_URL": standin.url}
    env.update(SEI_VAR_DIR=str(var), SEI_PROJECT_ROOT=str(ROOT))
    desde = standin.marca()
    feito = subprocess.run(
        [sys.executable, "-m", "bot.notificacoes.worker", "--ate-esvaziar"],
        check=False,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert feito.returncode == 0, feito.stderr[-2000:]
    enviadas = standin.chamadas_de("sendMessage", chat.chat_id, desde=desde, token=token)
    assert enviadas and filed.protocolo in enviadas[0].params["text"]
    assert "Acesso criado." in enviadas[0].params["text"]
    assert str(chat.chat_id) not in log.read_text() + feito.stderr + feito.stdout
    s.store.fechar()
