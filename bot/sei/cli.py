"""The ``sei-nts sei ...`` and ``sei-nts catalog sync`` commands.

``registrar(grupos, catalogo)`` adds them to the console's parser
(``bot.ops.cli``); each sets ``sei_executar`` on the parsed arguments, which
the console calls with the settings and its output. Messages are Portuguese;
the access key never appears.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from bot.sei import arquivamento, avisos, catalogo
from bot.sei.cliente import ClienteSei, ErroSei, FalhaSei
from bot.sei.config import ConfigSei
from bot.settings import Settings

_NAO_CONFIGURADO = (
    "SEI não configurado: defina SEI_WS_URL, SEI_WS_SIGLA_SISTEMA e SEI_WS_CHAVE "
    "(sem eles o processo é aberto à mão no SEI, como hoje)."
)

Executar = Callable[[argparse.Namespace, Settings, TextIO], int]


def _cliente(cfg: Settings) -> ClienteSei | None:
    sei = ConfigSei.de_settings(cfg)
    if sei is None:
        print(_NAO_CONFIGURADO, file=sys.stderr)
        return None
    return ClienteSei(sei)


def check(_args: argparse.Namespace, cfg: Settings, out: TextIO) -> int:
    """Call ``listarUnidades`` and say what works and what is missing."""
    cliente = _cliente(cfg)
    if cliente is None:
        return 1
    try:
        unidades = cliente.listar_unidades()
    except ErroSei as erro:
        print(f"SEI: {erro}", file=out)
        return 1
    print(
        f"SEI: conexão e chave de acesso OK ({len(unidades)} unidades em listarUnidades).", file=out
    )
    problemas = 0
    nts = cliente.cfg.id_unidade_nts
    if nts:
        achada = next((u for u in unidades if u.id == nts), None)
        if achada is None:
            print(
                f"SEI_WS_ID_UNIDADE_NTS: a unidade {nts} não está na lista do SEI; confira o id.",
                file=out,
            )
            problemas += 1
        else:
            print(f"Unidade do NTS: {achada.sigla} ({achada.descricao}).", file=out)
    faltam = cliente.cfg.faltando_para_arquivar()
    if faltam:
        print("Para abrir processos no SEI falta definir: " + ", ".join(faltam) + ".", file=out)
        problemas += 1
    return 1 if problemas else 0


def sync(args: argparse.Namespace, cfg: Settings, out: TextIO) -> int:
    """Write unidades.csv and cargos.csv from SEI (keeps them on any failure)."""
    cliente = _cliente(cfg)
    if cliente is None:
        return 1
    pasta: Path = args.pasta or cfg.catalogs_dir
    try:
        feito = catalogo.sincronizar(cliente, pasta)
    except ErroSei as erro:
        print(f"Catálogos mantidos: {erro}", file=sys.stderr)
        return 1
    print(
        f"Catálogos gravados em {pasta}: {feito.unidades} unidades, {feito.cargos} cargos.",
        file=out,
    )
    for rotulo, itens in (
        ("Unidades adicionadas", feito.unidades_adicionadas),
        ("Unidades removidas", feito.unidades_removidas),
        ("Cargos adicionados", feito.cargos_adicionados),
        ("Cargos removidos", feito.cargos_removidos),
    ):
        print(f"{rotulo} ({len(itens)}): " + (", ".join(itens) or "nenhuma"), file=out)
    return 0


def _store(cfg: Settings) -> Any:
    from bot.solicitacoes.store import RequestStore

    store = RequestStore(cfg.requests_db_url)
    arquivamento.migrar(store)
    return store


def status(args: argparse.Namespace, cfg: Settings, out: TextIO) -> int:
    """Where each request stands in SEI (or one, by protocol)."""
    with _store(cfg) as store:
        linhas = arquivamento.todos(store)
    if args.protocolo:
        linhas = [x for x in linhas if x.protocolo == args.protocolo]
    for x in linhas:
        detalhe = x.numero or x.erro or ""
        print(f"{x.protocolo}\t{x.estado}\t{detalhe}", file=out)
    return 0


def reenviar(args: argparse.Namespace, cfg: Settings, out: TextIO) -> int:
    with _store(cfg) as store:
        if arquivamento.situacao(store, args.protocolo) is None:
            arquivamento.enfileirar(store, args.protocolo)
        elif not arquivamento.reenviar(store, args.protocolo):
            print(f"{args.protocolo} não está em falha nem a conferir.", file=sys.stderr)
            return 1
    print(f"{args.protocolo} volta à fila do SEI.", file=out)
    return 0


def vincular(args: argparse.Namespace, cfg: Settings, out: TextIO) -> int:
    cliente = _cliente(cfg)
    if cliente is None:
        return 1
    with _store(cfg) as store:
        try:
            r = arquivamento.vincular(
                store, cliente, args.protocolo, args.numero, avisos.avisar_requerente
            )
        except (FalhaSei, ErroSei) as erro:
            print(f"SEI: {erro}", file=sys.stderr)
            return 1
    print(f"{r.protocolo} vinculado ao processo {r.numero}.", file=out)
    return 0


def registrar(grupos: Any, catalogo_acoes: Any) -> None:
    """Add ``sei {check,status,reenviar,vincular}`` and ``catalog sync``."""
    sei = grupos.add_parser("sei", help="serviço web do SEI (processos e catálogos)")
    acoes = sei.add_subparsers(
        dest="acao", metavar="{check,status,reenviar,vincular}", required=True
    )
    acoes.add_parser("check", help="testa a conexão, a chave e a unidade do NTS").set_defaults(
        sei_executar=check
    )
    st = acoes.add_parser("status", help="situação das solicitações no SEI")
    st.add_argument("protocolo", nargs="?")
    st.set_defaults(sei_executar=status)
    re_ = acoes.add_parser("reenviar", help="põe uma solicitação de novo na fila do SEI")
    re_.add_argument("protocolo")
    re_.set_defaults(sei_executar=reenviar)
    vi = acoes.add_parser(
        "vincular", help="registra o processo do SEI de uma solicitação a conferir"
    )
    vi.add_argument("protocolo")
    vi.add_argument("numero", help="número do processo no SEI (E:02000....)")
    vi.set_defaults(sei_executar=vincular)
    sy = catalogo_acoes.add_parser("sync", help="grava unidades.csv e cargos.csv a partir do SEI")
    sy.add_argument("--pasta", type=Path, help="pasta dos catálogos (padrão: SEI_CATALOGS_DIR)")
    sy.set_defaults(sei_executar=sync)
