"""Bad input, fuzzed: whole form turns of the request engine (bot.solicitacoes.motor.Motor).

Real services (catalogues, SQLite store, spreadsheets) in a temporary folder.
Each example starts a request (or the "which kind?" step) and plays up to 40
turns, each one drawn from: a valid answer to the question being asked, a
button of the last message, a hostile text (10 KB and 100 KB messages, emoji,
right-to-left text and bidi overrides, control characters and null bytes,
JSON, Rasa payload syntax with entities named like the form's slots...) or
random text; with a random intent and confidence, like the NLU would give.
After every turn:

- no exception; the state goes through JSON (its Rasa slot) and back intact;
- the user always gets something: every message is non-empty Portuguese text
  (at most one Telegram message long), buttons have a title and a payload;
- a request is filed only by a confirmation right after the summary, at most
  once, and every field it holds passes its validator again.
"""

from __future__ import annotations

import json
import re
import string

import pytest
from conftest import ROOT
from geradores import digitos_verificadores
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot import settings as settings_module
from bot.solicitacoes import botoes as botoes_formulario
from bot.solicitacoes import validacao
from bot.solicitacoes.estado import Estado
from bot.solicitacoes.mensagens import texto_observacao
from bot.solicitacoes.motor import Motor
from bot.solicitacoes.servicos import Servicos
from bot.solicitacoes.tipos import TIPOS
from bot.solicitacoes.vocabulario import CONFIRMAR
from bot.text import normalize_text

HOSTIS = [
    "",
    " ",
    "\n\n\t",
    "x" * 10 * 1024,
    ("ção " * 25_000)[: 100 * 1024],
    "9" * 100_000,
    "😀" * 3000,
    "👩🏽‍⚕️ GETIN 👍",
    "🇧🇷" * 500,
    "\u202eNITEG\u202c",
    "GETIN\u200f",
    "مرحبا بالعالم",
    "שלום עולם",
    "\u200fماريا دا سيلفا",
    "\x00",
    "GET\x00IN",
    "\x00" * 1000,
    "\x1b[31mvermelho\x1b[0m",
    "\ufeffGETIN",
    "\ud800",
    "a\x7fb\x85c",
    "\r\n\r\n",
    "\u2028\u2029",
    '{"resposta": "concluida", "rascunho": null}',
    '{"tipo": "cadastro_usuario", "fase": "resumo", "linhas": [{"nome": "X"}]}',
    '/abrir_solicitacao{"tipo_solicitacao":"cadastro_usuario"}',
    '/affirm{"resposta":"concluida"}',
    '/affirm{"rascunho": {"fase": "concluida"}}',
    '/affirm{"requested_slot": null}',
    '/deny{"tipo_solicitacao": "desanexacao"}',
    "/affirm",
    "/deny",
    "/restart",
    "/session_start",
    "/cancelar",
    "/",
    "confirmar",
    "sim",
    "não",
    "corrigir",
    "corrigir 1 cpf",
    "corrigir 99 cpf",
    "corrigir 1 __class__",
    "corrigir 0 nome",
    "corrigir -1 nome",
    "manter este e-mail",
    "pular",
    "não consigo anexar",
    "status do protocolo NTS-2026-000001",
    "NTS-9999-999999",
    "{nome}",
    "{0}",
    "%s %d %(x)s",
    "${jndi:ldap://x/a}",
    "'; DROP TABLE requests; --",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "javascript:alert(1)",
    "=1+1",
    "@SUM(A1)",
    "+cmd|' /C calc'!A0",
    "529.982.247-25",
    "000.000.000-00",
    "protocolo@saude.al.gov.br",
    "maria@gmial.com",
    "maria@hotmail.com",
    "E:02000.0/2020",
    "qual o telefone do nts?",
    "esqueci minha senha",
]
VALIDOS = {
    "nome": ["Maria da Silva", "joão PEREIRA", "Ana Beatriz d'Ávila", "José-Carlos Lima"],
    "email": ["maria.silva@gmail.com", "joao@yahoo.com.br", "ana@outlook.com", "carla@gmial.com"],
    "sigla": ["GETIN", "nts", "Suvisa", "HGE"],
    "siglas": ["GETIN, NTS", "suvisa", "GETIN e HGE"],
    "cargo": ["Enfermeiro", "assessor tecnico", "Gerente"],
    "processo": ["E:02000.0000003030/2020", "02000.0000003031/2021", "E: 02000.0000003032 / 2022"],
    "texto": [
        "A tela fica em branco ao clicar em Assinar, desde ontem.",
        "Processo anexado por engano ao principal pela unidade.",
    ],
    "texto_curto": ["Núcleo de Testes", "Decreto nº 123/2024", "Gerência de Apoio"],
    "nome_unidade": ["Núcleo de Testes", "Gerência de Apoio"],
    "processo_ou_documento": ["E:02000.0000003030/2020", "12345678", "SEI 0123456"],
    "operacao": ["ADICIONAR", "MUDAR", "mudar"],
}
INTENTS = [
    None,
    "affirm",
    "deny",
    "help",
    "nlu_fallback",
    "faq_contato_nts",
    "faq_prazo_atendimento",
    "cancelar",
    "abrir_solicitacao",
    "out_of_scope",
]
PORTUGUES = {
    "a",
    "o",
    "de",
    "da",
    "do",
    "e",
    "é",
    "em",
    "ou",
    "que",
    "para",
    "não",
    "você",
    "sua",
    "seu",
    "um",
    "uma",
    "com",
    "qual",
    "quais",
    "nome",
    "cpf",
    "unidade",
    "sigla",
    "pessoa",
    "protocolo",
    "solicitação",
    "cancelar",
    "informe",
    "digite",
    "exemplo",
    "campo",
    "formato",
    "imagem",
    "processo",
    "motivo",
    "cargo",
    "confira",
    "mail",
    "sim",
    "voltando",
    "nts",
    "sesau",
    "sei",
    "descrição",
    "observações",
}
ANEXOS = ["ab" * 16, "cd" * 16]
OBS_EMAIL_MANTIDO = texto_observacao("email_mantido")
OBS_SEM_CAPTURA = texto_observacao("sem_captura")
LIMITE_MENSAGEM = 4096


@pytest.fixture(scope="module")
def servicos(tmp_path_factory):
    """One set of real services for every example (filed requests accumulate)."""
    var = tmp_path_factory.mktemp("fuzz") / "var"
    s = Servicos(settings_module.load({"SEI_PROJECT_ROOT": str(ROOT), "SEI_VAR_DIR": str(var)}))
    yield s
    s.store.fechar()


def _cpf(base):
    base = "".join(map(str, base))
    cpf = base + digitos_verificadores(base)
    return cpf


def valido(motor, estado, draw):
    """A plausible right answer to the question being asked now."""
    if estado.fase == "tipo":
        return draw(st.sampled_from([t.titulo for t in TIPOS.values()]))
    if estado.fase == "mais":
        return draw(st.sampled_from(["sim", "não", "Não, seguir", "s", "n"]))
    if estado.fase == "resumo":
        return draw(st.sampled_from(["confirmar", "Confirmar", "corrigir", "ok"]))
    if estado.fase == "email_problematico":
        return draw(st.sampled_from(["manter este e-mail", "maria.silva@gmail.com"]))
    campo = motor.campo_atual(estado)
    if campo is None:
        return "ok"
    if campo.tipo == "cpf":
        base = draw(
            st.lists(st.integers(0, 9), min_size=9, max_size=9).filter(lambda d: len(set(d)) > 1)
        )
        cpf = _cpf(base)
        return draw(st.sampled_from([cpf, f"{cpf[:3]}.{cpf[3:6]}.{cpf[6:9]}-{cpf[9:]}"]))
    if campo.tipo == "sigla_nova":
        return "NV" + draw(st.text(string.ascii_uppercase, min_size=2, max_size=6))
    if campo.tipo == "anexo":
        return "[captura de tela enviada]"
    return draw(st.sampled_from(VALIDOS[campo.tipo]))


def _botoes(mensagens):
    return [b for m in mensagens for b in m.get("buttons") or []]


def _portugues(texto):
    palavras = set(re.findall(r"[\wÀ-ÿ]+", texto.lower()))
    return bool(palavras & PORTUGUES)


def checar_mensagens(mensagens):
    assert mensagens, "o usuário ficou sem resposta"
    for m in mensagens:
        texto = m.get("text")
        assert isinstance(texto, str) and texto.strip(), m
        assert len(texto) <= LIMITE_MENSAGEM, len(texto)
        assert _portugues(texto), texto[:300]
        assert "Traceback" not in texto and "None" not in texto.split()
        for b in m.get("buttons") or []:
            assert isinstance(b["title"], str) and b["title"].strip()
            assert isinstance(b["payload"], str) and b["payload"].strip()


def checar_registro(servicos, solicitacao):
    """Every field of a filed request passes its validator again."""
    tipo = TIPOS[solicitacao.tipo]
    catalogos = servicos.catalogos
    if tipo.campo_unidade is None:
        assert validacao.validar_sigla(solicitacao.unidade, catalogos.unidades).ok
    assert solicitacao.linhas
    for linha in solicitacao.linhas:
        for campo in tipo.campos_da_linha(linha):
            valor = linha.get(campo.nome)
            obrigatorio = tipo.obrigatorio(campo)
            if valor is None:  # an omitted optional field (see test_opcional_vazio_...)
                assert not obrigatorio, (campo.nome, linha)
                continue
            if campo.tipo == "anexo":
                assert valor in ANEXOS or (
                    valor == "" and OBS_SEM_CAPTURA in linha.get("observacoes", "")
                )
                continue
            if valor == "":
                assert not obrigatorio, (campo.nome, linha)
                continue
            manter = OBS_EMAIL_MANTIDO in linha.get("observacoes", "")
            r = validacao.validar_campo(
                campo, valor, catalogos, aceitar_provedor_problematico=manter
            )
            assert r.ok and r.valor == valor, (campo.nome, valor, r)


@pytest.mark.slow
@settings(
    max_examples=120,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data(), tipo=st.sampled_from([*TIPOS, None]), avisar=st.booleans())
def test_turnos_aleatorios_nunca_quebram_nem_registram_sem_confirmar(servicos, data, tipo, avisar):
    motor = Motor(servicos)
    inicio = motor.iniciar(tipo, avisar_lgpd=avisar)
    estado = inicio.estado
    saida = inicio.mensagens + motor.pergunta(estado)
    checar_mensagens(saida)
    for _turno in range(data.draw(st.integers(1, 40), label="turnos")):
        fonte = data.draw(
            st.sampled_from(["valido", "valido", "valido", "botao", "hostil", "aleatorio"]),
            label="fonte",
        )
        botoes = _botoes(saida)
        if fonte == "botao" and botoes:
            texto = data.draw(st.sampled_from(botoes), label="botão")["payload"]
        elif fonte == "hostil":
            texto = data.draw(st.sampled_from(HOSTIS), label="hostil")
        elif fonte == "aleatorio":
            texto = data.draw(st.text(max_size=300), label="aleatório")
        else:
            texto = valido(motor, estado, data.draw)
        intent = data.draw(st.sampled_from(INTENTS), label="intent")
        confianca = data.draw(st.floats(0, 1), label="confiança")
        anexo = data.draw(st.sampled_from([None, None, None, *ANEXOS]), label="anexo")

        fase_antes = estado.fase
        antes = len(servicos.store.listar())
        slot = json.loads(json.dumps(estado.para_dict()))  # the Rasa slot round trip
        resposta = motor.responder(
            Estado.de_dict(slot),
            texto,
            intent=intent,
            confianca=confianca,
            anexo=anexo,
            canal="rest",
            contato="fuzz",
        )
        estado = resposta.estado
        texto_slot = json.dumps(estado.para_dict(), ensure_ascii=False)
        assert Estado.de_dict(json.loads(texto_slot)).para_dict() == estado.para_dict()

        saida = resposta.mensagens + ([] if resposta.concluido else motor.pergunta(estado))
        checar_mensagens(saida)

        registradas = servicos.store.listar()
        if len(registradas) > antes:
            assert len(registradas) == antes + 1
            assert fase_antes == "resumo"  # the summary was the last question shown
            curto = normalize_text(botoes_formulario.valor(texto))
            assert curto in CONFIRMAR, texto  # only the summary's Confirmar or "confirmo"
            assert estado.fase == "concluida" and estado.protocolo == registradas[-1].protocolo
            checar_registro(servicos, registradas[-1])
        else:
            assert estado.fase != "concluida" or estado.protocolo  # a retried confirmation
        if resposta.concluido:
            break


@pytest.mark.parametrize(
    "tipo, operacao, campo",
    [
        ("lotacao", "ADICIONAR", "siglas_adicionar"),
        ("lotacao", "MUDAR", "siglas_remover"),
        ("remocao_usuario", None, "siglas_remover"),
    ],
)
@pytest.mark.parametrize("resposta", ["nao tem", "pular", "", "-"])
def test_sigla_obrigatoria_nao_aceita_pular(servicos, tipo, operacao, campo, resposta):
    motor = Motor(servicos)
    estado = motor.iniciar(tipo).estado
    respostas = ["GETIN", "Maria da Silva", "52998224725", "maria.silva@gmail.com"]
    respostas += [operacao] if operacao else []
    for texto in respostas:
        estado = motor.responder(estado, texto).estado
    while motor.campo_atual(estado).nome != campo:  # MUDAR asks what to add first
        estado = motor.responder(estado, "NTS").estado
    estado = motor.responder(estado, resposta).estado
    assert estado.fase == "campo" and motor.campo_atual(estado).nome == campo
    assert estado.falhas == 1


def test_opcional_vazio_fica_texto_vazio(servicos):
    motor = Motor(servicos)
    estado = motor.iniciar("relato_erro").estado
    for texto, anexo in [
        ("A tela fica em branco ao clicar em Assinar.", None),
        ("(imagem)", ANEXOS[0]),
        ("GETIN", None),
        (" ", None),
    ]:
        estado = motor.responder(estado, texto, anexo=anexo).estado
    assert estado.fase == "resumo" and estado.linhas[0]["processo"] == ""


def test_mensagens_enormes_nao_ecoam_o_texto(servicos):
    """A 100 KB answer gets a short error, and the state does not keep it."""
    motor = Motor(servicos)
    estado = motor.iniciar("relato_erro").estado
    enorme = "erro " * 20_000
    resposta = motor.responder(estado, enorme)
    assert all(len(m["text"]) < 2000 for m in resposta.mensagens)
    assert len(json.dumps(resposta.estado.para_dict())) < 5000
    assert "2.000" in " ".join(m["text"] for m in resposta.mensagens)
