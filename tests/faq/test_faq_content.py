"""Every answer carries the facts of its seed item and nothing broken."""

from pathlib import Path

import pytest
import yaml

from bot.faq import respostas
from bot.text import fold

ROOT = Path(__file__).resolve().parents[2]

# Key facts of each seed item (compared accent- and case-insensitively).
KEY_FACTS = {
    "faq_o_que_e_sei": [
        "sistema eletronico de informacoes",
        "tribunal regional federal da 4",
        "trf4",
        "gratuitamente",
        "instituicoes publicas",
        "papel",
        "tempo real",
        "processo eletronico nacional",
        "pen",
        "ministerio do planejamento",
        "agilidade",
        "transparencia",
        "reducao de custos",
        "projeto estrategico",
        "documentacao do sei",
    ],
    "faq_quem_administra": [
        "seplag",
        "secretaria de estado do planejamento, gestao e patrimonio",
        "sumoge",
        "superintendencia de modernizacao e gestao de qualidade",
        "alagoas",
    ],
    "faq_o_que_e_nts": [
        "nucleo tecnico do sei",
        "secretaria de estado da saude",
        "seplag/sumoge",
        "cadastro de novos usuarios",
        "atualizacao de lotacao",
        "novas unidades (setores)",
        "reportar erros",
    ],
    "faq_cadastro_usuario": [
        "processo",
        "sesau nts",
        "planilha de cadastro de usuarios",
        "preenchimento completo",
        "uso pessoal",
        "uso coletivo",
        "hotmail",
        "outlook",
        "cpf",
        "clevert",
        "sigla",
        "mesma utilizada no sei",
        "credenciais de acesso",
    ],
    "faq_lotacao": [
        "processo",
        "sesau nts",
        "planilha de mudanca ou adicao de lotacao",
        "preenchimento completo",
        "uso pessoal",
        "uso coletivo",
        "hotmail",
        "outlook",
        "cpf",
        "clevert",
        "removido e/ou adicionado",
        "mesma utilizada no sei",
    ],
    "faq_remocao_usuario": [
        "acessos indevidos",
        "processo",
        "sesau nts",
        "planilha de mudanca ou adicao de lotacao",
        "nome completo",
        "cpf",
        "e-mail",
        "desligado",
        "mesma utilizada no sei",
    ],
    "faq_criacao_unidade": [
        "processo",
        "sesau nts",
        "planilha de cadastro de setores",
        "preenchimento completo",
    ],
    "faq_relatar_erro": ["processo", "sesau nts", "imagem da tela", "descricao do problema"],
    "faq_prazo_atendimento": [
        "72 horas",
        "retorno do processo ao setor solicitante",
        "despacho do sesau nts",
    ],
    "faq_esqueci_senha": [
        "recuperacao de senha",
        "mesmo informado no ato do cadastro",
        "nao esteja cadastrado",
        "processo",
        "sesau nts",
        "atualizacao do e-mail",
        "reset da senha",
        "nome completo",
        "cpf",
        "unidade de lotacao atual",
    ],
    "faq_primeiro_acesso": [
        "seplag/sumoge",
        "primeiro e-mail",
        "link",
        "segundo e-mail",
        "credenciais de acesso",
    ],
    "faq_mudar_senha": [
        "mudanca de senha",
        "cpf",
        "recebida por e-mail",
        "senha atual",
        "nova senha (duas vezes)",
    ],
    "faq_treinamento": ["escola nacional de administracao publica", "enap", "dois cursos on-line"],
    "faq_contato_nts": [
        "gerencia executiva de tecnologia da informacao",
        "3315-1101",
        "3315-1128",
        "helpdesk da getin",
        "em detalhes",
    ],
    "faq_assinatura_digital": ["assinar", "mesma senha utilizada para acessar"],
    "faq_cargo_errado": [
        "processo",
        "sesau nts",
        "nome completo",
        "cpf",
        "nome do cargo",
        "lei delegada",
        "nao e possivel inserir novos cargos",
        "lei especifica",
    ],
    "faq_suporte_unidades": ["equipes de ti", "equipe local", "sesau nts"],
    "faq_consultar_tramitacao": ["modulo de consulta", "acesso restrito", "busca publica"],
    "faq_desanexar_processos": [
        "processo principal",
        "unidade (setor) que realizou a juncao",
        "3315-1101",
        "3315-1128",
        "numeros completos",
        "anexado",
        "motivo",
        "seplag",
        "48 horas",
        "recebimento da solicitacao",
    ],
    "faq_usuario_externo": [
        "usuarios externos",
        "pessoas fisicas",
        "poder executivo do estado de alagoas",
        "pessoa juridica",
        "peticionamento",
        "contratos",
        "convenios",
        "representante",
        "representada",
        "orientacoes de cadastro",
    ],
}

PLACEHOLDER_LINKS = respostas.carregar_links(ROOT / "config" / "links.yml")


def _answer(intent, links=PLACEHOLDER_LINKS):
    return "\n".join(respostas.responder(intent, links))


def test_every_faq_intent_has_a_topic_and_key_facts(domain):
    faq_intents = {i for i in domain["intents"] if i.startswith("faq_")}
    assert faq_intents == set(respostas.carregar_topicos()) == set(KEY_FACTS)
    assert len(faq_intents) == 20


def test_topics_cover_all_22_seed_items():
    items = {i for t in respostas.carregar_topicos().values() for i in t.itens}
    assert {str(n) for n in range(1, 23)} <= items


@pytest.mark.parametrize("intent", sorted(KEY_FACTS))
def test_answer_contains_key_facts_of_its_seed_item(intent):
    text = fold(_answer(intent))
    missing = [fact for fact in KEY_FACTS[intent] if fold(fact) not in text]
    assert not missing, f"{intent} sem: {missing}"


@pytest.mark.parametrize("intent", sorted(KEY_FACTS))
def test_answer_fits_phone_messages_and_shows_no_placeholder(intent):
    messages = respostas.responder(intent, PLACEHOLDER_LINKS)
    assert messages
    for message in messages:
        assert len(message) <= respostas.LIMITE_MENSAGEM
        assert "PREENCHER" not in message and "{" not in message and "}" not in message
        assert "clique aqui" not in fold(message)


def test_unset_link_points_to_the_nts_phones():
    text = _answer("faq_cadastro_usuario")
    assert "Planilha de Cadastro de Usuários: o link ainda não está disponível aqui" in text
    assert "3315-1101 ou 3315-1128" in text


def test_configured_link_is_shown(tmp_path):
    links_file = tmp_path / "links.yml"
    links_file.write_text(
        yaml.safe_dump(
            {
                "planilha_cadastro_usuarios": {
                    "rotulo": "Planilha de Cadastro de Usuários",
                    "url": "https://exemplo.al.gov.br/planilha.xlsx",
                },
                "recuperar_senha": {"rotulo": "Recuperação de senha", "url": "javascript:alert(1)"},
            }
        )
    )
    links = respostas.carregar_links(links_file)
    assert "Planilha de Cadastro de Usuários: https://exemplo.al.gov.br/planilha.xlsx" in _answer(
        "faq_cadastro_usuario", links
    )
    # only http(s) URLs are ever shown
    assert "javascript" not in _answer("faq_esqueci_senha", links)


def test_every_link_used_by_an_answer_is_configurable():
    used = set()
    for topico in respostas.carregar_topicos().values():
        for line in topico.resposta.splitlines():
            match = respostas._LINHA_LINK.match(line.strip())
            if match:
                used.add(match.group(1))
    assert used <= set(PLACEHOLDER_LINKS)
    assert {
        "planilha_cadastro_usuarios",
        "planilha_lotacao",
        "planilha_setores",
        "recuperar_senha",
        "mudar_senha",
        "consulta_processos",
        "orientacoes_usuario_externo",
        "helpdesk_getin",
        "curso_enap_1",
        "curso_enap_2",
    } <= used


def test_malformed_links_file_fails_loudly(tmp_path):
    bad = tmp_path / "links.yml"
    bad.write_text("planilha: so-um-texto\n")
    with pytest.raises(respostas.ConteudoInvalido):
        respostas.carregar_links(bad)


def test_phones_and_numbers_come_from_the_seed(seed_text):
    """No phone number or deadline appears that the seed page does not have."""
    import re

    everything = "\n".join(_answer(i) for i in KEY_FACTS)
    for phone in set(re.findall(r"\d{4}-\d{4}", everything)):
        assert phone in seed_text
    for hours in set(re.findall(r"(\d+) horas", everything)):
        assert f"{hours} horas" in seed_text


def test_dividir_mensagens_keeps_paragraphs_and_limit():
    text = "\n\n".join(["a" * 250, "b" * 250, "c " * 400])
    messages = respostas.dividir_mensagens(text, limite=600)
    assert all(len(m) <= 600 for m in messages)
    assert messages[0] == "a" * 250 + "\n\n" + "b" * 250
    assert "".join(messages).replace("\n", "").replace(" ", "") == (
        "a" * 250 + "b" * 250 + "c" * 400
    )


def test_dividir_mensagens_cuts_at_sentences():
    text = " ".join(f"Frase número {i} do parágrafo." for i in range(60))
    messages = respostas.dividir_mensagens(text, limite=200)
    assert all(len(m) <= 200 for m in messages)
    assert all(m.endswith(".") for m in messages)
