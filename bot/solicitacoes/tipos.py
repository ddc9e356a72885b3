"""Request kinds the bot files for the SESAU NTS, and the filed request.

One ``Tipo`` per kind of ``docs/fonte/requests.md``: its fields (the form's
questions and the spreadsheet's columns), whether it takes several rows, its
spreadsheet title, its deadline and the rules of its form (fields preset or
never asked, fields the form requires although the spreadsheet marks them
optional, fields asked only after a given answer, the field that names the
requesting unit). ``Solicitacao`` is a filed request as the store returns it;
spreadsheets and the staff console read it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

FUSO = ZoneInfo("America/Maceio")

STATUS = ("recebida", "em_andamento", "concluida", "recusada", "cancelada")
STATUS_TITULOS = {
    "recebida": "Recebida",
    "em_andamento": "Em andamento",
    "concluida": "Concluída",
    "recusada": "Recusada",
    "cancelada": "Cancelada",
}
OPERACOES = ("ADICIONAR", "MUDAR", "REMOVER")

# Validators whose answer is free text: a question typed there may be an FAQ.
TIPOS_LIVRES = frozenset({"nome", "texto", "texto_curto", "nome_unidade"})


@dataclass(frozen=True)
class Campo:
    """One datum of a request: a form question and a spreadsheet column.

    ``tipo`` names the validator (see ``bot.solicitacoes.validacao``): nome, cpf, email,
    sigla, siglas, sigla_nova, nome_unidade, cargo, processo, processo_ou_documento,
    texto, texto_curto, operacao, anexo.
    ``lista`` names the drop-down list of the spreadsheet column, if any;
    ``opcoes`` are the answers offered as buttons (for an operação, the only
    ones accepted); a ``unico`` value may appear in only one row of a request.
    """

    nome: str
    coluna: str
    tipo: str
    obrigatorio: bool = True
    lista: str | None = None
    opcoes: tuple[str, ...] = ()
    unico: bool = False

    @property
    def livre(self) -> bool:
        """Free text (name, description): a question there may be an FAQ."""
        return self.tipo in TIPOS_LIVRES


@dataclass(frozen=True)
class Condicao:
    """Field ``campo`` is asked only while field ``depende_de`` holds ``valor``."""

    campo: str
    depende_de: str
    valor: str


@dataclass(frozen=True)
class RegraLinha:
    """Two fields of one row that may not contradict each other.

    ``regra`` is "diferentes" (the two values may not be equal) or
    "disjuntos" (two lists of siglas may not share a unit); ``mensagem`` is
    the key of the error in the ``linha`` group of ``bot/content/validacao.yml``.
    Checked by ``bot.solicitacoes.validacao.conferir_linha``.
    """

    regra: str
    campos: tuple[str, str]
    mensagem: str


# Pseudo-field asked once per request, unless a row names it: the unit that files it.
UNIDADE_SOLICITANTE = Campo("unidade_solicitante", "Unidade solicitante", "sigla", lista="siglas")


@dataclass(frozen=True)
class Tipo:
    """A kind of request, and the rules of its form."""

    chave: str
    titulo: str
    planilha: str | None
    varias_linhas: bool
    campos: tuple[Campo, ...]
    prazo_horas: int
    itens: tuple[int, ...]
    # the row field that names the requesting unit (then it is not asked apart)
    campo_unidade: str | None = None
    # values set in every row, not asked
    fixos: tuple[tuple[str, str], ...] = ()
    # spreadsheet columns the form never asks
    fora_do_formulario: frozenset[str] = frozenset()
    # optional in the spreadsheet, required in the form
    exigidos: frozenset[str] = frozenset()
    condicoes: tuple[Condicao, ...] = ()
    # fields of one row that may not contradict each other
    regras: tuple[RegraLinha, ...] = ()

    @property
    def no_texto(self) -> str:
        """The title inside a sentence ("relato de erro no SEI")."""
        return self.titulo[0].lower() + self.titulo[1:]

    @property
    def valores_fixos(self) -> dict[str, str]:
        """A new row: the values preset in every row."""
        return dict(self.fixos)

    def campo(self, nome: str) -> Campo:
        """The field called ``nome``."""
        for campo in self.campos:
            if campo.nome == nome:
                return campo
        raise KeyError(nome)

    def campos_da_linha(self, linha: Mapping[str, str]) -> list[Campo]:
        """The fields the form asks for one row, given what the row already holds."""
        fixos = dict(self.fixos)
        return [
            c
            for c in self.campos
            if c.nome not in fixos
            and c.nome not in self.fora_do_formulario
            and all(linha.get(d.depende_de) == d.valor for d in self.condicoes if d.campo == c.nome)
        ]

    def dependentes(self, nome: str, valor: str) -> list[str]:
        """Fields no longer asked once field ``nome`` holds ``valor``."""
        return [d.campo for d in self.condicoes if d.depende_de == nome and d.valor != valor]

    def obrigatorio(self, campo: Campo) -> bool:
        """Whether the form requires ``campo`` (it may require more than the spreadsheet)."""
        return campo.obrigatorio or campo.nome in self.exigidos


NOME = Campo("nome", "Nome completo", "nome")
CPF = Campo("cpf", "CPF", "cpf", unico=True)
# a personal e-mail belongs to one person: two rows may not share it
EMAIL = Campo("email", "E-mail pessoal", "email", unico=True)
SIGLA = Campo("sigla", "Sigla da unidade", "sigla", lista="siglas")

_LOTACAO_CAMPOS = (
    NOME,
    CPF,
    Campo("email", "E-mail", "email", unico=True),
    Campo("operacao", "Operação", "operacao", lista="operacoes", opcoes=("ADICIONAR", "MUDAR")),
    Campo("siglas_adicionar", "Sigla(s) a adicionar", "siglas", obrigatorio=False, lista="siglas"),
    Campo(
        "siglas_remover",
        "Sigla(s) a remover / de desligamento",
        "siglas",
        obrigatorio=False,
        lista="siglas",
    ),
)

TIPOS: dict[str, Tipo] = {
    t.chave: t
    for t in (
        Tipo(
            "cadastro_usuario",
            "Cadastro de usuário",
            "Cadastro de Usuários",
            True,
            (NOME, CPF, EMAIL, SIGLA, Campo("cargo", "Cargo/Função", "cargo", lista="cargos")),
            72,
            (4,),
        ),
        Tipo(
            "lotacao",
            "Adição ou mudança de lotação",
            "Mudança ou Adição de Lotação",
            True,
            _LOTACAO_CAMPOS,
            72,
            (5,),
            exigidos=frozenset({"siglas_adicionar", "siglas_remover"}),
            condicoes=(Condicao("siglas_remover", "operacao", "MUDAR"),),
            regras=(
                RegraLinha("disjuntos", ("siglas_adicionar", "siglas_remover"), "mesma_sigla"),
            ),
        ),
        Tipo(
            "remocao_usuario",
            "Remoção de usuário da unidade",
            "Mudança ou Adição de Lotação",
            True,
            _LOTACAO_CAMPOS,
            72,
            (6, 13),
            fixos=(("operacao", "REMOVER"),),
            fora_do_formulario=frozenset({"siglas_adicionar"}),
            exigidos=frozenset({"siglas_remover"}),
        ),
        Tipo(
            "criacao_unidade",
            "Criação de unidade (setor)",
            "Cadastro de Setores",
            True,
            (
                Campo("nome_unidade", "Nome da unidade", "nome_unidade", unico=True),
                Campo("sigla_proposta", "Sigla proposta", "sigla_nova", unico=True),
                Campo("sigla_superior", "Sigla da unidade superior", "sigla", lista="siglas"),
                Campo("nome_responsavel", "Nome do responsável", "nome"),
                Campo("email_responsavel", "E-mail do responsável", "email"),
                Campo("ato_criacao", "Ato de criação", "texto_curto", obrigatorio=False),
            ),
            72,
            (7,),
        ),
        Tipo(
            "relato_erro",
            "Relato de erro no SEI",
            None,
            False,
            (
                Campo("descricao", "Descrição", "texto"),
                Campo("captura", "Captura de tela", "anexo"),
                SIGLA,
                Campo(
                    "processo",
                    "Nº do processo/documento",
                    "processo_ou_documento",
                    obrigatorio=False,
                ),
            ),
            72,
            (8,),
            campo_unidade="sigla",
        ),
        Tipo(
            "atualizacao_email",
            "Atualização de e-mail e nova senha",
            "Atualização de Cadastro",
            False,
            (
                NOME,
                CPF,
                Campo("email", "E-mail novo", "email"),
                Campo("sigla", "Sigla da unidade de lotação atual", "sigla", lista="siglas"),
            ),
            72,
            (10, 20),
            campo_unidade="sigla",
        ),
        Tipo(
            "correcao_cargo",
            "Correção de cargo",
            "Correção de Cargo",
            False,
            (NOME, CPF, Campo("cargo", "Cargo correto", "cargo", lista="cargos")),
            72,
            (17,),
        ),
        Tipo(
            "desanexacao",
            "Desanexação de processos",
            "Desanexação de Processos",
            False,
            (
                Campo("processo_principal", "Nº do processo principal", "processo"),
                Campo("processo_anexado", "Nº do processo anexado", "processo"),
                Campo("motivo", "Motivo", "texto"),
                Campo("sigla", "Sigla da unidade que anexou", "sigla", lista="siglas"),
            ),
            48,
            (21,),
            campo_unidade="sigla",
            regras=(
                RegraLinha(
                    "diferentes", ("processo_principal", "processo_anexado"), "mesmo_processo"
                ),
            ),
        ),
    )
}


# FAQ topics whose answer offers to file the matching request now.
TIPO_DO_TOPICO = {
    "faq_cadastro_usuario": "cadastro_usuario",
    "faq_lotacao": "lotacao",
    "faq_remocao_usuario": "remocao_usuario",
    "faq_criacao_unidade": "criacao_unidade",
    "faq_relatar_erro": "relato_erro",
    "faq_esqueci_senha": "atualizacao_email",
    "faq_cargo_errado": "correcao_cargo",
    "faq_desanexar_processos": "desanexacao",
}


def prazo(criada_em: datetime, tipo: Tipo) -> datetime:
    """Expected completion: 72 h after the request (48 h for desanexação)."""
    return criada_em + timedelta(hours=tipo.prazo_horas)


@dataclass(frozen=True)
class Solicitacao:
    """A filed request as stored (times are timezone-aware)."""

    protocolo: str
    tipo: str
    status: str
    canal: str
    contato: str
    unidade: str
    criada_em: datetime
    prazo_em: datetime
    linhas: tuple[dict[str, str], ...]
    anexo: str | None = None
    planilha: str | None = None
    historico: tuple[dict[str, str], ...] = field(default_factory=tuple)
