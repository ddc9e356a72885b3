"""Field validators of bot.solicitacoes.validacao: tables, CPF properties and fuzzing."""

from __future__ import annotations

import io
import re

import pytest
from geradores import digitos_verificadores
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from bot import content
from bot.solicitacoes.anexos import LIMITE_ANEXO
from bot.solicitacoes.catalogos import CatalogoCargos, Catalogos, CatalogoUnidades, Unidade
from bot.solicitacoes.tipos import TIPOS, Campo
from bot.solicitacoes.validacao import (
    VALIDADORES,
    Resultado,
    validar_anexo,
    validar_campo,
    validar_cargo,
    validar_cpf,
    validar_email,
    validar_nome,
    validar_nome_unidade,
    validar_operacao,
    validar_processo,
    validar_processo_ou_documento,
    validar_sigla,
    validar_sigla_nova,
    validar_siglas,
    validar_texto,
    validar_texto_curto,
)
from bot.text import clean_text

# ---------------------------------------------------------------- fixtures

UNIDADES = CatalogoUnidades(
    [
        Unidade("SESAU", "Secretaria de Estado da Saúde", None),
        Unidade("GETIN", "Gerência Executiva de Tecnologia da Informação", "SESAU"),
        Unidade("NTS", "Núcleo Técnico do SEI", "GETIN"),
        Unidade("SUVISA", "Superintendência de Vigilância em Saúde", "SESAU"),
        Unidade("CIEVS", "Centro de Informações Estratégicas em Vigilância em Saúde", "SUVISA"),
        Unidade("DIASS", "Diretoria de Análise da Situação de Saúde", "SUVISA"),
        Unidade("GAP", "Gerência de Atenção Primária", "SESAU"),
        Unidade("HGE", "Hospital Geral do Estado", "SESAU"),
        Unidade("UPA-JAC", "UPA Jacintinho", "SESAU"),
    ]
)
CARGOS = CatalogoCargos(
    [
        "Assessor Técnico",
        "Analista de Saúde",
        "Enfermeiro",
        "Médico",
        "Técnico de Enfermagem",
        "Assistente Administrativo",
        "Gerente",
    ]
)
CATALOGOS = Catalogos(UNIDADES, CARGOS)


def gerar_cpf(base: str) -> str:
    """A synthetic CPF: 9 base digits plus their two check digits."""
    return base + digitos_verificadores(base)


def cpf_valido(cpf: str) -> bool:
    """Independent reference: check digits right and not all digits equal."""
    return len(set(cpf)) > 1 and cpf[9:] == digitos_verificadores(cpf[:9])


def mascara(cpf: str) -> str:
    return f"{cpf[:3]}.{cpf[3:6]}.{cpf[6:9]}-{cpf[9:]}"


BASES = st.text(alphabet="0123456789", min_size=9, max_size=9).filter(lambda b: len(set(b)) > 1)

PALAVRAS_DE_CORRECAO = (
    "Exemplo",
    "Envie",
    "Informe",
    "Escreva",
    "Responda",
    "Escolha",
    "Resuma",
    "confirme",
    "Confira",
)


def assert_erro_portugues(resultado: Resultado) -> None:
    """A failure explains, in Portuguese, what is wrong and how to fix it."""
    assert isinstance(resultado, Resultado)
    if resultado.ok:
        assert resultado.erro is None
        return
    assert resultado.valor is None
    assert resultado.codigo and re.fullmatch(r"[a-z_]+", resultado.codigo)
    assert isinstance(resultado.erro, str) and len(resultado.erro) >= 20
    assert any(p.lower() in resultado.erro.lower() for p in PALAVRAS_DE_CORRECAO), resultado.erro
    assert clean_text(resultado.erro) == resultado.erro  # no control characters echoed
    assert "\n" not in resultado.erro
    assert isinstance(resultado.sugestoes, tuple)


# ---------------------------------------------------------------- CPF


@pytest.mark.parametrize(
    "grupo,validar",
    [
        ("nome", validar_nome),
        ("cpf", validar_cpf),
        ("email", validar_email),
        ("processo", lambda t: validar_processo(t, ano_atual=2026)),
        ("texto_curto", validar_texto_curto),
        ("unidade", lambda t: validar_sigla(t, UNIDADES)),
        ("siglas", lambda t: validar_siglas(t, UNIDADES)),
        ("sigla_nova", lambda t: validar_sigla_nova(t, UNIDADES)),
        ("nome_unidade", lambda t: validar_nome_unidade(t, UNIDADES)),
        ("documento", lambda t: validar_processo_ou_documento(t, ano_atual=2026)),
    ],
)
def test_every_example_in_the_messages_is_accepted(grupo, validar):
    """What a message tells the requester to send passes its own validator."""
    exemplo = content.entrada("validacao", grupo)["exemplo"]
    valores = re.fullmatch(r"Exemplo: (.+)\.", exemplo).group(1).split(" ou ")
    for valor in valores:
        assert validar(valor).ok, valor


@settings(max_examples=1000, deadline=None)
@given(BASES)
def test_generated_cpfs_accepted_masked_and_unmasked(base):
    cpf = gerar_cpf(base)
    for entrada in (cpf, mascara(cpf), f" {mascara(cpf)} ", cpf[:3] + " " + cpf[3:]):
        resultado = validar_cpf(entrada)
        assert resultado.ok, (entrada, resultado)
        assert resultado.valor == mascara(cpf)  # leading zeros kept


@settings(max_examples=200, deadline=None)
@given(BASES)
def test_every_single_digit_change_is_rejected(base):
    """Each of the 11 positions, each other digit: rejected unless the
    result is itself a valid CPF (check digits cannot catch every single
    change: e.g. a swap between remainders 0 and 10 of the mod-11 rule)."""
    cpf = gerar_cpf(base)
    for posicao in range(11):
        for digito in "0123456789":
            if digito == cpf[posicao]:
                continue
            alterado = cpf[:posicao] + digito + cpf[posicao + 1 :]
            resultado = validar_cpf(alterado)
            assert resultado.ok == cpf_valido(alterado), alterado
            if not resultado.ok:
                assert resultado.codigo in ("verificador", "repetido")
                assert_erro_portugues(resultado)


def test_single_digit_changes_are_almost_always_caught():
    import random

    aleatorio = random.Random(20)
    pegos = total = 0
    for _ in range(300):
        cpf = gerar_cpf("".join(aleatorio.choice("0123456789") for _ in range(9)))
        if len(set(cpf)) == 1:
            continue
        for posicao in range(11):
            for digito in set("0123456789") - {cpf[posicao]}:
                total += 1
                pegos += not validar_cpf(cpf[:posicao] + digito + cpf[posicao + 1 :]).ok
    assert pegos / total > 0.99


@pytest.mark.parametrize("digito", "0123456789")
def test_repeated_digits_rejected(digito):
    for entrada in (digito * 11, mascara(digito * 11)):
        resultado = validar_cpf(entrada)
        assert not resultado.ok and resultado.codigo == "repetido"
        assert_erro_portugues(resultado)


@settings(max_examples=200, deadline=None)
@given(BASES)
def test_10_and_12_digits_rejected(base):
    cpf = gerar_cpf(base)
    for entrada, quantos in ((cpf[:10], 10), (cpf + "0", 12), (cpf[1:], 10), ("0" + cpf, 12)):
        resultado = validar_cpf(entrada)
        assert not resultado.ok and resultado.codigo == "digitos"
        assert f"você enviou {quantos}" in resultado.erro


def test_short_input_never_reaches_validate_docbr_padding():
    # validate-docbr pads "191" to "00000000191", which it calls valid
    for entrada in ("191", "00000000191"[2:], "1.91"):
        assert validar_cpf(entrada).codigo == "digitos"
    assert validar_cpf("000.000.001-91").ok  # the full 11 digits are fine


@pytest.mark.parametrize(
    "entrada,codigo",
    [
        ("", "vazio"),
        (None, "vazio"),
        ("   ", "vazio"),
        (".-.", "vazio"),
        ("529.982.247-2a", "formato"),
        ("abc.def.ghi-jk", "formato"),
        ("529,982,247/25", "formato"),
        ("٥٢٩٩٨٢٢٤٧٢٥", "formato"),  # Arabic-Indic digits are not CPF digits
        ("5299822472", "digitos"),
        ("529982247255", "digitos"),
        ("1" * 41, "formato"),
        ("529.982.247-26", "verificador"),
        ("529.982.247-15", "verificador"),
    ],
)
def test_invalid_cpfs(entrada, codigo):
    resultado = validar_cpf(entrada)
    assert not resultado.ok and resultado.codigo == codigo
    assert_erro_portugues(resultado)


def test_cpf_error_message_format():
    assert validar_cpf("5299822472").erro == (
        "O CPF precisa ter 11 dígitos; você enviou 10. Exemplo: 529.982.247-25 ou 52998224725."
    )


def test_cpf_error_never_echoes_the_number():
    assert "529" not in validar_cpf("529.982.247-26").erro.split("Exemplo")[0]


@pytest.mark.parametrize(
    "entrada",
    ["CPF: 529.982.247-25", "cpf 52998224725", "529 982 247 25", "５２９.９８２.２４７-２５"],
)
def test_cpf_lenient_forms(entrada):
    assert validar_cpf(entrada).valor == "529.982.247-25"


# ---------------------------------------------------------------- e-mail


@pytest.mark.parametrize(
    "entrada,valor",
    [
        ("maria@gmail.com", "maria@gmail.com"),
        ("  Maria.Silva@GMAIL.COM ", "Maria.Silva@gmail.com"),
        ("mailto:joao@yahoo.com.br", "joao@yahoo.com.br"),
        ("Maria <maria@gmail.com>", "maria@gmail.com"),
        ("maria@gmail.com.", "maria@gmail.com"),
        ("maria.silva@saude.al.gov.br", "maria.silva@saude.al.gov.br"),
        ("joao.santos@sesau.al.gov.br", "joao.santos@sesau.al.gov.br"),
        ("ana@seplag.al.gov.br", "ana@seplag.al.gov.br"),
        ("ana@ufal.br", "ana@ufal.br"),
        ("ana@cesmac.edu.br", "ana@cesmac.edu.br"),
        ("pedro@uol.com.br", "pedro@uol.com.br"),
        ("pedro@bol.com.br", "pedro@bol.com.br"),
        ("pedro@terra.com.br", "pedro@terra.com.br"),
        ("pedro@icloud.com", "pedro@icloud.com"),
        ("pedro@ymail.com", "pedro@ymail.com"),
        ("pedro@mail.com", "pedro@mail.com"),
        ("pedro@hotmart.com", "pedro@hotmart.com"),
        ("pedro@serra.es.gov.br", "pedro@serra.es.gov.br"),
        ("pedro@yahoo.fr", "pedro@yahoo.fr"),
        ("tiago@gmail.com", "tiago@gmail.com"),
        ("rhaissa@gmail.com", "rhaissa@gmail.com"),
        ("sacha.lima@gmail.com", "sacha.lima@gmail.com"),
        ("maria+sei@gmail.com", "maria+sei@gmail.com"),
        ("o'neil@gmail.com", "o'neil@gmail.com"),
    ],
)
def test_valid_emails(entrada, valor):
    resultado = validar_email(entrada)
    assert resultado.ok, resultado
    assert resultado.valor == valor and resultado.codigo is None


@pytest.mark.parametrize(
    "local",
    [
        "protocolo",
        "gabinete",
        "setor",
        "contato",
        "atendimento",
        "secretaria",
        "suporte",
        "ti",
        "financeiro",
        "rh",
        "diretoria",
        "coordenacao",
        "nucleo",
        "gerencia",
        "recepcao",
        "administrativo",
        "sac",
        "ouvidoria",
        "comunicacao",
        "no-reply",
        "noreply",
        "protocolo.sesau",
        "gabinete2",
        "GABINETE",
        "ti.getin",
        "sesau.protocolo",
        "protocolosesau",
        "contato_hge",
        "rh-sesau",
        "atendimento.upa2",
        "suporte.sei",
    ],
)
def test_collective_emails_rejected(local):
    resultado = validar_email(f"{local}@saude.al.gov.br")
    assert not resultado.ok and resultado.codigo == "coletivo"
    assert "coletivo" in resultado.erro and "pessoal" in resultado.erro
    assert_erro_portugues(resultado)


@pytest.mark.parametrize(
    "dominio",
    [
        "hotmail.com",
        "hotmail.com.br",
        "outlook.com",
        "outlook.com.br",
        "live.com",
        "live.com.br",
        "msn.com",
        "HOTMAIL.COM",
        "hotmail.fr",
        "outlook.pt",
        "windowslive.com",
    ],
)
def test_hotmail_family_needs_confirmation(dominio):
    resultado = validar_email(f"maria@{dominio}")
    assert not resultado.ok and resultado.codigo == "provedor_problematico"
    assert "Hotmail" in resultado.erro and "Outlook" in resultado.erro
    assert "problemas" in resultado.erro and "outro e-mail" in resultado.erro
    assert_erro_portugues(resultado)
    aceito = validar_email(f"maria@{dominio}", aceitar_provedor_problematico=True)
    assert aceito.ok and aceito.valor == f"maria@{dominio.lower()}"
    assert aceito.codigo == "provedor_problematico"  # the caller flags it


@pytest.mark.parametrize(
    "dominio,corrigido",
    [
        ("gmial.com", "gmail.com"),
        ("gmal.com", "gmail.com"),
        ("gamil.com", "gmail.com"),
        ("gmail.con", "gmail.com"),
        ("gmail.com.br", "gmail.com"),
        ("gmail.co", "gmail.com"),
        ("gmai.com", "gmail.com"),
        ("gmaill.com", "gmail.com"),
        ("gmail", "gmail.com"),
        ("gmail,com", "gmail.com"),
        ("gmail..com", "gmail.com"),
        ("hotmial.com", "hotmail.com"),
        ("hotmail.con", "hotmail.com"),
        ("yaho.com.br", "yahoo.com.br"),
        ("yahooo.com.br", "yahoo.com.br"),
        ("yahoo.com.b", "yahoo.com.br"),
        ("outlok.com", "outlook.com"),
        ("uol.com.bt", "uol.com.br"),
        ("icloud.com.br", "icloud.com"),
        ("empresa.con", "empresa.com"),
    ],
)
def test_domain_typos_suggest_a_fix(dominio, corrigido):
    resultado = validar_email(f"maria@{dominio}")
    assert not resultado.ok and resultado.codigo == "dominio_digitado_errado"
    assert resultado.sugestoes == (f"maria@{corrigido}",)
    assert f"maria@{corrigido}" in resultado.erro
    assert_erro_portugues(resultado)


def test_suggestion_itself_validates():
    sugestao = validar_email("maria.silva@gmial.com").sugestoes[0]
    assert validar_email(sugestao).ok


@pytest.mark.parametrize(
    "entrada,codigo",
    [
        ("", "vazio"),
        (None, "vazio"),
        ("mailto:", "vazio"),
        ("maria", "formato"),
        ("maria@@gmail.com", "formato"),
        ("maria@", "formato"),
        ("@gmail.com", "formato"),
        ("maria..silva@gmail.com", "formato"),
        (".maria@gmail.com", "formato"),
        ("joão@gmail.com", "formato"),
        ("maria@b.c", "formato"),
        ("maria@-x.com", "formato"),
        ("maria@x_y.com", "formato"),
        ("maria@exemplo.123", "formato"),
        ("a" * 65 + "@gmail.com", "formato"),
        ("a@" + "b" * 300 + ".com", "longo"),
        ("maria@empresa", "formato"),
        # never altered: a space inside is refused, not removed (issue 18, item 3)
        ("maria silva@gmail.com", "formato"),
        ("maria.silva@gmail .com", "formato"),
        ("maria.silva @gmail.com", "formato"),
    ],
)
def test_invalid_emails(entrada, codigo):
    resultado = validar_email(entrada)
    assert not resultado.ok and resultado.codigo == codigo, resultado
    assert_erro_portugues(resultado)


# ---------------------------------------------------------------- nome


@pytest.mark.parametrize(
    "entrada,valor",
    [
        ("maria DA silva", "Maria da Silva"),
        ("  MARIA   DAS   DORES  ", "Maria das Dores"),
        ("joão dos santos e silva", "João dos Santos e Silva"),
        ("josé de souza", "José de Souza"),
        ("ana-clara lima", "Ana-Clara Lima"),
        ("ana - clara lima", "Ana-Clara Lima"),
        ("manuela d'ávila", "Manuela d'Ávila"),
        ("manuela d’ávila", "Manuela d'Ávila"),
        ("d'ávila souza", "D'Ávila Souza"),
        ("o'neil da costa", "O'Neil da Costa"),
        ("Luiz Inácio Conceição", "Luiz Inácio Conceição"),
        ("li wu", "Li Wu"),
        ("ÉRICA MÜLLER", "Érica Müller"),
        ("maria\tda\nsilva", "Maria da Silva"),
        ("Mari\u0301a Silva", "María Silva"),  # combining accent composed (NFC)
    ],
)
def test_valid_names_normalised(entrada, valor):
    resultado = validar_nome(entrada)
    assert resultado.ok, resultado
    assert resultado.valor == valor


@pytest.mark.parametrize(
    "entrada,codigo",
    [
        ("", "vazio"),
        (None, "vazio"),
        ("   ", "vazio"),
        ("Maria", "incompleto"),
        ("Maria S", "incompleto"),
        ("Maria da", "incompleto"),
        ("Maria S.", "formato"),
        ("Maria Silva 2", "formato"),
        ("Maria @ Silva", "formato"),
        ("Maria 😀 Silva", "formato"),
        ("Мария Иванова", "formato"),
        ("محمد علي", "formato"),
        ("-Maria Silva", "formato"),
        ("Maria Silva-", "formato"),
        ("Maria ' Silva", "incompleto"),
        ("Maria--Clara Silva", "formato"),
        ("A " * 70, "longo"),
    ],
)
def test_invalid_names(entrada, codigo):
    resultado = validar_nome(entrada)
    assert not resultado.ok and resultado.codigo == codigo, resultado
    assert_erro_portugues(resultado)


def test_name_length_limits():
    assert validar_nome("Ab Cd").ok  # 5 characters
    limite = "Maria " + "a" * 114
    assert len(limite) == 120 and validar_nome(limite).ok
    assert validar_nome(limite + "a").codigo == "longo"


def test_name_error_lists_offending_characters():
    erro = validar_nome("Maria 3 Silva #").erro
    assert "números" in erro and "“#”" in erro


# ---------------------------------------------------------------- siglas


@pytest.mark.parametrize(
    "entrada,sigla",
    [
        ("GETIN", "GETIN"),
        ("getin", "GETIN"),
        (" Getin ", "GETIN"),
        ("nts", "NTS"),
        ("GETIN - Gerência Executiva de Tecnologia da Informação", "GETIN"),
        ("GETIN – Gerencia Executiva", "GETIN"),
        ("Gerência Executiva de Tecnologia da Informação", "GETIN"),
        ("gerencia executiva de tecnologia da informacao", "GETIN"),
        ("Hospital Geral do Estado (HGE)", "HGE"),
        ("SESAU NTS", "NTS"),
        ("SESAU-GETIN-NTS", "NTS"),
        ("sesau/suvisa/cievs", "CIEVS"),
        ("upa-jac", "UPA-JAC"),
        ("UPA JAC", "UPA-JAC"),
        ("upa jacintinho", "UPA-JAC"),
    ],
)
def test_siglas_found(entrada, sigla):
    assert validar_sigla(entrada, UNIDADES).valor == sigla


def test_sigla_not_found_suggests_closest():
    resultado = validar_sigla("GETN", UNIDADES)
    assert not resultado.ok and resultado.codigo == "nao_encontrado"
    assert resultado.sugestoes[0] == "GETIN"
    assert resultado.erro.startswith(
        "Não encontrei a sigla GETN. Você quis dizer GETIN — Gerência Executiva de "
        "Tecnologia da Informação?"
    )
    assert_erro_portugues(resultado)


@pytest.mark.parametrize(
    "entrada,esperada",
    [
        ("SUVIS", "SUVISA"),
        ("CIEV", "CIEVS"),
        ("DIAS", "DIASS"),
        ("HG", "HGE"),
        ("GTIN", "GETIN"),
        ("vigilancia em saude", "SUVISA"),
        ("Hospital Geral", "HGE"),
        ("tecnologia da informação", "GETIN"),
        ("Nucleo do SEI", "NTS"),
    ],
)
def test_sigla_suggestions(entrada, esperada):
    resultado = validar_sigla(entrada, UNIDADES)
    assert not resultado.ok
    assert esperada in resultado.sugestoes
    assert len(resultado.sugestoes) <= 3


def test_sigla_without_any_close_match():
    resultado = validar_sigla("XPTOQW", UNIDADES)
    assert resultado.codigo == "nao_encontrado" and resultado.sugestoes == ()
    assert_erro_portugues(resultado)


def test_sigla_and_name_of_different_units_is_not_guessed():
    assert not validar_sigla("GETIN - Hospital Geral do Estado", UNIDADES).ok
    assert not validar_sigla("NTS SESAU SUVISA", UNIDADES).ok  # not a chain


@pytest.mark.parametrize(
    "entrada,valor",
    [
        ("GETIN", "GETIN"),
        ("GETIN, NTS", "GETIN, NTS"),
        ("getin;nts", "GETIN, NTS"),
        ("getin e nts", "GETIN, NTS"),
        ("GETIN NTS HGE", "GETIN, NTS, HGE"),
        ("GETIN, getin, NTS", "GETIN, NTS"),
        ("nts, getin", "NTS, GETIN"),
        ("GETIN\nNTS", "GETIN, NTS"),
        ("Hospital Geral do Estado e SUVISA", "HGE, SUVISA"),
        ("Gerência Executiva de Tecnologia da Informação, CIEVS", "GETIN, CIEVS"),
        ("GETIN/NTS", "NTS"),
        ("SESAU-GETIN", "GETIN"),  # a hierarchy path names one unit
        ("SESAU NTS", "SESAU, NTS"),  # spaces separate siglas here
    ],
)
def test_several_siglas(entrada, valor):
    resultado = validar_siglas(entrada, UNIDADES)
    assert resultado.ok, resultado
    assert resultado.valor == valor


def test_several_siglas_with_unknown_ones():
    resultado = validar_siglas("GETIN, GETN, XPTOQW", UNIDADES)
    assert not resultado.ok and resultado.codigo == "nao_encontrado"
    assert "GETN" in resultado.erro and "XPTOQW" in resultado.erro
    assert "Você quis dizer GETIN" in resultado.erro
    # a suggestion is the whole corrected list (issue 18, item 8): XPTOQW has
    # none, so no list can be offered without dropping it
    assert resultado.sugestoes == ()
    assert_erro_portugues(resultado)


def test_too_many_siglas():
    assert validar_siglas(", ".join(["GETIN"] * 40), UNIDADES).codigo == "longo"


@pytest.mark.parametrize(
    "entrada,valor",
    [
        ("nugep", "NUGEP"),
        ("Núcleo", "NUCLEO"),
        ("SUVISA-NUVEP", "SUVISA-NUVEP"),
        ("suvisa - nuvep", "SUVISA-NUVEP"),
        ("GT/TI", "GT/TI"),
        ("UPA2", "UPA2"),
        ("Ação", "ACAO"),
    ],
)
def test_new_sigla_valid(entrada, valor):
    assert validar_sigla_nova(entrada, UNIDADES).valor == valor


@pytest.mark.parametrize(
    "entrada,codigo",
    [
        ("", "vazio"),
        ("A", "curto"),
        ("A" * 21, "longo"),
        ("NU GEP", "formato"),
        ("-NUGEP", "formato"),
        ("NU--GEP", "formato"),
        ("NU.GEP", "formato"),
        ("123", "formato"),
        ("GETIN", "ja_existe"),
        ("getin", "ja_existe"),
        ("upa-jac", "ja_existe"),
    ],
)
def test_new_sigla_invalid(entrada, codigo):
    resultado = validar_sigla_nova(entrada, UNIDADES)
    assert not resultado.ok and resultado.codigo == codigo, resultado
    assert_erro_portugues(resultado)


def test_new_sigla_that_exists_names_the_unit():
    assert (
        "Gerência Executiva de Tecnologia da Informação"
        in validar_sigla_nova("GETIN", UNIDADES).erro
    )


# ---------------------------------------------------------------- cargo


@pytest.mark.parametrize(
    "entrada,valor",
    [
        ("Assessor Técnico", "Assessor Técnico"),
        ("assessor tecnico", "Assessor Técnico"),
        ("ASSESSOR TÉCNICO", "Assessor Técnico"),
        ("medico", "Médico"),
        ("tecnico de enfermagem", "Técnico de Enfermagem"),
    ],
)
def test_cargo_found(entrada, valor):
    assert validar_cargo(entrada, CARGOS).valor == valor


@pytest.mark.parametrize(
    "entrada,esperado",
    [
        ("enfermeira", "Enfermeiro"),
        ("assesor tecnico", "Assessor Técnico"),
        ("analista", "Analista de Saúde"),
        ("tec enfermagem", "Técnico de Enfermagem"),
    ],
)
def test_cargo_suggestions(entrada, esperado):
    resultado = validar_cargo(entrada, CARGOS)
    assert not resultado.ok and resultado.codigo == "nao_encontrado"
    assert esperado in resultado.sugestoes
    assert "Lei Delegada" in resultado.erro and "lei específica" in resultado.erro
    assert_erro_portugues(resultado)


def test_cargo_empty():
    assert validar_cargo("  ", CARGOS).codigo == "vazio"


# ---------------------------------------------------------------- processo


@pytest.mark.parametrize(
    "entrada",
    [
        "E:02000.0000003030/2020",
        "02000.0000003030/2020",
        "e:02000.0000003030/2020",
        " E: 02000 . 0000003030 / 2020 ",
        "E02000.0000003030/2020",
        "E:02000.0000003030-2020",
        "0200000000030302020",
        "E:02000.3030/2020",
        "Ｅ:０２０００.００００００３０３０/２０２０",
        "processo nº E:02000.0000003030/2020",
        "é o 02000.0000003030/2020, obrigado",
    ],
)
def test_processo_accepted_canonical(entrada):
    assert validar_processo(entrada, ano_atual=2026).valor == "E:02000.0000003030/2020"


@pytest.mark.parametrize(
    "entrada,codigo",
    [
        ("", "vazio"),
        ("abc", "formato"),
        ("E:2000.0000003030/2020", "formato"),
        ("E:02000.00000030301/2020", "formato"),
        ("E:02000.0000003030/20", "formato"),
        ("E:02000.0000000000/2020", "formato"),
        ("E:02000/0000003030/2020", "formato"),
        ("E:02000;0000003030/2020", "formato"),
        ("E:02000.0000003030/1989", "ano"),
        ("E:02000.0000003030/2028", "ano"),
        ("E:٠٢٠٠٠.0000003030/2020", "formato"),
        ("1" * 50, "formato"),
        ("E:02000.0000003030/2020 e E:02000.0000003031/2020", "formato"),
    ],
)
def test_processo_invalid(entrada, codigo):
    resultado = validar_processo(entrada, ano_atual=2026)
    assert not resultado.ok and resultado.codigo == codigo, resultado
    assert "E:02000.0000003030/2020" in resultado.erro
    assert_erro_portugues(resultado)


def test_processo_year_range_follows_current_year():
    assert validar_processo("E:02000.0000000001/1990", ano_atual=2026).ok
    assert validar_processo("E:02000.0000000001/2026", ano_atual=2026).ok
    # a future year is refused (issue 18, item 5)
    assert validar_processo("E:02000.0000000001/2027", ano_atual=2026).codigo == "ano"
    assert validar_processo("E:02000.0000000001/2026", ano_atual=2025).codigo == "ano"
    assert validar_processo("E:02000.0000000001/2020").ok  # default: the current year


def test_processo_part_lengths_explained():
    assert "5 dígitos; você enviou 4" in validar_processo("E:2000.0000003030/2020").erro
    assert "10 dígitos; você enviou 11" in validar_processo("E:02000.00000030301/2020").erro


# ---------------------------------------------------------------- texto


@pytest.mark.parametrize(
    "entrada,valor",
    [
        ("  O SEI não abre o processo.  ", "O SEI não abre o processo."),
        ("linha um\r\n\r\n\r\n\r\nlinha   dois\t fim", "linha um\n\nlinha dois fim"),
        ("erro\x00 ao\x07 assinar o documento", "erro ao assinar o documento"),
    ],
)
def test_texto_cleaned(entrada, valor):
    assert validar_texto(entrada).valor == valor


def test_texto_limits_counted_after_cleaning():
    assert validar_texto("a" * 10).ok
    assert validar_texto("a" * 9 + "\x00" * 5).codigo == "curto"
    assert validar_texto("a" * 2000).ok
    assert validar_texto("a" * 2001).codigo == "longo"
    assert "2.001" in validar_texto("a" * 2001).erro
    assert validar_texto("abc", minimo=3).ok
    assert validar_texto("?!?!?!?!?!?!").codigo == "formato"
    assert validar_texto("   \n\t ").codigo == "vazio"


def test_texto_curto():
    resultado = validar_texto_curto("Núcleo de\nGestão  de Pessoas")
    assert resultado.valor == "Núcleo de Gestão de Pessoas"
    assert validar_texto_curto("Decreto nº 12.345/2020").ok
    assert validar_texto_curto("ab").codigo == "curto"
    assert validar_texto_curto("a" * 201).codigo == "longo"
    assert validar_texto_curto("---").codigo == "formato"


# ---------------------------------------------------------------- operação


@pytest.mark.parametrize(
    "entrada,operacao",
    [
        ("adicionar", "ADICIONAR"),
        ("ADICIONAR", "ADICIONAR"),
        ("incluir", "ADICIONAR"),
        ("adição de lotação", "ADICIONAR"),
        ("acrescentar uma unidade", "ADICIONAR"),
        ("mudar", "MUDAR"),
        ("trocar de setor", "MUDAR"),
        ("mudança de lotação", "MUDAR"),
        ("transferir para outra unidade", "MUDAR"),
        ("tirar do GETIN e colocar no NTS", "MUDAR"),
        ("remover", "REMOVER"),
        ("retirar", "REMOVER"),
        ("desligar", "REMOVER"),
        ("remoção da unidade", "REMOVER"),
        ("excluir do setor", "REMOVER"),
        ("não quero remover, quero incluir", "ADICIONAR"),
    ],
)
def test_operacao(entrada, operacao):
    assert validar_operacao(entrada).valor == operacao


@pytest.mark.parametrize("entrada", ["", "banana", "sim", "123"])
def test_operacao_unknown(entrada):
    resultado = validar_operacao(entrada)
    assert not resultado.ok and resultado.codigo == "nao_reconhecido"
    assert all(operacao in resultado.erro for operacao in ("ADICIONAR", "MUDAR", "REMOVER"))


# ---------------------------------------------------------------- anexo


def _imagem(formato: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, format=formato)
    return buffer.getvalue()


@pytest.mark.parametrize("formato,valor", [("PNG", "png"), ("JPEG", "jpeg")])
def test_real_images_accepted(formato, valor):
    dados = _imagem(formato)
    assert validar_anexo(dados).valor == valor
    assert validar_anexo(bytearray(dados), "tela.txt").valor == valor  # content, not name
    assert validar_anexo(memoryview(dados)).valor == valor


@pytest.mark.parametrize(
    "formato,provavel",
    [("GIF", "GIF"), ("PDF", "PDF"), ("BMP", "BMP"), ("WEBP", "WebP"), ("TIFF", "TIFF")],
)
def test_other_formats_renamed_png_rejected(formato, provavel):
    resultado = validar_anexo(_imagem(formato), "captura.png")
    assert not resultado.ok and resultado.codigo == "tipo_arquivo"
    assert f"parece ser {provavel}" in resultado.erro and "“captura.png”" in resultado.erro
    assert_erro_portugues(resultado)


@pytest.mark.parametrize(
    "dados", [b"isto e texto, nao imagem", b"\x89PNG", b"\xff\xd8", "\x89PNG\r\n\x1a\n texto", 123]
)
def test_non_images_rejected(dados):
    resultado = validar_anexo(dados, "tela.png")
    assert not resultado.ok and resultado.codigo == "tipo_arquivo"
    assert_erro_portugues(resultado)


def test_empty_attachment():
    for dados in (b"", None, bytearray()):
        resultado = validar_anexo(dados)
        assert resultado.codigo == "vazio"
        assert_erro_portugues(resultado)


def test_attachment_size_limit():
    png = _imagem("PNG")
    assert validar_anexo(png + b"\x00" * (LIMITE_ANEXO - len(png))).ok
    resultado = validar_anexo(png + b"\x00" * (LIMITE_ANEXO - len(png) + 1))
    assert not resultado.ok and resultado.codigo == "tamanho"
    assert f"o limite é {LIMITE_ANEXO // (1024 * 1024)} MB" in resultado.erro  # the real limit
    assert_erro_portugues(resultado)


# ---------------------------------------------------------------- dispatch


def test_every_field_type_has_a_validator():
    tipos = {campo.tipo for tipo in TIPOS.values() for campo in tipo.campos}
    assert tipos <= set(VALIDADORES)


def test_validar_campo_dispatches():
    assert validar_campo(Campo("cpf", "CPF", "cpf"), "52998224725", CATALOGOS).valor == (
        "529.982.247-25"
    )
    assert validar_campo(Campo("s", "S", "sigla"), "getin", CATALOGOS).valor == "GETIN"
    assert validar_campo(Campo("c", "C", "cargo"), "medico", CATALOGOS).valor == "Médico"
    campo_email = Campo("email", "E-mail", "email")
    assert validar_campo(campo_email, "m@hotmail.com", CATALOGOS).codigo == "provedor_problematico"
    aceito = validar_campo(
        campo_email, "m@hotmail.com", CATALOGOS, aceitar_provedor_problematico=True
    )
    assert aceito.ok and aceito.codigo == "provedor_problematico"


@pytest.mark.parametrize("resposta", [None, "", "  ", "não tem", "Não tenho.", "pular", "-"])
def test_optional_field_can_be_skipped(resposta):
    campo = TIPOS["desanexacao"].campo("processo_principal")
    opcional = TIPOS["relato_erro"].campo("processo")
    assert not opcional.obrigatorio
    resultado = validar_campo(opcional, resposta, CATALOGOS)
    assert resultado.ok and resultado.valor is None and resultado.codigo == "omitido"
    assert not validar_campo(campo, resposta, CATALOGOS).ok  # required: no skipping


def test_optional_field_still_validated_when_given():
    opcional = TIPOS["relato_erro"].campo("processo")
    assert validar_campo(opcional, "02000.0000003030/2020", CATALOGOS).valor == (
        "E:02000.0000003030/2020"
    )
    assert not validar_campo(opcional, "processo 123", CATALOGOS).ok


def test_unknown_field_type_is_a_programming_error():
    with pytest.raises(KeyError):
        validar_campo(Campo("x", "X", "inexistente"), "a", CATALOGOS)


# ---------------------------------------------------------------- fuzzing

TEXTOS_ESTRANHOS = st.one_of(
    st.text(),
    st.text(st.characters(min_codepoint=0, max_codepoint=0x3F)),  # C0 controls, digits, signs
    st.text(
        st.sampled_from(
            "\x00\x85\u202e\u200f\u2028\ufeff\ud800\uffff@.-/:;,e E0129 "
            "çãÉ'’😀👨‍👩‍👧مرحباשלוםGETINNTS"
        )
    ),
    st.sampled_from(
        [
            "",
            " ",
            "\x00",
            "\x00" * 1000,
            "\u202e" + "a" * 100,
            "@" * 1000,
            "gmail.com" * 1000,
            "E:" + "0" * 5000,
            "GETIN, " * 500,
        ]
    ),
    st.none(),
    st.integers(),
    st.binary(max_size=64),
    st.lists(st.text(), max_size=3),
)
TEXTOS_ENORMES = st.one_of(  # 100 KB
    st.text(min_size=1, max_size=30).map(lambda s: (s * (100_000 // len(s) + 1))[:100_000]),
    st.sampled_from(
        [
            "😀" * 100_000,
            "é" * 100_000,
            "\n" * 100_000,
            "1" * 100_000,
            "\x00" * 100_000,
            "a b, c e " * 11_112,
        ]
    ),
)

FUNCOES = [
    validar_nome,
    validar_cpf,
    validar_email,
    lambda t: validar_email(t, aceitar_provedor_problematico=True),
    lambda t: validar_sigla(t, UNIDADES),
    lambda t: validar_siglas(t, UNIDADES),
    lambda t: validar_sigla_nova(t, UNIDADES),
    lambda t: validar_cargo(t, CARGOS),
    validar_processo,
    validar_processo_ou_documento,
    lambda t: validar_email(t, unidades=UNIDADES),
    lambda t: validar_nome_unidade(t, UNIDADES),
    lambda t: validar_operacao(t, ("ADICIONAR", "MUDAR")),
    validar_texto,
    validar_texto_curto,
    validar_operacao,
    validar_anexo,
]


def _nunca_levanta(texto) -> None:
    for funcao in FUNCOES:
        assert_erro_portugues(funcao(texto))
    for tipo in TIPOS.values():
        for campo in tipo.campos:
            assert_erro_portugues(validar_campo(campo, texto, CATALOGOS))
    assert isinstance(clean_text(texto), str)


@pytest.mark.slow
@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(TEXTOS_ESTRANHOS)
def test_validators_never_raise(texto):
    _nunca_levanta(texto)


@pytest.mark.slow
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(TEXTOS_ENORMES)
def test_validators_never_raise_on_huge_input(texto):
    _nunca_levanta(texto)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=2048))
def test_anexo_never_raises_on_bytes(dados):
    resultado = validar_anexo(dados, "x.png")
    assert_erro_portugues(resultado)
    assert resultado.ok == dados.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff"))


def test_validators_survive_hostile_str():
    class Hostil:
        def __str__(self):
            raise RuntimeError("boom")

    for funcao in FUNCOES:
        assert_erro_portugues(funcao(Hostil()))


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_accepted_values_are_clean(texto):
    for funcao in FUNCOES[:-1]:
        resultado = funcao(texto)
        if resultado.ok and isinstance(resultado.valor, str):
            assert clean_text(resultado.valor) == resultado.valor
            assert resultado.valor == resultado.valor.strip()


def test_an_email_with_a_space_inside_is_refused_never_joined():
    """'maria silva@gmail.com' was stored as 'mariasilva@gmail.com' (issue 18, item 3)."""
    resultado = validar_email("maria silva@gmail.com")
    assert not resultado.ok and "espaços" in resultado.erro
    assert "mariasilva" not in resultado.erro
    assert validar_email("  maria.silva@gmail.com \n").valor == "maria.silva@gmail.com"
    assert validar_email("Maria <maria.silva@gmail.com>").valor == "maria.silva@gmail.com"


# ---------------------------------------------------------------- issue 18 rules


@pytest.mark.parametrize(
    "funcao,entrada",
    [
        (lambda t: validar_email(t, unidades=UNIDADES), "getin@gmail.com"),
        (lambda t: validar_email(t, unidades=UNIDADES), "hge.adm@gmail.com"),
        (lambda t: validar_processo(t, ano_atual=2026), "SEI 02000.000003/2020-11"),
        (lambda t: validar_processo(t, ano_atual=2026), "00000.0000003030/2020"),
        (lambda t: validar_processo(t, ano_atual=2026), "02000.0000003030/2030"),
        (lambda t: validar_processo_ou_documento(t, ano_atual=2026), "123"),
        (lambda t: validar_processo_ou_documento(t, ano_atual=2026), "processo 123"),
        (lambda t: validar_processo_ou_documento(t, ano_atual=2026), ""),
        (lambda t: validar_nome_unidade(t, UNIDADES), "123"),
        (lambda t: validar_nome_unidade(t, UNIDADES), "Núcleo Técnico do SEI"),
        (lambda t: validar_nome_unidade(t, UNIDADES), ""),
        (lambda t: validar_nome_unidade(t, UNIDADES), "a" * 201),
        (lambda t: validar_sigla_nova(t, UNIDADES), "UPAJAC"),
        (lambda t: validar_operacao(t, ("ADICIONAR", "MUDAR")), "remover"),
        (lambda t: validar_operacao(t, ("ADICIONAR", "MUDAR")), "banana"),
        (lambda t: validar_siglas(t, UNIDADES), "hge, getinn"),
    ],
)
def test_new_refusals_explain_how_to_fix(funcao, entrada):
    resultado = funcao(entrada)
    assert not resultado.ok
    assert_erro_portugues(resultado)


def test_operacao_default_still_takes_remover():
    # the removal form presets REMOVER; without a field's options all three hold
    assert validar_operacao("desligar").valor == "REMOVER"
    assert validar_operacao("remover", ("ADICIONAR", "MUDAR", "REMOVER")).ok
