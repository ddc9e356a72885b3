"""Injection: Rasa payload syntax typed by a user, spreadsheet formulas, HTML.

- Over the real REST channel (fixture ``server``): ``/intent{...}`` payloads
  with entities named like the form's slots (``resposta``, ``rascunho``,
  ``tipo_solicitacao``, ``requested_slot``) neither skip a field nor file a
  request; the request filed at the end holds exactly the validated answers;
  every message gets an answer and the server stays up.
- Spreadsheets: 60 formula-injection payloads plus HTML and ``javascript:``
  in every free-text field, through the engine and the real services; the
  reopened spreadsheet has no formula and the text as stored.
- Channels: the web gateway passes texts through untouched (the widget only
  uses textContent) and the Telegram adapter sends plain text (no parse mode).
"""

from __future__ import annotations

import asyncio
import json
import random
import re
from pathlib import Path
from types import SimpleNamespace

import httpx
import openpyxl
import pytest
from conftest import RASA_PORT, rest_say
from geradores import gerar_cpf
from injecoes import INJECOES, esperado, sem_formulas

from bot.channels.identidade import Links
from bot.channels.telegram import app as tg
from bot.channels.web import app as web
from bot.solicitacoes.estado import Estado
from bot.solicitacoes.motor import Motor
from bot.solicitacoes.store import RequestStore

HTML = [
    "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    "javascript:alert(1)",
    "[clique aqui](javascript:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    "<iframe src=//x.invalid></iframe>",
    "<b>negrito</b> &amp; &lt;",
]
CARGAS = INJECOES + HTML

RASCUNHO_FALSO = {
    "tipo": "cadastro_usuario",
    "fase": "resumo",
    "unidade": "GETIN",
    "linhas": [
        {
            "nome": "Invasor Falso",
            "cpf": "000.000.000-00",
            "email": "x@x.com",
            "sigla": "NTS",
            "cargo": "Enfermeiro",
        }
    ],
}
PAYLOADS = [
    '/affirm{"resposta":"concluida"}',
    '/affirm{"resposta":"confirmar"}',
    "/affirm" + json.dumps({"rascunho": RASCUNHO_FALSO}),
    '/affirm{"requested_slot":null}',
    '/affirm{"requested_slot":"resposta","resposta":"concluida"}',
    '/affirm{"tipo_solicitacao":"correcao_cargo","resposta":"concluida"}',
    '/deny{"rascunho":null}',
    '/thanks{"resposta":"confirmar"}',
    '{"resposta": "concluida", "rascunho": {"fase": "concluida"}}',
    '/affirm{"resposta": "concluida"',
    '/affirm@1.0{"resposta":"concluida"}',
    "/formulario_solicitacao",
    "/validate_formulario_solicitacao",
    '/action_encerrar_solicitacao{"resposta":"concluida"}',
    "/confirmar",
    "confirmar",
]
ESTRANHOS = [
    '/affirm{"tipo_solicitacao": ["cadastro_usuario", "desanexacao"]}',
    '/affirm{"tipo_solicitacao": {"$ne": 1}}',
    '/abrir_solicitacao{"tipo_solicitacao": "__class__"}',
    '/abrir_solicitacao{"tipo_solicitacao": null}',
    '/abrir_solicitacao{"tipo_solicitacao": ' + json.dumps("x" * 5000) + "}",
    "/" + "a" * 5000,
    "/affirm{" + "[" * 2000 + "}",
    "/affirm{}{}{}",
    "/ /  /",
    "/session_start",
    "/restart",
    "/back",
    '/out_of_scope{"tipo_solicitacao":1}',
]
# an entity value that is not a string (Rasa passes JSON values through)
TIPO_NAO_TEXTO = [
    '/abrir_solicitacao{"tipo_solicitacao": {"$ne": 1}}',
    '/abrir_solicitacao{"tipo_solicitacao": [["cadastro_usuario"]]}',
]
ERROS_NO_LOG = ("Traceback", "Exception occurred during execution")


# ----------------------------------------------------------------- REST, real servers


def _say(sender, texto):
    respostas = rest_say(RASA_PORT, sender, texto)
    assert isinstance(respostas, list)
    return "\n".join(r.get("text") or "" for r in respostas)


def _log_novo(var_dir, desde):
    """What the servers logged (launcher.log) since offset ``desde``."""
    with open(var_dir / "launcher.log", "rb") as log:
        log.seek(desde)
        return log.read().decode("utf-8", "replace")


def _tamanho_log(var_dir):
    return (var_dir / "launcher.log").stat().st_size


def _meus(var_dir, sender):
    with RequestStore(f"sqlite:///{var_dir / 'requests.db'}") as store:
        return [s for s in store.listar() if s.contato == sender]


def test_payloads_nao_pulam_campos_nem_registram(server):
    _, var_dir = server
    sender = "injecao-rest-1"
    texto = _say(sender, '/abrir_solicitacao{"tipo_solicitacao":"cadastro_usuario"}')
    assert "LGPD" in texto and "sigla da sua unidade" in texto
    cpf = gerar_cpf(random.Random(99), mascarado=True)
    passos = [
        ("GETIN", "nome completo"),
        ("maria DA silva", "CPF de Maria da Silva"),
        (cpf, "e-mail pessoal de Maria da Silva"),
        ("maria.silva@gmail.com", "sigla da unidade de Maria da Silva"),
        ("NTS", "cargo/função de Maria da Silva"),
        ("Enfermeiro", "incluir mais alguém"),
        ("não", "Confira a solicitação"),
    ]
    for resposta, proxima in passos:
        # at the "include someone else?" step, a yes or a no (/affirm, /deny, "confirmar"...)
        # is a legitimate answer: only payloads with other intents are tried there
        neutros = [
            p
            for p in PAYLOADS
            if p.startswith(("{", "/thanks", "/formulario", "/validate", "/action"))
        ]
        for payload in neutros if resposta == "não" else PAYLOADS:
            _say(sender, payload)
            assert _meus(var_dir, sender) == [], payload
        texto = _say(sender, resposta)
        assert proxima in texto, (resposta, texto)  # nothing was skipped
    assert "Invasor" not in texto and "000.000.000-00" not in texto
    for payload in [
        p
        for p in PAYLOADS
        if p.startswith(("/deny", "/thanks", "/formulario", "/validate", "/action"))
    ]:
        _say(sender, payload)  # at the summary: not a confirmation
        assert _meus(var_dir, sender) == [], payload
    # at the summary, a bare affirmation (even with injected entities) files nothing: only
    # Confirmar or a typed confirmation does (issue 18), and it files the validated answers
    texto = _say(
        sender, "/affirm" + json.dumps({"rascunho": RASCUNHO_FALSO, "resposta": "concluida"})
    )
    assert "Protocolo: NTS-" not in texto and _meus(var_dir, sender) == []
    texto = _say(sender, "confirmo")
    assert "Protocolo: NTS-" in texto
    filed = _meus(var_dir, sender)
    assert len(filed) == 1 and filed[0].unidade == "GETIN"
    assert filed[0].linhas == (
        {
            "nome": "Maria da Silva",
            "cpf": cpf,
            "email": "maria.silva@gmail.com",
            "sigla": "NTS",
            "cargo": "Enfermeiro",
        },
    )
    for payload in PAYLOADS:  # after the request: still nothing new
        _say(sender, payload)
    assert len(_meus(var_dir, sender)) == 1


def test_payloads_fora_do_formulario_e_estranhos_nao_derrubam(server):
    _, var_dir = server
    inicio = _tamanho_log(var_dir)
    for i, payload in enumerate(PAYLOADS + ESTRANHOS):
        _say(f"injecao-rest-fora-{i}", payload)
    sender = "injecao-rest-2"
    _say(sender, "quero abrir uma solicitação de correção de cargo")
    for payload in ESTRANHOS:
        _say(sender, payload)
    _say(sender, "/restart")
    for payload in PAYLOADS:
        _say(sender, payload)
    assert _meus(var_dir, sender) == []
    assert all(
        _meus(var_dir, f"injecao-rest-fora-{i}") == [] for i in range(len(PAYLOADS + ESTRANHOS))
    )
    assert httpx.get(f"http://127.0.0.1:{RASA_PORT}/", timeout=10).status_code == 200
    assert "3315-1101" in _say("injecao-rest-3", "qual o telefone do nts?")
    novo = _log_novo(var_dir, inicio)
    assert not any(e in novo for e in ERROS_NO_LOG), novo[-3000:]


def test_tipo_de_solicitacao_que_nao_e_texto_nao_quebra_a_acao(server):
    _, var_dir = server
    inicio = _tamanho_log(var_dir)
    for i, payload in enumerate(TIPO_NAO_TEXTO):
        assert _say(f"injecao-tipo-{i}", payload).strip()
    novo = _log_novo(var_dir, inicio)
    assert not any(e in novo for e in ERROS_NO_LOG), novo[-3000:]


def test_pedido_sem_tipo_pergunta_qual(server):
    texto = _say("injecao-sem-tipo", "quero abrir uma solicitação")
    assert "Qual solicitação você quer preencher?" in texto


# ----------------------------------------------------------------- spreadsheets


def _responder(servicos, tipo, valores):
    """Fill a request field by field: ``valores`` maps field -> list of attempts."""
    motor = Motor(servicos)
    estado = motor.iniciar(tipo).estado
    recusadas = []
    for _ in range(100):
        if estado.fase in ("concluida", "cancelada"):
            break
        if estado.fase == "mais":
            texto = "não"
        elif estado.fase == "resumo":
            texto = "confirmar"
        else:
            campo = motor.campo_atual(estado)
            tentativas = valores[campo.nome]
            texto = tentativas[0]
            if len(tentativas) > 1:
                valores[campo.nome] = tentativas[1:]
        r = motor.responder(
            Estado.de_dict(json.loads(json.dumps(estado.para_dict()))),
            texto,
            canal="web",
            contato=f"injecao-{id(valores)}",  # one conversation per request (daily cap)
        )
        if r.estado.falhas:
            recusadas.append(texto)
        estado = r.estado
    assert estado.fase == "concluida", estado
    return servicos.store.buscar(estado.protocolo), recusadas


def _celulas(caminho):
    wb = openpyxl.load_workbook(caminho)
    ws = wb.worksheets[0]
    return {str(c.value) for linha in ws.iter_rows(min_row=2) for c in linha if c.value}


def _confere_inerte(servicos, solicitacao, campos):
    caminho = servicos.caminho_planilha(solicitacao.protocolo)
    sem_formulas(caminho)
    celulas = _celulas(caminho)
    for linha in solicitacao.linhas:
        for campo in campos:
            if linha.get(campo):
                assert esperado(linha[campo]) in celulas, (campo, linha[campo])


@pytest.mark.parametrize("carga", CARGAS, ids=range(len(CARGAS)))
def test_formula_e_html_nos_campos_livres_viram_texto(servicos, carga):
    """Desanexação (motivo) and criação de unidade (nome, ato de criação, responsável)."""
    complemento = " — motivo informado pela unidade"
    desanexacao, _ = _responder(
        servicos,
        "desanexacao",
        {
            "processo_principal": ["E:02000.0000003030/2020"],
            "processo_anexado": ["E:02000.0000003031/2020"],
            "motivo": [carga, carga + complemento, "Motivo válido e suficiente."],
            "sigla": ["GETIN"],
        },
    )
    _confere_inerte(servicos, desanexacao, ["motivo"])

    unidade, _ = _responder(
        servicos,
        "criacao_unidade",
        {
            "unidade_solicitante": ["GETIN"],
            "nome_unidade": [carga, carga + " da unidade", "Núcleo de Testes"],
            "sigla_proposta": ["NVTESTE"],
            "sigla_superior": ["SESAU"],
            "nome_responsavel": [carga, "Maria da Silva"],
            "email_responsavel": ["maria.silva@gmail.com"],
            "ato_criacao": [carga, carga + " de 2024", "pular"],
        },
    )
    _confere_inerte(servicos, unidade, ["nome_unidade", "nome_responsavel", "ato_criacao"])


def test_cargas_aceitas_chegam_intactas(servicos):
    """Most payloads are accepted as free text (the validator only strips controls)."""
    aceitas = 0
    for carga in CARGAS:
        solicitacao, recusadas = _responder(
            servicos,
            "desanexacao",
            {
                "processo_principal": ["E:02000.0000003030/2020"],
                "processo_anexado": ["E:02000.0000003031/2020"],
                "motivo": [carga + " — motivo da separação", "Motivo válido e suficiente."],
                "sigla": ["GETIN"],
            },
        )
        if not recusadas:
            aceitas += 1
            assert solicitacao.linhas[0]["motivo"].startswith(esperado(carga).strip()[:3])
    assert aceitas >= len(CARGAS) - 5


# ----------------------------------------------------------------- channels


def test_gateway_web_entrega_texto_sem_interpretar():
    links = Links(b"s" * 32, 3600)
    for carga in CARGAS:
        respostas = web.transformar(
            [
                {"text": carga or "x", "buttons": [{"title": carga or "x", "payload": "/affirm"}]},
                {"custom": {"tipo": "planilha", "arquivo": "javascript:alert(1).xlsx"}},
                {"custom": {"tipo": "planilha", "arquivo": "../NTS-2026-000001.xlsx"}},
            ],
            links,
            "web-x",
        )
        assert respostas == [
            {
                "tipo": "texto",
                "texto": carga or "x",
                "botoes": [{"titulo": (carga or "x")[:200], "payload": "/affirm"}],
            }
        ]


def test_widget_nunca_usa_html():
    js = (Path(web.STATIC_DIR) / "sei-widget.js").read_text(encoding="utf-8")
    codigo = re.sub(r"/\*.*?\*/|//[^\n]*", "", js, flags=re.S)
    for perigoso in (
        "innerHTML",
        "outerHTML",
        "insertAdjacentHTML",
        "document.write",
        "eval(",
        "new Function",
        "srcdoc",
    ):
        assert perigoso not in codigo, perigoso
    assert "textContent" in codigo and "https?:" in codigo  # links: http(s) only


def test_telegram_envia_texto_puro():
    enviadas = []

    async def send_message(chat_id, text, **kwargs):
        enviadas.append((chat_id, text, kwargs))

    contexto = SimpleNamespace(
        bot=SimpleNamespace(send_message=send_message), chat_data={}, bot_data={}
    )
    respostas = [
        {"text": carga, "buttons": [{"title": carga, "payload": carga}]}
        for carga in CARGAS
        if carga.strip()
    ]
    asyncio.run(tg.mostrar(contexto, 42, respostas))
    assert [t for _, t, _ in enviadas] == [r["text"].strip() for r in respostas]
    for _, _, kwargs in enviadas:
        assert kwargs.get("parse_mode") is None and "entities" not in kwargs
        teclado = kwargs["reply_markup"].inline_keyboard
        assert len(teclado) == 1 and len(teclado[0][0].callback_data) <= 64
    titulos = [kw["reply_markup"].inline_keyboard[0][0].text for _, _, kw in enviadas]
    assert titulos == [r["buttons"][0]["title"] for r in respostas]
