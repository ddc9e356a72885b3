"""SESAU spreadsheets (.xlsx) of the filed requests, written with openpyxl.

``gerar_planilha`` writes one workbook for a request kind: the data sheet
(title ``Tipo.planilha``; "Protocolo", one column per ``Campo``,
"Observações"), an "Instruções" sheet and a hidden "Listas" sheet that the
drop-down lists reference. Every value is cleaned of control characters and
written as a text cell, so nothing ever becomes a formula. The file is
written atomically. No Rasa import here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.worksheet import Worksheet

from bot import content
from bot.arquivos import gravar_atomico
from bot.solicitacoes.protocolo import nome_planilha
from bot.solicitacoes.tipos import FUSO, OPERACOES, STATUS_TITULOS, TIPOS, Campo, Solicitacao, Tipo

CRIADOR = "Assistente do SEI - SESAU/AL"
ABA_INSTRUCOES = "Instruções"
ABA_LISTAS = "Listas"
COLUNA_PROTOCOLO = "Protocolo"
COLUNA_OBSERVACOES = "Observações"
CHAVE_OBSERVACOES = "observacoes"
LINHAS_EXTRAS = 200  # empty rows below the data that keep the drop-downs and the text format
LINHAS_MODELO = 20  # empty rows printed in a blank planilha

_MAX_CELULA = 32767  # Excel's limit on the characters of a cell
_MAX_TITULO_ABA = 31
_LARGURA_MIN, _LARGURA_MAX = 10, 60
_FORMATO_TEXTO = "@"
_NEGRITO = Font(bold=True)
_FUNDO_CABECALHO = PatternFill("solid", fgColor="DDEBF7")
_QUEBRA = Alignment(wrap_text=True, vertical="top")
_FUNDO_ERRO = PatternFill("solid", fgColor="FFC7CE")
_FONTE_ERRO = Font(color="9C0006")

# C0 controls except LF, DEL, C1 controls, surrogates and the XML 1.0 non-characters.
_CONTROLE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_INICIO_FORMULA = ("=", "+", "-", "@", "\t", "\r")
_TITULOS_LISTAS = {
    "siglas": "Siglas (SEI)",
    "cargos": "Cargos (Lei Delegada)",
    "operacoes": "Operações",
}
_LISTAS_PADRAO: Mapping[str, Sequence[str]] = {"operacoes": OPERACOES}


# ---------------------------------------------------------------- cleaning


def limpar(valor: object) -> str:
    """Text of a cell: control characters removed, CRLF as LF, Excel's length limit."""
    if valor is None:
        return ""
    texto = str(valor).replace("\r\n", "\n")
    texto = _CONTROLE.sub("", texto)
    return texto[:_MAX_CELULA]


def parece_formula(texto: str) -> bool:
    """Whether a spreadsheet would read ``texto`` as a formula if typed."""
    return texto.startswith(_INICIO_FORMULA) or texto.lstrip().startswith(_INICIO_FORMULA)


def escrever(celula: Cell, valor: object) -> None:
    """Write ``valor`` as a plain text cell (never a formula nor an error value)."""
    texto = limpar(valor)
    if not texto:
        celula.value = None
        return
    celula.value = texto
    celula.data_type = "s"  # openpyxl makes "=..." a formula and "#N/A" an error
    if parece_formula(texto):
        celula.quotePrefix = True


# ---------------------------------------------------------------- file names


def nome_arquivo(protocolo: str) -> str:
    """File name of a request's spreadsheet: ``NTS-2026-000123.xlsx``."""
    return nome_planilha(protocolo)


def nome_exportacao(tipo_chave: str, agora: datetime) -> str:
    """File name of a staff export: ``NTS-exportacao-<kind>-AAAAMMDD-HHMMSS.xlsx``."""
    tipo = TIPOS.get(tipo_chave)
    if tipo is None or tipo.planilha is None:
        raise ValueError(f"tipo sem planilha: {tipo_chave!r}")
    if agora.tzinfo is None:
        raise ValueError("agora precisa de fuso horário")
    return f"NTS-exportacao-{tipo.chave}-{agora.astimezone(FUSO):%Y%m%d-%H%M%S}.xlsx"


# ---------------------------------------------------------------- layout


@dataclass(frozen=True)
class _Lista:
    """A drop-down list written to the Listas sheet."""

    nome: str
    valores: tuple[str, ...]
    coluna: str

    @property
    def referencia(self) -> str:
        """Absolute range of the values, e.g. ``Listas!$A$2:$A$9``."""
        fim = len(self.valores) + 1
        return f"{ABA_LISTAS}!${self.coluna}$2:${self.coluna}${fim}"


def _titulo_aba(tipo: Tipo) -> str:
    """The data sheet's title, checked against Excel's rules."""
    titulo = tipo.planilha or ""
    if not titulo or len(titulo) > _MAX_TITULO_ABA or re.search(r"[\[\]:*?/\\]", titulo):
        raise ValueError(f"título de aba inválido: {titulo!r}")
    return titulo


def _cabecalho(tipo: Tipo) -> list[str]:
    """Column headers of the data sheet."""
    return [COLUNA_PROTOCOLO, *(c.coluna for c in tipo.campos), COLUNA_OBSERVACOES]


def _observacoes(linha: Mapping[str, object], tipo: Tipo) -> str:
    """The Observações cell: ``observacoes`` first, then other extra keys labelled."""
    nomes = {c.nome for c in tipo.campos}
    partes = [limpar(linha.get(CHAVE_OBSERVACOES))]
    for chave, valor in linha.items():
        if chave not in nomes and chave != CHAVE_OBSERVACOES and limpar(valor):
            partes.append(f"{chave}: {limpar(valor)}")
    return "; ".join(p for p in partes if p)


def _valor(linha: Mapping[str, object], campo: Campo, solicitacao: Solicitacao) -> object:
    """A row's value for ``campo`` (removals default to the REMOVER operation)."""
    valor = linha.get(campo.nome)
    if campo.nome == "operacao" and not valor and solicitacao.tipo == "remocao_usuario":
        return "REMOVER"
    return valor


def _linhas(tipo: Tipo, solicitacoes: Sequence[Solicitacao]) -> list[list[object]]:
    """The data rows of every request, in order."""
    linhas = []
    for sol in solicitacoes:
        for linha in sol.linhas:
            valores = [_valor(linha, c, sol) for c in tipo.campos]
            linhas.append([sol.protocolo, *valores, _observacoes(linha, tipo)])
    return linhas


def _verificar_tipos(tipo: Tipo, solicitacoes: Sequence[Solicitacao]) -> None:
    """Every request must be of ``tipo`` or of a kind sharing its spreadsheet."""
    for sol in solicitacoes:
        outro = TIPOS.get(sol.tipo)
        if outro is None or outro.planilha != tipo.planilha or outro.campos != tipo.campos:
            raise ValueError(
                f"{sol.protocolo}: tipo {sol.tipo!r} não cabe na planilha {tipo.planilha!r}"
            )


def _listas_usadas(tipo: Tipo, listas: Mapping[str, Sequence[str]]) -> dict[str, _Lista]:
    """The drop-down lists the kind's columns need, deduplicated and cleaned."""
    usadas: dict[str, _Lista] = {}
    for campo in tipo.campos:
        if campo.lista is None or campo.lista in usadas:
            continue
        brutos = listas.get(campo.lista) or _LISTAS_PADRAO.get(campo.lista) or ()
        valores = tuple(dict.fromkeys(v for v in map(limpar, brutos) if v))
        if not valores:
            raise ValueError(f"lista {campo.lista!r} ausente ou vazia")
        usadas[campo.lista] = _Lista(campo.lista, valores, get_column_letter(len(usadas) + 1))
    return usadas


def _largura(textos: Sequence[str]) -> float:
    """Column width fitting the longest line, within sensible bounds."""
    maior = max((len(linha) for t in textos for linha in t.split("\n")), default=0)
    return float(min(max(maior + 2, _LARGURA_MIN), _LARGURA_MAX))


# ---------------------------------------------------------------- sheets


def _aba_dados(
    ws: Worksheet, tipo: Tipo, linhas: list[list[object]], extras: Sequence[str] = ()
) -> None:
    """Header, rows, CPF text format, widths, frozen header and autofilter."""
    cabecalho = [*_cabecalho(tipo), *extras]
    for col, titulo in enumerate(cabecalho, start=1):
        celula = ws.cell(row=1, column=col)
        escrever(celula, titulo)
        celula.font, celula.fill, celula.alignment = _NEGRITO, _FUNDO_CABECALHO, _QUEBRA
    for lin, valores in enumerate(linhas, start=2):
        for col, valor in enumerate(valores, start=1):
            celula = ws.cell(row=lin, column=col)
            escrever(celula, valor)
            celula.alignment = _QUEBRA
    _formatar_cpf(ws, tipo, len(linhas))
    for col, titulo in enumerate(cabecalho, start=1):
        textos = [titulo, *(limpar(v[col - 1]) for v in linhas)]
        ws.column_dimensions[get_column_letter(col)].width = _largura(textos)
    ultima = get_column_letter(len(cabecalho))
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{ultima}{max(len(linhas) + 1, 2)}"


def _formatar_cpf(ws: Worksheet, tipo: Tipo, n_linhas: int) -> None:
    """CPF cells (data and empty rows) formatted as text, keeping leading zeros."""
    for indice, campo in enumerate(tipo.campos, start=2):
        if campo.tipo != "cpf":
            continue
        for lin in range(2, n_linhas + LINHAS_EXTRAS + 2):
            ws.cell(row=lin, column=indice).number_format = _FORMATO_TEXTO


def _aba_listas(ws: Worksheet, usadas: Mapping[str, _Lista]) -> None:
    """One column per list; hidden, referenced by the data validations."""
    for lista in usadas.values():
        col = column_index_from_string(lista.coluna)
        cabeca = ws.cell(row=1, column=col)
        escrever(cabeca, _TITULOS_LISTAS.get(lista.nome, lista.nome))
        cabeca.font = _NEGRITO
        for lin, valor in enumerate(lista.valores, start=2):
            escrever(ws.cell(row=lin, column=col), valor)
        ws.column_dimensions[lista.coluna].width = _largura([lista.nome, *lista.valores])
    ws.sheet_state = "hidden"


def _validacoes(ws: Worksheet, tipo: Tipo, usadas: Mapping[str, _Lista], n_linhas: int) -> None:
    """Drop-down lists on the data rows and the empty rows below them."""
    fim = n_linhas + LINHAS_EXTRAS + 1
    for indice, campo in enumerate(tipo.campos, start=2):
        if campo.lista is None:
            continue
        letra = get_column_letter(indice)
        varias = campo.tipo == "siglas"
        dv = DataValidation(
            type="list",
            formula1=usadas[campo.lista].referencia,
            allow_blank=True,
            showErrorMessage=True,
            showInputMessage=True,
            errorStyle="warning" if varias else "stop",
            errorTitle="Valor fora da lista"[:32],
            error=(
                "Use uma sigla da lista; para várias, separe por vírgula."
                if varias
                else "Escolha um valor da lista suspensa."
            ),
            promptTitle=campo.coluna[:32],
            prompt=_DICA_LISTA.get(campo.lista, "Escolha um valor da lista."),
        )
        dv.add(f"{letra}2:{letra}{fim}")
        ws.add_data_validation(dv)


_DICA_LISTA = {
    "siglas": "Sigla da unidade como usada no SEI.",
    "cargos": "Cargo da lista oficial (Lei Delegada vigente).",
    "operacoes": "ADICIONAR, MUDAR ou REMOVER.",
}


# ---------------------------------------------------------------- instructions

_DICAS_CAMPO = {
    "nome": "Nome completo da pessoa (pelo menos nome e sobrenome).",
    "cpf": (
        "CPF com 11 dígitos, no formato 000.000.000-00. A coluna é de texto: mantenha "
        "os zeros à esquerda. Confira o número antes de enviar."
    ),
    "email": (
        "E-mail de uso pessoal do usuário; não é permitido e-mail de uso coletivo "
        "(protocolo@, gabinete@, setor@ e semelhantes). Evite Hotmail e Outlook: esses "
        "provedores têm apresentado problemas no envio das credenciais de acesso e da "
        "mudança de senha. Se o usuário não tiver outro, registre isso em Observações."
    ),
    "sigla": "Sigla da unidade exatamente como é usada no SEI (escolha na lista suspensa).",
    "siglas": (
        "Sigla(s) das unidades exatamente como usadas no SEI (a lista suspensa mostra "
        "as válidas); mais de uma: separe por vírgula."
    ),
    "sigla_nova": (
        "Sigla proposta para a nova unidade; não pode ser uma sigla que já existe no SEI."
    ),
    "cargo": (
        "Cargo da lista oficial (lista suspensa): o SEI já dispõe de todos os cargos "
        "regulamentados pela Lei Delegada vigente; não é possível incluir cargos novos, "
        "exceto quando houver lei específica para esse fim."
    ),
    "processo": (
        "Número completo do processo no SEI, no formato E:02000.0000003030/2020 "
        "(órgão com 5 dígitos, sequência com 10 dígitos e ano com 4 dígitos)."
    ),
    "texto": "Texto livre, de 10 a 2.000 caracteres.",
    "texto_curto": "Texto livre.",
    "operacao": "ADICIONAR, MUDAR ou REMOVER (escolha na lista suspensa).",
}

_DICAS_NOME = {
    "nome_unidade": "Nome completo da nova unidade (setor).",
    "sigla_superior": (
        "Sigla da unidade superior (à qual a nova unidade fica subordinada), "
        "exatamente como é usada no SEI (escolha na lista suspensa)."
    ),
    "nome_responsavel": "Nome completo do responsável pela nova unidade.",
    "ato_criacao": "Ato de criação da unidade, se houver.",
    "motivo": "Motivo da separação dos processos (de 10 a 2.000 caracteres).",
}

_DICAS_OPERACAO = {
    "lotacao": (
        "ADICIONAR: acrescenta a(s) sigla(s) à lotação do usuário. MUDAR: troca a "
        "lotação; informe as siglas a adicionar e as siglas a remover."
    ),
    "remocao_usuario": (
        "REMOVER: desliga o usuário das unidades informadas em "
        '"Sigla(s) a remover / de desligamento".'
    ),
}

_SIGLAS_SEI = "Siglas exatamente como usadas no SEI; mais de uma: separe por vírgula."
_DICAS_CONDICIONAIS = {  # (kind, field): full text, replacing "Obrigatório/Opcional"
    ("lotacao", "siglas_adicionar"): f"Obrigatório em ADICIONAR e MUDAR. {_SIGLAS_SEI}",
    ("lotacao", "siglas_remover"): (
        f"Obrigatório em MUDAR; deixe em branco em ADICIONAR. {_SIGLAS_SEI}"
    ),
    ("remocao_usuario", "siglas_adicionar"): "Deixe em branco.",
    ("remocao_usuario", "siglas_remover"): (
        f"Obrigatório. Unidade(s) das quais o usuário deve ser desligado. {_SIGLAS_SEI}"
    ),
}

_NOTAS_TIPO = {
    "cadastro_usuario": (
        "Uma linha por usuário a cadastrar. A sigla deve ser a mesma utilizada no SEI."
    ),
    "lotacao": (
        "Uma linha por usuário. A sigla do setor (a ser adicionado e/ou removido) deve "
        "ser a mesma utilizada no SEI."
    ),
    "remocao_usuario": (
        "Uma linha por usuário desligado. A remoção de usuários de uma unidade "
        "é recomendada para evitar acessos indevidos."
    ),
    "criacao_unidade": "Uma linha por unidade (setor) a criar no SEI.",
    "atualizacao_email": (
        "Atualização do e-mail e nova senha: informe o e-mail novo, que será "
        "usado para o resgate de acesso em caso de esquecimento da senha."
    ),
    "correcao_cargo": "Informe o cargo correto, escolhido na lista oficial.",
    "desanexacao": (
        "Durante a solicitação, o processo principal deve ficar na unidade que "
        "realizou a junção (anexação). O prazo de atendimento é de até 48 horas a "
        "partir do recebimento da solicitação (prazo da SEPLAG)."
    ),
}

_NOTAS_GERAIS = (
    "É necessário o preenchimento completo da planilha (todas as colunas obrigatórias).",
    "Encaminhe esta planilha em processo no SEI ao SESAU NTS (Núcleo Técnico do SEI), "
    "que direciona a demanda à SEPLAG/SUMOGE.",
    "Nas colunas com lista suspensa, escolha um valor da lista; não altere os títulos das "
    "colunas nem a aba oculta Listas.",
    "Linhas acrescentadas à mão: deixe a coluna Protocolo em branco.",
)


def _dica(tipo: Tipo, campo: Campo) -> str:
    """How to fill in one column."""
    if (tipo.chave, campo.nome) in _DICAS_CONDICIONAIS:
        return _DICAS_CONDICIONAIS[(tipo.chave, campo.nome)]
    if campo.tipo == "operacao" and tipo.chave in _DICAS_OPERACAO:
        texto = _DICAS_OPERACAO[tipo.chave]
    else:
        texto = _DICAS_NOME.get(campo.nome) or _DICAS_CAMPO.get(campo.tipo, "Texto livre.")
    return f"{'Obrigatório' if campo.obrigatorio else 'Opcional'}. {texto}"


def _no_fuso(momento: datetime) -> datetime:
    """``momento`` in Maceió time (naive times are taken as Maceió's)."""
    if momento.tzinfo is None:
        momento = momento.replace(tzinfo=FUSO)
    return momento.astimezone(FUSO)


def _data(momento: datetime) -> str:
    """``dd/mm/aaaa às HH:MM`` in Maceió time."""
    return f"{_no_fuso(momento):%d/%m/%Y às %H:%M}"


def _resumo(sol: Solicitacao, tipo: Tipo) -> str:
    """One request's dates, deadline and status."""
    situacao = STATUS_TITULOS.get(sol.status, sol.status)
    return (
        f"Solicitada em {_data(sol.criada_em)}; prazo previsto: até {_data(sol.prazo_em)} "
        f"({tipo.prazo_horas} horas); situação: {situacao}."
    )


def _linhas_instrucoes(
    tipo: Tipo, solicitacoes: Sequence[Solicitacao], agora: datetime
) -> list[tuple[str, str, bool]]:
    """(label, text, is_section) rows of the Instruções sheet."""
    linhas: list[tuple[str, str, bool]] = [
        (f"Instruções de preenchimento: {tipo.planilha}", "", True),
        ("Tipo de solicitação", tipo.titulo, False),
        ("Gerada em", f"{_data(agora)} (horário de Maceió)", False),
        ("Gerada por", CRIADOR, False),
        ("", "", False),
        ("Solicitações", "", True),
    ]
    for sol in solicitacoes:
        linhas.append((sol.protocolo, _resumo(sol, tipo), False))
    if not solicitacoes:
        linhas.append(
            (
                "(nenhuma)",
                f"Modelo em branco; prazo previsto: até "
                f"{tipo.prazo_horas} horas após a solicitação.",
                False,
            )
        )
    linhas += [
        ("", "", False),
        ("Coluna", "Como preencher", True),
        (
            COLUNA_PROTOCOLO,
            "Número de protocolo do Assistente do SEI (preenchido automaticamente).",
            False,
        ),
    ]
    linhas += [(c.coluna, _dica(tipo, c), False) for c in tipo.campos]
    linhas.append(
        (
            COLUNA_OBSERVACOES,
            "Opcional. Observações do assistente ou do NTS (por "
            "exemplo: e-mail Hotmail/Outlook mantido porque o solicitante confirmou que "
            "não tem outro).",
            False,
        )
    )
    linhas += [
        ("", "", False),
        ("Orientações gerais", "", True),
        ("", _NOTAS_TIPO[tipo.chave], False),
    ]
    linhas += [("", nota, False) for nota in _NOTAS_GERAIS]
    return linhas


def _aba_instrucoes(
    ws: Worksheet, tipo: Tipo, solicitacoes: Sequence[Solicitacao], agora: datetime
) -> None:
    """The Instruções sheet: how to fill it in, protocols, dates and deadlines."""
    for lin, (rotulo, texto, secao) in enumerate(_linhas_instrucoes(tipo, solicitacoes, agora), 1):
        a, b = ws.cell(row=lin, column=1), ws.cell(row=lin, column=2)
        escrever(a, rotulo)
        escrever(b, texto)
        a.alignment = b.alignment = _QUEBRA
        a.font = Font(bold=True, size=14 if lin == 1 else 11) if secao else _NEGRITO
    ws.column_dimensions["A"].width = 34
    ws.column_dimensions["B"].width = 100


# ---------------------------------------------------------------- workbook


def _propriedades(
    wb: Workbook, tipo: Tipo, solicitacoes: Sequence[Solicitacao], agora: datetime
) -> None:
    """Title and creator; no personal data."""
    if len(solicitacoes) == 1:
        sufixo = solicitacoes[0].protocolo
    else:
        sufixo = f"{len(solicitacoes)} solicitações"
    props = wb.properties
    props.title = limpar(f"{tipo.planilha} - {sufixo}")
    props.subject = "Solicitação ao SESAU NTS"
    props.creator = props.lastModifiedBy = CRIADOR
    props.description = f"Gerada pelo {CRIADOR} em {_data(agora)}."
    props.created = props.modified = _no_fuso(agora).astimezone(timezone.utc).replace(tzinfo=None)


def _texto_planilhas(chave: str, **campos: object) -> str:
    return content.texto("planilhas", chave, **campos)


def _rodape(solicitacoes: Sequence[Solicitacao]) -> str:
    """Footer of the printed pages: the protocol (or how many), or a blank model."""
    if len(solicitacoes) == 1:
        return solicitacoes[0].protocolo
    if solicitacoes:
        return f"{len(solicitacoes)} solicitações"
    return _texto_planilhas("rodape_modelo")


def _escapar(texto: str) -> str:
    """Text for a page header/footer ("&" starts a code there)."""
    return limpar(texto).replace("&", "&&")


def _imprimir(ws: Worksheet, titulo: str, rodape: str, ultima_linha: int, paisagem: bool) -> None:
    """Printing: A4, fit to one page wide, header row on every page, footer with page."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if paisagem else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as needed
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins = PageMargins(left=0.4, right=0.4, top=0.6, bottom=0.6, header=0.3, footer=0.3)
    ws.print_options.gridLines = True
    ultima_coluna = get_column_letter(max(ws.max_column, 1))
    ws.print_area = f"A1:{ultima_coluna}{max(ultima_linha, 1)}"
    if paisagem:
        ws.print_title_rows = "1:1"
    for cabecalho in (ws.oddHeader, ws.evenHeader):
        cabecalho.center.text = _escapar(titulo)
    for rodape_ in (ws.oddFooter, ws.evenFooter):
        rodape_.left.text = _escapar(rodape)
        rodape_.right.text = _texto_planilhas("rodape_pagina")


def montar_planilha(
    tipo: Tipo,
    solicitacoes: Sequence[Solicitacao],
    listas: Mapping[str, Sequence[str]],
    agora: datetime,
    *,
    linhas: list[list[object]] | None = None,
    extras: Sequence[str] = (),
    rodape: str | None = None,
) -> Workbook:
    """The workbook of ``tipo`` with every row of ``solicitacoes`` (not saved).

    ``linhas`` (with ``extras`` columns after Observações) replaces the rows
    of the requests: the checked planilha sent back with its "Erros" column.
    """
    titulo = _titulo_aba(tipo)
    _verificar_tipos(tipo, solicitacoes)
    usadas = _listas_usadas(tipo, listas)
    if linhas is None:
        linhas = _linhas(tipo, solicitacoes)
    wb = Workbook()
    dados = wb.active
    dados.title = titulo
    _aba_dados(dados, tipo, linhas, extras)
    _validacoes(dados, tipo, usadas, len(linhas))
    texto_rodape = rodape or _rodape(solicitacoes)
    impressas = len(linhas) + 1 if linhas else LINHAS_MODELO + 1
    _imprimir(dados, f"{tipo.planilha}", texto_rodape, impressas, paisagem=True)
    instrucoes = wb.create_sheet(ABA_INSTRUCOES)
    _aba_instrucoes(instrucoes, tipo, solicitacoes, agora)
    _imprimir(instrucoes, ABA_INSTRUCOES, texto_rodape, instrucoes.max_row, paisagem=False)
    _aba_listas(wb.create_sheet(ABA_LISTAS), usadas)
    wb.active = 0
    _propriedades(wb, tipo, solicitacoes, agora)
    return wb


def gerar_modelo(tipo: Tipo, destino: Path, listas: Mapping[str, Sequence[str]]) -> Path:
    """Write the blank planilha of ``tipo`` (drop-downs of the current catalogues)."""
    if tipo.planilha is None:
        raise ValueError(f"o tipo {tipo.chave!r} não tem planilha")
    wb = montar_planilha(tipo, [], listas, datetime.now(FUSO))
    return salvar_atomico(wb, Path(destino))


LinhaComErros = tuple[Mapping[str, str], Sequence[tuple[str, str]]]


def gerar_conferida(
    tipo: Tipo,
    linhas: Sequence[LinhaComErros],
    destino: Path,
    listas: Mapping[str, Sequence[str]],
) -> Path:
    """Write a checked planilha back: the values as typed, an "Erros" column, wrong cells red.

    Each row is (values by field name, with ``observacoes``; its problems as
    (field name, text) pairs).
    """
    if tipo.planilha is None:
        raise ValueError(f"o tipo {tipo.chave!r} não tem planilha")
    valores: list[list[object]] = []
    for bruta, problemas in linhas:
        erros = "\n".join(dict.fromkeys(t for _, t in problemas))
        campos = [bruta.get(c.nome, "") for c in tipo.campos]
        valores.append(["", *campos, bruta.get(CHAVE_OBSERVACOES, ""), erros])
    coluna_erros = _texto_planilhas("erros_coluna")
    wb = montar_planilha(
        tipo,
        [],
        listas,
        datetime.now(FUSO),
        linhas=valores,
        extras=[coluna_erros],
        rodape=_texto_planilhas("rodape_conferida"),
    )
    _destacar(wb.active, tipo, linhas)
    return salvar_atomico(wb, Path(destino))


def _destacar(ws: Worksheet, tipo: Tipo, linhas: Sequence[LinhaComErros]) -> None:
    """Wrong cells (and the Erros cell of a wrong row) filled red."""
    colunas = {c.nome: i for i, c in enumerate(tipo.campos, start=2)}
    erros_col = len(tipo.campos) + 3
    ws.column_dimensions[get_column_letter(erros_col)].width = _LARGURA_MAX
    for lin, (_, problemas) in enumerate(linhas, start=2):
        for nome, _ in problemas:
            indice = colunas.get(nome)
            if indice is not None:
                celula = ws.cell(row=lin, column=indice)
                celula.fill, celula.font = _FUNDO_ERRO, _FONTE_ERRO
        if problemas:
            celula = ws.cell(row=lin, column=erros_col)
            celula.fill, celula.font = _FUNDO_ERRO, _FONTE_ERRO


def salvar_atomico(wb: Workbook, destino: Path) -> Path:
    """Save the workbook atomically (temporary file, fsync, rename)."""
    return gravar_atomico(destino, wb.save)


def gerar_planilha(
    tipo: Tipo,
    solicitacoes: Sequence[Solicitacao],
    destino: Path,
    listas: Mapping[str, Sequence[str]],
    *,
    agora: datetime | None = None,
) -> Path:
    """Write the .xlsx of ``tipo`` with the rows of ``solicitacoes`` to ``destino``.

    One request gives the bot's per-request file; several give the staff's
    consolidated export. ``listas`` holds the drop-down values by list name
    ("siglas", "cargos", "operacoes"; operations default to ADICIONAR/MUDAR/
    REMOVER). Raises ValueError for a kind without a spreadsheet.
    """
    if tipo.planilha is None:
        raise ValueError(f"o tipo {tipo.chave!r} não tem planilha")
    momento = agora or datetime.now(FUSO)
    wb = montar_planilha(tipo, list(solicitacoes), listas, momento)
    return salvar_atomico(wb, Path(destino))
