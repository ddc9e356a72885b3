"""bot.painel.links: validation, the override under var/, audit, no restart."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from bot import settings
from bot.faq import respostas
from bot.painel.links import LIMITE_URL, LinkInvalido, ServicoLinks, validar_url
from bot.solicitacoes.servicos import Servicos, arquivo_links_painel

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def cfg(tmp_path: Path) -> settings.Settings:
    """Settings on a copy of config/links.yml (the tracked file is never written)."""
    links = tmp_path / "config" / "links.yml"
    links.parent.mkdir()
    shutil.copy(ROOT / "config" / "links.yml", links)
    return settings.load(
        {
            "SEI_PROJECT_ROOT": str(ROOT),
            "SEI_VAR_DIR": str(tmp_path / "var"),
            "SEI_LINKS_FILE": str(links),
        }
    )


class Registro:
    """An audit callback that keeps the entries (the panel's table stands behind it)."""

    def __init__(self, falhar: bool = False) -> None:
        self.entradas: list[dict[str, str | None]] = []
        self.falhar = falhar

    def __call__(self, *, acao: str, alvo: str, antes: str | None, depois: str | None) -> None:
        if self.falhar:
            raise RuntimeError("audit table down")
        self.entradas.append({"acao": acao, "alvo": alvo, "antes": antes, "depois": depois})


@pytest.mark.parametrize(
    ("valor", "esperado"),
    [
        ("https://sei.al.gov.br/", "https://sei.al.gov.br/"),
        (
            "  HTTPS://SEI.AL.GOV.BR/sei/Controlador?x=1#a  ",
            "https://sei.al.gov.br/sei/Controlador?x=1#a",
        ),
        (
            "https://www.escolavirtual.gov.br/curso/123",
            "https://www.escolavirtual.gov.br/curso/123",
        ),
        ("https://saúde.al.gov.br/a%20b", "https://xn--sade-rra.al.gov.br/a%20b"),
        ("https://helpdesk.getin.al.gov.br:8443/", "https://helpdesk.getin.al.gov.br:8443/"),
    ],
)
def test_valid_https_addresses_are_normalised(valor: str, esperado: str):
    assert validar_url(valor) == esperado


@pytest.mark.parametrize(
    ("valor", "trecho"),
    [
        ("", "Informe o endereço"),
        ("http://sei.al.gov.br/", "https://"),
        ("javascript:alert(1)", "https://"),
        ("ftp://sei.al.gov.br/", "https://"),
        ("sei.al.gov.br", "https://"),
        ("https://", "nome completo do site"),
        ("https://localhost/", "nome completo do site"),
        ("https://10.0.0.1/", "nome completo do site"),
        ("https://-x.gov.br/", "nome completo do site"),
        ("https://admin:senha@sei.al.gov.br/", "usuário nem senha"),
        ("https://token@sei.al.gov.br/", "usuário nem senha"),
        ("https://sei.al.gov.br/a b", "espaços"),
        ("https://sei.al.gov.br/\nx", "espaços"),
        ('https://sei.al.gov.br/"><script>', "caracteres não permitidos"),
        ("https://sei.al.gov.br/\x00", "caracteres não permitidos"),
        ("https://sei.al.gov.br:99999/", "porta"),
        ("https://sei.al.gov.br:0/", "porta"),
        ("https://sei.al.gov.br/%zz", "%"),
        ("https://sei.al.gov.br/" + "a" * LIMITE_URL, "no máximo"),
    ],
)
def test_bad_addresses_are_refused_with_a_portuguese_reason(valor: str, trecho: str):
    with pytest.raises(LinkInvalido) as erro:
        validar_url(valor)
    assert trecho in str(erro.value)


def test_a_link_set_in_the_panel_is_in_the_faq_answer_without_restart(cfg):
    tracked = (ROOT / "config" / "links.yml").read_bytes()
    copia = cfg.links_file.read_bytes()
    servicos = Servicos(cfg)  # the action server's, built before the change
    antes = "\n".join(respostas.responder("faq_esqueci_senha", servicos.links))
    assert "https://" not in antes and "3315-1101" in antes

    auditoria = Registro()
    link = ServicoLinks.de_settings(cfg).definir(
        "recuperar_senha", "https://sei.al.gov.br/recuperar", auditoria
    )

    assert link.url == "https://sei.al.gov.br/recuperar" and link.no_painel
    depois = "\n".join(respostas.responder("faq_esqueci_senha", servicos.links))
    assert "Recuperação de senha do SEI: https://sei.al.gov.br/recuperar" in depois
    assert auditoria.entradas == [
        {
            "acao": "link_definido",
            "alvo": "recuperar_senha",
            "antes": None,
            "depois": "https://sei.al.gov.br/recuperar",
        }
    ]
    # the override lives under var/; neither links file was written
    assert arquivo_links_painel(cfg).is_relative_to(cfg.var_dir)
    assert arquivo_links_painel(cfg).exists()
    assert cfg.links_file.read_bytes() == copia
    assert (ROOT / "config" / "links.yml").read_bytes() == tracked


def test_a_second_change_and_a_restore_are_seen_and_audited(cfg):
    servicos = Servicos(cfg)
    servico = ServicoLinks.de_settings(cfg)
    auditoria = Registro()
    servico.definir("mudar_senha", "https://a.gov.br/1", auditoria)
    assert servicos.links["mudar_senha"].url == "https://a.gov.br/1"
    servico.definir("mudar_senha", "https://a.gov.br/2", auditoria)
    servico.definir("helpdesk_getin", "https://helpdesk.gov.br/", auditoria)
    assert servicos.links["mudar_senha"].url == "https://a.gov.br/2"

    restaurado = servico.restaurar("mudar_senha", auditoria)

    assert restaurado.url is None and not restaurado.no_painel
    assert servicos.links["mudar_senha"].url is None  # back to the file's PREENCHER
    assert servicos.links["helpdesk_getin"].url == "https://helpdesk.gov.br/"
    assert [(e["acao"], e["antes"], e["depois"]) for e in auditoria.entradas] == [
        ("link_definido", None, "https://a.gov.br/1"),
        ("link_definido", "https://a.gov.br/1", "https://a.gov.br/2"),
        ("link_definido", None, "https://helpdesk.gov.br/"),
        ("link_restaurado", "https://a.gov.br/2", None),
    ]
    # restoring a link the panel did not set changes nothing and records nothing
    servico.restaurar("mudar_senha", auditoria)
    assert len(auditoria.entradas) == 4


def test_listing_shows_every_key_of_the_file_with_what_is_in_effect(cfg):
    servico = ServicoLinks.de_settings(cfg)
    servico.definir("curso_enap_1", "https://www.escolavirtual.gov.br/curso/1", Registro())
    links = {link.chave: link for link in servico.listar()}
    assert list(links) == list(respostas.carregar_links(cfg.links_file))
    assert links["curso_enap_1"].url == "https://www.escolavirtual.gov.br/curso/1"
    assert links["curso_enap_1"].url_arquivo is None
    assert links["curso_enap_2"].url is None and not links["curso_enap_2"].no_painel
    assert links["curso_enap_1"].rotulo == "Curso on-line da ENAP sobre o SEI (1)"


def test_unknown_key_and_bad_value_change_nothing(cfg):
    servico = ServicoLinks.de_settings(cfg)
    auditoria = Registro()
    with pytest.raises(LinkInvalido, match="Link desconhecido"):
        servico.definir("nao_existe", "https://a.gov.br/", auditoria)
    with pytest.raises(LinkInvalido, match="https://"):
        servico.definir("recuperar_senha", "http://a.gov.br/", auditoria)
    assert not arquivo_links_painel(cfg).exists()
    assert auditoria.entradas == []


def test_a_failed_audit_undoes_the_change(cfg):
    servicos = Servicos(cfg)
    servico = ServicoLinks.de_settings(cfg)
    servico.definir("recuperar_senha", "https://a.gov.br/1", Registro())
    with pytest.raises(RuntimeError):
        servico.definir("recuperar_senha", "https://a.gov.br/2", Registro(falhar=True))
    assert servicos.links["recuperar_senha"].url == "https://a.gov.br/1"
    assert servico.buscar("recuperar_senha").url == "https://a.gov.br/1"


def test_a_hand_broken_override_keeps_the_last_good_links(cfg, caplog):
    servicos = Servicos(cfg)
    ServicoLinks.de_settings(cfg).definir("recuperar_senha", "https://a.gov.br/1", Registro())
    assert servicos.links["recuperar_senha"].url == "https://a.gov.br/1"
    sobreposicao = arquivo_links_painel(cfg)
    sobreposicao.write_text("recuperar_senha: [não, é, texto]\n", encoding="utf-8")
    os.utime(sobreposicao, ns=(1, 1))  # a different signature even within one clock tick

    assert servicos.links["recuperar_senha"].url == "https://a.gov.br/1"
    assert "invalid" in caplog.text
