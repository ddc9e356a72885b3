"""CPF and e-mail masking in the logs (bot.ops.logmask, bot.ops.processos).

Unit level: the masking function, log records at every level and through
every path (arguments, exceptions, extras, handlers added later, loggers that
do not propagate), structlog (Rasa's own configuration) and the stream
wrapper. End to end: the action server, Rasa (``--debug``), the web gateway
and the Telegram adapter started through ``bot.ops.processos`` with DEBUG logs; a
whole cadastro and a partial request with a generated CPF and a fake e-mail;
no trace of either in anything they wrote.
"""

from __future__ import annotations

import io
import json
import logging
import os
import random
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import structlog
import yaml
from conftest import MODEL, PORT_BASE, ROOT
from geradores import gerar_cpf
from hypothesis import given, settings
from hypothesis import strategies as st
from processes import stop

from bot.ops import logmask

RASA_PORT, ACTIONS_PORT, WEB_PORT = PORT_BASE + 41, PORT_BASE + 42, PORT_BASE + 43
EMAIL = "pessoa.teste123@example.com"
TOKEN = "321:LOGMASK"
CHAT = 770011


def mascarado(cpf: str) -> str:
    digitos = re.sub(r"\D", "", cpf)
    return f"***.{digitos[3:6]}.{digitos[6:9]}-**"


def vestigios(cpf: str, email: str = EMAIL) -> re.Pattern:
    """Any trace of the CPF (any separators between its groups) or of the e-mail."""
    d = re.sub(r"\D", "", cpf)
    grupos = r"\D{0,6}".join(map(re.escape, (d[:3], d[3:6], d[6:9], d[9:])))
    padrao = rf"(?<!\d){grupos}(?!\d)"
    if email:
        padrao += rf"|{re.escape(email.split('@', maxsplit=1)[0])}|{re.escape(email)}"
    return re.compile(padrao, re.IGNORECASE)


# ----------------------------------------------------------------- the function

digitos9 = st.lists(st.integers(0, 9), min_size=9, max_size=9).filter(lambda d: len(set(d)) > 1)


def _cpf_de(base):
    nums = list(base)
    for n in (9, 10):
        nums.append(
            sum(d * p for d, p in zip(nums, range(n + 1, 1, -1), strict=True)) * 10 % 11 % 10
        )
    return "".join(map(str, nums))


bordas = st.text(alphabet=st.characters(blacklist_categories=("Nd", "Cs")), max_size=30)


@settings(max_examples=300, deadline=None)
@given(
    base=digitos9,
    antes=bordas,
    depois=bordas,
    forma=st.sampled_from(
        [
            "{a}.{b}.{c}-{d}",
            "{a}{b}{c}{d}",
            "{a} {b} {c} {d}",
            "{a}.{b}.{c}{d}",
            "{a}{b}{c}-{d}",
            "{a}-{b}-{c}-{d}",
            "{a}.{b}.{c} – {d}",
        ]
    ),
)
def test_cpf_valido_nunca_sobrevive(base, antes, depois, forma):
    d = _cpf_de(base)
    cpf = forma.format(a=d[:3], b=d[3:6], c=d[6:9], d=d[9:])
    saida = logmask.mascarar(f"{antes}{cpf}{depois}")
    assert not vestigios(cpf, email=None).search(saida), saida
    assert mascarado(d) in saida


@settings(max_examples=200, deadline=None)
@given(
    local=st.from_regex(r"[a-z0-9][a-z0-9._+-]{0,20}", fullmatch=True),
    dominio=st.from_regex(r"[a-z0-9-]{1,12}(\.[a-z]{2,6}){1,2}", fullmatch=True),
    antes=st.sampled_from(["", " ", "email: ", "<", "'", '"', "mailto:", "(", "\n"]),
    depois=st.sampled_from(["", " ", ".", ">", "'", '"', ",", ")", "\n", "?"]),
)
def test_email_mascarado(local, dominio, antes, depois):
    email = f"{local}@{dominio}"
    saida = logmask.mascarar(f"{antes}{email}{depois}")
    assert email not in saida
    assert f"{local[0]}***@{dominio}" in saida
    if len(local) > 1:
        assert f"{local}@" not in saida


def test_exemplos():
    m = logmask.mascarar
    assert m("CPF 529.982.247-25") == "CPF ***.982.247-**"
    assert m("52998224725") == "***.982.247-**"
    assert m("cpf=52998224725&x=1") == "cpf=***.982.247-**&x=1"
    assert m("５２９９８２２４７２５") == "***.982.247-**"  # full-width digits
    assert m("123.456.789-10") == "***.456.789-**"  # mistyped: masked anyway
    assert m("Maria <Maria.Silva@Gmail.com>") == "Maria <M***@gmail.com>"
    assert m("{'email': 'pessoa@example.com'}") == "{'email': 'p***@example.com'}"
    assert m("https://x.example/a?email=ana@x.com.br") == "https://x.example/a?email=a***@x.com.br"
    assert m("") == "" and m("p***@example.com") == "p***@example.com"
    assert m(m("529.982.247-25 ana@x.com")) == m("529.982.247-25 ana@x.com")


@pytest.mark.parametrize(
    "texto",
    [
        "NTS-2026-000123",
        "E:02000.0000003030/2020",
        "02000.0000003030/2020",
        "3315-1101",
        "12345678910",
        "1700000000123",
        "25/11/2026 às 16:52",
        "2026-11-25T19:52:58.123456",
        "telegram-3f9a0c11d2e34b5f",
        "sei-widget.js?v=12345678901",
        "usuario@localhost",
        "versão 3.6.21",
        "IP 127.0.0.1:5005",
    ],
)
def test_o_que_nao_e_dado_pessoal_fica(texto):
    assert logmask.mascarar(texto) == texto


def test_valores_estruturados():
    cpf = "529.982.247-25"

    class Objeto:
        def __repr__(self):
            return f"Objeto(cpf={cpf!r})"

    valor = {
        "a": [cpf, (EMAIL, 52998224725)],
        EMAIL: Objeto(),
        "n": 1.5,
        "ok": True,
        "b": b"52998224725",
    }
    saida = logmask.mascarar_valor(valor)
    assert not vestigios(cpf).search(repr(saida))
    assert saida["n"] == 1.5 and saida["ok"] is True and "p***@example.com" in saida
    profundo = current = []
    for _ in range(50):
        current.append([])
        current = current[0]
    current.append(cpf)
    assert cpf not in repr(logmask.mascarar_valor(profundo))


def test_fluxo_mascarado_junta_pedacos_e_libera_no_flush():
    destino = io.StringIO()
    fluxo = logmask.FluxoMascarado(destino)
    fluxo.write("cpf 529.98")
    fluxo.write("2.247-25 e ")
    assert destino.getvalue() == ""
    fluxo.write(f"{EMAIL}\nlinha sem fim 52998224725")
    assert destino.getvalue() == "cpf ***.982.247-** e p***@example.com\n"
    fluxo.flush()
    assert destino.getvalue().endswith("linha sem fim ***.982.247-**")
    assert fluxo.getvalue() == destino.getvalue()  # everything else is the original's


# ----------------------------------------------------------------- logging and structlog


@pytest.fixture()
def instalado():
    """``logmask.instalar(fluxos=False)`` in this process, undone afterwards."""
    handle = logging.Logger.handle
    configure = structlog.configure
    config = structlog.get_config()
    logmask.instalar(fluxos=False)
    yield
    logging.Logger.handle = handle
    structlog.configure = configure
    structlog._config.configure = configure
    configure(**config)
    for handler in logmask._todos_os_handlers():
        for filtro in [f for f in handler.filters if isinstance(f, logmask.FiltroMascara)]:
            handler.removeFilter(filtro)


def _logger(nome, propagar=True):
    saida = io.StringIO()
    handler = logging.StreamHandler(saida)
    handler.setFormatter(
        logging.Formatter("%(levelname)s %(name)s %(message)s %(corpo)s", defaults={"corpo": ""})
    )
    logger = logging.getLogger(nome)
    logger.handlers[:] = [handler]
    logger.setLevel(logging.DEBUG)
    logger.propagate = propagar
    return logger, saida


def test_todo_nivel_e_todo_caminho_de_um_registro(instalado):
    cpf = "529.982.247-25"
    logger, saida = _logger("teste.logmask.naopropaga", propagar=False)  # like sanic's
    for nivel in (logging.DEBUG, logging.INFO, logging.WARNING, logging.ERROR, logging.CRITICAL):
        logger.log(nivel, "mensagem %s de %r", cpf, {"email": EMAIL})
    logger.debug(f"f-string {cpf.replace('.', '').replace('-', '')}")
    logger.info("extra", extra={"corpo": f"POST /webhook {EMAIL}"})
    logger.info({"evento": "dict", "cpf": cpf})
    try:
        raise ValueError(f"CPF inválido: {cpf} / {EMAIL}")
    except ValueError:
        logger.exception("falhou para %s", EMAIL)
    logger.warning("pilha", stack_info=True)
    registros = []
    coletor = logging.Handler()
    coletor.emit = registros.append
    logger.addHandler(coletor)
    logger.info("args ruins %d", cpf)  # cannot be formatted: the pieces are masked
    assert registros[0].msg == "args ruins %d" and registros[0].args == ("***.982.247-**",)
    logger.removeHandler(coletor)
    texto = saida.getvalue()
    assert texto.count("***.982.247-**") >= 8 and "p***@example.com" in texto
    assert "ValueError: CPF inválido: ***.982.247-** / p***@example.com" in texto
    assert not vestigios(cpf).search(texto), texto


def test_handler_existente_recebe_o_filtro(instalado):
    registro = logging.makeLogRecord(
        {"msg": "cpf %s", "args": ("52998224725",), "levelno": logging.INFO, "levelname": "INFO"}
    )
    saida = io.StringIO()
    handler = logging.StreamHandler(saida)
    logging.getLogger("teste.logmask.antigo").addHandler(handler)
    assert logmask.instalar_filtros() >= 1
    handler.handle(registro)  # makeLogRecord bypasses the factory: the filter catches it
    assert saida.getvalue().strip() == "cpf ***.982.247-**"
    logging.getLogger("teste.logmask.antigo").removeHandler(handler)


def test_structlog_de_qualquer_configuracao(instalado):
    saida = io.StringIO()
    structlog.configure(
        processors=[structlog.processors.JSONRenderer()],
        logger_factory=structlog.PrintLoggerFactory(saida),
        cache_logger_on_first_use=False,
    )
    assert structlog.get_config()["processors"][0] is logmask.processador_structlog
    log = structlog.get_logger()
    log.debug(
        "processor.message.parse",
        parse_data_text="meu cpf 52998224725",
        parse_data_entities=[{"entity": "x", "value": EMAIL}],
        tracker_states=[{"slots": {"rascunho": {"cpf": "529.982.247-25"}}}],
    )
    try:
        raise KeyError(EMAIL)
    except KeyError:
        log.error("falha", exc_info=True)
    texto = saida.getvalue()
    linhas = [json.loads(linha) for linha in texto.splitlines()]
    assert linhas[0]["parse_data_text"] == "meu cpf ***.982.247-**"
    assert "KeyError: 'p***@example.com'" in linhas[1]["exception"]
    assert not vestigios("529.982.247-25").search(texto)


def test_configuracao_do_rasa_ganha_o_processador(instalado):
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.DEBUG)
    processadores = structlog.get_config()["processors"]
    assert processadores[-2] is logmask.processador_structlog  # right before the renderer
    assert processadores.count(logmask.processador_structlog) == 1


def test_console_do_nts_mascara_os_proprios_logs(tmp_path):
    codigo = (
        "import logging, sys\nfrom bot.ops import cli\nsys.argv = ['sei-nts', 'catalog', 'check']\n"
        "cli.main()\nlogging.getLogger('x').warning('cpf 529.982.247-25 de ana@x.com')\n"
    )
    env = dict(os.environ, SEI_VAR_DIR=str(tmp_path))
    r = subprocess.run(
        [sys.executable, "-c", codigo],
        check=False,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
    )
    assert "Catálogos válidos" in r.stdout
    assert "cpf ***.982.247-** de a***@x.com" in r.stderr and "529.982" not in r.stderr


def test_entrada_de_processos_sem_nome_explica_o_uso():
    r = subprocess.run(
        [sys.executable, "-m", "bot.ops.processos"],
        check=False,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert r.returncode == 2 and "uso: python -m bot.ops.processos" in r.stderr
    r = subprocess.run(
        [sys.executable, "-m", "bot.ops.processos", "xyz"],
        check=False,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert r.returncode == 2 and "Processo desconhecido" in r.stderr


# ----------------------------------------------------------------- the real servers


def _esperar_http(url, procs, timeout=240):
    limite = time.monotonic() + timeout
    while time.monotonic() < limite:
        mortos = [n for n, (p, _) in procs.items() if p.poll() is not None]
        if mortos:
            log = procs[mortos[0]][1]
            pytest.fail(f"{mortos[0]} terminou:\n" + Path(log).read_text()[-3000:])
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except (OSError, urllib.error.HTTPError):
            time.sleep(0.5)
    pytest.fail(f"{url} não respondeu em {timeout} s")


def _parar(procs):
    stop(*(proc for proc, _ in procs.values()), timeout=40)


@pytest.fixture(scope="module")
def servidores(tmp_path_factory):
    """Actions, Rasa, web gateway and Telegram adapter via bot.ops.processos, DEBUG logs."""
    from telegram_standin import TelegramStandin

    assert MODEL.exists(), "modelo ausente: rode 'make train'"
    var = tmp_path_factory.mktemp("logmask") / "var"
    logs = var.parent / "logs"
    logs.mkdir(parents=True)
    endpoints = var.parent / "endpoints.yml"
    endpoints.write_text(
        yaml.safe_dump(
            {
                "action_endpoint": {"url": f"http://127.0.0.1:{ACTIONS_PORT}/webhook"},
                "tracker_store": {
                    "type": "SQL",
                    "dialect": "sqlite",
                    "db": str(var / "trackers.db"),
                },
            }
        )
    )
    var.mkdir()
    standin = TelegramStandin().start()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TELEGRAM_", "SEI_")) and k != "REQUESTS_DB_URL"
    }
    env.update(
        SEI_VAR_DIR=str(var),
        SEI_RASA_PORT=str(RASA_PORT),
        SEI_ACTIONS_PORT=str(ACTIONS_PORT),
        SEI_WEB_PORT=str(WEB_PORT),
        SEI_PAINEL_PORT=str(RASA_PORT + 150),
        SEI_LIMITE_SESSAO="1000/10",
        SEI_LIMITE_CHAT="1000/10",
        SEI_LIMITE_TENTATIVAS="",
        SEI_LOG_LEVEL="DEBUG",
        LOG_LEVEL="DEBUG",
        LOG_LEVEL_LIBRARIES="DEBUG",
        SANIC_HOST="127.0.0.1",
        RASA_TELEMETRY_ENABLED="false",
        TF_CPP_MIN_LOG_LEVEL="2",
        PYTHONUNBUFFERED="1",
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_URL=standin.url,
    )
    from bot import settings
    from bot.ops import launcher

    # exactly what `make run` starts (bot.ops.processos entry points, --debug from SEI_LOG_LEVEL)
    comandos = launcher.commands(settings.load(env), MODEL, endpoints)
    assert set(comandos) == {"acoes", "rasa", "web", "telegram", "painel", "notificacoes"}
    procs = {}
    try:
        for nome, comando in comandos.items():
            log = logs / f"{nome}.log"
            with open(log, "wb") as saida:
                procs[nome] = (
                    subprocess.Popen(
                        comando, cwd=ROOT, env=env, stdout=saida, stderr=subprocess.STDOUT
                    ),
                    log,
                )
        _esperar_http(f"http://127.0.0.1:{ACTIONS_PORT}/health", procs)
        _esperar_http(f"http://127.0.0.1:{RASA_PORT}/", procs)
        _esperar_http(f"http://127.0.0.1:{WEB_PORT}/", procs)
        standin.esperar(lambda: standin.chamadas_de("deleteWebhook", token=TOKEN), 60)
        yield {"var": var, "logs": logs, "standin": standin, "parar": lambda: _parar(procs)}
    finally:
        _parar(procs)
        standin.stop()


def _web(texto, sessao="sessao-logmask-000001"):
    corpo = json.dumps({"sessao": sessao, "texto": texto}).encode()
    pedido = urllib.request.Request(
        f"http://127.0.0.1:{WEB_PORT}/api/mensagem",
        data=corpo,
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(pedido, timeout=90) as resposta:
        dados = json.loads(resposta.read())
    return "\n".join(r.get("texto", "") for r in dados["respostas"])


def _telegram(standin, texto):
    from telegram_standin import texto as update_de_texto

    desde = standin.marca()
    standin.alimentar(TOKEN, update_de_texto(CHAT, texto))

    def enviadas():
        return standin.chamadas_de("sendMessage", chat_id=CHAT, desde=desde, token=TOKEN)

    standin.esperar(enviadas, 90)
    while time.monotonic() - max(c.momento for c in enviadas()) < 0.8:  # the whole answer
        time.sleep(0.1)
    return "\n".join(c.params.get("text", "") for c in enviadas())


@pytest.fixture(scope="module")
def conversas(servidores):
    """A whole cadastro on the web chat and a partial request on Telegram; servers stopped."""
    rng = random.Random(4711)
    cpf = gerar_cpf(rng)  # typed bare (11 digits); the bot stores and shows it masked
    cpf_formatado = f"{cpf[:3]}.{cpf[3:6]}.{cpf[6:9]}-{cpf[9:]}"
    cpf2 = gerar_cpf(rng, mascarado=True)
    _web(f"oi, meu cpf é {cpf_formatado} e meu e-mail {EMAIL}, não consigo entrar no sei")
    # payload syntax typed by the user: Rasa warns on stderr, quoting the whole line
    _web(f'/affirm{{"cpf": "{cpf_formatado}", "email": "{EMAIL}"}}')
    _web(f'/meu_cpf{{"numero": "{cpf}"}}')
    assert "LGPD" in _web("quero abrir uma solicitação de cadastro de usuário")
    _web("GETIN")
    _web("Maria da Silva")
    assert "CPF" in _web(f"o cpf dela é {cpf_formatado} ok")  # rejected, echoed in the error
    assert "e-mail" in _web(cpf)
    _web(EMAIL)
    _web("NTS")
    _web("Enfermeiro")
    resumo = _web("não")
    assert cpf_formatado in resumo and EMAIL in resumo  # the requester sees the data
    final = _web("confirmar")
    protocolo = re.search(r"NTS-\d{4}-\d{6}", final).group(0)

    standin = servidores["standin"]
    _telegram(standin, "quero abrir uma solicitação de correção de cargo")
    _telegram(standin, "GETIN")
    _telegram(standin, "Joana Pereira")
    assert "cargo" in _telegram(standin, cpf2)
    _telegram(standin, f"o e-mail dela é {EMAIL} e o cpf {cpf2.replace('.', '').replace('-', '')}")
    _telegram(standin, "cancelar")
    servidores["parar"]()
    return {
        "cpf": cpf,
        "cpf2": cpf2,
        "protocolo": protocolo,
        "var": servidores["var"],
        "logs": servidores["logs"],
    }


@pytest.mark.e2e
def test_nenhum_cpf_ou_email_em_nenhum_log(conversas):
    textos = {
        log.stem: log.read_text(encoding="utf-8", errors="replace")
        for log in conversas["logs"].glob("*.log")
    }
    assert set(textos) == {"acoes", "rasa", "web", "telegram", "painel", "notificacoes"}
    for cpf in (conversas["cpf"], conversas["cpf2"]):
        padrao = vestigios(cpf)
        for nome, texto in textos.items():
            achado = padrao.search(texto)
            assert achado is None, (nome, texto[max(0, achado.start() - 300) : achado.end() + 100])
    # DEBUG logs did carry the user's text and the slots: masked, not absent
    assert textos["rasa"].count(mascarado(conversas["cpf"])) >= 3
    assert textos["rasa"].count(mascarado(conversas["cpf2"])) >= 1
    assert "p***@example.com" in textos["rasa"]
    assert (
        f'Failed to parse arguments in line \'/affirm{{"cpf": "{mascarado(conversas["cpf"])}'
        in textos["rasa"]
    )  # a warnings.warn on stderr, not a log record
    assert "DEBUG" in textos["rasa"] and "DEBUG" in textos["acoes"]
    assert sum(len(t.splitlines()) for t in textos.values()) > 300


@pytest.mark.e2e
def test_dados_chegaram_ao_registro(conversas):
    from bot.solicitacoes.store import RequestStore

    with RequestStore(f"sqlite:///{conversas['var'] / 'requests.db'}") as store:
        linha = store.buscar(conversas["protocolo"]).linhas[0]
    cpf = conversas["cpf"]
    assert linha["cpf"] == f"{cpf[:3]}.{cpf[3:6]}.{cpf[6:9]}-{cpf[9:]}"
    assert linha["email"] == EMAIL


@pytest.mark.e2e
def test_retencao_apaga_as_conversas_reais_do_rasa(conversas):
    """`sei-nts privacy purge` on the SQL tracker store Rasa wrote; the record stays."""
    var = conversas["var"]
    antes = b"".join(p.read_bytes() for p in var.glob("trackers.db*"))  # its WAL too
    assert re.sub(r"\D", "", conversas["cpf"]).encode() in antes  # the tracker had it
    env = {k: v for k, v in os.environ.items() if not k.startswith("SEI_")}
    env.update(SEI_VAR_DIR=str(var), PATH="/usr/bin:/bin")
    exe = str(Path(sys.executable).parent / "sei-nts")
    r = subprocess.run(
        [exe, "privacy", "purge", "--older-than", "0"],
        check=False,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    assert re.search(r"Conversas apagadas: [2-9]", r.stdout), r.stdout
    assert "Mantidos por serem de solicitações em aberto: 1" in r.stdout
    depois = b"".join(p.read_bytes() for p in var.glob("trackers.db*"))
    assert not vestigios(conversas["cpf"]).search(depois.decode("latin-1"))
    assert not vestigios(conversas["cpf2"]).search(depois.decode("latin-1"))
    r = subprocess.run(
        [exe, "requests", "show", conversas["protocolo"]],
        check=False,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert r.returncode == 0 and "Maria da Silva" in r.stdout
    assert (var / "planilhas" / f"{conversas['protocolo']}.xlsx").exists()  # open request
