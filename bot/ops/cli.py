"""``sei-nts``: the SESAU NTS console for filed requests and catalogues.

    sei-nts requests list [--kind K] [--status S] [--since AAAA-MM-DD] [--json]
    sei-nts requests show PROTOCOLO [--json]
    sei-nts requests export --kind K [--since AAAA-MM-DD] --out ARQUIVO.xlsx
    sei-nts requests status PROTOCOLO NOVO_STATUS [--note TEXTO] [--visible] [--by LOGIN]
    sei-nts requests spreadsheet PROTOCOLO [--out ARQUIVO.xlsx]
    sei-nts catalog check
    sei-nts users add LOGIN --name NOME --role analista|admin [--password-stdin]
    sei-nts users list [--json]
    sei-nts users disable LOGIN | enable LOGIN
    sei-nts users password LOGIN [--password-stdin]
    sei-nts privacy purge [--older-than DIAS] [--dry-run] [--trackers-url URL]
    sei-nts backup --out ARQUIVO
    sei-nts restore --from ARQUIVO --yes

Exit status: 0 done, 1 failed (not found, bad catalogue, bad environment
variable, store error, output closed early as in ``| head``), 2 bad arguments.
Help and messages in Portuguese (argparse's phrases are given explicitly by
``_Parser``). Log records are masked (``bot.ops.logmask``); the console's own
output shows the data to the NTS.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

from bot import settings as settings_module
from bot.ops import logmask, privacidade
from bot.settings import Settings
from bot.solicitacoes.store import PAPEIS, Evento
from bot.solicitacoes.tipos import FUSO, STATUS, STATUS_TITULOS, TIPOS, Solicitacao

if TYPE_CHECKING:
    from bot.solicitacoes.servicos import Servicos

# argparse's own error phrases (Python 3.10) and their Portuguese, in the order tried
_ERROS_ARGPARSE = (
    (re.compile(r"argument (.+?): (.*)", re.S), None),  # None: "argumento NOME: <traduzida>"
    (re.compile(r"the following arguments are required: (.*)", re.S), r"faltam os argumentos: \1"),
    (
        re.compile(r"invalid choice: (.*) \(choose from (.*)\)", re.S),
        r"opção inválida: \1 (escolha entre \2)",
    ),
    (re.compile(r"unrecognized arguments: (.*)", re.S), r"argumentos não reconhecidos: \1"),
    (re.compile(r"ambiguous option: (.*) could match (.*)", re.S), r"opção ambígua: \1 (\2)"),
    (re.compile(r"expected one argument"), "esperava um valor"),
    (re.compile(r"invalid .+ value: (.*)", re.S), r"valor inválido: \1"),
)


def _traduzir_erro(mensagem: str) -> str:
    """An argparse error message in Portuguese (our own messages pass unchanged)."""
    for padrao, traducao in _ERROS_ARGPARSE:
        achado = padrao.fullmatch(mensagem)
        if achado is None:
            continue
        if traducao is None:
            return f"argumento {achado.group(1)}: {_traduzir_erro(achado.group(2))}"
        return achado.expand(traducao)
    return mensagem


class _Formatador(argparse.HelpFormatter):
    """Help and usage with the Portuguese "uso: " prefix."""

    def add_usage(
        self,
        usage: str | None,
        actions: Iterable[argparse.Action],
        groups: Iterable[argparse._MutuallyExclusiveGroup],
        prefix: str | None = None,
    ) -> None:
        """argparse's usage line, prefixed "uso: " unless a prefix is given."""
        super().add_usage(usage, actions, groups, "uso: " if prefix is None else prefix)


class _Parser(argparse.ArgumentParser):
    """``argparse.ArgumentParser`` speaking Portuguese: titles, help and errors."""

    def __init__(self, **opcoes: Any) -> None:
        opcoes.setdefault("formatter_class", _Formatador)
        super().__init__(add_help=False, **opcoes)
        self._positionals.title = "argumentos"
        self._optionals.title = "opções"
        self.add_argument("-h", "--help", action="help", help="mostra esta ajuda e sai")

    def error(self, message: str) -> NoReturn:
        """Usage and the error in Portuguese on stderr; exit status 2."""
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: erro: {_traduzir_erro(message)}\n")


def _data(texto: str) -> date:
    try:
        return date.fromisoformat(texto)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"data inválida: {texto!r}; use AAAA-MM-DD, por exemplo 2026-11-01"
        ) from None


def _dias(texto: str) -> int:
    try:
        dias = int(texto)
    except ValueError:
        dias = -1
    if dias < 0:
        raise argparse.ArgumentTypeError(
            f"número de dias inválido: {texto!r}; use um inteiro maior ou igual a 0"
        )
    return dias


def _parser() -> argparse.ArgumentParser:
    kinds = sorted(TIPOS)
    parser = _Parser(
        prog="sei-nts",
        description="Console do SESAU NTS: solicitações e catálogos do assistente do SEI.",
    )
    grupos = parser.add_subparsers(
        dest="grupo", required=True, metavar="{requests,catalog,sei,users,privacy,backup,restore}"
    )

    req = grupos.add_parser("requests", help="solicitações registradas pelo assistente")
    acoes = req.add_subparsers(
        dest="acao", metavar="{list,show,export,status,spreadsheet}", required=True
    )

    listar = acoes.add_parser("list", help="lista solicitações")
    listar.add_argument("--kind", choices=kinds, help="tipo de solicitação")
    listar.add_argument("--status", choices=STATUS, help="situação")
    listar.add_argument(
        "--since", type=_data, metavar="AAAA-MM-DD", help="registradas a partir desta data"
    )
    listar.add_argument("--json", action="store_true", help="saída em JSON")

    mostrar = acoes.add_parser("show", help="mostra uma solicitação")
    mostrar.add_argument("protocolo", metavar="PROTOCOLO", help="ex.: NTS-2026-000123")
    mostrar.add_argument("--json", action="store_true", help="saída em JSON")

    exportar = acoes.add_parser("export", help="gera uma planilha consolidada de um tipo")
    exportar.add_argument("--kind", choices=kinds, required=True, help="tipo de solicitação")
    exportar.add_argument(
        "--since", type=_data, metavar="AAAA-MM-DD", help="registradas a partir desta data"
    )
    exportar.add_argument("--status", choices=STATUS, help="só desta situação")
    exportar.add_argument(
        "--out", type=Path, required=True, metavar="ARQUIVO.xlsx", help="arquivo de saída"
    )

    status = acoes.add_parser("status", help="muda a situação de uma solicitação")
    status.add_argument("protocolo", metavar="PROTOCOLO", help="ex.: NTS-2026-000123")
    status.add_argument(
        "novo_status", metavar="NOVO_STATUS", choices=STATUS, help="um de: " + ", ".join(STATUS)
    )
    status.add_argument("--note", metavar="TEXTO", help="observação registrada no histórico")
    status.add_argument(
        "--visible", action="store_true", help="a observação é visível ao solicitante"
    )
    status.add_argument(
        "--by",
        metavar="LOGIN",
        help="quem fez a mudança, no histórico (padrão: console:<usuário do sistema>)",
    )

    liberar = acoes.add_parser(
        "liberar-limite",
        help="libera, até o fim do dia, mais registros para quem registrou esta solicitação "
        "(limite diário SEI_LIMITE_REGISTROS_DIA)",
    )
    liberar.add_argument("protocolo", metavar="PROTOCOLO", help="ex.: NTS-2026-000123")
    liberar.add_argument("--by", metavar="LOGIN", help="quem liberou, na auditoria")

    planilha = acoes.add_parser(
        "spreadsheet",
        help="gera de novo a planilha de uma solicitação (por exemplo, depois da retenção)",
    )
    planilha.add_argument("protocolo", metavar="PROTOCOLO", help="ex.: NTS-2026-000123")
    planilha.add_argument(
        "--out",
        type=Path,
        metavar="ARQUIVO.xlsx",
        help="arquivo de saída (padrão: a pasta de planilhas do assistente)",
    )

    cat = grupos.add_parser("catalog", help="catálogos de unidades e cargos")
    cat_acoes = cat.add_subparsers(dest="acao", metavar="{check,sync}", required=True)
    cat_acoes.add_parser("check", help="valida os arquivos dos catálogos")
    from bot.sei.cli import registrar as registrar_sei

    registrar_sei(grupos, cat_acoes)  # sei {check,status,reenviar,vincular}, catalog sync

    usu = grupos.add_parser("users", help="usuários do painel do NTS")
    usu_acoes = usu.add_subparsers(
        dest="acao", metavar="{add,list,disable,enable,password}", required=True
    )
    add = usu_acoes.add_parser(
        "add",
        help="cria um usuário do painel",
        description="Cria um usuário do painel. A senha (12 caracteres ou mais) é pedida "
        "no terminal, ou lida da entrada padrão com --password-stdin.",
    )
    add.add_argument("login", metavar="LOGIN", help="ex.: maria.silva")
    add.add_argument("--name", required=True, metavar="NOME", help='ex.: "Maria da Silva"')
    add.add_argument("--role", required=True, choices=PAPEIS, help="analista ou admin")
    add.add_argument("--password-stdin", action="store_true", help="lê a senha da entrada padrão")
    lista_usu = usu_acoes.add_parser("list", help="lista os usuários do painel")
    lista_usu.add_argument("--json", action="store_true", help="saída em JSON")
    desativar = usu_acoes.add_parser(
        "disable", help="desativa um usuário (as sessões dele terminam)"
    )
    desativar.add_argument("login", metavar="LOGIN")
    reativar = usu_acoes.add_parser("enable", help="reativa um usuário desativado")
    reativar.add_argument("login", metavar="LOGIN")
    senha = usu_acoes.add_parser(
        "password",
        help="define uma nova senha (as sessões do usuário terminam)",
        description="Define uma nova senha (12 caracteres ou mais), pedida no terminal ou "
        "lida da entrada padrão com --password-stdin; serve também para o administrador "
        "que esqueceu a própria senha.",
    )
    senha.add_argument("login", metavar="LOGIN")
    senha.add_argument("--password-stdin", action="store_true", help="lê a senha da entrada padrão")

    priv = grupos.add_parser("privacy", help="retenção de dados pessoais")
    priv_acoes = priv.add_subparsers(dest="acao", metavar="{purge}", required=True)
    purge = priv_acoes.add_parser(
        "purge",
        help="apaga conversas, anexos e planilhas antigos (as solicitações ficam)",
        description="Apaga as conversas sem mensagens há mais de DIAS dias e os anexos e "
        "planilhas com mais de DIAS dias. Os registros das solicitações continuam "
        "no banco; arquivos de solicitações em aberto são mantidos.",
    )
    purge.add_argument(
        "--older-than",
        type=_dias,
        metavar="DIAS",
        help="prazo de retenção em dias (padrão: SEI_RETENCAO_DIAS ou "
        f"{privacidade.RETENCAO_PADRAO_DIAS})",
    )
    purge.add_argument(
        "--dry-run", action="store_true", help="só mostra o que seria apagado, sem apagar"
    )
    purge.add_argument(
        "--trackers-url",
        metavar="URL",
        help="URL SQLAlchemy do banco de conversas (padrão: var/trackers.db)",
    )

    backup = grupos.add_parser("backup", help="copia o banco de solicitações")
    backup.add_argument(
        "--out",
        type=Path,
        required=True,
        metavar="ARQUIVO",
        help="arquivo da cópia (SQLite: .db; PostgreSQL: formato do pg_dump)",
    )

    restore = grupos.add_parser(
        "restore",
        help="restaura o banco de solicitações de uma cópia",
        description="Substitui o banco de solicitações pela cópia. Pare o assistente antes. "
        "O banco atual é copiado antes para var/backups/.",
    )
    restore.add_argument(
        "--from",
        dest="origem",
        type=Path,
        required=True,
        metavar="ARQUIVO",
        help="arquivo gerado por 'sei-nts backup'",
    )
    restore.add_argument(
        "--yes", action="store_true", help="confirma a substituição do banco atual"
    )
    return parser


def _evento(e: Evento) -> dict[str, Any]:
    """One audit entry as JSON (the same for a change made here or in the panel)."""
    return {
        "at": e.em.isoformat(),
        "by": e.autor,
        "action": e.acao,
        "before": e.antes,
        "after": e.depois,
        "note": e.nota,
        "visible": e.visivel,
    }


def _como_dict(s: Solicitacao) -> dict[str, Any]:
    return {
        "protocol": s.protocolo,
        "kind": s.tipo,
        "status": s.status,
        "created_at": s.criada_em.isoformat(),
        "due_at": s.prazo_em.isoformat(),
        "channel": s.canal,
        "contact": s.contato,
        "unit": s.unidade,
        "attachment": s.anexo,
        "spreadsheet": s.planilha,
        "rows": [dict(linha) for linha in s.linhas],
        "history": list(s.historico),
    }


def _tabela(solicitacoes: Sequence[Solicitacao], out: TextIO) -> None:
    if not solicitacoes:
        print("Nenhuma solicitação encontrada.", file=out)
        return
    print(
        f"{'PROTOCOLO':<16} {'TIPO':<18} {'SITUAÇÃO':<13} {'CRIADA EM':<17} "
        f"{'CANAL':<9} {'UNIDADE':<10} LINHAS",
        file=out,
    )
    for s in solicitacoes:
        print(
            f"{s.protocolo:<16} {s.tipo:<18} {s.status:<13} "
            f"{s.criada_em:%d/%m/%Y %H:%M} {s.canal[:9]:<9} {s.unidade[:10]:<10} "
            f"{len(s.linhas)}",
            file=out,
        )


def _detalhe(
    s: Solicitacao, eventos: Sequence[Evento], out: TextIO, anexo_existe: bool = True
) -> None:
    tipo = TIPOS[s.tipo]
    print(
        f"Protocolo: {s.protocolo}\nTipo: {tipo.titulo}\n"
        f"Situação: {STATUS_TITULOS[s.status]}\n"
        f"Criada em: {s.criada_em:%d/%m/%Y %H:%M}; prazo: {s.prazo_em:%d/%m/%Y %H:%M}\n"
        f"Canal: {s.canal}; contato: {s.contato}; unidade solicitante: {s.unidade}",
        file=out,
    )
    if s.planilha:
        falta = (
            ""
            if Path(s.planilha).exists()
            else (
                " (arquivo apagado pela retenção; gere de novo com "
                f"'sei-nts requests spreadsheet {s.protocolo}')"
            )
        )
        print(f"Planilha: {s.planilha}{falta}", file=out)
    if s.anexo:
        falta = "" if anexo_existe else " (arquivo apagado pela retenção)"
        print(f"Anexo: {s.anexo}{falta}", file=out)
    for i, linha in enumerate(s.linhas, 1):
        print(f"Linha {i}:", file=out)
        for campo in tipo.campos:
            if campo.nome in linha:
                print(f"  {campo.coluna}: {linha[campo.nome]}", file=out)
        if linha.get("observacoes"):
            print(f"  Observações: {linha['observacoes']}", file=out)
    print("Histórico:", file=out)
    for e in eventos:
        mudanca = " → ".join(v for v in (e.antes, e.depois) if v)
        nota = f" — {e.nota}" if e.nota else ""
        visivel = " (visível ao solicitante)" if e.visivel else ""
        print(f"  {e.em:%d/%m/%Y %H:%M} {e.autor}: {e.acao} {mudanca}{nota}{visivel}", file=out)


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB".replace(".", ",")


def _purge(args: argparse.Namespace, servicos: Servicos, out: TextIO) -> int:
    cfg = servicos.settings
    dias = args.older_than if args.older_than is not None else privacidade.retencao_dias(cfg)
    url = args.trackers_url or cfg.trackers_db_url
    r = privacidade.purgar(
        servicos.store, url, cfg.anexos_dir, cfg.planilhas_dir, dias, simular=args.dry_run
    )
    apagados, apagadas = (
        ("seriam apagados", "seriam apagadas") if r.simulacao else ("apagados", "apagadas")
    )
    print(
        f"Retenção de {dias} dia(s): itens anteriores a {r.corte.astimezone(FUSO):%d/%m/%Y %H:%M}.",
        file=out,
    )
    if r.trackers_ausentes:
        print("  Banco de conversas não encontrado: nada a apagar nele.", file=out)
    else:
        print(f"  Conversas {apagadas}: {r.conversas} ({r.eventos} eventos)", file=out)
    print(f"  Anexos {apagados}: {r.anexos}", file=out)
    print(f"  Planilhas {apagadas}: {r.planilhas}", file=out)
    if r.temporarios:
        print(f"  Arquivos temporários {apagados}: {r.temporarios}", file=out)
    if r.mantidos_abertos:
        print(f"  Mantidos por serem de solicitações em aberto: {r.mantidos_abertos}", file=out)
    print(f"  Espaço: {_mb(r.bytes)}", file=out)
    if r.simulacao:
        print("Simulação (--dry-run): nada foi apagado.", file=out)
    print(
        "As solicitações registradas continuam no banco (sei-nts requests show PROTOCOLO).",
        file=out,
    )
    return 0


def _backup(args: argparse.Namespace, cfg: Settings, out: TextIO) -> int:
    destino = privacidade.fazer_backup(cfg.requests_db_url, args.out)
    print(
        f"Cópia do banco de solicitações gravada em {destino} ({_mb(destino.stat().st_size)}).",
        file=out,
    )
    return 0


def _restore(args: argparse.Namespace, cfg: Settings, out: TextIO) -> int:
    if not args.yes:
        print(
            "A restauração substitui o banco de solicitações atual. Pare o assistente e "
            "repita com --yes para confirmar.",
            file=sys.stderr,
        )
        return 2
    r = privacidade.restaurar(
        cfg.requests_db_url, args.origem, cfg.planilhas_dir, privacidade.pasta_backups(cfg)
    )
    print(
        f"Banco de solicitações restaurado de {args.origem}: {r.solicitacoes} solicitação(ões).",
        file=out,
    )
    if r.copia_anterior:
        print(f"O banco substituído foi guardado em {r.copia_anterior}.", file=out)
    if r.protocolos_ausentes:
        print(
            f"Atenção: {len(r.protocolos_ausentes)} protocolo(s) têm planilha na pasta de "
            "planilhas, mas não estão na cópia (foram registrados depois dela): "
            + ", ".join(r.protocolos_ausentes)
            + ". Os dados deles estão nas planilhas; "
            "os próximos protocolos seguem a partir do maior deles.",
            file=out,
        )
    return 0


def _planilha(args: argparse.Namespace, servicos: Servicos, out: TextIO) -> int:
    s = servicos.store.buscar(args.protocolo)
    if s is None:
        print(f"Protocolo não encontrado: {args.protocolo}", file=sys.stderr)
        return 1
    if TIPOS[s.tipo].planilha is None:
        print(f"{s.protocolo} ({TIPOS[s.tipo].titulo}) não tem planilha.", file=sys.stderr)
        return 1
    if args.out:
        destino = servicos.exportar([s], s.tipo, args.out)
    else:
        servicos.gerar_planilha(s)
        destino = servicos.caminho_planilha(s.protocolo)
    print(f"Planilha de {s.protocolo} gravada em {destino}", file=out)
    return 0


def _executar(args: argparse.Namespace, out: TextIO, entrada: TextIO) -> int:
    from bot.solicitacoes.servicos import Servicos

    servicos = Servicos(settings_module.load())
    if getattr(args, "sei_executar", None) is not None:  # bot.sei.cli commands
        return int(args.sei_executar(args, servicos.settings, out))
    if args.grupo == "users":
        return _usuarios(args, servicos, out, entrada)
    if args.grupo == "privacy":
        return _purge(args, servicos, out)
    if args.grupo == "backup":
        return _backup(args, servicos.settings, out)
    if args.grupo == "restore":
        return _restore(args, servicos.settings, out)
    if args.grupo == "catalog":
        from bot.solicitacoes.catalogos import Catalogos

        catalogos = Catalogos.carregar(servicos.settings.catalogs_dir)
        print(
            f"Catálogos válidos em {servicos.settings.catalogs_dir}: "
            f"{len(catalogos.unidades)} unidades, {len(catalogos.cargos)} cargos.",
            file=out,
        )
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
        s = store.buscar(args.protocolo)
        if s is None:
            print(f"Protocolo não encontrado: {args.protocolo}", file=sys.stderr)
            return 1
        if args.json:
            dados = _como_dict(s)
            dados["audit"] = [_evento(e) for e in store.historico(s.protocolo)]
            json.dump(dados, out, ensure_ascii=False, indent=2)
            print(file=out)
        else:
            _detalhe(
                s,
                store.historico(s.protocolo),
                out,
                anexo_existe=not s.anexo or servicos.anexos.caminho(s.anexo) is not None,
            )
        return 0
    if args.acao == "export":
        encontradas = store.listar(tipo=args.kind, status=args.status, desde=args.since)
        destino = servicos.exportar(encontradas, args.kind, args.out)
        print(f"{len(encontradas)} solicitação(ões) exportada(s) para {destino}", file=out)
        return 0
    if args.acao == "spreadsheet":
        return _planilha(args, servicos, out)
    from bot.painel.usuarios import validar_login

    if args.acao == "liberar-limite":
        from bot.solicitacoes import cota

        autor = validar_login(args.by) if args.by else f"console:{_usuario_do_sistema()}"
        protocolo = cota.liberar(store, args.protocolo, autor)
        print(f"Limite diário liberado até o fim do dia para quem registrou {protocolo}.", file=out)
        return 0
    from bot.notificacoes import fila
    from bot.solicitacoes import atendimento

    fila.ligar(servicos)  # the change queues the requester's notices, as in the panel
    s = atendimento.mudar_situacao(
        store,
        args.protocolo,
        args.novo_status,
        autor=validar_login(args.by) if args.by else f"console:{_usuario_do_sistema()}",
        observacao=args.note,
        visivel=args.visible,
    )
    print(f"{s.protocolo}: situação agora é {STATUS_TITULOS[s.status]}.", file=out)
    return 0


def _usuario_do_sistema() -> str:
    import getpass

    try:
        return getpass.getuser()[:40]
    except (KeyError, OSError):
        return "desconhecido"


def _ler_senha(args: argparse.Namespace, entrada: TextIO) -> str:
    """The new password: one line of stdin (--password-stdin) or typed twice."""
    if args.password_stdin:
        return entrada.readline().rstrip("\r\n")
    import getpass

    senha = getpass.getpass("Senha (12 caracteres ou mais): ")
    if getpass.getpass("Repita a senha: ") != senha:
        raise ValueError("As duas senhas digitadas são diferentes; nada foi alterado.")
    return senha


def _usuarios(args: argparse.Namespace, servicos: Servicos, out: TextIO, entrada: TextIO) -> int:
    from bot.painel import usuarios

    store = servicos.store
    autor = f"console:{_usuario_do_sistema()}"
    if args.acao == "add":
        u = usuarios.criar(
            store, args.login, args.name, args.role, _ler_senha(args, entrada), autor=autor
        )
        print(f"Usuário {u.login} ({u.papel}) criado. Entre no painel com ele.", file=out)
        return 0
    if args.acao == "disable":
        u = usuarios.desativar(store, args.login, autor=autor)
        print(f"Usuário {u.login} desativado; as sessões dele terminaram.", file=out)
        return 0
    if args.acao == "enable":
        u = usuarios.reativar(store, args.login, autor=autor)
        print(f"Usuário {u.login} reativado.", file=out)
        return 0
    if args.acao == "password":
        u = usuarios.redefinir_senha(store, args.login, _ler_senha(args, entrada), autor=autor)
        print(f"Senha de {u.login} redefinida; as sessões dele terminaram.", file=out)
        return 0
    todos = store.usuarios()
    if args.json:
        json.dump(
            [{"login": u.login, "name": u.nome, "role": u.papel, "active": u.ativo} for u in todos],
            out,
            ensure_ascii=False,
            indent=2,
        )
        print(file=out)
    elif not todos:
        print(
            "Nenhum usuário do painel. Crie o primeiro administrador com: "
            'sei-nts users add LOGIN --name "Nome" --role admin',
            file=out,
        )
    else:
        print(f"{'LOGIN':<20} {'PAPEL':<9} {'SITUAÇÃO':<10} NOME", file=out)
        for u in todos:
            situacao = "ativo" if u.ativo else "desativado"
            print(f"{u.login:<20} {u.papel:<9} {situacao:<10} {u.nome}", file=out)
    return 0


def main(
    argv: list[str] | None = None, out: TextIO = sys.stdout, entrada: TextIO | None = None
) -> int:
    """Entry point of the ``sei-nts`` console script."""
    if argv is None:  # the console process (not a caller passing arguments, e.g. tests)
        logmask.instalar(fluxos=False)  # log records only: the output is for the NTS
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as saida:
        return int(saida.code or 0)
    try:
        codigo = _executar(args, out, sys.stdin if entrada is None else entrada)
        out.flush()  # a closed pipe shows up here, not at interpreter exit
        return codigo
    except BrokenPipeError:  # e.g. ``sei-nts requests list | head``: the reader is gone
        _silenciar(out)
        return 1
    except settings_module.ConfiguracaoInvalida as erro:
        print(f"Configuração inválida: {erro}", file=sys.stderr)
        return 1
    except (LookupError, ValueError, privacidade.ErroPrivacidade) as erro:
        print(f"Erro: {erro}", file=sys.stderr)
        return 1
    except Exception as erro:
        print(f"Erro inesperado ({type(erro).__name__}): {erro}", file=sys.stderr)
        return 1


def _silenciar(out: TextIO) -> None:
    """Point a closed output at /dev/null, so the flush at exit raises nothing."""
    try:
        descritor = out.fileno()
    except (AttributeError, OSError, ValueError):  # not a file (e.g. StringIO)
        return
    nulo = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(nulo, descritor)
    finally:
        os.close(nulo)


if __name__ == "__main__":
    sys.exit(main())
