"""bot.painel.catalogo: uploads checked by `sei-nts catalog check`'s rules,
refused with line and reason, or put in effect under var/ without restart."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest

from bot import settings
from bot.ops import cli
from bot.painel.catalogo import LIMITE_BYTES, CatalogoRecusado, ServicoCatalogo
from bot.solicitacoes.servicos import Servicos, pasta_catalogos_painel
from bot.solicitacoes.validacao import validar_sigla

ROOT = Path(__file__).resolve().parents[2]
AMOSTRA = ROOT / "data" / "catalogs"
UNIDADES_NOVAS = (
    "sigla;nome;sigla_superior\n"
    "SESAU;Secretaria de Estado da Saúde;\n"
    "GETIN;Gerência Executiva de Tecnologia da Informação;SESAU\n"
    "NTS;Núcleo Técnico do SEI;GETIN\n"
    "NOVASIG;Unidade Criada Agora;SESAU\n"
)
UNIDADES_REPETIDA = (
    "sigla,nome,sigla_superior\nSESAU,Secretaria,\nGETIN,Gerência,SESAU\nsesau,De novo,\n"
)


class Registro:
    def __init__(self, falhar: bool = False) -> None:
        self.entradas: list[dict[str, str | None]] = []
        self.falhar = falhar

    def __call__(self, *, acao: str, alvo: str, antes: str | None, depois: str | None) -> None:
        if self.falhar:
            raise RuntimeError("audit table down")
        self.entradas.append({"acao": acao, "alvo": alvo, "antes": antes, "depois": depois})


@pytest.fixture
def cfg(tmp_path: Path) -> settings.Settings:
    """Settings on a copy of the sample catalogues (the tracked ones are never written)."""
    pasta = tmp_path / "catalogs"
    shutil.copytree(AMOSTRA, pasta)
    return settings.load(
        {
            "SEI_PROJECT_ROOT": str(ROOT),
            "SEI_VAR_DIR": str(tmp_path / "var"),
            "SEI_CATALOGS_DIR": str(pasta),
        }
    )


def _assinaturas() -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in AMOSTRA.iterdir()}


def test_the_page_shows_the_units_and_cargos_in_effect(cfg):
    situacao = ServicoCatalogo(cfg).situacao()
    assert not situacao.do_painel and situacao.pasta == cfg.catalogs_dir
    assert "SESAU" in [u.sigla for u in situacao.unidades]
    assert len(situacao.cargos) >= 30


def test_a_good_upload_is_in_effect_for_the_bot_without_restart(cfg):
    tracked = _assinaturas()
    servicos = Servicos(cfg)  # the action server's, loaded before the upload
    assert servicos.catalogos.unidades.por_sigla("NOVASIG") is None
    auditoria = Registro()

    n = ServicoCatalogo(cfg).substituir("unidades", UNIDADES_NOVAS.encode(), auditoria)

    assert n == 4
    assert servicos.catalogos.unidades.por_sigla("NOVASIG") is not None
    assert validar_sigla("novasig", servicos.catalogos.unidades).ok
    assert len(servicos.catalogos.cargos) >= 30  # the other catalogue came along
    situacao = ServicoCatalogo(cfg).situacao()
    assert situacao.do_painel and situacao.pasta == pasta_catalogos_painel(cfg)
    assert situacao.pasta.is_relative_to(cfg.var_dir)
    [entrada] = auditoria.entradas
    assert entrada["acao"] == "catalogo_substituido" and entrada["alvo"] == "unidades"
    assert entrada["depois"].startswith("4 unidades; sha256 ")
    assert "SESAU" not in entrada["depois"]  # a summary, never the rows
    assert _assinaturas() == tracked

    # a second upload, of the other catalogue, is seen too
    ServicoCatalogo(cfg).substituir("cargos", b"cargo\nAnalista Novo\n", auditoria)
    assert servicos.catalogos.cargos.nomes() == ["Analista Novo"]
    assert servicos.catalogos.unidades.por_sigla("NOVASIG") is not None


def test_a_bad_file_is_refused_with_line_and_reason_and_nothing_changes(cfg):
    servicos = Servicos(cfg)
    antes = servicos.catalogos.unidades.siglas()
    auditoria = Registro()
    with pytest.raises(CatalogoRecusado) as erro:
        ServicoCatalogo(cfg).substituir("unidades", UNIDADES_REPETIDA.encode(), auditoria)
    assert erro.value.linha == 4
    assert "linha 4" in str(erro.value) and "repetida" in str(erro.value)
    assert "O catálogo atual continua valendo" in str(erro.value)
    assert str(cfg.var_dir) not in str(erro.value) and "/tmp" not in str(erro.value)
    assert servicos.catalogos.unidades.siglas() == antes
    assert auditoria.entradas == []
    assert not (pasta_catalogos_painel(cfg) / "unidades.csv").exists()


def test_the_reason_is_the_one_sei_nts_catalog_check_gives(cfg, tmp_path, monkeypatch):
    pasta = tmp_path / "ruim"
    shutil.copytree(AMOSTRA, pasta)
    (pasta / "unidades.csv").write_text(UNIDADES_REPETIDA, encoding="utf-8")
    monkeypatch.setenv("SEI_CATALOGS_DIR", str(pasta))
    monkeypatch.setenv("SEI_VAR_DIR", str(tmp_path / "var-cli"))
    erro_cli = io.StringIO()
    monkeypatch.setattr("sys.stderr", erro_cli)
    assert cli.main(["catalog", "check"], out=io.StringIO()) == 1

    with pytest.raises(CatalogoRecusado) as erro:
        ServicoCatalogo(cfg).validar("unidades", UNIDADES_REPETIDA.encode())
    assert f"linha 4: {erro.value.motivo}" in erro_cli.getvalue()


@pytest.mark.parametrize(
    ("conteudo", "trecho"),
    [
        (b"", "vazio"),
        (b"   \n\n", "vazio"),
        (b"sigla,nome\n" + b"A" * LIMITE_BYTES, "o limite é 900 KB"),
        (b"sigla,nome,sigla_superior\nSESAU,Sec\x00retaria,\n", "binário"),
        (b"PK\x03\x04\x14\x00\x06\x00xl/workbook.xml", "binário"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "binário"),
        ("sigla,nome,sigla_superior\nSESAU,Secretaria de Saúde,\n".encode("latin-1"), "UTF-8"),
        (b"nome,sigla\nSecretaria,SESAU\n", "faltam as colunas sigla_superior"),
        (b'sigla,nome,sigla_superior\nSESAU,"Secretaria,\n', "aspas"),
        (
            b"sigla,nome,sigla_superior\nSESAU," + b"x" * 200_000 + b",\n",
            "linha 2: linha com mais de",
        ),
    ],
)
def test_hostile_or_broken_uploads_are_refused(cfg, conteudo: bytes, trecho: str):
    servicos = Servicos(cfg)
    antes = servicos.catalogos.unidades.siglas()
    with pytest.raises(CatalogoRecusado) as erro:
        ServicoCatalogo(cfg).substituir("unidades", conteudo, Registro())
    assert trecho in str(erro.value)
    assert servicos.catalogos.unidades.siglas() == antes


def test_unknown_catalogue_name_is_refused(cfg):
    with pytest.raises(CatalogoRecusado, match="Catálogo desconhecido"):
        ServicoCatalogo(cfg).validar("../../etc/passwd", b"cargo\nX\n")


def test_a_failed_audit_undoes_the_replacement(cfg):
    servicos = Servicos(cfg)
    antes = servicos.catalogos.unidades.siglas()
    with pytest.raises(RuntimeError):
        ServicoCatalogo(cfg).substituir("unidades", UNIDADES_NOVAS.encode(), Registro(falhar=True))
    assert servicos.catalogos.unidades.siglas() == antes
    assert not ServicoCatalogo(cfg).situacao().do_painel
