"""Checking a filled planilha row by row, with the guided form's own validators.

``conferir`` finds the kind by the header row (ours, and the official
planilha's titles with small differences of case, accents, spacing and
punctuation), then checks every non-empty row with
``bot.solicitacoes.validacao.validar_campo`` and the catalogues, as the form
does, plus what only a file can get wrong: the same CPF (or proposed
sigla) twice in the file, a value already in an open request, a column the
operation says to leave blank, formula cells. The result lists every
problem at its sheet row and column, and the correct rows ready to be filed.
No Rasa here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from bot.solicitacoes import validacao
from bot.solicitacoes.leitura import Aba, Celula, Tabela, texto
from bot.solicitacoes.mensagens import nomes_da_linha, texto_observacao
from bot.solicitacoes.semelhanca import chave, compacta
from bot.solicitacoes.tipos import TIPOS, Campo, Solicitacao, Tipo

STATUS_EM_ABERTO = ("recebida", "em_andamento")
LINHAS_DE_CABECALHO = 10  # the header may sit below a title, within the first rows
CHAVE_OBSERVACOES = "observacoes"

# Titles that name a column other than ours (compact keys, see ``semelhanca.compacta``).
_ALIASES: dict[str, tuple[str, ...]] = {
    "nome": ("nome", "nomecompleto", "nomedousuario", "nomedoservidor", "servidor", "usuario"),
    "cpf": ("cpf", "ncpf", "numerodocpf", "cpfdousuario"),
    "email": ("email", "emailpessoal", "emailnovo", "novoemail", "emaildousuario"),
    "sigla": (
        "sigla",
        "siglas",
        "siglaunidade",
        "sigladaunidade",
        "sigladosetor",
        "setor",
        "unidade",
        "lotacao",
        "siglalotacao",
        "sigladaunidadedelotacao",
        "sigladaunidadedelotacaoatual",
        "siglaquaanexou",
        "sigladaunidadequeanexou",
    ),
    "cargo": ("cargo", "funcao", "cargofuncao", "cargoefuncao", "cargocorreto"),
    "operacao": ("operacao", "acao", "tipodeoperacao"),
    "siglas_adicionar": (
        "siglasaadicionar",
        "siglaaadicionar",
        "siglasadicionar",
        "adicionar",
        "unidadesaadicionar",
    ),
    "siglas_remover": (
        "siglasaremover",
        "siglaaremover",
        "siglasaremoverdedesligamento",
        "siglasdedesligamento",
        "sigladedesligamento",
        "remover",
        "desligamento",
        "unidadesaremover",
    ),
    "nome_unidade": ("nomedaunidade", "nomedosetor", "unidade", "setor", "nomedanovaunidade"),
    "sigla_proposta": ("siglaproposta", "sigla", "sigladanovaunidade", "novasigla"),
    "sigla_superior": ("sigladaunidadesuperior", "unidadesuperior", "siglasuperior"),
    "nome_responsavel": ("nomedoresponsavel", "responsavel"),
    "email_responsavel": ("emaildoresponsavel", "email", "emailresponsavel"),
    "ato_criacao": ("atodecriacao", "ato", "atocriacao"),
    "processo_principal": (
        "ndoprocessoprincipal",
        "processoprincipal",
        "numerodoprocessoprincipal",
        "nprocessoprincipal",
    ),
    "processo_anexado": (
        "ndoprocessoanexado",
        "processoanexado",
        "numerodoprocessoanexado",
        "nprocessoanexado",
    ),
    "motivo": ("motivo", "motivodadesanexacao", "justificativa"),
}
_EXTRAS = {"protocolo": "protocolo", "observacoes": CHAVE_OBSERVACOES, "obs": CHAVE_OBSERVACOES}
_IGNORADAS = {"erros", "erro", "item", "n", "no", "numero", "ordem", "seq"}
_SUFIXOS = ("obrigatorio", "opcional")
_SEM_OUTRO_EMAIL = ("nao tem outro", "nao possui outro", "nao ha outro", "unico e-mail")


@dataclass(frozen=True)
class Problema:
    """One problem of the file at sheet row ``linha`` and column ``indice`` (from 1).

    A ``bloqueia`` problem keeps the row from being filed; the others are
    notices (a formula cell read as its value).
    """

    linha: int
    coluna: str
    indice: int
    mensagem: str
    bloqueia: bool = True
    campo: str = ""

    @property
    def texto(self) -> str:
        """ "Linha 4 · CPF: os dígitos verificadores não conferem"."""
        return texto("problema", linha=self.linha, coluna=self.coluna, mensagem=self.mensagem)


@dataclass
class LinhaConferida:
    """One data row: what was typed, the validated values, its kind and problems."""

    numero: int
    bruta: dict[str, str]
    valores: dict[str, str]
    tipo: str
    problemas: list[Problema] = field(default_factory=list)

    @property
    def correta(self) -> bool:
        """No problem that keeps it from being filed."""
        return not any(p.bloqueia for p in self.problemas)


@dataclass
class Conferencia:
    """The checked planilha."""

    tipo: Tipo  # the planilha's kind (lotacao for the shared lotação/remoção planilha)
    aba: str
    colunas: dict[str, int]  # field name (and "observacoes") -> sheet column
    linhas: list[LinhaConferida]

    @property
    def problemas(self) -> list[Problema]:
        """Every problem, by row and column."""
        return sorted(
            (p for linha in self.linhas for p in linha.problemas),
            key=lambda p: (p.linha, p.indice),
        )

    @property
    def corretas(self) -> list[LinhaConferida]:
        return [linha for linha in self.linhas if linha.correta]

    @property
    def com_erro(self) -> list[LinhaConferida]:
        return [linha for linha in self.linhas if not linha.correta]

    def grupos(self) -> dict[str, list[dict[str, str]]]:
        """The correct rows by request kind, in file order, ready to be filed."""
        saida: dict[str, list[dict[str, str]]] = {}
        for linha in self.corretas:
            saida.setdefault(linha.tipo, []).append(dict(linha.valores))
        return saida


class PlanilhaNaoReconhecida(ValueError):
    """No kind matches the header row, or the planilha has no data row."""


# ---------------------------------------------------------------- header


def _chave_titulo(titulo: Celula) -> str:
    chave_ = compacta(titulo or "")
    for sufixo in _SUFIXOS:
        if chave_.endswith(sufixo) and len(chave_) > len(sufixo):
            chave_ = chave_[: -len(sufixo)]
    return chave_


def _tipos_de_planilha() -> list[Tipo]:
    """One kind per planilha layout (lotação and remoção share theirs: lotacao)."""
    vistos: dict[tuple[str | None, tuple[Campo, ...]], Tipo] = {}
    for tipo in TIPOS.values():
        if tipo.planilha and (tipo.planilha, tipo.campos) not in vistos:
            vistos[(tipo.planilha, tipo.campos)] = tipo
    return list(vistos.values())


def _exigidas(tipo: Tipo) -> list[Campo]:
    return [c for c in tipo.campos if c.obrigatorio or c.nome in tipo.exigidos]


def _mapear(tipo: Tipo, titulos: list[str]) -> tuple[dict[str, int], int, int] | None:
    """Column of each field (and observações), exact matches and unknown titles."""
    exatos = {compacta(c.coluna): c.nome for c in tipo.campos}
    mapa: dict[str, int] = {}
    n_exatos = desconhecidos = 0
    for indice, titulo in enumerate(titulos, start=1):
        if not titulo:
            continue
        nome = exatos.get(titulo)
        if nome is not None and nome not in mapa:
            mapa[nome] = indice
            n_exatos += 1
            continue
        nome = next(
            (c.nome for c in tipo.campos if c.nome not in mapa and titulo in _ALIASES[c.nome]),
            None,
        )
        if nome is not None:
            mapa[nome] = indice
        elif titulo in _EXTRAS:
            mapa.setdefault(_EXTRAS[titulo], indice)
        elif titulo not in _IGNORADAS:
            desconhecidos += 1
    if any(c.nome not in mapa for c in _exigidas(tipo)):
        return None
    return mapa, n_exatos, desconhecidos


def reconhecer(cabecalho: list[Celula]) -> tuple[Tipo, dict[str, int]] | None:
    """The kind whose columns the header row names, and each field's column."""
    titulos = [_chave_titulo(c) for c in cabecalho]
    melhor: tuple[tuple[int, int, int], Tipo, dict[str, int]] | None = None
    for tipo in _tipos_de_planilha():
        achado = _mapear(tipo, titulos)
        if achado is None:
            continue
        mapa, exatos, desconhecidos = achado
        campos = sum(1 for n in mapa if n in {c.nome for c in tipo.campos})
        nota = (campos - desconhecidos, exatos, -len(tipo.campos))
        if melhor is None or nota > melhor[0]:
            melhor = (nota, tipo, mapa)
    return (melhor[1], melhor[2]) if melhor else None


def cabecalhos_esperados() -> str:
    """The message listing the header titles of every kind."""
    linhas = [texto("cabecalho_desconhecido")]
    for tipo in _tipos_de_planilha():
        titulos = " · ".join(c.coluna for c in tipo.campos)
        tipos = " / ".join(t.titulo for t in TIPOS.values() if t.planilha == tipo.planilha)
        linhas.append(texto("cabecalho_tipo", planilha=tipo.planilha, tipo=tipos, colunas=titulos))
    linhas.append(texto("cabecalho_dica"))
    return "\n".join(linhas)


def _localizar(tabela: Tabela) -> tuple[Aba, int, Tipo, dict[str, int]]:
    """The sheet, header row (from 1), kind and columns of the data."""
    for aba in tabela.abas:
        for i, linha in enumerate(aba.linhas[:LINHAS_DE_CABECALHO], start=1):
            achado = reconhecer(linha)
            if achado is not None:
                return aba, i, achado[0], achado[1]
    raise PlanilhaNaoReconhecida(cabecalhos_esperados())


# ---------------------------------------------------------------- open requests


def valores_em_aberto(
    solicitacoes: Iterable[Solicitacao],
) -> dict[tuple[str, str, str], tuple[str, str]]:
    """(kind, field, value) -> (protocol, contact) of the unique fields of open requests."""
    saida: dict[tuple[str, str, str], tuple[str, str]] = {}
    for sol in solicitacoes:
        if sol.status not in STATUS_EM_ABERTO or sol.tipo not in TIPOS:
            continue
        for campo in TIPOS[sol.tipo].campos:
            if not campo.unico:
                continue
            for linha in sol.linhas:
                valor = linha.get(campo.nome)
                if valor:
                    saida.setdefault((sol.tipo, campo.nome, valor), (sol.protocolo, sol.contato))
    return saida


# ---------------------------------------------------------------- rows


@dataclass
class _Contexto:
    catalogos: Any
    aba: Aba
    colunas: dict[str, int]
    em_aberto: Mapping[tuple[str, str, str], tuple[str, str]]
    contato: str
    vistos: dict[tuple[str, str], int] = field(default_factory=dict)


def _bruta(celulas: list[Celula], colunas: Mapping[str, int]) -> dict[str, str]:
    saida = {}
    for nome, indice in colunas.items():
        valor = celulas[indice - 1] if indice <= len(celulas) else None
        if valor is not None and nome != "protocolo":
            saida[nome] = valor
    return saida


def _tipo_da_linha(tipo: Tipo, bruta: Mapping[str, str]) -> Tipo:
    """The shared lotação planilha: REMOVER rows are removals."""
    if tipo.chave != "lotacao":
        return tipo
    operacao = validacao.validar_operacao(bruta.get("operacao"))
    return TIPOS["remocao_usuario"] if operacao.valor == "REMOVER" else tipo


def _sem_outro_email(observacoes: str) -> bool:
    return any(frase in chave(observacoes) for frase in _SEM_OUTRO_EMAIL)


def _valor_bruto(ctx: _Contexto, campo: Campo, numero: int, bruta: Mapping[str, str]) -> str:
    valor = bruta.get(campo.nome, "")
    indice = ctx.colunas.get(campo.nome, 0)
    if campo.tipo == "cpf" and (numero, indice) in ctx.aba.numericas and valor.isdigit():
        valor = valor.zfill(11)  # a CPF typed as a number lost its leading zeros
    return valor


def _validar(
    ctx: _Contexto, tipo: Tipo, campo: Campo, numero: int, bruta: Mapping[str, str]
) -> tuple[str | None, str | None, str | None]:
    """(value, problem message, observation) of one cell."""
    valor = _valor_bruto(ctx, campo, numero, bruta)
    efetivo = replace(campo, obrigatorio=tipo.obrigatorio(campo))
    resultado = validacao.validar_campo(efetivo, valor, ctx.catalogos)
    if resultado.codigo == "provedor_problematico" and not resultado.ok:
        if _sem_outro_email(bruta.get(CHAVE_OBSERVACOES, "")):
            aceito = validacao.validar_email(valor, aceitar_provedor_problematico=True)
            return aceito.valor, None, texto_observacao("email_mantido")
        return None, texto("problema_provedor", mensagem=resultado.erro), None
    if not resultado.ok:
        return None, resultado.erro or "", None
    return ("" if resultado.valor is None else str(resultado.valor)), None, None


def _repetido(ctx: _Contexto, campo: Campo, valor: str, numero: int) -> str | None:
    """The same unique value in an earlier row of the file."""
    if not campo.unico or not valor:
        return None
    anterior = ctx.vistos.setdefault((campo.nome, valor), numero)
    return texto("problema_duplicado", outra=anterior) if anterior != numero else None


def _em_aberto(ctx: _Contexto, tipo: Tipo, linha: LinhaConferida) -> tuple[Campo, str] | None:
    """The row's first unique value already in an open request of the kind (one per row)."""
    for campo in tipo.campos:
        valor = linha.valores.get(campo.nome)
        aberto = ctx.em_aberto.get((tipo.chave, campo.nome, valor or "")) if campo.unico else None
        if aberto is None:
            continue
        protocolo, contato = aberto
        if contato == ctx.contato:
            mensagem = texto(
                "problema_em_aberto_protocolo", coluna=campo.coluna, protocolo=protocolo
            )
        else:
            mensagem = texto("problema_em_aberto", coluna=campo.coluna)
        return campo, mensagem
    return None


def _conferir_linha(
    ctx: _Contexto, planilha: Tipo, numero: int, bruta: dict[str, str]
) -> LinhaConferida:
    tipo = _tipo_da_linha(planilha, bruta)
    linha = LinhaConferida(numero, bruta, tipo.valores_fixos, tipo.chave)
    problemas = linha.problemas

    def problema(campo: Campo, mensagem: str, bloqueia: bool = True) -> None:
        indice = ctx.colunas.get(campo.nome, 0)
        problemas.append(Problema(numero, campo.coluna, indice, mensagem, bloqueia, campo.nome))

    operacao = bruta.get("operacao")
    if "operacao" in dict(tipo.fixos) and operacao is not None:
        provisoria = {"operacao": tipo.valores_fixos["operacao"]}
    else:
        provisoria = {"operacao": validacao.validar_operacao(operacao).valor or ""}
    pedidos = tipo.campos_da_linha(provisoria)
    observacoes: list[str] = []
    for campo in tipo.campos:
        if campo not in pedidos:
            if bruta.get(campo.nome) and campo.nome not in dict(tipo.fixos):
                operacao_txt = provisoria.get("operacao") or ""
                problema(campo, texto("problema_deixe_em_branco", operacao=operacao_txt))
            continue
        valor, erro, observacao = _validar(ctx, tipo, campo, numero, bruta)
        if erro is not None:
            problema(campo, erro)
            continue
        # the same row rules as the form (a sigla both added and removed...)
        contradicao = validacao.conferir_linha(tipo, linha.valores, campo, valor or "")
        repetido = contradicao or _repetido(ctx, campo, valor or "", numero)
        if repetido:
            problema(campo, repetido)
            continue
        linha.valores[campo.nome] = valor or ""
        if observacao:
            observacoes.append(observacao)
    aberto = _em_aberto(ctx, tipo, linha)
    if aberto is not None:
        problema(*aberto)
    for campo in tipo.campos:
        posicao = (numero, ctx.colunas.get(campo.nome, 0))
        if posicao in ctx.aba.formulas:
            problema(campo, texto("problema_formula", valor=bruta.get(campo.nome, "")), False)
    anotada = bruta.get(CHAVE_OBSERVACOES, "").strip()
    todas = [o for o in [anotada, *observacoes] if o]
    if todas:
        linha.valores[CHAVE_OBSERVACOES] = " | ".join(dict.fromkeys(todas))
    return linha


def conferir(
    tabela: Tabela,
    catalogos: Any,
    *,
    em_aberto: Mapping[tuple[str, str, str], tuple[str, str]] | None = None,
    contato: str = "",
) -> Conferencia:
    """Check every row of the planilha read by ``leitura.ler_planilha``.

    ``catalogos`` has ``.unidades`` and ``.cargos``; ``em_aberto`` comes from
    ``valores_em_aberto`` over the open requests; ``contato`` is who sends the
    file (a value in an open request of the same contact names its protocol).
    Raises ``PlanilhaNaoReconhecida`` when no kind matches or no row is filled.
    """
    aba, cabecalho, tipo, colunas = _localizar(tabela)
    ctx = _Contexto(catalogos, aba, colunas, em_aberto or {}, contato)
    campos = {c.nome for c in tipo.campos}
    linhas = []
    for numero, celulas in enumerate(aba.linhas[cabecalho:], start=cabecalho + 1):
        bruta = _bruta(celulas, colunas)
        if not any(nome in campos for nome in bruta):
            continue  # empty row (or only Protocolo / Observações)
        linhas.append(_conferir_linha(ctx, tipo, numero, bruta))
    if not linhas:
        quem = nomes_da_linha(tipo)["quem"]
        raise PlanilhaNaoReconhecida(texto("sem_linhas", planilha=tipo.planilha, quem=quem))
    return Conferencia(tipo, aba.nome, colunas, linhas)


def unidade_provavel(tipo: Tipo, linhas: Iterable[Mapping[str, str]]) -> str:
    """The requesting unit of rows filed from a planilha: the most common unit named."""
    nomes = [c.nome for c in tipo.campos if c.tipo == "sigla"]
    nomes += [c.nome for c in tipo.campos if c.tipo == "siglas"]
    contagem: Counter[str] = Counter()
    for linha in linhas:
        for nome in nomes:
            valor = (linha.get(nome) or "").split(",")[0].strip()
            if valor:
                contagem[valor] += 1
                break
    return contagem.most_common(1)[0][0] if contagem else ""
