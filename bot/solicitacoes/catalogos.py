"""Unit and cargo catalogues the NTS maintains as CSV files.

``data/catalogs/unidades.csv`` (``sigla,nome,sigla_superior``) and
``data/catalogs/cargos.csv`` (``cargo``): UTF-8 (BOM tolerated), "," or ";"
as delimiter, lines starting with "#" ignored. Loading is strict: a
malformed file raises ``CatalogoInvalido`` naming the file, the line and the
problem. ``Catalogos.carregar`` fails loudly at start and afterwards reloads
a file whenever it changes, keeping the last good catalogue (and logging an
error) when the replacement is bad.
"""

from __future__ import annotations

import csv
import logging
import os
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

from rapidfuzz import process

from bot.solicitacoes.semelhanca import chave, cobertura, compacta, palavras, semelhanca
from bot.text import clean_text, one_line

logger = logging.getLogger(__name__)

ARQUIVO_UNIDADES = "unidades.csv"
ARQUIVO_CARGOS = "cargos.csv"
LIMIAR_SUGESTAO = 0.5
MARGEM_SUGESTAO = 0.2

T = TypeVar("T")


class CatalogoInvalido(ValueError):
    """A catalogue file that cannot be used: where and why."""

    def __init__(self, arquivo: object, linha: int | None, motivo: str) -> None:
        self.arquivo = str(arquivo)
        self.linha = linha
        self.motivo = motivo
        onde = f"{self.arquivo}, linha {linha}" if linha else self.arquivo
        super().__init__(f"{onde}: {motivo}")


@dataclass(frozen=True)
class Unidade:
    """A unit (setor) of SESAU in the SEI."""

    sigla: str
    nome: str
    sigla_superior: str | None = None


# ---------------------------------------------------------------- CSV

Registro = tuple[int, dict[str, str]]


def _decodificar(bruto: bytes, arquivo: str) -> str:
    try:
        return bruto.decode("utf-8-sig")
    except UnicodeDecodeError as erro:
        linha = bruto.count(b"\n", 0, erro.start) + 1
        raise CatalogoInvalido(
            arquivo, linha, "o arquivo não está em UTF-8 (salve como “CSV UTF-8”)"
        ) from None


def _nome_coluna(nome: str) -> str:
    return re.sub(r"[\s\-]+", "_", chave(nome.strip().strip('"')))


def _delimitador(cabecalho: str) -> str:
    return max((";", ",", "\t"), key=lambda d: (cabecalho.count(d), d == ","))


_ERROS_CSV = (
    ("end of data", "aspas abertas e não fechadas"),
    ("expected after", "aspas fechadas no meio de um valor"),
    ("NUL", "caractere nulo (arquivo corrompido?)"),
)


def _linhas_csv(
    linhas: list[str], delimitador: str, arquivo: str
) -> Iterator[tuple[int, list[str]]]:
    """CSV records with the physical line each one starts on."""
    leitor = csv.reader(linhas, delimiter=delimitador, strict=True)
    while True:
        inicio = leitor.line_num + 1
        try:
            celulas = next(leitor)
        except StopIteration:
            return
        except csv.Error as erro:
            motivo = next((m for chave_, m in _ERROS_CSV if chave_ in str(erro)), str(erro))
            raise CatalogoInvalido(arquivo, inicio, f"CSV malformado: {motivo}") from None
        yield inicio, celulas


def ler_csv(texto: str, arquivo: str, colunas: Sequence[str]) -> list[Registro]:
    """Rows of a catalogue CSV as (line number, {column: cleaned value}).

    Comment lines ("#") and blank lines are skipped; extra columns are ignored.
    """
    linhas = [linha + "\n" for linha in texto.split("\n")]
    linhas = ["\n" if linha.lstrip().startswith("#") else linha for linha in linhas]
    cabecalho = next((linha for linha in linhas if linha.strip()), None)
    if cabecalho is None:
        raise CatalogoInvalido(
            arquivo, None, f"arquivo vazio (cabeçalho esperado: {','.join(colunas)})"
        )
    nomes: list[str] = []
    registros: list[Registro] = []
    for linha, celulas in _linhas_csv(linhas, _delimitador(cabecalho), arquivo):
        if not any(c.strip() for c in celulas):
            continue
        if not nomes:
            nomes = _cabecalho(celulas, colunas, arquivo, linha)
            continue
        sobrando = [c for c in celulas[len(nomes) :] if c.strip()]
        if sobrando:
            raise CatalogoInvalido(
                arquivo,
                linha,
                f"a linha tem {len(celulas)} colunas e o "
                f"cabeçalho tem {len(nomes)} (se um nome "
                f"tiver vírgula, coloque-o entre aspas)",
            )
        valores = {n: one_line(c) for n, c in zip(nomes, celulas, strict=False)}
        registros.append((linha, {c: valores.get(c, "") for c in colunas}))
    return registros


def _cabecalho(celulas: list[str], colunas: Sequence[str], arquivo: str, linha: int) -> list[str]:
    nomes = [_nome_coluna(c) for c in celulas]
    faltando = [c for c in colunas if c not in nomes]
    if faltando:
        raise CatalogoInvalido(
            arquivo,
            linha,
            f"faltam as colunas {', '.join(faltando)} (cabeçalho esperado: {','.join(colunas)})",
        )
    return nomes


def _ler_arquivo(caminho: Path) -> str:
    try:
        bruto = Path(caminho).read_bytes()
    except OSError as erro:
        raise CatalogoInvalido(
            caminho, None, f"não foi possível ler o arquivo ({erro.strerror or erro})"
        ) from None
    return _decodificar(bruto, str(caminho))


def _sugeridos(consulta: str, itens: Sequence[T], nota: Callable[[T], float], n: int) -> list[T]:
    """The ``n`` items of best ``nota`` (≥ ``LIMIAR_SUGESTAO``; ties in catalogue
    order), dropping those more than ``MARGEM_SUGESTAO`` behind the best."""
    achados = process.extract(
        consulta,
        itens,
        scorer=lambda _consulta, item, **_opcoes: nota(item),
        limit=max(n, 0),
        score_cutoff=LIMIAR_SUGESTAO,
    )
    if not achados:
        return []
    corte = achados[0][1] - MARGEM_SUGESTAO
    return [item for item, valor, _ in achados if valor >= corte]


# ---------------------------------------------------------------- unidades


def _validar_unidades(registros: Sequence[tuple[int, Unidade]], arquivo: str) -> list[Unidade]:
    """Check siglas, names and hierarchy; return units with canonical superiors."""
    if not registros:
        raise CatalogoInvalido(arquivo, None, "nenhuma unidade no arquivo")
    linha_de: dict[str, int] = {}
    canonica: dict[str, str] = {}
    for linha, unidade in registros:
        if not unidade.sigla:
            raise CatalogoInvalido(arquivo, linha, "sigla vazia")
        if len(unidade.sigla) > 50:
            raise CatalogoInvalido(
                arquivo, linha, f"sigla com mais de 50 caracteres: {unidade.sigla[:50]}…"
            )
        if not unidade.nome:
            raise CatalogoInvalido(arquivo, linha, f"a unidade {unidade.sigla} está sem nome")
        k = chave(unidade.sigla)
        if k in linha_de:
            raise CatalogoInvalido(
                arquivo,
                linha,
                f"sigla {unidade.sigla} repetida (já aparece na linha {linha_de[k]})",
            )
        linha_de[k] = linha
        canonica[k] = unidade.sigla
    unidades = []
    for linha, unidade in registros:
        superior = unidade.sigla_superior or None
        if superior is not None:
            if chave(superior) not in canonica:
                raise CatalogoInvalido(
                    arquivo,
                    linha,
                    f"sigla_superior {superior} da unidade {unidade.sigla} não existe no arquivo",
                )
            superior = canonica[chave(superior)]
        unidades.append(Unidade(unidade.sigla, unidade.nome, superior))
    _verificar_ciclos(unidades, [linha for linha, _ in registros], arquivo)
    return unidades


def _verificar_ciclos(unidades: list[Unidade], linhas: list[int], arquivo: str) -> None:
    superior = {u.sigla: u.sigla_superior for u in unidades}
    sem_ciclo: set[str] = set()
    for unidade, linha in zip(unidades, linhas, strict=True):
        caminho: list[str] = []
        atual: str | None = unidade.sigla
        while atual is not None and atual not in sem_ciclo:
            if atual in caminho:
                ciclo = [*caminho[caminho.index(atual) :], atual]
                raise CatalogoInvalido(
                    arquivo, linha, "ciclo na hierarquia de unidades: " + " → ".join(ciclo)
                )
            caminho.append(atual)
            atual = superior[atual]
        sem_ciclo.update(caminho)


class CatalogoUnidades:
    """The units of SESAU: look-up by sigla or name, and suggestions."""

    def __init__(
        self,
        unidades: Iterable[Unidade],
        arquivo: str = "<memória>",
        linhas: Sequence[int] | None = None,
    ) -> None:
        lista = list(unidades)
        numeros = list(linhas) if linhas is not None else list(range(1, len(lista) + 1))
        self.arquivo = arquivo
        self._unidades = _validar_unidades(list(zip(numeros, lista, strict=False)), arquivo)
        self._por_sigla = {chave(u.sigla): u for u in self._unidades}
        self._por_compacta: dict[str, list[Unidade]] = {}
        self._por_nome: dict[str, list[Unidade]] = {}
        self._palavras = {u.sigla: palavras(u.nome) for u in self._unidades}
        for u in self._unidades:
            self._por_compacta.setdefault(compacta(u.sigla), []).append(u)
            self._por_nome.setdefault(compacta(u.nome), []).append(u)

    @classmethod
    def do_csv(cls, caminho: Path) -> CatalogoUnidades:
        """Load and validate a ``sigla,nome,sigla_superior`` CSV file."""
        arquivo = str(caminho)
        registros = ler_csv(_ler_arquivo(caminho), arquivo, ("sigla", "nome", "sigla_superior"))
        unidades = [
            Unidade(r["sigla"], r["nome"], r["sigla_superior"] or None) for _, r in registros
        ]
        return cls(unidades, arquivo, [linha for linha, _ in registros])

    def __len__(self) -> int:
        return len(self._unidades)

    def __iter__(self) -> Iterator[Unidade]:
        return iter(self._unidades)

    def siglas(self) -> list[str]:
        """All siglas, in file order."""
        return [u.sigla for u in self._unidades]

    def por_sigla(self, sigla: str) -> Unidade | None:
        """The unit whose sigla is ``sigla`` (case/accent-insensitive), only."""
        return self._por_sigla.get(chave(clean_text(sigla)))

    def por_sigla_compacta(self, texto: str) -> Unidade | None:
        """The one unit whose sigla, letters and digits only, is ``texto``'s ("upajac": UPA-JAC)."""
        unidade = self.por_sigla(texto)
        if unidade is not None:
            return unidade
        encontradas = self._por_compacta.get(compacta(clean_text(texto)[:100]), [])
        return encontradas[0] if len(encontradas) == 1 else None

    def por_nome(self, texto: str) -> Unidade | None:
        """The unit whose full name is ``texto`` (case, accents and punctuation ignored)."""
        encontradas = self._por_nome.get(compacta(clean_text(texto)[:300]), [])
        return encontradas[0] if encontradas else None

    def superiores(self, unidade: Unidade) -> list[Unidade]:
        """The chain of superiors of ``unidade``, nearest first."""
        cadeia = []
        atual = unidade.sigla_superior
        while atual is not None:
            superior = self._por_sigla[chave(atual)]
            cadeia.append(superior)
            atual = superior.sigla_superior
        return cadeia

    def _exata(self, texto: str) -> Unidade | None:
        """Exact match on sigla, compact sigla or full name (unique only)."""
        unidade = self._por_sigla.get(chave(texto))
        if unidade is not None:
            return unidade
        k = compacta(texto)
        for indice in (self._por_compacta, self._por_nome):
            encontradas = indice.get(k, [])
            if len(encontradas) == 1:
                return encontradas[0]
        return None

    def buscar(self, texto: str) -> Unidade | None:
        """The unit ``texto`` names, or None; never a fuzzy guess.

        Accepts the sigla or the full name in any case, with or without
        accents; "GETIN - Gerência Executiva..." and "SESAU/GETIN/NTS" too.
        """
        s = one_line(texto)[:300]
        if not compacta(s):
            return None
        unidade = self._exata(s)
        if unidade is not None:
            return unidade
        return self._por_partes(s) or self._por_cadeia(s)

    def _por_partes(self, texto: str) -> Unidade | None:
        """ "GETIN - Gerência..." or "Gerência... (GETIN)": parts naming one unit."""
        partes = [p for p in re.split(r"\s+[-–—]\s+|[–—:()\[\]|]", texto) if p.strip()]
        if len(partes) < 2:
            return None
        achadas = {u.sigla: u for u in map(self._exata, partes) if u is not None}
        return next(iter(achadas.values())) if len(achadas) == 1 else None

    def _por_cadeia(self, texto: str) -> Unidade | None:
        """ "SESAU NTS", "SESAU-GETIN-NTS": siglas down the hierarchy, the last one."""
        tokens = [t for t in re.split(r"[\s/>\-]+", texto) if t]
        if len(tokens) < 2:
            return None
        unidades = [self._por_sigla.get(chave(t)) for t in tokens]
        siglas = [u.sigla for u in unidades if u is not None]
        if len(siglas) < len(tokens):
            return None
        ultima = self._por_sigla[chave(siglas[-1])]
        acima = {u.sigla for u in self.superiores(ultima)}
        return ultima if all(s in acima for s in siglas[:-1]) else None

    def _pontuar(self, consulta: str, consulta_palavras: list[str], unidade: Unidade) -> float:
        sigla = compacta(unidade.sigla)
        nota = semelhanca(consulta, sigla) if len(consulta) <= 30 else 0.0
        if len(consulta) >= 2 and sigla.startswith(consulta):
            nota = max(nota, 0.7 + 0.3 * len(consulta) / len(sigla))
        return max(nota, cobertura(consulta_palavras, self._palavras[unidade.sigla]))

    def sugerir(self, texto: str, n: int = 3) -> list[Unidade]:
        """Up to ``n`` units closest to ``texto`` (sigla typo, prefix, name words)."""
        s = one_line(texto)[:200]
        consulta = compacta(s)
        if not consulta:
            return []
        consulta_palavras = palavras(s)
        return _sugeridos(
            consulta,
            self._unidades,
            lambda unidade: self._pontuar(consulta, consulta_palavras, unidade),
            n,
        )


# ---------------------------------------------------------------- cargos


class CatalogoCargos:
    """The official cargo names (seed item 17: no new cargo can be created)."""

    def __init__(
        self,
        nomes: Iterable[str],
        arquivo: str = "<memória>",
        linhas: Sequence[int] | None = None,
    ) -> None:
        lista = list(nomes)
        numeros = list(linhas) if linhas is not None else list(range(1, len(lista) + 1))
        self.arquivo = arquivo
        if not lista:
            raise CatalogoInvalido(arquivo, None, "nenhum cargo no arquivo")
        self._nomes: list[str] = []
        self._por_chave: dict[str, str] = {}
        vistos: dict[str, int] = {}
        for linha, nome in zip(numeros, lista, strict=False):
            self._adicionar(nome, linha, vistos)
        self._palavras = {n: palavras(n) for n in self._nomes}

    def _adicionar(self, nome: str, linha: int, vistos: dict[str, int]) -> None:
        if not nome:
            raise CatalogoInvalido(self.arquivo, linha, "cargo vazio")
        if len(nome) > 200:
            raise CatalogoInvalido(self.arquivo, linha, "cargo com mais de 200 caracteres")
        k = compacta(nome)
        if not k:
            raise CatalogoInvalido(self.arquivo, linha, f"cargo sem letras: {nome}")
        if k in vistos:
            raise CatalogoInvalido(
                self.arquivo, linha, f"cargo {nome} repetido (já aparece na linha {vistos[k]})"
            )
        vistos[k] = linha
        self._nomes.append(nome)
        self._por_chave[k] = nome

    @classmethod
    def do_csv(cls, caminho: Path) -> CatalogoCargos:
        """Load and validate a ``cargo`` CSV file."""
        arquivo = str(caminho)
        registros = ler_csv(_ler_arquivo(caminho), arquivo, ("cargo",))
        return cls([r["cargo"] for _, r in registros], arquivo, [linha for linha, _ in registros])

    def __len__(self) -> int:
        return len(self._nomes)

    def __iter__(self) -> Iterator[str]:
        return iter(self._nomes)

    def nomes(self) -> list[str]:
        """All cargo names, in file order."""
        return list(self._nomes)

    def buscar(self, texto: str) -> str | None:
        """The canonical cargo name ``texto`` is (case/accent/punctuation-insensitive)."""
        return self._por_chave.get(compacta(clean_text(texto)[:300]))

    def sugerir(self, texto: str, n: int = 3) -> list[str]:
        """Up to ``n`` cargo names closest to ``texto``."""
        s = clean_text(texto)[:200]
        consulta = compacta(s)
        if not consulta:
            return []
        consulta_palavras = palavras(s)
        return _sugeridos(
            consulta,
            self._nomes,
            lambda nome: max(
                semelhanca(consulta[:80], compacta(nome)),
                cobertura(consulta_palavras, self._palavras[nome]),
            ),
            n,
        )


# ---------------------------------------------------------------- holder


def _assinatura(caminho: Path) -> tuple[int, int, int]:
    info = os.stat(caminho)
    return info.st_mtime_ns, info.st_size, info.st_ino


class _Recarregavel(Generic[T]):
    """A catalogue file reloaded when its mtime/size/inode changes."""

    def __init__(self, caminho: Path, carregar: Callable[[Path], T]) -> None:
        self._caminho = caminho
        self._carregar = carregar
        self._trava = threading.Lock()
        try:
            self._assinatura: tuple[int, int, int] | None = _assinatura(caminho)
        except OSError as erro:
            raise CatalogoInvalido(
                caminho, None, f"arquivo não encontrado ou ilegível ({erro.strerror or erro})"
            ) from None
        self._valor = carregar(caminho)
        self._falhou: object | None = None

    def atual(self) -> T:
        """The catalogue, reloaded first if the file changed and is valid."""
        try:
            assinatura: object = _assinatura(self._caminho)
        except OSError:
            assinatura = "ausente"
        if assinatura in (self._assinatura, self._falhou):
            return self._valor
        with self._trava:
            if assinatura not in (self._assinatura, self._falhou):
                self._recarregar(assinatura)
        return self._valor

    def _recarregar(self, assinatura: object) -> None:
        if assinatura == "ausente":
            logger.error("Catálogo %s sumiu; mantendo o último catálogo válido.", self._caminho)
            self._falhou = assinatura
            return
        try:
            valor = self._carregar(self._caminho)
        except Exception as erro:  # a bad replacement must never take the bot down
            logger.error("Catálogo substituído é inválido; mantendo o último válido. %s", erro)
            self._falhou = assinatura
            return
        self._valor, self._falhou = valor, None
        self._assinatura = assinatura  # type: ignore[assignment]
        logger.info("Catálogo %s recarregado.", self._caminho)


class Catalogos:
    """The unit and cargo catalogues handed to the validators.

    Built directly (fixed catalogues, e.g. in tests) or with ``carregar``,
    which reads a folder and then follows changes to its files.
    """

    def __init__(self, unidades: CatalogoUnidades, cargos: CatalogoCargos) -> None:
        self._fixas: tuple[CatalogoUnidades, CatalogoCargos] = (unidades, cargos)
        self._arquivos: (
            tuple[_Recarregavel[CatalogoUnidades], _Recarregavel[CatalogoCargos]] | None
        ) = None

    @classmethod
    def carregar(cls, pasta: Path) -> Catalogos:
        """Load ``unidades.csv`` and ``cargos.csv`` of ``pasta``; raise ``CatalogoInvalido``."""
        pasta = Path(pasta)
        unidades = _Recarregavel(pasta / ARQUIVO_UNIDADES, CatalogoUnidades.do_csv)
        cargos = _Recarregavel(pasta / ARQUIVO_CARGOS, CatalogoCargos.do_csv)
        catalogos = cls(unidades.atual(), cargos.atual())
        catalogos._arquivos = (unidades, cargos)
        return catalogos

    @property
    def unidades(self) -> CatalogoUnidades:
        """The unit catalogue (reloaded if its file changed)."""
        return self._arquivos[0].atual() if self._arquivos else self._fixas[0]

    @property
    def cargos(self) -> CatalogoCargos:
        """The cargo catalogue (reloaded if its file changed)."""
        return self._arquivos[1].atual() if self._arquivos else self._fixas[1]
