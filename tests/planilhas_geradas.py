"""Filled planilhas for tests: valid rows from the real catalogues, errors injected at known cells.

``planilha_com_erros`` fills the blank planilha the bot sends (``gerar_modelo``)
with ``n`` valid rows of a seeded generator, then breaks chosen cells with
values the form's validators refuse; it returns the bytes and the
(sheet row, field name) of every broken cell, so a test can compare what the
check reports with exactly what was injected.
"""

from __future__ import annotations

import io
import random
import re
import zipfile
from pathlib import Path

import openpyxl
from geradores import gerar_cpf

from bot.solicitacoes import planilhas
from bot.solicitacoes.tipos import TIPOS, Tipo

# values each validator type refuses, by kind of field
ERRADOS = {
    "nome": ["Maria", "J0se da Silva", "A"],
    "cpf": ["529.982.247-26", "111.111.111-11", "1234567"],
    "email": ["protocolo@gmail.com", "maria@gmial.com", "maria silva@gmail.com", "sem-arroba"],
    "sigla": ["GETNI", "XYZXYZ"],
    "cargo": ["Xyzzy Qwerty"],
    "siglas": ["GETNI, ZZZQ"],
    "operacao": ["talvez"],
    "processo": ["123", "E:02000.0000003030"],
    "texto": ["curto"],
    "texto_curto": ["ab"],
    "sigla_nova": ["GETIN"],  # exists already
    "nome_unidade": ["12", "GETIN"],
}


def linha_valida(tipo: Tipo, rng: random.Random, catalogos, i: int) -> dict[str, str]:
    """One row every validator accepts (values from the real catalogues)."""
    siglas = catalogos.unidades.siglas()
    cargos = catalogos.cargos.nomes()
    letras = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    valores = {
        "nome": f"Maria {letras[i % 26]}{letras[(i // 26) % 26].lower()}ra da Silva",
        "cpf": gerar_cpf(rng, mascarado=True, zero_inicial=i % 7 == 0),
        "email": f"maria.silva{i}@gmail.com",
        "sigla": rng.choice(siglas),
        "siglas": ", ".join(rng.sample(siglas, 2)),
        "cargo": rng.choice(cargos),
        "processo": f"E:02000.{rng.randint(1, 9_999_999_999):010d}/2024",
        "texto": "Processo anexado por engano ao processo principal.",
        "texto_curto": f"Núcleo de Testes {i}",
        "nome_unidade": f"Setor Experimental Quixaba {i}",
        "sigla_nova": f"NTESTE{i}",
        "operacao": "ADICIONAR",
    }
    linha = {c.nome: valores[c.tipo] for c in tipo.campos if tipo.obrigatorio(c)}
    linha.update(tipo.valores_fixos)  # remoção: REMOVER
    for nome in tipo.fora_do_formulario:
        linha.pop(nome, None)
    for condicao in tipo.condicoes:  # lotação: ADICIONAR leaves "a remover" blank
        if linha.get(condicao.depende_de) != condicao.valor:
            linha.pop(condicao.campo, None)
    return linha


def escrever(tipo: Tipo, linhas: list[dict[str, str]], destino: Path, listas) -> bytes:
    """The blank planilha of ``tipo`` filled with ``linhas`` (as a requester would)."""
    planilhas.gerar_modelo(tipo, destino, listas)
    wb = openpyxl.load_workbook(destino)
    ws = wb.active
    colunas = {c.nome: i for i, c in enumerate(tipo.campos, start=2)}
    for r, linha in enumerate(linhas, start=2):
        for nome, valor in linha.items():
            if nome in colunas:
                ws.cell(row=r, column=colunas[nome], value=valor)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def planilha_com_erros(
    tipo_chave: str, n: int, n_erros: int, *, seed: int, servicos, pasta: Path
) -> tuple[bytes, set[tuple[int, str]], list[dict[str, str]]]:
    """(xlsx bytes, {(sheet row, field)} broken, the rows as written)."""
    tipo = TIPOS[tipo_chave]
    catalogos, listas = servicos.catalogos, servicos.listas()
    rng = random.Random(seed)
    linhas = [linha_valida(tipo, rng, catalogos, i) for i in range(n)]
    fixos = dict(tipo.fixos)
    quebraveis = [
        c for c in tipo.campos if c.tipo in ERRADOS and c.nome in linhas[0] and c.nome not in fixos
    ]
    celulas = [(i, c) for i in range(n) for c in quebraveis]
    quebradas = rng.sample(celulas, min(n_erros, len(celulas)))
    for i, campo in quebradas:
        linhas[i][campo.nome] = rng.choice(ERRADOS[campo.tipo])
    dados = escrever(tipo, linhas, pasta / f"{tipo_chave}-{n}-{seed}.xlsx", listas)
    return dados, {(i + 2, c.nome) for i, c in quebradas}, linhas


def com_valor_em_cache(dados: bytes, celula: str, valor: str) -> bytes:
    """An openpyxl-written formula cell given the cached value a spreadsheet app would store."""
    entrada = zipfile.ZipFile(io.BytesIO(dados))
    saida = io.BytesIO()
    with zipfile.ZipFile(saida, "w", zipfile.ZIP_DEFLATED) as z:
        for item in entrada.infolist():
            conteudo = entrada.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                padrao = rf"<c r=\"{celula}\"([^>]*)><f>(.*?)</f>(?:<v\s*/>|<v></v>)".encode()
                conteudo = re.sub(
                    padrao, rf'<c r="{celula}"\1 t="str"><f>\2</f><v>{valor}</v>'.encode(), conteudo
                )
            z.writestr(item, conteudo)
    return saida.getvalue()
