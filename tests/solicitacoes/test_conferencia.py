"""Checking filled planilhas row by row (bot.solicitacoes.conferencia, relatorio, planilha_chat).

Real catalogues, the real SQLite store and the bot's own blank planilhas,
filled as a requester would; errors injected at known cells must come back
exactly, at the right line and column, and the correct rows filed once.
"""

from __future__ import annotations

import io
import random

import openpyxl
import pytest
from geradores import gerar_cpf
from planilhas_geradas import com_valor_em_cache, escrever, linha_valida, planilha_com_erros

from bot import content
from bot.solicitacoes import conferencia, planilha_chat, relatorio, validacao
from bot.solicitacoes.conferencia import PlanilhaNaoReconhecida, conferir, reconhecer
from bot.solicitacoes.leitura import Tabela, ler_planilha
from bot.solicitacoes.recebidas import PlanilhaRecebidaStore
from bot.solicitacoes.tipos import TIPOS

PAYLOADS = {"registrar": "/r", "corrigir": "/c", "cancelar": "/x"}
CONVERSA = "conversa-de-teste"


def t(chave, **campos):
    return content.texto("planilhas", chave, **campos)


def tabela_de(linhas) -> Tabela:
    wb = openpyxl.Workbook()
    for linha in linhas:
        wb.active.append(linha)
    buffer = io.BytesIO()
    wb.save(buffer)
    return ler_planilha(buffer.getvalue())


def cadastro(servicos, rng, n):
    return [linha_valida(TIPOS["cadastro_usuario"], rng, servicos.catalogos, i) for i in range(n)]


def como_lista(linha):
    return [linha["nome"], linha["cpf"], linha["email"], linha["sigla"], linha["cargo"]]


# ---------------------------------------------------------------- header


@pytest.mark.parametrize(
    "cabecalho",
    [
        ["Protocolo", "Nome completo", "CPF", "E-mail pessoal", "Sigla da unidade", "Cargo/Função"],
        ["NOME COMPLETO", "cpf ", "E-MAIL  PESSOAL", "sigla da  unidade", "Cargo / Funcao"],
        ["Nome", "CPF", "E-mail", "Sigla", "Cargo"],
        ["Nome Completo*", "C.P.F.", "Email", "Unidade", "Função (obrigatório)"],
    ],
)
def test_kind_by_header_row_with_small_differences(cabecalho):
    achado = reconhecer(cabecalho)
    assert achado is not None and achado[0].chave == "cadastro_usuario"
    assert set(achado[1]) >= {"nome", "cpf", "email", "sigla", "cargo"}


def test_every_kind_is_recognised_by_its_own_columns():
    for tipo in TIPOS.values():
        if not tipo.planilha:
            continue
        achado = reconhecer([c.coluna for c in tipo.campos])
        esperado = "lotacao" if tipo.chave == "remocao_usuario" else tipo.chave
        assert achado is not None and achado[0].chave == esperado, tipo.chave


def test_unknown_header_lists_the_expected_headers_of_each_kind(servicos):
    with pytest.raises(PlanilhaNaoReconhecida) as erro:
        conferir(tabela_de([["Coluna A", "Coluna B"], ["x", "y"]]), servicos.catalogos)
    mensagem = str(erro.value)
    for tipo in TIPOS.values():
        if tipo.planilha:
            assert tipo.planilha in mensagem
            assert all(c.coluna in mensagem for c in tipo.campos)


def test_header_below_a_title_row_is_found(servicos, rng):
    linha = cadastro(servicos, rng, 1)[0]
    tabela = tabela_de(
        [["Planilha da GETIN"], [], ["Nome", "CPF", "E-mail", "Sigla", "Cargo"], como_lista(linha)]
    )
    conf = conferir(tabela, servicos.catalogos)
    assert [ln.numero for ln in conf.corretas] == [4]


def test_a_header_without_rows_says_so(servicos):
    with pytest.raises(PlanilhaNaoReconhecida) as erro:
        conferir(
            tabela_de([["Nome", "CPF", "E-mail", "Sigla", "Cargo"], [None]]), servicos.catalogos
        )
    assert "Cadastro de Usuários" in str(erro.value)


# ---------------------------------------------------------------- rows


def test_each_problem_names_line_and_column_with_the_forms_message(servicos, rng):
    linhas = cadastro(servicos, rng, 10)
    linhas[2]["cpf"] = "529.982.247-26"  # line 4
    linhas[5]["email"] = "protocolo@gmail.com"  # line 7
    linhas[7]["sigla"] = "GETNI"  # line 9
    cabecalho = ["Nome completo", "CPF", "E-mail pessoal", "Sigla da unidade", "Cargo/Função"]
    conf = conferir(tabela_de([cabecalho, *map(como_lista, linhas)]), servicos.catalogos)
    textos = [p.texto for p in conf.problemas]
    cpf = validacao.validar_cpf("529.982.247-26").erro
    assert textos[0] == f"Linha 4 · CPF: {cpf}" and "dígitos verificadores" in textos[0]
    assert textos[1].startswith("Linha 7 · E-mail pessoal: ") and "coletivo" in textos[1]
    assert textos[2].startswith("Linha 9 · Sigla da unidade: ") and "GETIN" in textos[2]
    assert [(p.linha, p.indice) for p in conf.problemas] == [(4, 2), (7, 3), (9, 4)]
    assert relatorio.resumo(conf) == (
        'Conferi a planilha "Cadastro de Usuários": 7 linhas corretas, 3 com erro.'
    )


def test_duplicates_in_the_file_and_empty_rows(servicos, rng):
    linhas = cadastro(servicos, rng, 3)
    repetida = dict(linhas[1], nome="Outra Pessoa da Silva", email="outra.pessoa@gmail.com")
    cabecalho = ["Nome", "CPF", "E-mail", "Sigla", "Cargo"]
    vazias = [[None], [], [None, None, None]]
    tabela = tabela_de(
        [
            cabecalho,
            como_lista(linhas[0]),
            *vazias[:2],
            como_lista(linhas[1]),
            vazias[2],
            como_lista(repetida),
            como_lista(linhas[2]),
        ]
    )
    conf = conferir(tabela, servicos.catalogos)
    assert [ln.numero for ln in conf.linhas] == [2, 5, 7, 8]
    assert [p.texto for p in conf.problemas] == [
        "Linha 7 · CPF: " + t("problema_duplicado", outra=5)
    ]
    assert relatorio.resumo(conf).endswith("3 linhas corretas, 1 com erro.")


def test_rows_already_in_an_open_request(servicos, rng):
    linhas = cadastro(servicos, rng, 3)
    from bot.solicitacoes.estado import Estado

    mesma = servicos.registrar(
        Estado(tipo="cadastro_usuario", unidade="GETIN", linhas=[linhas[0]]), "web", CONVERSA
    )
    servicos.registrar(
        Estado(tipo="cadastro_usuario", unidade="GETIN", linhas=[linhas[1]]), "web", "outra"
    )
    fechada = servicos.registrar(
        Estado(tipo="cadastro_usuario", unidade="GETIN", linhas=[linhas[2]]), "web", CONVERSA
    )
    servicos.store.atualizar_status(fechada.protocolo, "concluida")
    abertas = servicos.store.listar(status="recebida")
    conf = conferir(
        tabela_de([["Nome", "CPF", "E-mail", "Sigla", "Cargo"], *map(como_lista, linhas)]),
        servicos.catalogos,
        em_aberto=conferencia.valores_em_aberto(abertas),
        contato=CONVERSA,
    )
    textos = [p.texto for p in conf.problemas]
    assert textos == [
        "Linha 2 · CPF: "
        + t("problema_em_aberto_protocolo", coluna="CPF", protocolo=mesma.protocolo),
        "Linha 3 · CPF: " + t("problema_em_aberto", coluna="CPF"),  # someone else's: no protocol
    ]


def test_numeric_cpf_keeps_its_leading_zero_and_formulas_are_notices(servicos, rng):
    linha = cadastro(servicos, rng, 1)[0]
    cpf = gerar_cpf(random.Random(3), zero_inicial=True)
    wb = openpyxl.Workbook()
    wb.active.append(["Nome", "CPF", "E-mail", "Sigla", "Cargo"])
    wb.active.append(
        [linha["nome"], int(cpf), linha["email"], f'=UPPER("{linha["sigla"]}")', linha["cargo"]]
    )
    buffer = io.BytesIO()
    wb.save(buffer)
    dados = com_valor_em_cache(buffer.getvalue(), "D2", linha["sigla"])
    conf = conferir(ler_planilha(dados), servicos.catalogos)
    assert conf.corretas and conf.corretas[0].valores["cpf"] == validacao.validar_cpf(cpf).valor
    [aviso] = conf.problemas
    assert not aviso.bloqueia and aviso.linha == 2 and aviso.coluna == "Sigla da unidade"
    assert "fórmula" in aviso.mensagem


def test_hotmail_needs_a_note_that_there_is_no_other(servicos, rng):
    linha = cadastro(servicos, rng, 1)[0]
    cabecalho = ["Nome", "CPF", "E-mail", "Sigla", "Cargo", "Observações"]
    sem = conferir(
        tabela_de(
            [cabecalho, [*como_lista(linha)[:2], "maria@hotmail.com", *como_lista(linha)[3:]]]
        ),
        servicos.catalogos,
    )
    assert not sem.corretas and "Observações" in sem.problemas[0].mensagem
    com = conferir(
        tabela_de(
            [
                cabecalho,
                [
                    *como_lista(linha)[:2],
                    "maria@hotmail.com",
                    *como_lista(linha)[3:],
                    "Não tem outro e-mail",
                ],
            ]
        ),
        servicos.catalogos,
    )
    [correta] = com.corretas
    assert correta.valores["email"] == "maria@hotmail.com"
    assert "mantido" in correta.valores["observacoes"]


def test_lotacao_planilha_splits_removals_and_flags_columns_to_leave_blank(servicos, rng):
    tipo = TIPOS["lotacao"]
    base = linha_valida(tipo, rng, servicos.catalogos, 0)
    cabecalho = [c.coluna for c in tipo.campos]
    adicionar = [base["nome"], base["cpf"], base["email"], "adicionar", "GETIN", None]
    remover = ["Joana Souza", gerar_cpf(rng), "joana@gmail.com", "REMOVER", None, "GETIN"]
    mudar = ["Ana Lima", gerar_cpf(rng), "ana@gmail.com", "Mudar", "NTS", "GETIN"]
    errada = ["Rui Costa", gerar_cpf(rng), "rui@gmail.com", "ADICIONAR", "NTS", "GETIN"]
    conf = conferir(tabela_de([cabecalho, adicionar, remover, mudar, errada]), servicos.catalogos)
    grupos = conf.grupos()
    assert [ln["operacao"] for ln in grupos["lotacao"]] == ["ADICIONAR", "MUDAR"]
    assert "siglas_remover" not in grupos["lotacao"][0]
    assert grupos["remocao_usuario"] == [
        {
            "operacao": "REMOVER",
            "nome": "Joana Souza",
            "cpf": validacao.validar_cpf(remover[1]).valor,
            "email": "joana@gmail.com",
            "siglas_remover": "GETIN",
        }
    ]
    [problema] = conf.problemas
    assert problema.linha == 5 and problema.coluna.startswith("Sigla(s) a remover")
    assert problema.mensagem == t("problema_deixe_em_branco", operacao="ADICIONAR")


@pytest.mark.parametrize(
    "caso",
    [
        ("cadastro_usuario", 1, 1, 1),
        ("cadastro_usuario", 1, 0, 2),
        ("cadastro_usuario", 37, 9, 3),
        ("cadastro_usuario", 500, 60, 4),
        ("lotacao", 120, 25, 5),
        ("remocao_usuario", 40, 8, 6),
        ("criacao_unidade", 30, 10, 7),
        ("atualizacao_email", 1, 2, 8),
        ("correcao_cargo", 1, 1, 9),
        ("desanexacao", 1, 3, 10),
    ],
)
def test_injected_errors_are_reported_exactly_and_correct_rows_filed_once(servicos, tmp_path, caso):
    tipo_chave, n, n_erros, seed = caso
    dados, quebradas, linhas = planilha_com_erros(
        tipo_chave, n, n_erros, seed=seed, servicos=servicos, pasta=tmp_path
    )
    store = PlanilhaRecebidaStore.junto_dos_anexos(servicos.settings.anexos_dir)
    ref = store.salvar(dados, CONVERSA)
    resultado = planilha_chat.conferir(servicos, ref, CONVERSA, PAYLOADS)
    conf = conferir(ler_planilha(dados), servicos.catalogos)
    tipo = conf.tipo
    colunas = {c.nome: i for i, c in enumerate(tipo.campos, start=2)}
    assert {(p.linha, p.campo) for p in conf.problemas} == quebradas
    assert all(p.indice == colunas[p.campo] and p.bloqueia for p in conf.problemas)
    linhas_erradas = {linha for linha, _ in quebradas}
    assert relatorio.resumo(conf) == relatorio.resumo(conf)  # deterministic
    assert len(conf.corretas) == n - len(linhas_erradas)
    assert all(len(m["text"]) <= 4096 for m in resultado.mensagens)
    textos = "\n".join(m["text"] for m in resultado.mensagens)
    if len(quebradas) > relatorio.MAXIMO_PROBLEMAS:
        assert t("e_mais", n=len(quebradas) - relatorio.MAXIMO_PROBLEMAS) in textos
    assert sum(textos.count("Linha ") for _ in [0]) == min(
        len(quebradas), relatorio.MAXIMO_PROBLEMAS
    )
    if not conf.corretas:
        assert resultado.pendente["grupos"] == {}
        return
    for _ in range(2):  # a second "Registrar" files nothing new
        planilha_chat.decidir(servicos, resultado.pendente, "registrar", "web", CONVERSA)
    filed = servicos.store.listar()
    filas = [ln for sol in filed for ln in sol.linhas]
    assert len(filas) == len(conf.corretas)
    esperadas = [linhas[ln.numero - 2] for ln in conf.corretas]
    cpfs = [validacao.validar_cpf(e["cpf"]).valor for e in esperadas if "cpf" in e]
    assert [f["cpf"] for f in filas if "cpf" in f] == cpfs
    assert all(sol.planilha for sol in filed)
    assert store.ler(ref, CONVERSA) is None  # the upload is gone once filed


def test_report_is_summarised_and_split_within_telegrams_limit(servicos, tmp_path):
    dados, quebradas, _ = planilha_com_erros(
        "cadastro_usuario", 500, 400, seed=11, servicos=servicos, pasta=tmp_path
    )
    ref = PlanilhaRecebidaStore.junto_dos_anexos(servicos.settings.anexos_dir).salvar(
        dados, CONVERSA
    )
    resultado = planilha_chat.conferir(servicos, ref, CONVERSA, PAYLOADS)
    textos = [m["text"] for m in resultado.mensagens]
    assert textos[0].startswith('Conferi a planilha "Cadastro de Usuários": ')
    assert all(len(x) <= 4096 for x in textos)
    assert t("e_mais", n=len(quebradas) - 10) in "\n".join(textos)
    planilha = next(
        m for m in resultado.mensagens if (m.get("custom") or {}).get("tipo") == "planilha"
    )["custom"]
    assert planilha["tipo"] == "planilha" and planilha["arquivo"].startswith("Conferida-")
    botoes = resultado.mensagens[-1]["buttons"]
    assert [b["payload"] for b in botoes] == ["/r", "/c", "/x"]


def test_checked_planilha_comes_back_with_errors_column_and_red_cells_then_passes_when_fixed(
    servicos, tmp_path, rng
):
    linhas = cadastro(servicos, rng, 4)
    linhas[1]["cpf"] = "529.982.247-26"
    dados = escrever(TIPOS["cadastro_usuario"], linhas, tmp_path / "m.xlsx", servicos.listas())
    ref = PlanilhaRecebidaStore.junto_dos_anexos(servicos.settings.anexos_dir).salvar(
        dados, CONVERSA
    )
    resultado = planilha_chat.conferir(servicos, ref, CONVERSA, PAYLOADS)
    arquivo = next(
        m for m in resultado.mensagens if (m.get("custom") or {}).get("tipo") == "planilha"
    )["custom"]["arquivo"]
    wb = openpyxl.load_workbook(servicos.settings.planilhas_dir / arquivo)
    ws = wb.active
    cabecalho = [c.value for c in ws[1]]
    assert cabecalho[-1] == "Erros"
    assert ws.cell(3, 3).value == "529.982.247-26"  # as typed, to be fixed in place
    assert ws.cell(3, 3).fill.fgColor.rgb.endswith("FFC7CE")
    assert ws.cell(2, 3).fill.fgColor.rgb != ws.cell(3, 3).fill.fgColor.rgb
    assert ws.cell(3, len(cabecalho)).value.startswith("Linha 3 · CPF:")
    assert not ws.cell(2, len(cabecalho)).value
    # the requester fixes the cell and sends the same file back
    ws.cell(3, 3).value = gerar_cpf(rng, mascarado=True)
    buffer = io.BytesIO()
    wb.save(buffer)
    conf = conferir(ler_planilha(buffer.getvalue()), servicos.catalogos)
    assert not conf.problemas and len(conf.corretas) == 4


def test_decisions_without_a_check_cancel_and_wait(servicos):
    assert planilha_chat.decidir(servicos, None, "registrar", "web", CONVERSA).mensagens[0][
        "text"
    ] == t("nada_conferido")
    assert (
        planilha_chat.decidir(servicos, {"ref": "x"}, "cancelar", "web", CONVERSA).pendente is None
    )
    esperando = planilha_chat.decidir(
        servicos, {"ref": "x", "grupos": {}}, "corrigir", "web", CONVERSA
    )
    assert esperando.pendente == {"ref": "x", "grupos": {}}
    assert servicos.store.listar() == []


def test_an_upload_of_another_conversation_is_not_read(servicos, tmp_path, rng):
    dados = escrever(
        TIPOS["cadastro_usuario"],
        cadastro(servicos, rng, 1),
        tmp_path / "m.xlsx",
        servicos.listas(),
    )
    ref = PlanilhaRecebidaStore.junto_dos_anexos(servicos.settings.anexos_dir).salvar(
        dados, CONVERSA
    )
    resultado = planilha_chat.conferir(servicos, ref, "intrusa", PAYLOADS)
    assert [m["text"] for m in resultado.mensagens] == [t("sem_arquivo")]


def test_blank_planilha_message_and_file(servicos):
    [m] = planilha_chat.modelo(servicos, "cadastro_usuario")
    assert m["custom"]["arquivo"] == "Modelo-Cadastro-de-usuario.xlsx"
    wb = openpyxl.load_workbook(servicos.settings.planilhas_dir / m["custom"]["arquivo"])
    assert wb.sheetnames == ["Cadastro de Usuários", "Instruções", "Listas"]
    listas = wb["Listas"]
    coluna = lambda letra: [c.value for c in listas[letra][1:] if c.value is not None]  # noqa: E731
    assert coluna("A") == servicos.catalogos.unidades.siglas()
    assert coluna("B") == servicos.catalogos.cargos.nomes()
    formulas = {
        str(dv.sqref).split(":")[0]: dv.formula1 for dv in wb.active.data_validations.dataValidation
    }
    assert formulas["E2"].startswith("Listas!$A$2") and formulas["F2"].startswith("Listas!$B$2")


def test_filing_or_cancelling_deletes_the_upload_and_the_checked_planilha(servicos, tmp_path, rng):
    linhas = cadastro(servicos, rng, 2)
    linhas[0]["cpf"] = "529.982.247-26"
    dados = escrever(TIPOS["cadastro_usuario"], linhas, tmp_path / "m.xlsx", servicos.listas())
    store = PlanilhaRecebidaStore.junto_dos_anexos(servicos.settings.anexos_dir)
    primeira = planilha_chat.conferir(servicos, store.salvar(dados, CONVERSA), CONVERSA, PAYLOADS)
    conferida = servicos.settings.planilhas_dir / primeira.pendente["arquivo"]
    assert conferida.is_file()
    # a refused upload keeps what waits; a new check replaces (and deletes) it
    recusada = planilha_chat.conferir(
        servicos, store.salvar(b"lixo", CONVERSA), CONVERSA, PAYLOADS, primeira.pendente
    )
    assert recusada.pendente == primeira.pendente and conferida.is_file()
    segunda = planilha_chat.conferir(
        servicos, store.salvar(dados, CONVERSA), CONVERSA, PAYLOADS, primeira.pendente
    )
    assert not conferida.exists() and store.ler(primeira.pendente["ref"], CONVERSA) is None
    planilha_chat.decidir(servicos, segunda.pendente, "cancelar", "web", CONVERSA)
    assert not (servicos.settings.planilhas_dir / segunda.pendente["arquivo"]).exists()
    assert store.ler(segunda.pendente["ref"], CONVERSA) is None
    assert servicos.store.listar() == []


def test_row_rules_of_the_form_apply_to_each_row(servicos, rng):
    tipo = TIPOS["lotacao"]
    cabecalho = [c.coluna for c in tipo.campos]
    mudar = ["Ana Lima", gerar_cpf(rng), "ana@gmail.com", "MUDAR", "GETIN, NTS", "NTS"]
    conf = conferir(tabela_de([cabecalho, mudar]), servicos.catalogos)
    [problema] = conf.problemas
    esperado = validacao.conferir_linha(
        tipo,
        {"siglas_adicionar": "GETIN, NTS", "operacao": "MUDAR"},
        tipo.campo("siglas_remover"),
        "NTS",
    )
    assert esperado and problema.mensagem == esperado
    assert problema.linha == 2 and problema.campo == "siglas_remover"
