"""Nothing lost: a conversation survives a Rasa crash (SQLite tracker store),
a request is filed exactly once when the action server dies at the submit
step, a killed spreadsheet writer never leaves a half-written file, and 50
requests filed at once all make it. Real servers, trained model, loopback."""

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import openpyxl
import pytest
import yaml
from conftest import MODEL, PORT_BASE, ROOT, rest_say, start_launcher
from geradores import gerar_cpf
from processes import stop

from bot import settings
from bot.ops import launcher
from bot.rasa.rest import MSG_TENTE_NOVAMENTE
from bot.solicitacoes.store import RequestStore

# ports of these tests (conftest and the other tests use other offsets)
KILL_RASA = dict(rasa=PORT_BASE + 11, acoes=PORT_BASE + 31, web=PORT_BASE + 41)
KILL_ACOES = dict(rasa=PORT_BASE + 12, acoes=PORT_BASE + 32)
CONCORRENCIA = dict(rasa=PORT_BASE + 13, acoes=PORT_BASE + 33, web=PORT_BASE + 43)
PAUSA_ENVIO_S = 2.0
TENTE = ("tente novamente", "tente de novo")
NOMES = (
    "Ana Beatriz Souza",
    "Carlos Eduardo Lima",
    "Joana Teste Ramos",
    "Pedro Henrique Alves",
    "Marta Regina Costa",
    "Lucas Gabriel Melo",
    "Sofia Helena Prado",
    "Rafael Augusto Nunes",
)


# ----- helpers shared with test_replicas.py ----------------------------------------------------
def say(port, sender, text):
    """One message; the replies and their texts joined."""
    replies = rest_say(port, sender, text)
    return replies, "\n".join(r.get("text") or "" for r in replies)


def pessoa(rng):
    """A made-up person with a generated CPF."""
    nome = rng.choice(NOMES)
    usuario = nome.lower().replace(" ", ".")
    return {
        "nome": nome,
        "cpf": gerar_cpf(rng, mascarado=True),
        "email": f"{usuario}{rng.randint(10, 99)}@gmail.com",
    }


def roteiro_cadastro(p):
    """(message, what the reply must contain) up to the summary of a cadastro."""
    primeiro = p["nome"].split()[0]
    return [
        ("quero abrir uma solicitação de cadastro", "sigla da sua unidade"),
        ("GETIN", "nome completo"),
        (p["nome"], f"CPF de {primeiro}"),
        (p["cpf"], f"e-mail pessoal de {primeiro}"),
        (p["email"], f"sigla da unidade de {primeiro}"),
        ("NTS", f"cargo/função de {primeiro}"),
        ("Enfermeiro", "incluir mais alguém"),
        ("não", "Confira a solicitação"),
    ]


def conversar(porta_de, sender, passos, inicio=0):
    """Send ``passos``; ``porta_de(n)`` picks the port of the n-th message."""
    texto = ""
    for n, (mensagem, esperado) in enumerate(passos, start=inicio):
        _, texto = say(porta_de(n), sender, mensagem)
        assert esperado in texto, (sender, mensagem, texto)
    return texto


def protocolo_de(texto):
    return texto.split("Protocolo: ")[1].split()[0]


def filhos(pid):
    """Child processes of ``pid``: {pid: command line}."""
    filhos = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        for c in (task / "children").read_text().split():
            cmd = Path(f"/proc/{c}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            filhos[int(c)] = cmd
    return filhos


def esperar(condicao, timeout, passo=0.1):
    """Poll ``condicao`` until true or the timeout; its last value."""
    limite = time.monotonic() + timeout
    while True:
        valor = condicao()
        if valor or time.monotonic() > limite:
            return valor
        time.sleep(passo)


def responde(url):
    try:
        with urllib.request.urlopen(url, timeout=2):
            return True
    except OSError:
        return False


class Pilha:
    """Rasa and the action server started as the launcher starts them
    (its endpoints, commands and environment), each one killable alone."""

    def __init__(self, var_dir, rasa, acoes, **env):
        self.var_dir = Path(var_dir)
        self.env = {
            "SEI_PROJECT_ROOT": str(ROOT),
            "SEI_VAR_DIR": str(var_dir),
            "SEI_RASA_PORT": str(rasa),
            "SEI_ACTIONS_PORT": str(acoes),
            **env,
        }
        self.cfg = settings.load(self.env)
        endpoints = launcher.render_endpoints(self.cfg, self.cfg.run_dir / "endpoints.yml")
        self.cmds = launcher.commands(self.cfg, MODEL, endpoints)
        self.procs = {}

    def iniciar(self, nome, timeout=240):
        with open(self.var_dir / f"{nome}.log", "ab") as saida:  # the child keeps its copy
            self.procs[nome] = subprocess.Popen(
                self.cmds[nome],
                cwd=ROOT,
                env={**launcher.child_env(self.cfg), **self.env},
                stdout=saida,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        porta = self.cfg.actions_port if nome == "acoes" else self.cfg.rasa_port
        url = (
            f"http://127.0.0.1:{porta}/health"
            if nome == "acoes"
            else (f"http://127.0.0.1:{porta}/")
        )
        pronto = esperar(lambda: self.procs[nome].poll() is not None or responde(url), timeout, 0.2)
        assert pronto and self.procs[nome].poll() is None, (
            f"{nome} não subiu:\n" + (self.var_dir / f"{nome}.log").read_text()[-3000:]
        )

    def matar(self, nome):
        self.procs[nome].send_signal(signal.SIGKILL)
        self.procs[nome].wait(timeout=30)

    def parar(self):
        stop(*self.procs.values(), sig=signal.SIGTERM, timeout=30)


# ----- 1. the conversation survives a Rasa crash ---------------------------------------------
def test_endpoints_keep_conversations_in_sqlite_under_the_data_folder(tmp_path):
    cfg = settings.load({"SEI_PROJECT_ROOT": str(ROOT), "SEI_VAR_DIR": str(tmp_path / "dados")})
    out = launcher.render_endpoints(cfg, cfg.run_dir / "endpoints.yml")
    assert out == tmp_path / "dados" / "run" / "endpoints.yml"
    tracker = yaml.safe_load(out.read_text())["tracker_store"]
    assert tracker == {
        "type": "SQL",
        "dialect": "sqlite",
        "db": str(tmp_path / "dados" / "trackers.db"),
    }
    assert "lock_store" not in yaml.safe_load(out.read_text())


@pytest.mark.e2e
def test_form_resumes_after_rasa_is_killed(tmp_path):
    rng = random.Random(101)
    p = pessoa(rng)
    passos = roteiro_cadastro(p)
    porta = KILL_RASA["rasa"]
    sender = f"dur-rasa-{uuid.uuid4().hex[:8]}"
    proc, _ = start_launcher(tmp_path, porta, KILL_RASA["acoes"], web_port=KILL_RASA["web"])
    try:
        conversar(lambda n: porta, sender, passos[:4])  # up to name and CPF
        rasa = [pid for pid, cmd in filhos(proc.pid).items() if " run " in cmd and "--model" in cmd]
        assert len(rasa) == 1
        os.kill(rasa[0], signal.SIGKILL)
        assert proc.wait(timeout=60) == 1  # the launcher stops the rest and exits
    finally:
        if proc.poll() is None:
            proc.kill()
    assert (tmp_path / "trackers.db").exists()
    proc, _ = start_launcher(tmp_path, porta, KILL_RASA["acoes"], web_port=KILL_RASA["web"])
    try:
        # the next field is asked: the e-mail goes in as the e-mail
        texto = conversar(lambda n: porta, sender, passos[4:], inicio=4)
        assert p["nome"] in texto and p["cpf"] in texto and p["email"] in texto
        _, texto = say(porta, sender, "confirmar")
        assert "Protocolo: NTS-" in texto
        with RequestStore(f"sqlite:///{tmp_path / 'requests.db'}") as store:
            salvo = store.buscar(protocolo_de(texto))
        assert salvo.linhas[0]["nome"] == p["nome"] and salvo.linhas[0]["cpf"] == p["cpf"]
    finally:
        stop(proc)


# ----- 2. the action server dies at the submit step, 20 times --------------------------------
@pytest.fixture(scope="module")
def pilha_com_pausa(tmp_path_factory):
    """Rasa + action server; the action server waits after filing (test hook).
    Shared by the tests below: each leaves both servers running."""
    pilha = Pilha(
        tmp_path_factory.mktemp("var-pausa"),
        KILL_ACOES["rasa"],
        KILL_ACOES["acoes"],
        SEI_TEST_PAUSA_ENVIO=str(PAUSA_ENVIO_S),
    )
    try:
        pilha.iniciar("acoes")
        pilha.iniciar("rasa")
        yield pilha
    finally:
        pilha.parar()


def _registradas(store, sender):
    return [s for s in store.listar() if s.contato == sender]


@pytest.mark.e2e
def test_action_server_killed_at_submit_files_each_request_exactly_once(pilha_com_pausa):
    pilha = pilha_com_pausa
    porta = pilha.cfg.rasa_port
    rng = random.Random(202)
    store = RequestStore(pilha.cfg.requests_db_url)
    execucao = uuid.uuid4().hex[:6]
    apos_registro = 0
    try:
        for i in range(20):
            p = pessoa(rng)
            sender = f"dur-acoes-{execucao}-{i}"
            conversar(lambda n: porta, sender, roteiro_cadastro(p))
            resposta = {}
            envio = threading.Thread(
                target=lambda r=resposta, s=sender: r.update(texto=say(porta, s, "confirmar")[1])
            )
            envio.start()
            if i % 2 == 0:  # filed, not yet answered
                assert esperar(lambda s=sender: _registradas(store, s), 30, 0.05)
            else:  # anywhere in the turn
                time.sleep(rng.uniform(0.0, PAUSA_ENVIO_S * 0.8))
            pilha.matar("acoes")
            apos_registro += bool(_registradas(store, sender))
            envio.join(timeout=90)
            primeira = resposta["texto"]
            assert "Traceback" not in primeira
            assert "Protocolo: NTS-" in primeira or any(t in primeira.lower() for t in TENTE), (
                i,
                primeira,
            )
            pilha.iniciar("acoes")
            _, texto = say(porta, sender, "confirmar")  # the requester retries
            assert "Protocolo: NTS-" in texto, (i, texto)
            registradas = _registradas(store, sender)
            assert len(registradas) == 1, (i, [s.protocolo for s in registradas])
            assert protocolo_de(texto) == registradas[0].protocolo
            planilha = pilha.cfg.planilhas_dir / f"{registradas[0].protocolo}.xlsx"
            celulas = [
                c.value for row in openpyxl.load_workbook(planilha).active.iter_rows() for c in row
            ]
            assert p["nome"] in celulas
        desta_execucao = [
            s for s in store.listar() if s.contato.startswith(f"dur-acoes-{execucao}")
        ]
        assert len(desta_execucao) == 20
        assert apos_registro >= 10  # at least every even round died between filing and answer
    finally:
        store.fechar()


@pytest.mark.e2e
def test_silent_turn_becomes_try_again(pilha_com_pausa):
    """Action server down: Rasa produces nothing; the channel says to retry."""
    pilha = pilha_com_pausa
    porta = pilha.cfg.rasa_port
    sender = f"dur-silencio-{uuid.uuid4().hex[:6]}"
    conversar(lambda n: porta, sender, roteiro_cadastro(pessoa(random.Random(3)))[:2])
    pilha.matar("acoes")
    replies, texto = say(porta, sender, "Maria da Silva")
    assert texto == MSG_TENTE_NOVAMENTE and replies[0]["recipient_id"] == sender
    pilha.iniciar("acoes")
    _, texto = say(porta, sender, "Maria da Silva")
    assert "CPF de Maria" in texto


@pytest.mark.e2e
def test_rest_channel_refuses_malformed_bodies_without_traceback(pilha_com_pausa):
    url = f"http://127.0.0.1:{pilha_com_pausa.cfg.rasa_port}/webhooks/rest/webhook"
    for corpo in (
        b"nada",
        b"[]",
        b'{"message": "oi"}',
        b'{"sender": "", "message": "oi"}',
        b'{"sender": "x", "message": 5}',
    ):
        req = urllib.request.Request(url, data=corpo, headers={"Content-Type": "application/json"})
        with pytest.raises(urllib.error.HTTPError) as erro:
            urllib.request.urlopen(req, timeout=30)
        assert erro.value.code == 400
        assert json.loads(erro.value.read())["erro"].startswith("Pedido inválido")


# ----- 3. a killed spreadsheet writer ----------------------------------------------------------
ESCRITOR = r"""
import sys
from datetime import datetime, timedelta
from pathlib import Path
from bot.solicitacoes.planilhas import gerar_planilha
from bot.solicitacoes.tipos import FUSO, TIPOS, Solicitacao, prazo

tipo = TIPOS["cadastro_usuario"]
agora = datetime(2026, 11, 25, 9, 0, tzinfo=FUSO)
linhas = int(sys.argv[2])
pedidos = [Solicitacao(
    protocolo=f"NTS-2026-{n:06d}", tipo=tipo.chave, status="recebida", canal="rest",
    contato=f"c{n}", unidade="GETIN", criada_em=agora + timedelta(minutes=n),
    prazo_em=prazo(agora, tipo),
    linhas=({"nome": f"Pessoa de Teste {n}", "cpf": f"{n:011d}", "email": f"p{n}@gmail.com",
             "sigla": "NTS", "cargo": "Enfermeiro", "observacoes": "x" * 200},),
    anexo=None, planilha=None, historico=()) for n in range(1, linhas + 1)]
print("escrevendo", flush=True)
gerar_planilha(tipo, pedidos, Path(sys.argv[1]), {"siglas": ["NTS", "GETIN"],
               "cargos": ["Enfermeiro"], "operacoes": ["ADICIONAR", "MUDAR"]})
print("pronto", flush=True)
"""


def _temporarios(pasta):
    return [p for p in pasta.iterdir() if p.name.endswith(".tmp")]


def _escrever_e_matar(destino, linhas, fracao):
    """Start a writer of a large spreadsheet; SIGKILL it while the temporary
    file grows. True if it was killed mid-write (False: it finished first)."""
    proc = subprocess.Popen(
        [sys.executable, "-c", ESCRITOR, str(destino), str(linhas)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        crescendo = esperar(
            lambda: (
                proc.poll() is not None
                or any(t.stat().st_size > 0 for t in _temporarios(destino.parent))
            ),
            300,
            0.01,
        )
        assert crescendo
        time.sleep(fracao)
        meio = proc.poll() is None and bool(_temporarios(destino.parent))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        return meio
    finally:
        if proc.poll() is None:
            proc.kill()


@pytest.mark.slow
@pytest.mark.parametrize("anterior", [False, True])
def test_killed_spreadsheet_writer_leaves_no_half_file(tmp_path, anterior):
    pasta = tmp_path / "planilhas"
    pasta.mkdir()
    destino = pasta / "NTS-2026-000001.xlsx"
    if anterior:  # a complete earlier version of the file
        r = subprocess.run(
            [sys.executable, "-c", ESCRITOR, str(destino), "3"],
            check=False,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert r.returncode == 0, r.stderr
        antes = destino.read_bytes()
    mortos = 0
    for fracao in (0.0, 0.05, 0.2):
        mortos += _escrever_e_matar(destino, 20000, fracao)
        if anterior:
            assert destino.read_bytes() == antes
            assert openpyxl.load_workbook(destino).active.max_row >= 4
        else:
            assert not destino.exists()
        # what is left is a hidden .tmp file: no .xlsx, never named like a protocol
        assert [p.name for p in pasta.glob("*.xlsx")] == (
            ["NTS-2026-000001.xlsx"] if anterior else []
        )
        assert all(p.name.startswith(".") for p in _temporarios(pasta))
    assert mortos >= 2, "o escritor terminou antes de ser interrompido"
    assert _temporarios(pasta)
    # the launcher sweeps those leftovers before starting any writer
    assert launcher.remove_stale_temporaries(pasta) >= 1
    assert not _temporarios(pasta)
    assert [p.name for p in pasta.iterdir()] == (["NTS-2026-000001.xlsx"] if anterior else [])


# ----- 4. 50 conversations filing at once ------------------------------------------------------
@pytest.mark.e2e
def test_fifty_conversations_file_at_once(tmp_path):
    porta = CONCORRENCIA["rasa"]
    execucao = uuid.uuid4().hex[:6]
    pessoas = [pessoa(random.Random(5000 + i)) for i in range(50)]
    proc, _ = start_launcher(tmp_path, porta, CONCORRENCIA["acoes"], web_port=CONCORRENCIA["web"])

    def preencher(i):
        sender = f"dur-50-{execucao}-{i}"
        conversar(lambda n: porta, sender, roteiro_cadastro(pessoas[i]))
        _, texto = say(porta, sender, "confirmar")
        assert "Protocolo: NTS-" in texto, texto
        return sender, protocolo_de(texto)

    try:
        inicio = time.monotonic()
        with ThreadPoolExecutor(max_workers=50) as pool:
            resultados = list(pool.map(preencher, range(50)))
        print(f"\n50 solicitações em {time.monotonic() - inicio:.1f} s")
    finally:
        stop(proc)
    protocolos = [p for _, p in resultados]
    assert len(set(protocolos)) == 50
    with RequestStore(f"sqlite:///{tmp_path / 'requests.db'}") as store:
        salvas = {s.contato: s for s in store.listar()}
    assert len(salvas) == 50
    for i, (sender, protocolo) in enumerate(resultados):
        assert salvas[sender].protocolo == protocolo
        planilha = tmp_path / "planilhas" / f"{protocolo}.xlsx"
        celulas = [
            c.value for row in openpyxl.load_workbook(planilha).active.iter_rows() for c in row
        ]
        assert pessoas[i]["nome"] in celulas
