"""Small SVG charts made on the server (no JavaScript, no CDN).

Hand-written SVG text: every label goes through ``_texto`` (control
characters removed, XML-escaped), so a label typed by a user is inert.
Colours and fonts are presentation attributes, never ``style`` attributes or
elements, so a strict Content-Security-Policy needs no exception. Each chart
is an accessible image: ``role="img"`` with ``<title>`` and ``<desc>``.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from xml.sax.saxutils import escape, quoteattr

from bot import content
from bot.painel.indicadores import Painel
from bot.solicitacoes.tipos import STATUS, STATUS_TITULOS, TIPOS
from bot.text import one_line

# Okabe-Ito colour-blind-safe palette (darker variants: 3:1 against white)
CORES = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#8A6D00", "#56B4E9", "#000000")
COR_TEXTO = "#1A1A1A"
COR_EIXO = "#595959"
COR_GRADE = "#D9D9D9"
COR_REFERENCIA = "#B00020"
FONTE = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"
_ids = itertools.count(1)


def _texto(valor: object, limite: int = 80) -> str:
    """Text content: one line, control characters removed, cut, XML-escaped."""
    texto = one_line(valor)
    if len(texto) > limite:
        texto = texto[: limite - 1] + "…"
    return escape(texto)


def _numero(valor: float) -> str:
    """A value as Brazilian text (1.234 or 12,5)."""
    if float(valor).is_integer():
        return f"{int(valor):,}".replace(",", ".")
    return f"{valor:,.1f}".replace(",", "X").replace(".", ",").replace("X", ".")


def _passo(maximo: float, marcas: int = 5) -> float:
    """A round step (1, 2 or 5 times a power of ten) for about ``marcas`` ticks."""
    if maximo <= 0:
        return 1.0
    bruto = maximo / marcas
    potencia: float = 10.0 ** math.floor(math.log10(bruto))
    return next(m * potencia for m in (1, 2, 5, 10) if m * potencia >= bruto)


def _abrir(largura: int, altura: int, titulo: str, descricao: str) -> list[str]:
    n = next(_ids)
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{largura}" height="{altura}" '
        f'viewBox="0 0 {largura} {altura}" role="img" '
        f'aria-labelledby="grafico-{n}-titulo grafico-{n}-desc" '
        f'font-family={quoteattr(FONTE)} font-size="12" fill="{COR_TEXTO}">',
        f'<title id="grafico-{n}-titulo">{_texto(titulo, 200)}</title>',
        f'<desc id="grafico-{n}-desc">{_texto(descricao, 2000)}</desc>',
        f'<rect x="0" y="0" width="{largura}" height="{altura}" fill="#FFFFFF"/>',
    ]


def _vazio(largura: int, altura: int, titulo: str) -> str:
    aviso = str(content.entrada("painel_servicos", "graficos")["sem_dados"])
    partes = _abrir(largura, altura, titulo, aviso)
    partes.append(
        f'<text x="{largura / 2:.0f}" y="{altura / 2:.0f}" text-anchor="middle">'
        f"{_texto(aviso)}</text></svg>"
    )
    return "\n".join(partes)


def barras(
    itens: Sequence[tuple[str, float]], titulo: str, *, largura: int = 720, unidade: str = ""
) -> str:
    """Horizontal bars, one per (label, value), in the order given."""
    if not itens or all(v <= 0 for _, v in itens):
        return _vazio(largura, 120, titulo)
    linha_h, topo, esquerda, direita = 26, 10, min(330, largura // 2), 70
    altura = topo * 2 + linha_h * len(itens)
    maximo = max(v for _, v in itens) or 1
    util = largura - esquerda - direita
    sufixo = f" {unidade}" if unidade else ""
    descricao = "; ".join(f"{one_line(r)}: {_numero(v)}{sufixo}" for r, v in itens)
    partes = _abrir(largura, altura, titulo, descricao)
    for i, (rotulo, valor) in enumerate(itens):
        y = topo + i * linha_h
        w = max(0.0, util * valor / maximo)
        partes.append(
            f'<text x="{esquerda - 8}" y="{y + 17}" text-anchor="end">{_texto(rotulo, 50)}</text>'
            f'<rect x="{esquerda}" y="{y + 4}" width="{w:.1f}" height="{linha_h - 8}" '
            f'fill="{CORES[0]}"/>'
            f'<text x="{esquerda + w + 6:.1f}" y="{y + 17}">{_numero(valor)}{escape(sufixo)}</text>'
        )
    partes.append("</svg>")
    return "\n".join(partes)


def _eixos(
    partes: list[str],
    rotulos_x: Sequence[str],
    maximo: float,
    caixa: tuple[float, float, float, float],
) -> float:
    """Horizontal grid with y ticks and thinned x labels; the y scale top."""
    x0, y0, w, h = caixa
    passo = _passo(maximo)
    topo = passo * max(1, math.ceil(maximo / passo))
    marcas = round(topo / passo)
    for i in range(marcas + 1):
        y = y0 + h - h * i / marcas
        partes.append(
            f'<line x1="{x0}" y1="{y:.1f}" x2="{x0 + w}" y2="{y:.1f}" stroke="{COR_GRADE}"/>'
            f'<text x="{x0 - 6}" y="{y + 4:.1f}" text-anchor="end" fill="{COR_EIXO}">'
            f"{_numero(passo * i)}</text>"
        )
    n = len(rotulos_x)
    a_cada = max(1, math.ceil(n / 10))
    for i, rotulo in enumerate(rotulos_x):
        if i % a_cada == 0 or i == n - 1:
            x = x0 + w * (i + 0.5) / n
            partes.append(
                f'<text x="{x:.1f}" y="{y0 + h + 16}" text-anchor="middle" fill="{COR_EIXO}">'
                f"{_texto(rotulo, 12)}</text>"
            )
    partes.append(
        f'<line x1="{x0}" y1="{y0 + h}" x2="{x0 + w}" y2="{y0 + h}" stroke="{COR_EIXO}"/>'
    )
    return topo


def _legenda(partes: list[str], nomes: Sequence[str], x0: float, y: float) -> None:
    x = x0
    for i, nome in enumerate(nomes):
        cor = CORES[i % len(CORES)]
        partes.append(
            f'<rect x="{x:.1f}" y="{y - 10}" width="12" height="12" fill="{cor}"/>'
            f'<text x="{x + 16:.1f}" y="{y}">{_texto(nome, 30)}</text>'
        )
        x += 28 + 7 * min(len(one_line(nome)), 30)


def _descricao_series(rotulos_x: Sequence[str], series: Mapping[str, Sequence[float]]) -> str:
    return "; ".join(
        f"{one_line(nome)}: "
        + ", ".join(f"{one_line(x)} {_numero(v)}" for x, v in zip(rotulos_x, valores, strict=False))
        for nome, valores in series.items()
    )


def linhas(
    rotulos_x: Sequence[str],
    series: Mapping[str, Sequence[float]],
    titulo: str,
    *,
    largura: int = 720,
    altura: int = 280,
    referencia: tuple[str, float] | None = None,
) -> str:
    """One line per series over the x labels; ``referencia``: (label, y) drawn dashed."""
    maximo = max(
        [max(v, default=0) for v in series.values()] + [referencia[1] if referencia else 0]
    )
    if not rotulos_x or maximo <= 0:
        return _vazio(largura, altura, titulo)
    partes = _abrir(largura, altura, titulo, _descricao_series(rotulos_x, series))
    caixa = (56.0, 30.0, largura - 76.0, altura - 70.0)
    x0, y0, w, h = caixa
    topo = _eixos(partes, rotulos_x, maximo, caixa)
    n = len(rotulos_x)
    for i, valores in enumerate(series.values()):
        pontos = " ".join(
            f"{x0 + w * (j + 0.5) / n:.1f},{y0 + h - h * v / topo:.1f}"
            for j, v in enumerate(valores[:n])
        )
        cor = CORES[i % len(CORES)]
        partes.append(f'<polyline points="{pontos}" fill="none" stroke="{cor}" stroke-width="2"/>')
    if referencia:
        y = y0 + h - h * referencia[1] / topo
        partes.append(
            f'<line x1="{x0}" y1="{y:.1f}" x2="{x0 + w}" y2="{y:.1f}" stroke="{COR_REFERENCIA}" '
            f'stroke-dasharray="6 4"/>'
            f'<text x="{x0 + w}" y="{y - 4:.1f}" text-anchor="end" fill="{COR_REFERENCIA}">'
            f"{_texto(referencia[0], 40)}</text>"
        )
    _legenda(partes, list(series), x0, 18)
    partes.append("</svg>")
    return "\n".join(partes)


def colunas_empilhadas(
    rotulos_x: Sequence[str],
    series: Mapping[str, Sequence[float]],
    titulo: str,
    *,
    largura: int = 720,
    altura: int = 280,
) -> str:
    """Stacked columns: one column per x label, one colour per series."""
    n = len(rotulos_x)
    totais = [sum(v[j] for v in series.values() if j < len(v)) for j in range(n)]
    if not n or max(totais, default=0) <= 0:
        return _vazio(largura, altura, titulo)
    partes = _abrir(largura, altura, titulo, _descricao_series(rotulos_x, series))
    caixa = (56.0, 30.0, largura - 76.0, altura - 70.0)
    x0, y0, w, h = caixa
    topo = _eixos(partes, rotulos_x, max(totais), caixa)
    largura_coluna = max(2.0, w / n * 0.7)
    for j in range(n):
        base = y0 + h
        x = x0 + w * (j + 0.5) / n - largura_coluna / 2
        for i, valores in enumerate(series.values()):
            v = valores[j] if j < len(valores) else 0
            if v <= 0:
                continue
            alto = h * v / topo
            base -= alto
            partes.append(
                f'<rect x="{x:.1f}" y="{base:.1f}" width="{largura_coluna:.1f}" '
                f'height="{alto:.1f}" fill="{CORES[i % len(CORES)]}"/>'
            )
    _legenda(partes, list(series), x0, 18)
    partes.append("</svg>")
    return "\n".join(partes)


def do_painel(painel: Painel) -> dict[str, str]:
    """The Indicadores page's charts: conversas, topicos, semanas, conclusao (SVG)."""
    textos = content.entrada("painel_servicos", "graficos")
    dias = sorted({c.dia for c in painel.conversas})
    canais = sorted({c.canal for c in painel.conversas})
    por_dia = {(c.dia, c.canal): c.conversas for c in painel.conversas}
    semanas = sorted({s.semana for s in painel.semanas})
    por_semana: dict[str, list[float]] = {}
    for status in STATUS:
        valores = [
            float(sum(s.quantidade for s in painel.semanas if s.semana == w and s.status == status))
            for w in semanas
        ]
        if any(valores):
            por_semana[STATUS_TITULOS[status]] = valores
    conclusao = []
    for tipo in (t for t in TIPOS if t in painel.conclusao_por_tipo):
        r = painel.conclusao_por_tipo[tipo]
        for nome, horas in (("mediana", r.mediana_h), ("p95", r.p95_h)):
            conclusao.append((f"{TIPOS[tipo].titulo}: {textos[nome]}", round(horas or 0.0, 1)))
    return {
        "conversas": linhas(
            [f"{d:%d/%m}" for d in dias],
            {canal: [float(por_dia.get((d, canal), 0)) for d in dias] for canal in canais},
            str(textos["conversas"]),
        ),
        "topicos": barras(
            [(t.titulo, t.mensagens) for t in painel.topicos], str(textos["topicos"])
        ),
        "semanas": colunas_empilhadas(
            [f"{w:%d/%m}" for w in semanas], por_semana, str(textos["semanas"])
        ),
        "conclusao": barras(conclusao, str(textos["conclusao"]), unidade="h"),
    }
