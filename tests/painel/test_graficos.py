"""bot.painel.graficos: SVG that parses, is accessible and keeps labels inert."""

from __future__ import annotations

import re
from xml.etree.ElementTree import Element

import pytest
from defusedxml.ElementTree import fromstring

from bot.painel import graficos

SVG = "{http://www.w3.org/2000/svg}"
HOSTIS = (
    '<script>alert("x")</script>',
    '"><img src=x onerror=alert(1)>',
    "]]><!ENTITY x SYSTEM 'file:///etc/passwd'>",
    "Texto\x00com\x1bcontrole\u202e",
    "&amp; &lt; ' \"",
)


def _arvore(svg: str) -> Element:
    raiz = fromstring(svg)
    assert raiz.tag == f"{SVG}svg"
    return raiz


def _textos(raiz: Element) -> list[str]:
    return ["".join(e.itertext()) for e in raiz.iter(f"{SVG}text")]


def _inerte(raiz: Element) -> None:
    """No script, no event handler, no style, no external reference."""
    for elemento in raiz.iter():
        assert elemento.tag.removeprefix(SVG) not in ("script", "foreignObject", "style", "image")
        for nome in elemento.attrib:
            assert not nome.lower().startswith("on") and nome != "style" and "href" not in nome


def _acessivel(raiz: Element) -> None:
    assert raiz.get("role") == "img"
    ids = raiz.get("aria-labelledby", "").split()
    presentes = {e.get("id"): e for e in raiz.iter() if e.get("id")}
    assert len(ids) == 2 and all(i in presentes for i in ids)
    assert presentes[ids[0]].tag == f"{SVG}title" and presentes[ids[1]].tag == f"{SVG}desc"


@pytest.mark.parametrize("rotulo", HOSTIS)
def test_labels_are_escaped_text_in_every_chart(rotulo: str):
    esperado = re.sub(r"[\x00-\x1f\u202e]", "", rotulo)[:30]
    for svg in (
        graficos.barras([(rotulo, 3), ("Outro", 1)], titulo=rotulo),
        graficos.linhas(["01/11", "02/11"], {rotulo: [1, 2]}, titulo=rotulo),
        graficos.colunas_empilhadas(["s1", "s2"], {rotulo: [1, 0], "b": [2, 2]}, titulo=rotulo),
    ):
        raiz = _arvore(svg)
        _inerte(raiz)
        _acessivel(raiz)
        assert "<script" not in svg and "<img" not in svg and "<!ENTITY" not in svg
        assert any(esperado[:20] in t for t in _textos(raiz))
        assert esperado[:20] in "".join(raiz.find(f"{SVG}title").itertext())


def test_bars_one_rect_per_item_proportional_with_values_and_description():
    raiz = _arvore(graficos.barras([("Esqueci a senha", 120), ("Lotação", 60)], "Tópicos"))
    barras = [r for r in raiz.iter(f"{SVG}rect")][1:]  # after the background
    assert len(barras) == 2
    assert float(barras[0].get("width")) == pytest.approx(2 * float(barras[1].get("width")))
    assert "120" in _textos(raiz) and "Esqueci a senha" in _textos(raiz)
    assert "".join(raiz.find(f"{SVG}desc").itertext()) == "Esqueci a senha: 120; Lotação: 60"


def test_lines_one_polyline_per_series_and_a_reference_line():
    raiz = _arvore(
        graficos.linhas(
            [f"{d:02d}/11" for d in range(1, 31)],
            {"telegram": list(range(30)), "web": [5] * 30},
            "Conversas por dia",
            referencia=("Prazo: 72 h", 72),
        )
    )
    assert len(list(raiz.iter(f"{SVG}polyline"))) == 2
    assert "Prazo: 72 h" in _textos(raiz)
    assert {"telegram", "web"} <= set(_textos(raiz))
    assert len([t for t in _textos(raiz) if t.endswith("/11")]) <= 11  # x labels thinned


def test_stacked_columns_heights_add_up():
    raiz = _arvore(
        graficos.colunas_empilhadas(
            ["24/11", "01/12"], {"Recebida": [2, 1], "Concluída": [2, 0]}, "Solicitações"
        )
    )
    colunas = [r for r in raiz.iter(f"{SVG}rect") if r.get("width") not in ("12", "720")]
    assert len(colunas) == 3  # a zero value draws nothing
    alturas = [float(r.get("height")) for r in colunas]
    assert alturas[0] == pytest.approx(alturas[1]) == pytest.approx(2 * alturas[2])


@pytest.mark.parametrize(
    "svg",
    [
        graficos.barras([], "Vazio"),
        graficos.barras([("a", 0)], "Vazio"),
        graficos.linhas([], {}, "Vazio"),
        graficos.colunas_empilhadas(["x"], {"a": [0]}, "Vazio"),
    ],
)
def test_no_data_says_so(svg: str):
    raiz = _arvore(svg)
    _acessivel(raiz)
    assert _textos(raiz) == ["Sem dados no período."]


def test_two_charts_on_one_page_have_distinct_ids():
    a, b = _arvore(graficos.barras([("a", 1)], "A")), _arvore(graficos.barras([("b", 1)], "B"))
    assert a.get("aria-labelledby") != b.get("aria-labelledby")


def test_numbers_are_written_the_brazilian_way():
    raiz = _arvore(graficos.barras([("Mediana", 1234.5), ("Total", 10000)], "Horas", unidade="h"))
    assert {"1.234,5 h", "10.000 h"} <= set(_textos(raiz))


def test_the_indicators_page_charts_from_a_painel():
    from datetime import date

    from bot.painel import indicadores as ind

    painel = ind.Painel(
        inicio=date(2026, 11, 2),
        fim=date(2026, 11, 15),
        conversas=(
            ind.ConversasDia(date(2026, 11, 2), "telegram", 3, 9),
            ind.ConversasDia(date(2026, 11, 3), "web", 2, 4),
        ),
        topicos=(ind.Topico("faq_esqueci_senha", "Esqueci a senha", 7),),
        nao_entendidas=ind.NaoEntendidas(10, 2, ()),
        semanas=(
            ind.SolicitacoesSemana(date(2026, 11, 2), "lotacao", "concluida", 2),
            ind.SolicitacoesSemana(date(2026, 11, 9), "lotacao", "recebida", 1),
        ),
        conclusao=ind.Conclusao(2, 30.0, 60.0, 2, 72),
        conclusao_por_tipo={"lotacao": ind.Conclusao(2, 30.0, 60.0, 2, 72)},
    )
    svgs = graficos.do_painel(painel)
    assert set(svgs) == {"conversas", "topicos", "semanas", "conclusao"}
    for svg in svgs.values():
        _inerte(_arvore(svg))
    assert len(list(_arvore(svgs["conversas"]).iter(f"{SVG}polyline"))) == 2
    assert "Esqueci a senha" in _textos(_arvore(svgs["topicos"]))
    assert {"Concluída", "Recebida"} <= set(_textos(_arvore(svgs["semanas"])))
    textos = _textos(_arvore(svgs["conclusao"]))
    assert "Adição ou mudança de lotação: 95º percentil" in textos and "60 h" in textos
