"""``sei-nts``: the SESAU NTS console for filed requests and catalogues.

    sei-nts requests list [--kind K] [--status S] [--since AAAA-MM-DD] [--json]
    sei-nts requests show PROTOCOLO [--json]
    sei-nts requests export --kind K [--since AAAA-MM-DD] --out ARQUIVO.xlsx
    sei-nts requests status PROTOCOLO NOVO_STATUS [--note TEXTO]
    sei-nts catalog check

Exit status: 0 done, 1 failed (not found, bad catalogue, store error), 2 bad
arguments. Help and messages in Portuguese.
"""
from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, TextIO

from bot import settings as settings_module
from bot.solicitacoes import STATUS, STATUS_TITULOS, TIPOS, Solicitacao

# argparse's own phrases, in Portuguese (installed when the parser is built).
_TRADUCOES = {
    "usage: ": "uso: ",
    "positional arguments": "argumentos",
    "options": "opções",
    "optional arguments": "opções",
    "show this help message and exit": "mostra esta ajuda e sai",
    "the following arguments are required: %s": "faltam os argumentos: %s",
    "invalid choice: %(value)r (choose from %(choices)s)":
        "opção inválida: %(value)r (escolha entre %(choices)s)",
    "unrecognized arguments: %s": "argumentos não reconhecidos: %s",
    "expected one argument": "esperava um valor",
    "argument %(argument_name)s: %(message)s": "argumento %(argument_name)s: %(message)s",
    "%(prog)s: error: %(message)s\n": "%(prog)s: erro: %(message)s\n",
    "invalid %(type)s value: %(value)r": "valor inválido: %(value)r",
}


def _traduzir(texto: str) -> str:
    return _TRADUCOES.get(texto, texto)


def _data(texto: str) -> date:
    try:
        return date.fromisoformat(texto)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"data inválida: {texto!r}; use AAAA-MM-DD, por exemplo 2026-11-01") from None


def _parser() -> argparse.ArgumentParser:
    argparse._ = _traduzir  # Portuguese help and errors
    kinds = sorted(TIPOS)
    parser = argparse.ArgumentParser(
        prog="sei-nts", description="Console do SESAU NTS: solicitações e catálogos do "
                                    "assistente do SEI.")
    grupos = parser.add_subparsers(dest="grupo", metavar="{requests,catalog}", required=True)

    req = grupos.add_parser("requests", help="solicitações registradas pelo assistente")
    acoes = req.add_subparsers(dest="acao", metavar="{list,show,export,status}", required=True)

    listar = acoes.add_parser("list", help="lista solicitações")
    listar.add_argument("--kind", choices=kinds, help="tipo de solicitação")
    listar.add_argument("--status", choices=STATUS, help="situação")
    listar.add_argument("--since", type=_data, metavar="AAAA-MM-DD",
                        help="registradas a partir desta data")
    listar.add_argument("--json", action="store_true", help="saída em JSON")

    mostrar = acoes.add_parser("show", help="mostra uma solicitação")
    mostrar.add_argument("protocolo", metavar="PROTOCOLO", help="ex.: NTS-2026-000123")
    mostrar.add_argument("--json", action="store_true", help="saída em JSON")

    exportar = acoes.add_parser("export", help="gera uma planilha consolidada de um tipo")
    exportar.add_argument("--kind", choices=kinds, required=True, help="tipo de solicitação")
    exportar.add_argument("--since", type=_data, metavar="AAAA-MM-DD",
                          help="registradas a partir desta data")
    exportar.add_argument("--status", choices=STATUS, help="só desta situação")
    exportar.add_argument("--out", type=Path, required=True, metavar="ARQUIVO.xlsx",
                          help="arquivo de saída")

    status = acoes.add_parser("status", help="muda a situação de uma solicitação")
    status.add_argument("protocolo", metavar="PROTOCOLO", help="ex.: NTS-2026-000123")
    status.add_argument("novo_status", metavar="NOVO_STATUS", choices=STATUS,
                        help="um de: " + ", ".join(STATUS))
    status.add_argument("--note", metavar="TEXTO", help="observação registrada no histórico")

    cat = grupos.add_parser("catalog", help="catálogos de unidades e cargos")
    cat_acoes = cat.add_subparsers(dest="acao", metavar="{check}", required=True)
    cat_acoes.add_parser("check", help="valida os arquivos dos catálogos")
    return parser


def _como_dict(s: Solicitacao) -> Dict[str, Any]:
    return {
        "protocol": s.protocolo, "kind": s.tipo, "status": s.status,
        "created_at": s.criada_em.isoformat(), "due_at": s.prazo_em.isoformat(),
        "channel": s.canal, "contact": s.contato, "unit": s.unidade,
        "attachment": s.anexo, "spreadsheet": s.planilha,
        "rows": [dict(linha) for linha in s.linhas], "history": list(s.historico),
    }


def _tabela(solicitacoes: Sequence[Solicitacao], out: TextIO) -> None:
    if not solicitacoes:
        print("Nenhuma solicitação encontrada.", file=out)
        return
    print(f"{'PROTOCOLO':<16} {'TIPO':<18} {'SITUAÇÃO':<13} {'CRIADA EM':<17} "
          f"{'CANAL':<9} {'UNIDADE':<10} LINHAS", file=out)
    for s in solicitacoes:
        print(f"{s.protocolo:<16} {s.tipo:<18} {s.status:<13} "
              f"{s.criada_em:%d/%m/%Y %H:%M} {s.canal[:9]:<9} {s.unidade[:10]:<10} "
              f"{len(s.linhas)}", file=out)


def _detalhe(s: Solicitacao, out: TextIO) -> None:
    tipo = TIPOS[s.tipo]
    print(f"Protocolo: {s.protocolo}\nTipo: {tipo.titulo}\n"
          f"Situação: {STATUS_TITULOS[s.status]}\n"
          f"Criada em: {s.criada_em:%d/%m/%Y %H:%M}; prazo: {s.prazo_em:%d/%m/%Y %H:%M}\n"
          f"Canal: {s.canal}; contato: {s.contato}; unidade solicitante: {s.unidade}", file=out)
    if s.planilha:
        print(f"Planilha: {s.planilha}", file=out)
    if s.anexo:
        print(f"Anexo: {s.anexo}", file=out)
    for i, linha in enumerate(s.linhas, 1):
        print(f"Linha {i}:", file=out)
        for campo in tipo.campos:
            if campo.nome in linha:
                print(f"  {campo.coluna}: {linha[campo.nome]}", file=out)
        if linha.get("observacoes"):
            print(f"  Observações: {linha['observacoes']}", file=out)
    print("Histórico:", file=out)
    for h in s.historico:
        nota = f" — {h['nota']}" if h.get("nota") else ""
        print(f"  {h['em']}: {h['status']}{nota}", file=out)


def _executar(args: argparse.Namespace, out: TextIO) -> int:
    from bot.registro import Servicos

    servicos = Servicos(settings_module.load())
    if args.grupo == "catalog":
        from bot.catalogos import Catalogos

        catalogos = Catalogos.carregar(servicos.settings.catalogs_dir)
        print(f"Catálogos válidos em {servicos.settings.catalogs_dir}: "
              f"{len(catalogos.unidades)} unidades, {len(catalogos.cargos)} cargos.", file=out)
        return 0
    store = servicos.store
    if args.acao == "list":
        encontradas = store.listar(tipo=args.kind, status=args.status, desde=args.since)
        if args.json:
            json.dump([_como_dict(s) for s in encontradas], out, ensure_ascii=False, indent=2)
            print(file=out)
        else:
            _tabela(encontradas, out)
        return 0
    if args.acao == "show":
        s = store.get(args.protocolo)
        if s is None:
            print(f"Protocolo não encontrado: {args.protocolo}", file=sys.stderr)
            return 1
        if args.json:
            json.dump(_como_dict(s), out, ensure_ascii=False, indent=2)
            print(file=out)
        else:
            _detalhe(s, out)
        return 0
    if args.acao == "export":
        encontradas = store.listar(tipo=args.kind, status=args.status, desde=args.since)
        destino = servicos.exportar(encontradas, args.kind, args.out)
        print(f"{len(encontradas)} solicitação(ões) exportada(s) para {destino}", file=out)
        return 0
    s = store.atualizar_status(args.protocolo, args.novo_status, args.note)
    print(f"{s.protocolo}: situação agora é {STATUS_TITULOS[s.status]}.", file=out)
    return 0


def main(argv: Optional[List[str]] = None, out: TextIO = sys.stdout) -> int:
    """Entry point of the ``sei-nts`` console script."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as saida:
        return int(saida.code or 0)
    try:
        return _executar(args, out)
    except (LookupError, ValueError) as erro:
        print(f"Erro: {erro}", file=sys.stderr)
        return 1
    except Exception as erro:  # noqa: BLE001 - console: one clear line, no traceback
        print(f"Erro inesperado ({type(erro).__name__}): {erro}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
