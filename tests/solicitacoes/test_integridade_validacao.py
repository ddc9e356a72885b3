"""Issue 18, validation items: one regression test per item, over the validators
and, where the engine already applies the rule, over ``Motor`` with real services.

The row rules (item 5: MUDAR that adds and removes one sigla, main = attached
process) are checked here through ``validacao.conferir_linha``, the function the
engine calls right after a field validates.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from geradores import gerar_cpf

from bot.solicitacoes import validacao
from bot.solicitacoes.catalogos import Catalogos
from bot.solicitacoes.estado import Estado
from bot.solicitacoes.motor import Motor
from bot.solicitacoes.tipos import TIPOS

ROOT = Path(__file__).resolve().parents[2]
CATALOGOS = Catalogos.carregar(ROOT / "data" / "catalogs")
UNIDADES = CATALOGOS.unidades
LOTACAO = TIPOS["lotacao"]
DESANEXACAO = TIPOS["desanexacao"]


class Conversa:
    """Drives the engine like the Rasa form: answer, then ask (state through JSON)."""

    def __init__(self, servicos, tipo: str) -> None:
        self.motor = Motor(servicos)
        resposta = self.motor.iniciar(tipo, avisar_lgpd=False)
        self.estado = resposta.estado
        self.saida = resposta.mensagens + self.motor.pergunta(self.estado)

    def diz(self, texto: str, intent: str | None = None, confianca: float = 0.0) -> Conversa:
        estado = Estado.de_dict(self.estado.para_dict())
        resposta = self.motor.responder(
            estado, texto, intent=intent, confianca=confianca, contato="integridade"
        )
        self.estado = resposta.estado
        self.saida = resposta.mensagens
        if not resposta.concluido:
            self.saida = self.saida + self.motor.pergunta(self.estado)
        return self

    def toca(self, titulo: str) -> Conversa:
        """Tap the button called ``titulo`` (sending its payload, whatever its form)."""
        botao = next(b for b in self.botoes if b["title"] == titulo)
        return self.diz(botao["payload"])

    @property
    def texto(self) -> str:
        return "\n".join(m.get("text") or "" for m in self.saida)

    @property
    def botoes(self) -> list[dict[str, str]]:
        return [b for m in self.saida for b in m.get("buttons") or []]

    @property
    def campo(self) -> str | None:
        campo = self.motor.campo_atual(self.estado)
        return campo.nome if campo else None


def _validar(tipo: str, campo: str, valor: str) -> validacao.Resultado:
    """``valor`` through the validator of field ``campo`` of kind ``tipo``."""
    return validacao.validar_campo(TIPOS[tipo].campo(campo), valor, CATALOGOS)


def _pessoa(c: Conversa, rng, nome: str, email: str) -> None:
    c.diz(nome).diz(gerar_cpf(rng)).diz(email)


# ---------------------------------------------------------------- item 3


def test_item_3_email_with_a_space_inside_is_refused_never_joined():
    resultado = validacao.validar_email("maria silva@gmail.com", unidades=UNIDADES)
    assert not resultado.ok and "espaços" in resultado.erro
    assert "mariasilva" not in resultado.erro


# ---------------------------------------------------------------- item 4


@pytest.mark.parametrize(
    "endereco,sigla",
    [
        ("getin@gmail.com", "GETIN"),
        ("suvisa@saude.al.gov.br", "SUVISA"),
        ("hge.adm@gmail.com", "HGE"),
        ("GETIN@gmail.com", "GETIN"),
        ("getin2024@gmail.com", "GETIN"),
        ("nts.getin@gmail.com", "NTS"),
        ("hge-sei@gmail.com", "HGE"),
        ("upa-jac@gmail.com", "UPA-JAC"),
        ("upajac@gmail.com", "UPA-JAC"),
        ("lacen_al@gmail.com", "LACEN"),
    ],
)
def test_item_4_mailbox_named_after_a_unit_is_collective(endereco, sigla):
    resultado = validacao.validar_email(endereco, unidades=UNIDADES)
    assert not resultado.ok and resultado.codigo == "coletivo"
    assert f"coletivo da unidade {sigla}" in resultado.erro
    assert "e-mail pessoal" in resultado.erro
    # the engine's entry point passes the catalogue too
    campo = TIPOS["cadastro_usuario"].campo("email")
    assert validacao.validar_campo(campo, endereco, CATALOGOS).codigo == "coletivo"


def test_item_4_role_mailboxes_still_refused():
    assert validacao.validar_email("rh@gmail.com", unidades=UNIDADES).codigo == "coletivo"


@pytest.mark.parametrize(
    "endereco",
    [
        # a person's name next to the sigla: personal
        "maria.getin@gmail.com",
        "getin.jose.silva@gmail.com",
        "joao.hge@saude.al.gov.br",
        # names of the other tests that merely resemble siglas
        "tiago@gmail.com",
        "rhaissa@gmail.com",
        "sacha.lima@gmail.com",
        "gabriela.gap@gmail.com",
        "nathalia.suas@gmail.com",
        "maria.silva@gmail.com",
        "hgeraldo@gmail.com",
        "gaby@gmail.com",
        "nts@",  # not an address at all: the format error, not the unit one
    ],
)
def test_item_4_personal_addresses_are_not_taken_for_units(endereco):
    resultado = validacao.validar_email(endereco, unidades=UNIDADES)
    assert resultado.ok or resultado.codigo != "coletivo", resultado


def test_item_4_two_letter_siglas_and_initials_do_not_make_an_address_collective():
    from bot.solicitacoes.catalogos import CatalogoUnidades, Unidade

    unidades = CatalogoUnidades([Unidade("AL", "Alagoas"), Unidade("JS", "Junta de Saúde", "AL")])
    assert validacao.validar_email("js@gmail.com", unidades=unidades).ok  # initials
    assert validacao.validar_email("js.al@gmail.com", unidades=unidades).ok


def test_item_4_same_email_for_two_people_is_flagged(servicos, rng):
    c = Conversa(servicos, "cadastro_usuario")
    c.diz("getin")
    _pessoa(c, rng, "Maria da Silva", "maria.silva@gmail.com")
    c.diz("NTS").diz("Enfermeiro").diz("sim")
    _pessoa(c, rng, "João Pereira", "maria.silva@gmail.com")
    assert "já foi incluído" in c.texto and "E-mail pessoal" in c.texto
    assert c.campo == "email"  # asked again
    c.diz("joao.pereira@gmail.com")
    assert c.campo == "sigla"


def test_item_4_email_fields_of_kinds_with_several_people_are_unico():
    for tipo in ("lotacao", "remocao_usuario", "cadastro_usuario"):
        assert TIPOS[tipo].campo("email").unico, tipo


def test_item_4_collective_unit_mailbox_refused_by_the_engine(servicos, rng):
    c = Conversa(servicos, "cadastro_usuario")
    c.diz("getin").diz("Maria da Silva").diz(gerar_cpf(rng)).diz("getin@gmail.com")
    assert "coletivo da unidade GETIN" in c.texto
    assert c.campo == "email"


# ---------------------------------------------------------------- item 2 (operation as data)


@pytest.mark.parametrize("resposta", ["REMOVER", "remover", "desligar", "retirar", "tirar dele"])
def test_item_2_lotacao_refuses_remover_and_offers_the_removal_form(resposta):
    campo = LOTACAO.campo("operacao")
    assert campo.opcoes == ("ADICIONAR", "MUDAR")
    resultado = validacao.validar_campo(campo, resposta, CATALOGOS)
    assert not resultado.ok and resultado.codigo == "fora_do_formulario"
    assert resultado.reconhecido  # an answer to the question, not an FAQ
    assert "remoção de usuário da unidade" in resultado.erro
    assert "cancelar" in resultado.erro
    assert "ADICIONAR" in resultado.erro and "MUDAR" in resultado.erro
    assert "REMOVER (" not in resultado.erro


def test_item_2_lotacao_unknown_operation_offers_only_its_options():
    resultado = validacao.validar_campo(LOTACAO.campo("operacao"), "banana", CATALOGOS)
    assert resultado.codigo == "nao_reconhecido"
    assert "ADICIONAR" in resultado.erro and "MUDAR" in resultado.erro
    assert "REMOVER" not in resultado.erro


def test_item_2_remover_at_the_operation_question_is_never_filed(servicos, rng):
    c = Conversa(servicos, "lotacao")
    c.diz("getin")
    _pessoa(c, rng, "Maria da Silva", "maria.silva@gmail.com")
    assert c.campo == "operacao"
    c.diz("remover")
    assert "remoção de usuário da unidade" in c.texto
    assert c.campo == "operacao" and "operacao" not in c.estado.linha
    c.diz("desligar")
    assert c.campo == "operacao"
    c.diz("MUDAR")
    assert c.campo == "siglas_adicionar" and c.estado.linha["operacao"] == "MUDAR"


# ---------------------------------------------------------------- item 5


def test_item_5a_mudar_cannot_add_and_remove_the_same_sigla():
    linha = {"operacao": "MUDAR", "siglas_adicionar": "HGE, GETIN"}
    erro = validacao.conferir_linha(LOTACAO, linha, LOTACAO.campo("siglas_remover"), "NTS, GETIN")
    assert erro and "GETIN" in erro and "NTS" not in erro
    assert "Sigla(s) a adicionar" in erro
    assert validacao.conferir_linha(LOTACAO, linha, LOTACAO.campo("siglas_remover"), "NTS") is None
    # correcting the siglas to add later is checked against the siglas to remove
    linha = {"operacao": "MUDAR", "siglas_adicionar": "HGE", "siglas_remover": "SUVISA"}
    campo = LOTACAO.campo("siglas_adicionar")
    assert "SUVISA" in validacao.conferir_linha(LOTACAO, linha, campo, "SUVISA")
    assert validacao.conferir_linha(LOTACAO, linha, campo, "GETIN") is None


def test_item_5a_adicionar_ignores_siglas_no_longer_asked():
    # an ADICIONAR row does not ask siglas_remover: a stale value is no contradiction
    linha = {"operacao": "ADICIONAR", "siglas_remover": "GETIN"}
    campo = LOTACAO.campo("siglas_adicionar")
    assert validacao.conferir_linha(LOTACAO, linha, campo, "GETIN") is None


def test_item_5a_rules_are_data_on_the_kind():
    assert [r.campos for r in LOTACAO.regras] == [("siglas_adicionar", "siglas_remover")]
    assert [r.campos for r in DESANEXACAO.regras] == [("processo_principal", "processo_anexado")]
    assert TIPOS["cadastro_usuario"].regras == ()


def test_item_5b_desanexacao_main_and_attached_must_differ():
    principal = "E:02000.0000003030/2020"
    linha = {"processo_principal": principal}
    anexado = DESANEXACAO.campo("processo_anexado")
    # what the servant types is validated first, then checked against the row
    valor = validacao.validar_campo(anexado, "02000.0000003030/2020", CATALOGOS).valor
    erro = validacao.conferir_linha(DESANEXACAO, linha, anexado, valor)
    assert erro and principal in erro and "mesmo" in erro
    outro = "E:02000.0000003031/2020"
    assert validacao.conferir_linha(DESANEXACAO, linha, anexado, outro) is None
    # correcting the main process to the attached one is refused too
    linha = {"processo_principal": outro, "processo_anexado": principal}
    campo = DESANEXACAO.campo("processo_principal")
    assert validacao.conferir_linha(DESANEXACAO, linha, campo, principal)


@pytest.mark.parametrize(
    "entrada",
    [
        "SEI 02000.000003/2020-11",
        "02000.000003/2020-11",
        "E:02000.0000003030/2020-5",
        "02000.0000003030/2020 / 3",
    ],
)
def test_item_5c_digits_after_the_year_are_refused_never_dropped(entrada):
    resultado = validacao.validar_processo(entrada, ano_atual=2026)
    assert not resultado.ok and resultado.valor is None
    assert "Confira o número" in resultado.erro or "confira o número" in resultado.erro
    assert "depois do ano" in resultado.erro


def test_item_5c_the_same_number_in_canonical_form_is_kept():
    # the spec's canonical form: "E:" and the 10-digit sequence; same number
    assert validacao.validar_processo("SEI 02000.0000003030/2020", ano_atual=2026).valor == (
        "E:02000.0000003030/2020"
    )
    assert validacao.validar_processo("02000.3030/2020", ano_atual=2026).valor == (
        "E:02000.0000003030/2020"
    )


@pytest.mark.parametrize(
    "entrada,trecho",
    [
        ("E:00000.0000003030/2020", "00000"),
        ("00000.0000003030/2020", "00000"),
        ("E:02000.0000003030/2027", "ano futuro"),
        ("E:02000.0000003030/2099", "ano futuro"),
    ],
)
def test_item_5d_organ_zero_and_future_year_refused(entrada, trecho):
    resultado = validacao.validar_processo(entrada, ano_atual=2026)
    assert not resultado.ok and trecho in resultado.erro
    assert "Confira o número" in resultado.erro
    assert validacao.validar_processo("E:02000.0000003030/2026", ano_atual=2026).ok


# ---------------------------------------------------------------- item 8


def test_item_8_suggestion_for_one_item_keeps_the_whole_list():
    resultado = validacao.validar_siglas("hge, getinn", UNIDADES)
    assert not resultado.ok and "Você quis dizer GETIN" in resultado.erro
    assert resultado.sugestoes == ("HGE, GETIN",)
    assert "lista inteira" in resultado.erro
    # the suggestion itself validates to the full list
    assert validacao.validar_siglas(resultado.sugestoes[0], UNIDADES).valor == "HGE, GETIN"


def test_item_8_several_unknown_items_one_list_in_order():
    resultado = validacao.validar_siglas("gettin, hge e nst", UNIDADES)
    assert resultado.sugestoes == ("GETIN, HGE, NTS",)


def test_item_8_single_sigla_suggestions_unchanged():
    resultado = validacao.validar_siglas("getinn", UNIDADES)
    assert resultado.sugestoes == ("GETIN",)
    assert "lista inteira" not in resultado.erro


def test_item_8_tapping_the_suggestion_keeps_every_sigla(servicos, rng):
    c = Conversa(servicos, "lotacao")
    c.diz("getin")
    _pessoa(c, rng, "Maria da Silva", "maria.silva@gmail.com")
    c.diz("ADICIONAR")
    assert c.campo == "siglas_adicionar"
    c.diz("hge, getinn")
    assert "Você quis dizer GETIN" in c.texto
    c.toca("HGE, GETIN")
    assert c.estado.linhas[0]["siglas_adicionar"] == "HGE, GETIN"


# ---------------------------------------------------------------- item 15


@pytest.mark.parametrize("sigla", ["NTS", "getin", "Hge", "UPA-JAC", "upajac"])
def test_item_15_existing_sigla_proposed_for_a_new_unit(sigla):
    resultado = _validar("criacao_unidade", "sigla_proposta", sigla)
    assert not resultado.ok and resultado.codigo == "ja_existe"
    assert "já existe" in resultado.erro
    # the engine must answer this, not the FAQ that "NTS" resembles
    assert resultado.reconhecido


def test_item_15_existing_sigla_answered_by_the_engine(servicos):
    c = Conversa(servicos, "criacao_unidade")
    c.diz("getin")  # requesting unit
    c.diz("Núcleo de Apoio ao Usuário")
    assert c.campo == "sigla_proposta"
    c.diz("NTS")
    assert "A sigla NTS já existe no SEI" in c.texto
    assert c.campo == "sigla_proposta"


@pytest.mark.parametrize("nome", ["123", "1234 5678", "---", "12", "nº 45"])
def test_item_15_unit_name_needs_words(nome):
    resultado = _validar("criacao_unidade", "nome_unidade", nome)
    assert not resultado.ok, nome
    assert "nome" in resultado.erro


@pytest.mark.parametrize(
    "nome,sigla",
    [
        ("Núcleo Técnico do SEI", "NTS"),
        ("nucleo tecnico do sei", "NTS"),
        ("Hospital Geral do Estado", "HGE"),
        ("GETIN", "GETIN"),
    ],
)
def test_item_15_unit_name_of_an_existing_unit_says_which_sigla(nome, sigla):
    resultado = _validar("criacao_unidade", "nome_unidade", nome)
    assert not resultado.ok and resultado.codigo == "ja_existe"
    assert f"a unidade {sigla} —" in resultado.erro
    assert resultado.reconhecido


@pytest.mark.parametrize(
    "nome", ["Núcleo de Apoio ao Usuário", "Centro de Testes 2", "Hospital Geral do Estado II"]
)
def test_item_15_new_unit_names_accepted_as_typed(nome):
    assert _validar("criacao_unidade", "nome_unidade", nome).valor == nome


# ---------------------------------------------------------------- item 17


@pytest.mark.parametrize(
    "entrada,valor",
    [
        ("12345678", "12345678"),
        ("0123456", "0123456"),
        ("SEI 12345678", "12345678"),
        ("documento SEI nº 12345678", "12345678"),
        ("nº 123456789", "123456789"),
        ("E:02000.0000003030/2020", "E:02000.0000003030/2020"),
        ("02000.0000003030/2020", "E:02000.0000003030/2020"),
    ],
)
def test_item_17_document_number_accepted_where_the_question_says_documento(entrada, valor):
    assert _validar("relato_erro", "processo", entrada).valor == valor


@pytest.mark.parametrize("entrada", ["123", "12345", "1234567890", "processo 123", "12345678 e 9"])
def test_item_17_other_numbers_still_refused(entrada):
    resultado = _validar("relato_erro", "processo", entrada)
    assert not resultado.ok
    assert "documento" in resultado.erro and "E:OOOOO.NNNNNNNNNN/AAAA" in resultado.erro


def test_item_17_only_processo_fields_of_desanexacao_refuse_documents():
    assert not _validar("desanexacao", "processo_principal", "12345678").ok


def test_item_17_document_number_through_the_engine(servicos):
    c = Conversa(servicos, "relato_erro")
    c.diz("O botão de assinar não responde no Chrome.").diz("não consigo anexar")
    c.diz("getin")
    assert c.campo == "processo"
    c.diz("12345678")
    assert c.estado.fase == "resumo"
    assert c.estado.linhas[0]["processo"] == "12345678"


# ---------------------------------------------------------------- the engine applies the row rules


def test_item_5a_engine_asks_again_when_mudar_removes_a_sigla_it_adds(servicos, rng):
    c = Conversa(servicos, "lotacao")
    c.diz("getin")
    _pessoa(c, rng, "Maria da Silva", "maria.silva@gmail.com")
    c.diz("MUDAR").diz("HGE, GETIN")
    assert c.campo == "siglas_remover"
    c.diz("GETIN")
    assert "não pode ser adicionada e removida" in c.texto
    assert c.campo == "siglas_remover" and "siglas_remover" not in c.estado.linha
    c.diz("NTS")
    assert c.estado.linhas[0]["siglas_adicionar"] == "HGE, GETIN"
    assert c.estado.linhas[0]["siglas_remover"] == "NTS"


def test_item_5b_engine_asks_again_when_attached_is_the_main_process(servicos):
    c = Conversa(servicos, "desanexacao")
    c.diz("E:02000.0000003030/2020")
    assert c.campo == "processo_anexado"
    c.diz("02000.0000003030/2020")
    assert "não podem ser o mesmo" in c.texto
    assert c.campo == "processo_anexado"
    c.diz("E:02000.0000003031/2020")
    assert c.campo == "motivo"


def test_item_15_existing_sigla_is_answered_even_if_nlu_guesses_an_faq(servicos):
    c = Conversa(servicos, "criacao_unidade")
    c.diz("getin").diz("Núcleo de Apoio ao Usuário")
    c.diz("NTS", intent="faq_contato_nts", confianca=0.95)
    assert "A sigla NTS já existe no SEI" in c.texto
    assert c.campo == "sigla_proposta"


@pytest.mark.parametrize(
    "entrada", ["12.345.678", "SEI 02000.000003/2020-11", "02000.0000003030/2099"]
)
def test_item_17_a_refused_process_number_says_how_to_send_a_document(entrada):
    resultado = _validar("relato_erro", "processo", entrada)
    assert not resultado.ok and resultado.valor is None
    assert "E:02000.0000003030/2020" in resultado.erro  # the process example
    assert "número SEI de um documento" in resultado.erro
    # where only a process is asked, no word about documents
    assert "documento" not in _validar("desanexacao", "processo_principal", entrada).erro
