"""The panel's other pages: indicators, export of the filtered queue, and (admin)
links, catalogues and the audit log. Thin views over the framework-free
services of ``bot.painel.indicadores``, ``exportacao``, ``links``, ``catalogo``."""

from __future__ import annotations

import csv
import io
import logging
from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any, cast
from urllib.parse import urlencode

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user

from bot.painel import catalogo, exportacao, graficos, indicadores, links
from bot.painel.contexto import admin_obrigatorio, servicos, store, texto, usuario_atual
from bot.painel.paginas import filtro_da_fila
from bot.solicitacoes.tipos import FUSO, STATUS_TITULOS, TIPOS

logger = logging.getLogger(__name__)
bp = Blueprint("gestao", __name__)
DIAS_PADRAO = 30
LIMITE_EXPORTACAO = 20_000
FILTROS = ("tipo", "situacao", "unidade", "de", "ate", "atrasadas")  # never the search term


@bp.before_request
def _sessao() -> ResponseReturnValue | None:
    """Every page needs a session (else: the login page)."""
    if current_user.is_authenticated:
        return None
    return cast(ResponseReturnValue, cast(Any, current_app).login_manager.unauthorized())


def _auditoria() -> links.Auditoria:
    """The services' audit callback, bound to the logged-in user."""
    autor = usuario_atual().login

    def registrar(*, acao: str, alvo: str, antes: str | None, depois: str | None) -> None:
        store().auditar(autor=autor, acao=acao, alvo=alvo, antes=antes, depois=depois)

    return registrar


def _indicadores() -> indicadores.Indicadores:
    return cast(indicadores.Indicadores, current_app.extensions["sei_indicadores"])


# ------------------------------------------------------------- indicators
def _periodo() -> tuple[date, date]:
    hoje = datetime.now(FUSO).date()
    inicio, fim = hoje - timedelta(days=DIAS_PADRAO - 1), hoje
    for nome in ("de", "ate"):
        valor = (request.args.get(nome) or "").strip()
        if not valor:
            continue
        try:
            dia = date.fromisoformat(valor)
        except ValueError:
            flash(texto("data_invalida", valor=valor), "erro")
            continue
        inicio, fim = (dia, fim) if nome == "de" else (inicio, dia)
    return inicio, fim


def _graficos(p: indicadores.Painel) -> dict[str, str]:
    dias = sorted({c.dia for c in p.conversas})
    canais = sorted({c.canal for c in p.conversas})
    por = {(c.dia, c.canal): c.conversas for c in p.conversas}
    series = {canal: [float(por.get((d, canal), 0)) for d in dias] for canal in canais}
    semanas = sorted({s.semana for s in p.semanas})
    por_status: dict[str, dict[date, float]] = defaultdict(lambda: defaultdict(float))
    for s in p.semanas:
        por_status[s.status][s.semana] += s.quantidade
    colunas = {
        STATUS_TITULOS.get(st, st): [por_status[st][w] for w in semanas]
        for st in STATUS_TITULOS
        if st in por_status
    }
    return {
        "conversas": graficos.linhas(
            [f"{d:%d/%m}" for d in dias], series, "Conversas por dia e canal"
        ),
        "topicos": graficos.barras(
            [(t.titulo, float(t.mensagens)) for t in p.topicos],
            "Assuntos mais perguntados",
            unidade="mensagens",
        ),
        "semanas": graficos.colunas_empilhadas(
            [f"{w:%d/%m}" for w in semanas], colunas, "Solicitações por semana e situação"
        ),
    }


@bp.get("/indicadores")
def pagina_indicadores() -> ResponseReturnValue:
    inicio, fim = _periodo()
    try:
        p = _indicadores().calcular(inicio, fim)
    except ValueError as erro:
        flash(str(erro), "erro")
        inicio = fim
        p = _indicadores().calcular(inicio, fim)
    return render_template(
        "indicadores.html",
        p=p,
        graficos=_graficos(p),
        inicio=inicio,
        fim=fim,
        tipos=TIPOS,
    )


@bp.get("/indicadores/exemplos-nlu")
def exemplos_nlu() -> ResponseReturnValue:
    inicio, fim = _periodo()
    grupos = _indicadores().nao_entendidas(inicio, fim).grupos
    return Response(
        indicadores.exportar_nlu(grupos),
        mimetype="application/x-yaml",
        headers={"Content-Disposition": f"attachment; filename=nao-entendidas-{inicio}-{fim}.yml"},
    )


# ----------------------------------------------------------------- export
@bp.post("/solicitacoes/exportar")
def exportar() -> ResponseReturnValue:
    """The queue's filtered list (search included) as planilhas, one per kind."""
    filtro = filtro_da_fila()
    itens = store().fila(filtro, 1, LIMITE_EXPORTACAO).itens
    try:
        arquivo = exportacao.exportar(servicos(), exportacao.ler_solicitacoes(store(), itens))
    except exportacao.ExportacaoVazia as erro:
        flash(str(erro), "erro")
        filtros = {k: v for k in FILTROS if (v := request.values.get(k, ""))}
        return redirect(url_for("paginas.fila") + ("?" + urlencode(filtros) if filtros else ""))
    for aviso in arquivo.avisos():
        logger.info("Export: %s", aviso)
    logger.info("Panel export: %d requests.", arquivo.quantidade)
    return Response(
        arquivo.conteudo,
        mimetype=arquivo.tipo_conteudo,
        headers={"Content-Disposition": f"attachment; filename={arquivo.nome}"},
    )


# ------------------------------------------------------------------ links
def _servico_links() -> links.ServicoLinks:
    return links.ServicoLinks.de_settings(servicos().settings)


@bp.get("/links")
@admin_obrigatorio
def pagina_links() -> ResponseReturnValue:
    return render_template("links.html", links=_servico_links().listar())


@bp.post("/links/<chave>")
@admin_obrigatorio
def definir_link(chave: str) -> ResponseReturnValue:
    servico = _servico_links()
    try:
        if request.form.get("acao") == "restaurar":
            link = servico.restaurar(chave, _auditoria())
        else:
            link = servico.definir(chave, request.form.get("url", ""), _auditoria())
    except links.LinkInvalido as erro:
        flash(str(erro), "erro")
    else:
        flash(texto("link_salvo", rotulo=link.rotulo), "info")
    return redirect(url_for("gestao.pagina_links"))


# ------------------------------------------------------------- catalogues
@bp.get("/catalogos")
@admin_obrigatorio
def pagina_catalogos() -> ResponseReturnValue:
    situacao = catalogo.ServicoCatalogo(servicos().settings).situacao()
    return render_template("catalogos.html", situacao=situacao)


@bp.post("/catalogos")
@admin_obrigatorio
def enviar_catalogo() -> ResponseReturnValue:
    nome = request.form.get("catalogo", "")
    arquivo = request.files.get("arquivo")
    conteudo = arquivo.read() if arquivo else b""
    try:
        n = catalogo.ServicoCatalogo(servicos().settings).substituir(nome, conteudo, _auditoria())
    except catalogo.CatalogoRecusado as erro:
        flash(str(erro), "erro")
    else:
        flash(texto("catalogo_salvo", n=n, catalogo=nome), "info")
    return redirect(url_for("gestao.pagina_catalogos"))


# ------------------------------------------------------------------ audit
@bp.get("/auditoria")
@admin_obrigatorio
def pagina_auditoria() -> ResponseReturnValue:
    return render_template("auditoria.html", eventos=store().auditoria(500))


def _celula(valor: str) -> str:
    """A CSV cell a spreadsheet never runs as a formula."""
    return "'" + valor if valor[:1] in ("=", "+", "-", "@", "\t", "\r") else valor


@bp.get("/auditoria.csv")
@admin_obrigatorio
def auditoria_csv() -> ResponseReturnValue:
    saida = io.StringIO()
    escritor = csv.writer(saida)
    escritor.writerow(
        ["quando", "quem", "acao", "protocolo", "alvo", "antes", "depois", "observacao", "visivel"]
    )
    for e in store().auditoria(100_000):
        campos = [e.autor, e.acao, e.protocolo, e.alvo, e.antes, e.depois, e.nota]
        escritor.writerow(
            [e.em.isoformat(), *(_celula(c or "") for c in campos), "sim" if e.visivel else "não"]
        )
    return Response(
        "\ufeff" + saida.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=auditoria-painel.csv"},
    )
