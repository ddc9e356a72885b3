"""The request conversation engine, on real catalogues, store and spreadsheets."""

import openpyxl
import pytest
from geradores import gerar_cpf

from bot.solicitacoes import botoes
from bot.solicitacoes.estado import Estado
from bot.solicitacoes.mensagens import entrada, texto, texto_observacao
from bot.solicitacoes.motor import Motor
from bot.solicitacoes.tipos import TIPOS, UNIDADE_SOLICITANTE

AVISO_LGPD = texto("aviso_lgpd", dias=90)  # SEI_RETENCAO_DIAS default
OBS_EMAIL_MANTIDO = texto_observacao("email_mantido")
OBS_SEM_CAPTURA = texto_observacao("sem_captura")


class Conversa:
    """Drives the engine like the Rasa form does: answer, then ask."""

    def __init__(self, servicos, tipo, avisar_lgpd=True):
        self.motor = Motor(servicos)
        resposta = self.motor.iniciar(tipo, avisar_lgpd)
        self.estado = resposta.estado
        self.saida = resposta.mensagens + self.motor.pergunta(self.estado)

    def diz(self, texto, intent=None, confianca=0.0, anexo=None):
        # the state goes through its slot form (JSON) on every turn, like in Rasa
        estado = Estado.de_dict(self.estado.para_dict())
        resposta = self.motor.responder(
            estado,
            texto,
            intent=intent,
            confianca=confianca,
            anexo=anexo,
            canal="rest",
            contato="conversa-teste",
        )
        self.estado = resposta.estado
        self.saida = resposta.mensagens
        if not resposta.concluido:
            self.saida = self.saida + self.motor.pergunta(self.estado)
        return self

    @property
    def texto(self):
        return "\n".join(m.get("text") or "" for m in self.saida)

    @property
    def botoes(self):
        """The buttons shown, each with the answer its payload stands for."""
        return [
            {**b, "payload": botoes.valor(b["payload"])}
            for m in self.saida
            for b in m.get("buttons", [])
        ]

    def toca(self, titulo):
        """Tap the button titled ``titulo`` of the last reply (its real payload)."""
        brutos = [b for m in self.saida for b in m.get("buttons", [])]
        return self.diz(next(b["payload"] for b in brutos if b["title"] == titulo))


def _pessoa(c, rng, nome="maria DA silva", email=None):
    cpf = gerar_cpf(rng)
    c.diz(nome).diz(cpf).diz(email or "maria.silva@gmail.com")
    return cpf


def test_cadastro_two_people_files_once_with_spreadsheet(servicos, rng):
    c = Conversa(servicos, "cadastro_usuario")
    assert AVISO_LGPD in c.texto and "sigla da sua unidade" in c.texto
    c.diz("getin")
    assert "nome completo da pessoa" in c.texto
    cpf1 = _pessoa(c, rng)
    assert "sigla da unidade de Maria da Silva" in c.texto
    c.diz("NTS").diz("analista de saude")
    assert "incluir mais alguém" in c.texto
    c.diz("sim")
    assert "nome completo da pessoa 2" in c.texto
    cpf2 = _pessoa(c, rng, nome="joão pereira", email="joao.pereira@yahoo.com.br")
    c.diz("suvisa").diz("Enfermeiro").diz("não")
    assert "Confira a solicitação" in c.texto
    assert "Unidade solicitante: GETIN" in c.texto and "Pessoa 2:" in c.texto
    assert [b["title"] for b in c.botoes] == ["Confirmar", "Corrigir um campo", "Cancelar"]
    c.diz("confirmar")
    assert c.estado.fase == "concluida"
    protocolo = c.estado.protocolo
    assert protocolo.startswith("NTS-") and protocolo in c.texto
    assert "72 horas" in c.texto and f"status do protocolo {protocolo}" in c.texto
    planilha = next(m for m in c.saida if (m.get("custom") or {}).get("tipo") == "planilha")[
        "custom"
    ]
    assert planilha == {"tipo": "planilha", "protocolo": protocolo, "arquivo": f"{protocolo}.xlsx"}

    salvo = servicos.store.buscar(protocolo)
    assert salvo.unidade == "GETIN" and salvo.canal == "rest"
    assert [ln["cpf"].replace(".", "").replace("-", "") for ln in salvo.linhas] == [cpf1, cpf2]
    assert salvo.linhas[0]["nome"] == "Maria da Silva"
    ws = openpyxl.load_workbook(servicos.caminho_planilha(protocolo))["Cadastro de Usuários"]
    valores = [c.value for row in ws.iter_rows() for c in row]
    assert "Maria da Silva" in valores and "João Pereira" in valores
    # filing is idempotent on the form instance: a retried submit files nothing new
    again = servicos.registrar(c.estado, "rest", "conversa-teste")
    assert again.protocolo == protocolo and len(servicos.store.listar()) == 1


def test_bad_cpf_keeps_what_was_typed_and_explains_after_two_failures(servicos, rng):
    c = Conversa(servicos, "correcao_cargo")
    c.diz("GETIN").diz("Ana Beatriz Lima")
    c.diz("123.456.789-00")
    assert "CPF" in c.texto and "Qual o CPF de Ana Beatriz Lima" in c.texto
    assert not any(b["payload"] == "cancelar" for b in c.botoes)
    c.diz("1234567890")
    assert "Formato esperado: 11 dígitos" in c.texto
    assert {"title": "Cancelar solicitação", "payload": "cancelar"} in c.botoes
    assert c.estado.linha["nome"] == "Ana Beatriz Lima"
    c.diz(gerar_cpf(rng, mascarado=True))
    assert "cargo correto de Ana Beatriz Lima" in c.texto and c.estado.falhas == 0


def test_hotmail_needs_explicit_confirmation_and_is_flagged(servicos, rng):
    c = Conversa(servicos, "atualizacao_email")
    c.diz("Carlos Souza").diz(gerar_cpf(rng)).diz("carlos.souza@hotmail.com")
    assert c.estado.fase == "email_problematico"
    assert "Manter este e-mail" in [b["title"] for b in c.botoes]
    c.diz("manter este e-mail")
    assert "unidade de lotação atual de Carlos Souza" in c.texto
    assert c.estado.linha["email"] == "carlos.souza@hotmail.com"
    assert c.estado.linha["observacoes"] == OBS_EMAIL_MANTIDO


def test_hotmail_then_another_address_is_not_flagged(servicos, rng):
    c = Conversa(servicos, "atualizacao_email")
    c.diz("Carlos Souza").diz(gerar_cpf(rng)).diz("carlos@outlook.com")
    c.diz("carlos.souza@gmail.com")
    assert c.estado.fase == "campo" and "observacoes" not in c.estado.linha
    assert c.estado.linha["email"] == "carlos.souza@gmail.com"


def test_collective_mailbox_rejected_and_domain_typo_suggested(servicos, rng):
    c = Conversa(servicos, "cadastro_usuario")
    c.diz("GETIN").diz("Paula Mendes").diz(gerar_cpf(rng))
    c.diz("protocolo@saude.al.gov.br")
    assert "coletiv" in c.texto and "email" not in c.estado.linha
    c.diz("paula.mendes@gmial.com")
    assert {"title": "paula.mendes@gmail.com", "payload": "paula.mendes@gmail.com"} in c.botoes
    c.diz("paula.mendes@gmail.com")
    assert c.estado.linha["email"] == "paula.mendes@gmail.com"


def test_unknown_sigla_offers_closest_as_buttons(servicos):
    c = Conversa(servicos, "criacao_unidade")
    c.diz("GETN")
    assert "GETIN" in [b["payload"] for b in c.botoes]
    c.diz("GETIN")
    assert c.estado.unidade == "GETIN"


def test_correction_reasks_only_that_field(servicos, rng):
    c = Conversa(servicos, "correcao_cargo")
    c.diz("GETIN").diz("Ana Beatriz Lima").diz(gerar_cpf(rng)).diz("Enfermeiro")
    assert c.estado.fase == "resumo"
    c.diz("corrigir")
    payloads = [b["payload"] for b in c.botoes]
    assert "corrigir 1 cpf" in payloads and "corrigir 1 unidade_solicitante" in payloads
    novo = gerar_cpf(rng, mascarado=True)
    c.diz("corrigir 1 cpf")
    assert "Corrigindo. Qual o CPF de Ana Beatriz Lima" in c.texto
    c.diz(novo)
    assert c.estado.fase == "resumo" and novo in c.texto
    assert c.estado.linhas[0]["nome"] == "Ana Beatriz Lima"
    assert c.estado.linhas[0]["cargo"] == "Enfermeiro"


def test_changing_operation_to_mudar_asks_the_new_required_field(servicos, rng):
    c = Conversa(servicos, "lotacao")
    c.diz("GETIN").diz("Rita Alves").diz(gerar_cpf(rng)).diz("rita.alves@gmail.com")
    assert [b["payload"] for b in c.botoes] == ["ADICIONAR", "MUDAR"]
    c.diz("ADICIONAR").diz("NTS")
    assert "incluir mais alguém" in c.texto
    c.diz("não").diz("corrigir").diz("corrigir 1 operacao").diz("MUDAR")
    assert "remover de Rita Alves" in c.texto
    c.diz("GETIN")
    assert c.estado.fase == "resumo"
    assert c.estado.linhas[0]["siglas_remover"] == "GETIN"


def test_removal_sets_operation_and_asks_units_to_unlink(servicos, rng):
    c = Conversa(servicos, "remocao_usuario")
    c.diz("GETIN").diz("Rita Alves").diz(gerar_cpf(rng)).diz("rita.alves@gmail.com")
    assert "De qual(is) unidade(s) Rita Alves deve ser desligado(a)?" in c.texto
    c.diz("NTS, suvisa").diz("não").diz("confirmar")
    linha = servicos.store.buscar(c.estado.protocolo).linhas[0]
    assert linha["operacao"] == "REMOVER" and linha["siglas_remover"] == "NTS, SUVISA"


def test_cancel_at_any_time_files_nothing(servicos, rng):
    c = Conversa(servicos, "cadastro_usuario")
    c.diz("GETIN").diz("Rita Alves").diz("cancelar")
    assert c.estado.fase == "cancelada" and "Nada foi enviado" in c.texto
    assert servicos.store.listar() == []


def test_faq_in_the_middle_answers_and_returns(servicos, rng):
    c = Conversa(servicos, "cadastro_usuario")
    c.diz("GETIN").diz("Rita Alves")
    c.diz("em quanto tempo isso fica pronto?", intent="faq_prazo_atendimento", confianca=0.93)
    assert "72 horas" in c.texto and "Voltando à sua solicitação" in c.texto
    assert "Qual o CPF de Rita Alves" in c.texto and c.estado.falhas == 0
    # a question in a free-text field is not taken as a name
    c2 = Conversa(servicos, "cadastro_usuario")
    c2.diz("GETIN").diz("quem administra o sei?", intent="faq_quem_administra", confianca=0.97)
    assert "SEPLAG" in c2.texto and "nome" not in c2.estado.linha


def test_status_question_in_the_middle(servicos, rng):
    c = Conversa(servicos, "cadastro_usuario")
    c.diz("GETIN")
    c.diz("qual o status do NTS-2026-000999?", intent="consultar_status", confianca=0.9)
    assert "Não encontrei o protocolo NTS-2026-000999" in c.texto
    assert "nome completo" in c.texto


def test_error_report_without_attachment_is_recorded_so(servicos):
    c = Conversa(servicos, "relato_erro")
    c.diz("Ao incluir documento aparece erro 500 desde ontem de manhã.")
    assert "captura da tela" in c.texto
    c.diz("oi?")  # a greeting: the open form is recalled (issue 18, item 12)
    assert "Você está preenchendo uma solicitação de relato de erro" in c.texto
    assert "captura da tela" in c.texto
    c.diz("já foi")
    assert "Não recebi nenhuma imagem" in c.texto
    c.diz("não consigo anexar").diz("GETIN").diz("pular").diz("confirmar")
    salvo = servicos.store.buscar(c.estado.protocolo)
    assert salvo.anexo is None and salvo.linhas[0]["observacoes"] == OBS_SEM_CAPTURA
    assert salvo.unidade == "GETIN"
    assert not [m for m in c.saida if (m.get("custom") or {}).get("tipo") == "planilha"]


def test_error_report_with_attachment_reference(servicos):
    c = Conversa(servicos, "relato_erro")
    c.diz("O botão de assinar não responde no Chrome.")
    c.diz("(imagem)", anexo="ab" * 16)
    c.diz("GETIN").diz("02000.0000003030/2020").diz("confirmar")
    salvo = servicos.store.buscar(c.estado.protocolo)
    assert salvo.anexo == "ab" * 16
    assert salvo.linhas[0]["processo"] == "E:02000.0000003030/2020"


def test_desanexacao_has_48_hours(servicos):
    c = Conversa(servicos, "desanexacao")
    c.diz("E:02000.0000003030/2020").diz("e: 02000.0000004040 / 2021")
    c.diz("Processos anexados por engano pela unidade.").diz("GETIN").diz("confirmar")
    assert "48 horas" in c.texto
    salvo = servicos.store.buscar(c.estado.protocolo)
    assert salvo.linhas[0]["processo_anexado"] == "E:02000.0000004040/2021"
    assert (salvo.prazo_em - salvo.criada_em).total_seconds() == 48 * 3600


def test_same_cpf_twice_in_one_request_is_refused(servicos, rng):
    c = Conversa(servicos, "cadastro_usuario")
    cpf = gerar_cpf(rng)
    c.diz("GETIN").diz("Rita Alves").diz(cpf).diz("rita@gmail.com").diz("NTS")
    c.diz("Enfermeiro").diz("sim").diz("Outra Pessoa").diz(cpf)
    assert "Esse valor de CPF já foi incluído nesta solicitação (pessoa 1)" in c.texto


def test_store_failure_keeps_data_and_asks_to_retry(servicos, rng, monkeypatch):
    c = Conversa(servicos, "correcao_cargo")
    c.diz("GETIN").diz("Ana Lima").diz(gerar_cpf(rng)).diz("Enfermeiro")

    def quebrado(*args, **kwargs):
        raise OSError("disco cheio")

    monkeypatch.setattr(type(servicos.store), "registrar", quebrado)
    c.diz("confirmar")
    assert "Não consegui registrar" in c.texto and c.estado.fase == "resumo"
    monkeypatch.undo()
    c.diz("confirmar")
    assert c.estado.fase == "concluida"


def test_unknown_kind_is_asked_first(servicos):
    c = Conversa(servicos, None)
    assert "Qual solicitação" in c.texto and len(c.botoes) == 8
    c.diz("Correção de cargo")
    assert c.estado.tipo == "correcao_cargo" and AVISO_LGPD in c.texto


def test_lgpd_notice_only_once_per_conversation(servicos):
    assert AVISO_LGPD not in Conversa(servicos, "correcao_cargo", avisar_lgpd=False).texto


@pytest.mark.parametrize(
    "tipo, primeiro",
    [
        ("cadastro_usuario", "unidade_solicitante"),
        ("lotacao", "unidade_solicitante"),
        ("remocao_usuario", "unidade_solicitante"),
        ("criacao_unidade", "unidade_solicitante"),
        ("relato_erro", "descricao"),
        ("atualizacao_email", "nome"),
        ("correcao_cargo", "unidade_solicitante"),
        ("desanexacao", "processo_principal"),
    ],
)
def test_every_kind_starts_with_its_first_question(servicos, tipo, primeiro):
    c = Conversa(servicos, tipo)
    assert c.motor.campo_atual(c.estado).nome == primeiro
    introducao, _aviso, pergunta = c.saida
    assert introducao["text"].startswith(
        f"Vamos preencher a solicitação de {TIPOS[tipo].no_texto}."
    )
    assert 'digite "cancelar"' in introducao["text"]
    assert pergunta["text"] and "{" not in pergunta["text"] and "}" not in pergunta["text"]


def test_every_field_has_a_question_and_a_format():
    perguntas, formatos = entrada("perguntas"), entrada("formatos")
    for tipo in TIPOS.values():
        for campo in (UNIDADE_SOLICITANTE, *tipo.campos_da_linha({"operacao": "MUDAR"})):
            assert campo.nome in perguntas, (tipo.chave, campo.nome)
            assert campo.tipo in formatos, (tipo.chave, campo.tipo)
    for chave, do_tipo in entrada("perguntas_do_tipo").items():
        assert set(do_tipo) <= {c.nome for c in TIPOS[chave].campos}, chave


def test_new_value_drops_the_observation_of_the_old_one(servicos, rng):
    c = Conversa(servicos, "relato_erro")
    c.diz("O botão de assinar não responde no Chrome.").diz("não consigo anexar")
    c.diz("GETIN").diz("pular")
    assert c.estado.linhas[0]["observacoes"] == OBS_SEM_CAPTURA
    c.diz("corrigir").diz("corrigir 1 captura").diz("(imagem)", anexo="cd" * 16)
    assert c.estado.fase == "resumo" and "observacoes" not in c.estado.linhas[0]
    assert "imagem recebida" in c.texto


def test_image_sent_when_another_field_is_asked(servicos):
    c = Conversa(servicos, "cadastro_usuario")
    c.diz("[captura de tela enviada]", anexo="ef" * 16)
    assert "Recebi uma imagem" in c.texto and "sigla da sua unidade" in c.texto
    assert c.estado.unidade is None and c.estado.falhas == 0


@pytest.mark.parametrize(
    ("resposta", "intent"), [("sim", None), ("Sim, incluir", "affirm"), ("ok", None)]
)
def test_bare_yes_at_summary_files_nothing(servicos, rng, resposta, intent):
    # issue 18, item 1: the earlier "Sim, incluir" button (payload "sim") tapped
    # at the summary must not file the request; only Confirmar or "confirmo"
    c = Conversa(servicos, "cadastro_usuario")
    c.diz("getin")
    _pessoa(c, rng)
    c.diz("NTS").diz("analista de saude").diz("não")
    assert c.estado.fase == "resumo"
    antes = c.estado.para_dict()
    c.diz(resposta, intent=intent, confianca=0.99)
    assert c.estado.fase == "resumo" and c.estado.protocolo is None
    assert c.estado.para_dict() == antes
    assert "Confirmar" in c.texto and "Confira a solicitação" in c.texto
    c.diz("confirmo")
    assert c.estado.fase == "concluida" and c.estado.protocolo


def test_correcting_the_name_of_the_only_person_asks_no_number(servicos, rng):
    # issue 18, item 13: one person filed, "corrigir" the name: no "pessoa 2"
    c = Conversa(servicos, "cadastro_usuario")
    c.diz("getin")
    _pessoa(c, rng)
    c.diz("NTS").diz("analista de saude").diz("não").diz("corrigir")
    nome = next(b["payload"] for b in c.botoes if b["payload"].endswith(" nome"))
    c.diz(nome)
    assert "nome completo da pessoa?" in c.texto and "pessoa 2" not in c.texto
