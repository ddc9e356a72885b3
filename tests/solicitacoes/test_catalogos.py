"""Unit and cargo catalogues: strict loading, look-ups, reload on change."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from bot.solicitacoes.catalogos import (
    CatalogoCargos,
    CatalogoInvalido,
    Catalogos,
    CatalogoUnidades,
    Unidade,
    ler_csv,
)
from bot.solicitacoes.validacao import validar_cargo, validar_sigla

ROOT = Path(__file__).resolve().parents[2]
PASTA_AMOSTRA = ROOT / "data" / "catalogs"

UNIDADES_OK = (
    "sigla,nome,sigla_superior\nSESAU,Secretaria de Estado da Saúde,\n"
    "GETIN,Gerência Executiva de Tecnologia da Informação,SESAU\n"
    "NTS,Núcleo Técnico do SEI,GETIN\n"
)
CARGOS_OK = "cargo\nAssessor Técnico\nEnfermeiro\n"


def _escrever(caminho: Path, texto: str, encoding: str = "utf-8") -> Path:
    caminho.write_bytes(texto.encode(encoding))
    return caminho


def _unidades(tmp_path: Path, texto: str) -> CatalogoUnidades:
    return CatalogoUnidades.do_csv(_escrever(tmp_path / "unidades.csv", texto))


def _cargos(tmp_path: Path, texto: str) -> CatalogoCargos:
    return CatalogoCargos.do_csv(_escrever(tmp_path / "cargos.csv", texto))


def _erro_unidades(tmp_path: Path, texto: str) -> CatalogoInvalido:
    with pytest.raises(CatalogoInvalido) as info:
        _unidades(tmp_path, texto)
    return info.value


# ---------------------------------------------------------------- samples


def test_samples_load_and_are_marked_as_samples():
    catalogos = Catalogos.carregar(PASTA_AMOSTRA)
    assert len(catalogos.unidades) >= 23 and len(catalogos.cargos) >= 30
    for nome in ("unidades.csv", "cargos.csv"):
        primeira = (PASTA_AMOSTRA / nome).read_text(encoding="utf-8").splitlines()[0]
        assert primeira.startswith("#") and "AMOSTRA" in primeira
    readme = (PASTA_AMOSTRA / "README.md").read_text(encoding="utf-8")
    assert "AMOSTRA" in readme and "sigla,nome,sigla_superior" in readme
    assert not list(PASTA_AMOSTRA.glob("*.yml")) and not list(PASTA_AMOSTRA.glob("*.yaml"))


@pytest.mark.parametrize(
    "sigla,nome,superior",
    [
        ("SESAU", "Secretaria de Estado da Saúde", None),
        ("GETIN", "Gerência Executiva de Tecnologia da Informação", "SESAU"),
        ("NTS", "Núcleo Técnico do SEI", "GETIN"),
        ("SUVISA", "Superintendência de Vigilância em Saúde", "SESAU"),
        ("CIEVS", "Centro de Informações Estratégicas em Vigilância em Saúde", "SUVISA"),
        ("HGE", "Hospital Geral do Estado", "SESAU"),
    ],
)
def test_sample_units(sigla, nome, superior):
    unidade = CatalogoUnidades.do_csv(PASTA_AMOSTRA / "unidades.csv").por_sigla(sigla)
    assert unidade == Unidade(sigla, nome, superior)


def test_sample_has_the_public_units_and_cargos():
    unidades = CatalogoUnidades.do_csv(PASTA_AMOSTRA / "unidades.csv")
    assert {"DIASS", "GAP"} <= set(unidades.siglas())
    cargos = CatalogoCargos.do_csv(PASTA_AMOSTRA / "cargos.csv")
    for cargo in (
        "Assessor Técnico",
        "Analista de Saúde",
        "Enfermeiro",
        "Médico",
        "Técnico de Enfermagem",
        "Assistente Administrativo",
        "Gerente",
        "Superintendente",
        "Secretário de Estado",
    ):
        assert cargos.buscar(cargo) == cargo


# ---------------------------------------------------------------- format tolerance


def test_bom_semicolon_comments_and_blank_lines(tmp_path):
    texto = (
        "\ufeff# comentário\n\n Sigla ; Nome ; Sigla Superior \n"
        "SESAU;Secretaria de Estado da Saúde;\n# outro\n\nGETIN;Gerência, TI;sesau\r\n"
    )
    catalogo = _unidades(tmp_path, texto)
    assert catalogo.siglas() == ["SESAU", "GETIN"]
    assert catalogo.por_sigla("getin") == Unidade("GETIN", "Gerência, TI", "SESAU")


def test_quoted_values_and_extra_columns(tmp_path):
    texto = 'sigla,nome,sigla_superior,obs\nSESAU,"Secretaria, Saúde",,x\nNTS,"Núcleo",SESAU,\n'
    catalogo = _unidades(tmp_path, texto)
    assert catalogo.por_sigla("SESAU").nome == "Secretaria, Saúde"


def test_control_characters_cleaned(tmp_path):
    catalogo = _unidades(tmp_path, "sigla,nome,sigla_superior\nSESAU,Secre\x07taria\u202e,\n")
    assert catalogo.por_sigla("SESAU").nome == "Secretaria"


def test_cargos_with_bom_and_comment(tmp_path):
    cargos = _cargos(tmp_path, '\ufeff# amostra\ncargo\nAssessor Técnico\n\n"Analista, nível I"\n')
    assert cargos.nomes() == ["Assessor Técnico", "Analista, nível I"]


# ---------------------------------------------------------------- strict loading


def test_missing_columns(tmp_path):
    erro = _erro_unidades(tmp_path, "# amostra\nsigla,nome\nSESAU,Secretaria\n")
    assert erro.linha == 2 and "sigla_superior" in erro.motivo
    assert str(erro).startswith(f"{tmp_path / 'unidades.csv'}, linha 2:")


def test_header_missing_entirely(tmp_path):
    erro = _erro_unidades(tmp_path, "SESAU,Secretaria de Estado da Saúde,\n")
    assert erro.linha == 1 and "faltam as colunas" in erro.motivo


def test_empty_sigla(tmp_path):
    erro = _erro_unidades(tmp_path, UNIDADES_OK + "\n,Unidade sem sigla,SESAU\n")
    assert erro.linha == 6 and erro.motivo == "sigla vazia"


def test_empty_name(tmp_path):
    erro = _erro_unidades(tmp_path, UNIDADES_OK + "GAP,,SESAU\n")
    assert erro.linha == 5 and "sem nome" in erro.motivo


def test_duplicate_sigla_case_insensitive(tmp_path):
    erro = _erro_unidades(tmp_path, UNIDADES_OK + "getin,Outra,SESAU\n")
    assert erro.linha == 5 and "repetida" in erro.motivo and "linha 3" in erro.motivo


def test_unknown_superior(tmp_path):
    erro = _erro_unidades(tmp_path, UNIDADES_OK + "GAP,Gerência de Atenção Primária,SUAS\n")
    assert erro.linha == 5 and "SUAS" in erro.motivo and "não existe" in erro.motivo


def test_cycle(tmp_path):
    texto = (
        "sigla,nome,sigla_superior\nSESAU,Secretaria,\nA,Unidade A,B\nB,Unidade B,C\n"
        "C,Unidade C,A\n"
    )
    erro = _erro_unidades(tmp_path, texto)
    assert erro.linha == 3 and "ciclo" in erro.motivo and "A → B → C → A" in erro.motivo


def test_self_cycle(tmp_path):
    erro = _erro_unidades(tmp_path, UNIDADES_OK + "GAP,Gerência,gap\n")
    assert erro.linha == 5 and "GAP → GAP" in erro.motivo


def test_too_many_columns(tmp_path):
    erro = _erro_unidades(tmp_path, UNIDADES_OK + "GAP,Gerência de Atenção, Primária,SESAU\n")
    assert erro.linha == 5 and "entre aspas" in erro.motivo


def test_not_utf8(tmp_path):
    texto = UNIDADES_OK + "GAP,Gerência de Atenção Primária,SESAU\n"
    with pytest.raises(CatalogoInvalido) as info:
        CatalogoUnidades.do_csv(_escrever(tmp_path / "u.csv", texto, "latin-1"))
    assert info.value.linha == 2 and "UTF-8" in info.value.motivo  # "Saúde" on line 2


@pytest.mark.parametrize("texto", ["", "\n\n", "# só comentário\n"])
def test_empty_file(tmp_path, texto):
    erro = _erro_unidades(tmp_path, texto)
    assert "vazio" in erro.motivo


def test_header_only(tmp_path):
    assert "nenhuma unidade" in _erro_unidades(tmp_path, "sigla,nome,sigla_superior\n").motivo


def test_unterminated_quote_reported_with_line(tmp_path):
    erro = _erro_unidades(tmp_path, UNIDADES_OK + 'GAP,"Gerência,SESAU\n')
    assert erro.linha == 5 and "aspas abertas" in erro.motivo


def test_stray_quote_and_null_byte(tmp_path):
    erro = _erro_unidades(tmp_path, UNIDADES_OK + 'GAP,"Gerência"x,SESAU\n')
    assert erro.linha == 5 and "aspas" in erro.motivo
    erro = _erro_unidades(tmp_path, UNIDADES_OK + "GAP,Gerên\x00cia,SESAU\n")
    assert erro.linha == 5


def test_values_are_single_line(tmp_path):
    catalogo = _unidades(
        tmp_path, 'sigla,nome,sigla_superior\nSESAU,"Secretaria\nde  Saúde",\nNTS,Núcleo,SESAU\n'
    )
    assert catalogo.por_sigla("SESAU").nome == "Secretaria de Saúde"
    assert catalogo.por_sigla("NTS") is not None


def test_missing_file(tmp_path):
    with pytest.raises(CatalogoInvalido) as info:
        CatalogoUnidades.do_csv(tmp_path / "nao_existe.csv")
    assert "nao_existe.csv" in str(info.value)


def test_duplicate_cargo(tmp_path):
    with pytest.raises(CatalogoInvalido) as info:
        _cargos(tmp_path, "# amostra\ncargo\nEnfermeiro\nMédico\nmedico\n")
    assert info.value.linha == 5 and "repetido" in info.value.motivo
    assert "linha 4" in info.value.motivo


@pytest.mark.parametrize(
    "texto,linha,trecho",
    [
        ("nome\nEnfermeiro\n", 1, "cargo"),
        ("cargo\n", None, "nenhum cargo"),
        ("cargo\nEnfermeiro,Médico\n", 3 - 1, "colunas"),
        ("cargo\n---\n", 2, "sem letras"),
    ],
)
def test_malformed_cargos(tmp_path, texto, linha, trecho):
    with pytest.raises(CatalogoInvalido) as info:
        _cargos(tmp_path, texto)
    assert info.value.linha == linha and trecho in info.value.motivo


def test_in_memory_catalogues_validate_too():
    with pytest.raises(CatalogoInvalido):
        CatalogoUnidades([Unidade("A", "Unidade A", "B")])
    with pytest.raises(CatalogoInvalido):
        CatalogoCargos(["Médico", "MEDICO"])


def test_ler_csv_keeps_physical_line_numbers():
    registros = ler_csv("# c\nsigla\n\nA\n# c\nB\n", "x.csv", ("sigla",))
    assert [(linha, r["sigla"]) for linha, r in registros] == [(4, "A"), (6, "B")]


# ---------------------------------------------------------------- look-ups


@pytest.fixture(scope="module")
def amostra() -> CatalogoUnidades:
    return CatalogoUnidades.do_csv(PASTA_AMOSTRA / "unidades.csv")


@pytest.mark.parametrize(
    "texto,sigla",
    [
        ("getin", "GETIN"),
        ("GÉTIN", "GETIN"),
        ("Núcleo Técnico do SEI", "NTS"),
        ("nucleo tecnico do sei", "NTS"),
        ("NTS - Núcleo Técnico do SEI", "NTS"),
        ("SESAU NTS", "NTS"),
        ("sesau/getin/nts", "NTS"),
        ("upa jac", "UPA-JAC"),
    ],
)
def test_buscar(amostra, texto, sigla):
    assert amostra.buscar(texto).sigla == sigla


@pytest.mark.parametrize("texto", ["", "   ", "GETN", "Núcleo", "NTS GETIN", None, "\x00"])
def test_buscar_never_guesses(amostra, texto):
    assert amostra.buscar(texto) is None


def test_sugerir(amostra):
    assert amostra.sugerir("GETN")[0].sigla == "GETIN"
    assert amostra.sugerir("vigilancia em saude")[0].sigla == "SUVISA"
    assert len(amostra.sugerir("hospital", n=3)) == 3
    assert len(amostra.sugerir("hospital", n=1)) == 1
    assert amostra.sugerir("") == [] and amostra.sugerir("qwzkxj") == []


def test_ambiguous_names_are_not_resolved():
    catalogo = CatalogoUnidades(
        [
            Unidade("HGE", "Hospital Geral", None),
            Unidade("HGE-NA", "Núcleo Administrativo", "HGE"),
            Unidade("HRN", "Hospital Regional", None),
            Unidade("HRN-NA", "Núcleo Administrativo", "HRN"),
        ]
    )
    assert catalogo.buscar("Núcleo Administrativo") is None
    assert {u.sigla for u in catalogo.sugerir("Núcleo Administrativo")} == {"HGE-NA", "HRN-NA"}
    assert catalogo.buscar("HGE - Núcleo Administrativo").sigla == "HGE"


def test_cargos_look_up(tmp_path):
    cargos = CatalogoCargos.do_csv(PASTA_AMOSTRA / "cargos.csv")
    assert cargos.buscar("tecnico de enfermagem") == "Técnico de Enfermagem"
    assert cargos.buscar("cirurgiao dentista") == "Cirurgião-Dentista"
    assert cargos.buscar("enfermeira") is None
    assert cargos.sugerir("enfermeira") == ["Enfermeiro"]
    assert "Secretário de Estado" in cargos.sugerir("secretario")
    assert cargos.sugerir("") == []


# ---------------------------------------------------------------- reload


def _pasta(tmp_path: Path, unidades: str = UNIDADES_OK, cargos: str = CARGOS_OK) -> Path:
    _escrever(tmp_path / "unidades.csv", unidades)
    _escrever(tmp_path / "cargos.csv", cargos)
    return tmp_path


def _substituir(caminho: Path, texto: str) -> None:
    """Replace a file and move its mtime forward (coarse clocks would hide the change)."""
    antes = caminho.stat().st_mtime_ns
    caminho.write_text(texto, encoding="utf-8")
    os.utime(caminho, ns=(antes + 2_000_000_000, antes + 2_000_000_000))


def test_explicit_load_fails_loudly(tmp_path):
    pasta = _pasta(tmp_path, unidades=UNIDADES_OK + "NTS,Repetida,SESAU\n")
    with pytest.raises(CatalogoInvalido) as info:
        Catalogos.carregar(pasta)
    assert info.value.linha == 5
    with pytest.raises(CatalogoInvalido):
        Catalogos.carregar(tmp_path / "nao_existe")


def test_reload_on_mtime_change(tmp_path):
    catalogos = Catalogos.carregar(_pasta(tmp_path))
    assert catalogos.unidades.por_sigla("GAP") is None
    assert not validar_sigla("GAP", catalogos.unidades).ok
    _substituir(tmp_path / "unidades.csv", UNIDADES_OK + "GAP,Gerência de Atenção Primária,SESAU\n")
    assert catalogos.unidades.por_sigla("GAP").nome == "Gerência de Atenção Primária"
    assert validar_sigla("gap", catalogos.unidades).valor == "GAP"
    _substituir(tmp_path / "cargos.csv", CARGOS_OK + "Médico\n")
    assert validar_cargo("medico", catalogos.cargos).valor == "Médico"


def test_replacement_by_rename(tmp_path):
    catalogos = Catalogos.carregar(_pasta(tmp_path))
    novo = _escrever(tmp_path / "novo.tmp", "cargo\nMotorista\n")
    os.replace(novo, tmp_path / "cargos.csv")
    assert catalogos.cargos.nomes() == ["Motorista"]


def test_bad_replacement_keeps_last_good(tmp_path, caplog):
    catalogos = Catalogos.carregar(_pasta(tmp_path))
    bom = catalogos.unidades
    with caplog.at_level(logging.ERROR, logger="bot.solicitacoes.catalogos"):
        _substituir(tmp_path / "unidades.csv", UNIDADES_OK + "GAP,Gerência,INEXISTENTE\n")
        assert catalogos.unidades is bom
        assert catalogos.unidades is bom
    erros = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(erros) == 1  # logged once, not on every access
    assert "linha 5" in erros[0].getMessage() and "INEXISTENTE" in erros[0].getMessage()
    _substituir(tmp_path / "unidades.csv", UNIDADES_OK + "GAP,Gerência,SESAU\n")
    assert catalogos.unidades.por_sigla("GAP") is not None


def test_garbage_replacement_keeps_last_good(tmp_path, caplog):
    catalogos = Catalogos.carregar(_pasta(tmp_path))
    (tmp_path / "cargos.csv").write_bytes(b"\xff\xfe\x00garbage")
    os.utime(tmp_path / "cargos.csv", ns=(1, 1))
    with caplog.at_level(logging.ERROR, logger="bot.solicitacoes.catalogos"):
        assert catalogos.cargos.nomes() == ["Assessor Técnico", "Enfermeiro"]
    assert any("UTF-8" in r.getMessage() for r in caplog.records)


def test_removed_file_keeps_last_good(tmp_path, caplog):
    catalogos = Catalogos.carregar(_pasta(tmp_path))
    (tmp_path / "unidades.csv").unlink()
    with caplog.at_level(logging.ERROR, logger="bot.solicitacoes.catalogos"):
        assert catalogos.unidades.por_sigla("NTS") is not None
        assert catalogos.unidades.por_sigla("NTS") is not None
    assert len([r for r in caplog.records if r.levelno == logging.ERROR]) == 1
    _escrever(tmp_path / "unidades.csv", UNIDADES_OK + "GAP,Gerência,SESAU\n")
    assert catalogos.unidades.por_sigla("GAP") is not None


def test_unchanged_file_is_not_reparsed(tmp_path, monkeypatch):
    catalogos = Catalogos.carregar(_pasta(tmp_path))
    primeira = catalogos.unidades
    monkeypatch.setattr("bot.solicitacoes.catalogos.ler_csv", lambda *args: pytest.fail("reparsed"))
    for _ in range(3):
        assert catalogos.unidades is primeira


def test_fixed_catalogues():
    unidades = CatalogoUnidades([Unidade("SESAU", "Secretaria", None)])
    cargos = CatalogoCargos(["Médico"])
    catalogos = Catalogos(unidades, cargos)
    assert catalogos.unidades is unidades and catalogos.cargos is cargos


# ---------------------------------------------------------------- compact sigla and name


def test_por_sigla_compacta_and_por_nome():
    unidades = CatalogoUnidades(
        [
            Unidade("SESAU", "Secretaria de Estado da Saúde"),
            Unidade("UPA-JAC", "UPA Jacintinho", "SESAU"),
            Unidade("NTS", "Núcleo Técnico do SEI", "SESAU"),
        ]
    )
    assert unidades.por_sigla_compacta("upajac").sigla == "UPA-JAC"
    assert unidades.por_sigla_compacta("UPA JAC").sigla == "UPA-JAC"
    assert unidades.por_sigla_compacta("nts").sigla == "NTS"
    assert unidades.por_sigla_compacta("upa") is None
    assert unidades.por_sigla_compacta("") is None
    assert unidades.por_nome("nucleo tecnico do sei").sigla == "NTS"
    assert unidades.por_nome("Núcleo Técnico") is None
