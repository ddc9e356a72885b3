"""Issue 18 over the engine: only what the servant confirmed is filed, as meant.

One regression test per numbered item the engine owns (the validators' items
are in ``test_integridade_validacao.py``); conversations as the Rasa form
drives them (``test_conversa.Conversa``), on real catalogues and store.
"""

from geradores import gerar_cpf
from test_conversa import Conversa

from bot.solicitacoes import botoes

TEXTO_LONGO = (
    "Preciso alterar a lotação porque o servidor mudou de setor e a senha do SEI "
    "dele não funciona mais na nova unidade; "
) * 30  # about 3,400 characters, mentions FAQ topics


def _cadastro_ate_mais(servicos, rng, nome="Maria da Silva"):
    c = Conversa(servicos, "cadastro_usuario")
    c.diz("GETIN").diz(nome).diz(gerar_cpf(rng)).diz("maria.silva@gmail.com")
    c.diz("NTS").diz("Enfermeiro")
    assert "incluir mais alguém" in c.texto
    return c


def test_item_1_old_include_button_at_the_summary_is_refused(servicos, rng):
    c = _cadastro_ate_mais(servicos, rng)
    brutos = [b for m in c.saida for b in m.get("buttons", [])]
    sim_incluir = next(b for b in brutos if b["title"] == "Sim, incluir")
    c.diz("não")
    assert "Confira a solicitação" in c.texto
    c.diz(sim_incluir["payload"])  # the earlier "Sim, incluir"
    assert "era de uma pergunta anterior" in c.texto
    assert c.estado.fase == "resumo" and "Confira a solicitação" in c.texto  # asked again
    assert servicos.store.listar() == []
    c.toca("Confirmar")
    assert c.estado.fase == "concluida" and len(servicos.store.listar()) == 1


def test_item_1_summary_before_a_correction_cannot_confirm(servicos, rng):
    c = _cadastro_ate_mais(servicos, rng)
    c.diz("não")
    antigo = next(b for m in c.saida for b in m.get("buttons", []) if b["title"] == "Confirmar")
    c.toca("Corrigir um campo").diz("corrigir 1 cargo").diz("Gerente")
    assert "Gerente" in c.texto
    c.diz(antigo["payload"])  # confirms a summary that showed "Enfermeiro"
    assert "era de uma pergunta anterior" in c.texto and servicos.store.listar() == []
    c.toca("Confirmar")
    assert servicos.store.buscar(c.estado.protocolo).linhas[0]["cargo"] == "Gerente"


def test_item_1_every_form_button_names_its_step(servicos, rng):
    c = _cadastro_ate_mais(servicos, rng)
    brutos = [b["payload"] for m in c.saida for b in m.get("buttons", [])]
    assert brutos and all(botoes.ler(p) for p in brutos)
    assert {botoes.ler(p).passo for p in brutos} == {c.estado.passo()}


def test_item_7_a_request_typed_as_a_name_is_not_a_name(servicos):
    c = Conversa(servicos, "cadastro_usuario")
    c.diz("GETIN")
    c.diz("quero cadastrar um servidor novo no sei", intent="abrir_solicitacao", confianca=0.95)
    assert "nome" not in c.estado.linha and "Quero Cadastrar" not in c.texto
    assert "parece um pedido" in c.texto
    assert [b["title"] for b in c.botoes] == ["Continuar preenchendo", "Sair do formulário"]
    c.toca("Continuar preenchendo")
    assert "nome completo da pessoa" in c.texto and c.estado.unidade == "GETIN"
    c.diz("preciso de ajuda com o sei")  # request words, no NLU help
    assert c.estado.fase == "desvio"
    c.toca("Sair do formulário")
    assert c.estado.fase == "cancelada" and "nada foi enviado" in c.texto
    assert "preciso de ajuda com o sei" in c.texto  # what was typed is shown back
    assert servicos.store.listar() == []


def test_item_7_greeting_is_not_a_name(servicos):
    c = Conversa(servicos, "cadastro_usuario")
    c.diz("GETIN").diz("bom dia")
    assert "nome" not in c.estado.linha and "Bom Dia" not in c.texto
    assert "Você está preenchendo" in c.texto and "nome completo" in c.texto


def test_item_7_cancel_sentences_cancel_in_any_field(servicos, rng):
    for frase in ("quero cancelar", "não quero mais", "Não quero mais.", "desisto!"):
        c = Conversa(servicos, "cadastro_usuario")
        c.diz("GETIN").diz(frase)
        assert c.estado.fase == "cancelada", frase
    c = Conversa(servicos, "desanexacao")
    c.diz("E:02000.0000003030/2020").diz("E:02000.0000003031/2021").diz("quero cancelar isso")
    assert c.estado.fase == "cancelada" and "motivo" not in c.estado.linha
    assert servicos.store.listar() == []


def test_item_9_long_text_is_refused_with_its_limit_not_answered_as_faq(servicos):
    c = Conversa(servicos, "desanexacao")
    c.diz("E:02000.0000003030/2020").diz("E:02000.0000003031/2021")
    c.diz(TEXTO_LONGO + "?", intent="faq_lotacao", confianca=0.99)
    assert "2.000" in c.texto and "motivo" not in c.estado.linha
    assert "Voltando" not in c.texto


def test_item_10_person_being_added_can_be_dropped(servicos, rng):
    for volta in ("não", "voltar", "era engano"):
        c = _cadastro_ate_mais(servicos, rng)
        c.toca("Sim, incluir")
        assert "Não incluir outra pessoa" in [b["title"] for b in c.botoes]
        c.diz(volta)
        assert c.estado.fase == "resumo" and len(c.estado.linhas) == 1, volta
        assert "Pessoa 2" not in c.texto and "Confira a solicitação" in c.texto
    c = _cadastro_ate_mais(servicos, rng)
    c.toca("Sim, incluir").toca("Não incluir outra pessoa")
    assert c.estado.fase == "resumo" and len(c.estado.linhas) == 1


def test_item_10_cancel_while_adding_asks_what_to_cancel(servicos, rng):
    c = _cadastro_ate_mais(servicos, rng)
    c.toca("Sim, incluir").diz("João Pereira").diz("cancelar")
    assert c.estado.fase == "cancelar_qual" and "Só esta pessoa" in [b["title"] for b in c.botoes]
    c.toca("Só esta pessoa")
    assert c.estado.fase == "resumo" and [x["nome"] for x in c.estado.linhas] == ["Maria da Silva"]
    c = _cadastro_ate_mais(servicos, rng)
    c.toca("Sim, incluir").diz("cancelar").toca("A solicitação inteira")
    assert c.estado.fase == "cancelada" and servicos.store.listar() == []


def test_item_10_a_person_can_be_removed_from_the_summary(servicos, rng):
    c = _cadastro_ate_mais(servicos, rng)
    c.toca("Sim, incluir").diz("João Pereira").diz(gerar_cpf(rng))
    c.diz("joao.pereira@yahoo.com.br").diz("SUVISA").diz("Gerente").diz("não")
    c.toca("Corrigir um campo")
    assert "Remover Pessoa 1" in [b["title"] for b in c.botoes]
    c.toca("Remover Pessoa 1")
    assert "Removi a pessoa 1 (Maria da Silva)" in c.texto
    assert [x["nome"] for x in c.estado.linhas] == ["João Pereira"]
    c.diz("remover pessoa 1")  # the only one left stays
    assert len(c.estado.linhas) == 1 and "cancelar" in c.texto
    c.toca("Confirmar")
    assert [x["nome"] for x in servicos.store.buscar(c.estado.protocolo).linhas] == ["João Pereira"]


def test_item_11_yes_takes_the_one_suggestion(servicos, rng):
    c = Conversa(servicos, "cadastro_usuario")
    c.diz("GETIN").diz("Paula Mendes").diz(gerar_cpf(rng)).diz("paula.mendes@gmial.com")
    assert "paula.mendes@gmail.com" in [b["payload"] for b in c.botoes]
    c.diz("sim")
    assert c.estado.linha["email"] == "paula.mendes@gmail.com"
    c2 = Conversa(servicos, "criacao_unidade")
    c2.diz("GETN")
    sugeridas = [b["payload"] for b in c2.botoes]
    c2.diz("sim")
    if len(sugeridas) == 1:
        assert c2.estado.unidade == sugeridas[0]
    else:
        assert "Qual das opções" in c2.texto and c2.estado.unidade is None
        c2.diz(sugeridas[0])
        assert c2.estado.unidade == sugeridas[0]


def test_item_11_keep_this_email_still_works_after_an_error(servicos, rng):
    c = Conversa(servicos, "atualizacao_email")
    c.diz("Carlos Souza").diz(gerar_cpf(rng)).diz("carlos.souza@hotmail.com")
    manter = next(b for m in c.saida for b in m.get("buttons", []) if "Manter" in b["title"])
    c.diz("carlos souza arroba")  # a failed other attempt
    assert "email" not in c.estado.linha
    c.diz(manter["payload"])
    assert c.estado.linha["email"] == "carlos.souza@hotmail.com"
    assert "Hotmail" in c.estado.linha["observacoes"]


def test_item_12_greeting_recalls_the_open_form(servicos, rng):
    c = Conversa(servicos, "cadastro_usuario")
    c.diz("GETIN").diz("Paula Mendes").diz(gerar_cpf(rng))
    c.diz("oi", intent="greet", confianca=0.99)
    assert "Você está preenchendo uma solicitação de cadastro" in c.texto
    assert "único @" not in c.texto and "e-mail" in c.texto and c.estado.falhas == 0


def test_item_14_correction_menu_has_a_way_back_and_reads_sentences(servicos, rng):
    c = _cadastro_ate_mais(servicos, rng)
    c.diz("não").toca("Corrigir um campo")
    assert "Voltar ao resumo" in [b["title"] for b in c.botoes]
    for nada in ("voltar", "nenhum", "confirmar"):
        c.diz(nada)
        assert c.estado.fase == "resumo" and "não alterei nada" in c.texto, nada
        c.toca("Corrigir um campo")
    c.diz("o cpf está errado")
    assert c.estado.fase == "campo" and c.estado.correcao == [0, "cpf"]
    assert "CPF de Maria da Silva" in c.texto


def test_item_15_existing_sigla_as_new_sigla_is_not_an_nts_answer(servicos):
    c = Conversa(servicos, "criacao_unidade")
    c.diz("GETIN").diz("Núcleo de Testes")
    c.diz("NTS", intent="faq_contato_nts", confianca=0.97)
    assert "3315-1101" not in c.texto and "NTS" in c.texto
    assert "sigla_proposta" not in c.estado.linha


def test_item_16_cancelling_a_filed_request_says_how(servicos, rng):
    c = _cadastro_ate_mais(servicos, rng)
    c.diz("não").toca("Confirmar")
    protocolo = c.estado.protocolo
    c2 = Conversa(servicos, "correcao_cargo")
    c2.diz(f"quero cancelar o protocolo {protocolo}", intent="consultar_status", confianca=0.9)
    assert protocolo in c2.texto and "3315-1101" in c2.texto and "cancelar" in c2.texto
    assert c2.estado.fase == "campo"  # the open form goes on


def test_item_5_contradictions_in_one_row_are_refused_by_the_engine(servicos, rng):
    c = Conversa(servicos, "lotacao")
    c.diz("GETIN").diz("Rita Alves").diz(gerar_cpf(rng)).diz("rita.alves@gmail.com")
    c.diz("MUDAR").diz("HGE, SUVISA").diz("SUVISA")
    assert "não pode ser adicionada e removida" in c.texto
    assert "siglas_remover" not in c.estado.linha and c.estado.linha["siglas_adicionar"]
    c.diz("NTS")
    assert c.estado.linhas[0]["siglas_remover"] == "NTS"
    d = Conversa(servicos, "desanexacao")
    d.diz("E:02000.0000003030/2020").diz("E:02000.0000003030/2020")
    assert "não podem ser o mesmo" in d.texto and "processo_anexado" not in d.estado.linha


def test_a_planilha_sent_mid_form_is_not_an_answer(servicos):
    c = Conversa(servicos, "cadastro_usuario")
    c.diz("GETIN")
    c.diz("/enviar_planilha", intent="enviar_planilha", confianca=1.0)
    assert "Recebi uma planilha" in c.texto and "nome" not in c.estado.linha
    c.diz('/decidir_planilha{"decisao":"registrar"}', intent="decidir_planilha", confianca=1.0)
    assert "Recebi uma planilha" in c.texto and "nome completo" in c.texto
    assert servicos.store.listar() == []


def test_a_note_visible_to_the_requester_is_in_the_status_answer(servicos, rng):
    from bot.solicitacoes import atendimento

    c = _cadastro_ate_mais(servicos, rng)
    c.diz("não").toca("Confirmar")
    protocolo = c.estado.protocolo
    atendimento.mudar_situacao(
        servicos.store, protocolo, "em_andamento", autor="ana", observacao="Falta o CPF."
    )
    c2 = Conversa(servicos, "correcao_cargo")
    c2.diz(f"status {protocolo}", intent="consultar_status", confianca=0.9)
    assert "Falta o CPF" not in c2.texto  # internal note
    atendimento.mudar_situacao(
        servicos.store,
        protocolo,
        "em_andamento",
        autor="ana",
        observacao="Aguardando a SEPLAG.",
        visivel=True,
    )
    c2.diz(f"status {protocolo}", intent="consultar_status", confianca=0.9)
    assert "Observação do SESAU NTS: Aguardando a SEPLAG." in c2.texto


def test_item_4_same_email_in_other_case_is_flagged_and_kept_as_typed(servicos, rng):
    c = _cadastro_ate_mais(servicos, rng)
    c.toca("Sim, incluir").diz("João Pereira").diz(gerar_cpf(rng)).diz("Maria.Silva@gmail.com")
    assert "já foi incluído" in c.texto and "email" not in c.estado.linha
    c.diz("Joao.Pereira@gmail.com")
    assert c.estado.linha["email"] == "Joao.Pereira@gmail.com"


def test_after_filing_the_form_offers_email_notices_when_email_is_on(tmp_path, rng):
    """Issue 13: "Quer receber os avisos desta solicitação por e-mail?" (validated address)."""
    import sqlalchemy as sa
    from conftest import ROOT

    from bot import settings
    from bot.notificacoes.avisos import Avisos
    from bot.notificacoes.tabelas import notification_subscriptions
    from bot.solicitacoes.servicos import Servicos

    cfg = settings.load(
        {
            "SEI_PROJECT_ROOT": str(ROOT),
            "SEI_VAR_DIR": str(tmp_path / "var"),
            "SEI_SMTP_URL": "smtp://127.0.0.1:1",
        }
    )
    s = Servicos(cfg)
    avisos = Avisos.de(s)
    s.assinante = avisos.assinar
    try:
        c = _cadastro_ate_mais(s, rng)
        c.diz("não").toca("Confirmar")
        assert "Protocolo: NTS-" in c.texto and "avisos desta solicitação por e-mail" in c.texto
        assert c.estado.fase == "avisos" and len(s.store.listar()) == 1
        c.toca("Sim, por e-mail")
        c.diz("getin@gmail.com")  # a unit's mailbox: refused like in the form
        assert "coletivo" in c.texto and c.estado.fase == "avisos_email"
        c.diz("ana.souza@gmail.com")
        assert c.estado.fase == "concluida" and c.estado.protocolo in c.texto
        with s.store.na_transacao() as conn:
            linhas = conn.execute(sa.select(notification_subscriptions)).all()
        assert [(x.protocolo, x.canal, x.ativa) for x in linhas] == [
            (c.estado.protocolo, "email", True)
        ]
        assert "ana.souza" not in linhas[0].endereco  # encrypted at rest
        c2 = _cadastro_ate_mais(s, rng, nome="Rui Dias")
        c2.diz("não").toca("Confirmar").toca("Não, obrigado")
        assert c2.estado.fase == "concluida" and len(s.store.listar()) == 2
    finally:
        s.store.fechar()


def test_with_sei_configured_the_confirmation_does_not_ask_to_open_a_process(servicos, rng):
    """Issue 14: the assistant files the SEI process itself, the servant is told so."""
    servicos.arquiva_no_sei = True
    c = _cadastro_ate_mais(servicos, rng)
    c.diz("não").toca("Confirmar")
    assert "O próprio assistente vai abrir o processo no SEI" in c.texto
    assert "anexe-a ao processo" not in c.texto
    servicos.arquiva_no_sei = False
    c = _cadastro_ate_mais(servicos, rng, nome="Rui Dias")
    c.diz("não").toca("Confirmar")
    assert "anexe-a ao processo no SEI" in c.texto
