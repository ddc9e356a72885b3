"""Property (issue 18): earlier buttons and payloads never file or change data.

A seeded generator replays conversations of every kind over the engine with
real services; at random later steps it taps a button offered earlier or
resends an earlier answer. Nothing is filed but by the summary's own
confirmation, and no stored value changes except the one being asked or
corrected.
"""

import copy
import random

import pytest
from geradores import gerar_cpf

from bot.solicitacoes import botoes
from bot.solicitacoes import vocabulario as v
from bot.solicitacoes.estado import Estado
from bot.solicitacoes.motor import Motor
from bot.solicitacoes.tipos import TIPOS
from bot.text import normalize_text

VALIDOS = {
    "nome": ["Maria da Silva", "João Pereira", "Ana Beatriz Lima"],
    "email": ["maria.silva@gmail.com", "joao.p@yahoo.com.br", "ana.lima@outlook.com"],
    "sigla": ["GETIN", "NTS", "SUVISA", "HGE"],
    "siglas": ["GETIN, NTS", "SUVISA", "HGE"],
    "cargo": ["Enfermeiro", "Assessor Técnico", "Gerente"],
    "processo": ["E:02000.0000003030/2020", "02000.0000003031/2021"],
    "texto": ["A tela fica em branco ao clicar em Assinar, desde ontem."],
    "texto_curto": ["Núcleo de Testes", "Gerência de Apoio"],
    "operacao": ["ADICIONAR", "MUDAR"],
}
# The summary's own button and the explicit typed confirmations.
CONFIRMACOES = {normalize_text(v.RESPOSTA_CONFIRMAR), "confirmo", "pode enviar"}
ANEXO = "ab" * 16
SEMENTES = range(20)


def _valido(motor, estado, rng, linhas):
    """A plausible right answer now: (text, attachment)."""
    if estado.fase == "mais":
        return ("não" if linhas >= 2 or rng.random() < 0.5 else "sim"), None
    if estado.fase == "resumo":
        return "confirmar", None
    if estado.fase == "email_problematico":
        return "manter este e-mail", None
    campo = motor.campo_atual(estado)
    if campo is None:
        return "confirmar", None
    if campo.tipo == "cpf":
        return gerar_cpf(rng), None
    if campo.tipo == "anexo":
        return "", ANEXO
    if campo.tipo == "sigla_nova":
        return "NV" + "".join(rng.choice("QWXYZ") for _ in range(4)), None
    return rng.choice(VALIDOS.get(campo.tipo, ["Texto qualquer de teste"])), None


def _conferir(motor, antes, depois, texto):
    """The invariants of one turn."""
    toque = botoes.ler(texto)
    if toque is not None and toque.passo != antes.passo():
        # a button of an earlier question: refused, nothing at all changes
        assert depois.para_dict() == antes.para_dict(), texto
        return True
    if depois.fase == "concluida":
        assert antes.fase == "resumo", f"filed from {antes.fase} by {texto!r}"
        assert normalize_text(botoes.valor(texto)) in CONFIRMACOES, f"filed by {texto!r}"
    if depois.fase == "cancelada":
        return False
    atual = motor.campo_atual(antes) if antes.fase in ("campo", "email_problematico") else None
    for i, linha in enumerate(antes.linhas):
        for nome, valor in linha.items():
            if antes.correcao and list(antes.correcao) == [i, nome]:
                continue
            if antes.correcao and antes.correcao[0] == i and nome not in depois.linhas[i]:
                continue  # a dependent dropped by the corrected field
            assert depois.linhas[i].get(nome) == valor, f"row {i} {nome} changed by {texto!r}"
    if not antes.correcao:
        for nome, valor in antes.linha.items():
            if atual is not None and nome in (atual.nome, "observacoes"):
                continue
            novo = depois.linhas[-1] if len(depois.linhas) > len(antes.linhas) else depois.linha
            if nome in novo:
                assert novo[nome] == valor, f"{nome} changed by {texto!r}"
    return False


@pytest.mark.parametrize("tipo", sorted(TIPOS))
@pytest.mark.parametrize("semente", SEMENTES)
def test_earlier_buttons_never_file_nor_change_data(servicos, tipo, semente):
    rng = random.Random(f"{tipo}-{semente}")
    motor = Motor(servicos)
    resposta = motor.iniciar(tipo)
    estado = resposta.estado
    antigos: list[str] = []  # payloads of buttons offered before
    respostas: list[str] = []  # earlier typed answers
    recusados = 0  # earlier buttons refused
    houve_vencidos = False  # some button offered before was no longer current
    oferecidos = [b["payload"] for m in motor.pergunta(estado) for b in m.get("buttons", [])]
    for _ in range(120):
        if estado.fase in ("concluida", "cancelada"):
            break
        sorteio = rng.random()
        vencidos = [p for p in antigos if (botoes.ler(p) or estado).passo != estado.passo()]
        houve_vencidos = houve_vencidos or bool(vencidos)
        if not recusados and vencidos:
            texto, anexo = rng.choice(vencidos), None  # at least one, as soon as there is one
        elif antigos and sorteio < 0.3:
            texto, anexo = rng.choice(antigos), None
        elif respostas and sorteio < 0.4:
            texto, anexo = rng.choice(respostas), None
        else:
            texto, anexo = _valido(motor, estado, rng, len(estado.linhas))
        antes = copy.deepcopy(estado)
        resposta = motor.responder(
            Estado.de_dict(estado.para_dict()), texto, anexo=anexo, contato="propriedade"
        )
        if _conferir(motor, antes, resposta.estado, texto):
            recusados += 1
            assert resposta.mensagens[0]["text"].startswith("Essa opção era de uma pergunta")
        estado = resposta.estado
        if texto:
            respostas.append(texto)
        antigos.extend(p for p in oferecidos if p not in antigos)  # now earlier buttons
        oferecidos = [b["payload"] for m in resposta.mensagens for b in m.get("buttons", [])]
        if not resposta.concluido:
            oferecidos += [
                b["payload"] for m in motor.pergunta(estado) for b in m.get("buttons", [])
            ]
    exercitado = recusados > 0 or not houve_vencidos
    assert exercitado, "no earlier button was tapped: the property was not exercised"
