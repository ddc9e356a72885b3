"""docs/BENCHMARKS.md and the plots (docs/img/bench-*.png) from the JSON
results of ``bench.run``: the document's prose and layout here; the tables in
``bench.tables``, the targets in ``bench.targets``, the plots in ``bench.plots``.
Sections that were not measured say so; each section shows when and on which
commit it was measured, and every target is marked met / not met.

Usage: python -m bench.report [--results results/bench] [--doc docs/BENCHMARKS.md]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bench import abuso, perfil_turno, plots, tables, targets
from bench.common import DEFAULT_RESULTS, ROOT, load_json
from bench.formatting import num

NOTES = Path(__file__).resolve().parent / "NOTAS.md"


def _notes() -> str:
    """Hand-measured experiments (bench/NOTAS.md, dated there), verbatim."""
    return NOTES.read_text(encoding="utf-8") + "\n" if NOTES.is_file() else ""


def write(results: Path, doc: Path, img: Path) -> Path:
    """Render the Markdown and the plots from ``results``; the doc path."""
    sections = {
        name: load_json(results / f"{name}.json") or {}
        for name in (
            "start",
            "quality",
            "latency",
            "openloop",
            "abuso",
            "perfil",
            "memory",
            "filing",
            "levers",
            "painel",
            "planilha",
            "avisos",
            "sei",
        )
    }
    data = {k: v.get("data") or {} for k, v in sections.items()}
    metas = {k: v.get("meta") for k, v in sections.items()}
    first = next((m for m in metas.values() if m), None) or {}
    img.mkdir(parents=True, exist_ok=True)
    doc.parent.mkdir(parents=True, exist_ok=True)
    drawn = {
        "latency": plots.plot_latency(data["latency"], img / "bench-latencia.png"),
        "throughput": plots.plot_throughput(data["latency"], img / "bench-vazao.png"),
        "rss": plots.plot_rss(data["memory"], img / "bench-memoria.png"),
    }

    def pic(key, alt):
        p = drawn.get(key)
        return f"![{alt}]({_rel(p, doc)})\n" if p else ""

    v = first.get("versions") or {}
    out = [
        "# Benchmarks do assistente do SEI",
        "",
        "Gerado por `make bench` (scripts em `bench/`; não edite à mão). Tudo em "
        "127.0.0.1, com número limitado de mensagens. `make bench-smoke` roda uma versão "
        "de poucos segundos que só confere que o harness funciona.",
        "",
        f"**Máquina:** {first.get('cpu', '?')}, {first.get('cores', '?')} núcleos "
        f"({first.get('cores_usable', '?')} utilizáveis), {num(first.get('ram_gib'))} GiB de RAM, "
        f"{first.get('os', '?')} (kernel {first.get('kernel', '?')}).  ",
        f"**Data:** {first.get('date', '?')}; **commit:** `{first.get('git', '?')}`.  ",
        "**Versões:** " + ", ".join(f"{k} {val}" for k, val in v.items()) + ".",
        "",
        "Modelos comparados: **(a)** o nosso (`config.yml`); **(b)** os mesmos `data/` e "
        "`domain.yml` com a configuração que o Rasa 3.6 aplica quando `config.yml` não "
        "define pipeline nem políticas (a que o `rasa init` deixa comentada: "
        "WhitespaceTokenizer, RegexFeaturizer, LexicalSyntacticFeaturizer, "
        "CountVectorsFeaturizer de palavras e de caracteres 1-4, DIET 100 épocas, "
        "EntitySynonymMapper, ResponseSelector, FallbackClassifier 0,3; MemoizationPolicy, "
        "RulePolicy, UnexpecTEDIntentPolicy, TEDPolicy), servido pelos mesmos comandos do "
        "launcher e o mesmo servidor de ações; **(c)** o baseline TF-IDF de n-gramas de "
        "caracteres + regressão logística de `bot/rasa/nlu_eval.py`.",
        "",
        "## Metas",
        "",
        "| meta (máquina de 2 núcleos) | medido | situação |",
        "|---|---|---|",
    ]
    for name, measured, ok in [
        *targets.assess(data["quality"], data["latency"], data["start"], data["memory"]),
        *targets.assess_openloop(data["openloop"]),
        *(abuso.metas(data["abuso"]) if data["abuso"] else []),
    ]:
        out.append(f"| {name} | {measured} | {targets.status(ok)} |")
    out += [
        "",
        "## Qualidade no conjunto separado",
        "",
        tables.section_note(metas["quality"]),
        "`tests/data/nlu_heldout.yml`, nunca usado no treino. Top-1: a intent mais provável "
        "fora `nlu_fallback`; c/ fallback: mensagem que o FallbackClassifier transformou em "
        "`nlu_fallback` conta como erro. Treino: `rasa train` completo, cache vazio "
        "(`RASA_CACHE_DIRECTORY` novo), pasta de saída própria.",
        "",
        tables.quality_md(data["quality"]),
        "## Latência e vazão no canal REST",
        "",
        tables.section_note(metas["latency"]),
        "Cliente assíncrono (aiohttp) com N conversas simultâneas, cada uma mandando a "
        "próxima mensagem assim que recebe a resposta (sem tempo de leitura). Mistura de "
        "conversas: 60% perguntas do conjunto separado (com saudação/agradecimento às vezes), "
        "20% cadastros de usuário completos (CPF gerado válido, e-mail, unidade, cargo, "
        "confirmação: protocolo e planilha de verdade) e 20% mensagens fora do escopo ou "
        "ruído. (a) e (b) ficam no ar ao mesmo tempo e são medidos alternadamente em cada "
        'nível. "cadastros concluídos": protocolos recebidos / cadastros iniciados (os '
        "cortados no fim da rodada contam como iniciados).",
        "",
        tables.latency_md(data["latency"]),
        pic("latency", "latência por concorrência"),
        pic("throughput", "vazão por concorrência"),
        "## Malha aberta: capacidade",
        "",
        tables.section_note(metas["openloop"]),
        _openloop_method(data["openloop"]),
        "",
        tables.openloop_md(data["openloop"]),
        "## Um abusador ao lado de usuários normais",
        "",
        tables.section_note(metas["abuso"]),
        *(abuso.tabela(data["abuso"]) if data["abuso"] else ["_Não medido._"]),
        "",
        "## Para onde vai a CPU de um turno",
        "",
        tables.section_note(metas["perfil"]),
        *(perfil_turno.tabela(data["perfil"]) if data["perfil"] else ["_Não medido._"]),
        "",
        "## Partida e memória",
        "",
        tables.section_note(metas["start"]),
        "Partida a frio: `bench/first_answer.py` (o que `make run` inicia, com o modelo "
        "treinado presente, até a primeira resposta no canal REST).",
        "",
        tables.start_md(data["start"]),
        "### Memória ao longo dos turnos",
        "",
        tables.section_note(metas["memory"]),
        tables.memory_md(data["memory"]),
        pic("rss", "RSS ao longo dos turnos"),
        "## Registro de solicitações (SQLite)",
        "",
        tables.section_note(metas["filing"]),
        "`bot.solicitacoes.servicos.Servicos.registrar` com um "
        "`bot.solicitacoes.estado.Estado` de cadastro preenchido "
        "pelo motor: validação das linhas, gravação com o contador de protocolo e a planilha "
        "`.xlsx`. Com threads, um único `Servicos` compartilhado (como no servidor de ações), "
        "todas liberadas juntas.",
        "",
        tables.filing_md(data["filing"]),
        "## Alavancas medidas",
        "",
        tables.section_note(metas["levers"]),
        "Cada alavanca numa cópia temporária do projeto (configuração/código) ou só no "
        "ambiente/endpoints dos servidores de benchmark; nada do projeto é alterado. "
        "Alavancas que mudam a NLU são treinadas do zero e avaliadas no conjunto separado.",
        "",
        tables.levers_md(data["levers"], data["quality"].get("ours")),
        _notes(),
        "## Painel do NTS, planilhas e avisos",
        "",
        "Cada seção roda o script de `bench/` do mesmo nome sozinha (`--only painel`, "
        "`--only planilha`, `--only avisos`, `--only sei`); os números abaixo são o JSON "
        "que cada uma "
        "devolve, achatado.",
        "",
        *(
            part
            for nome, titulo in (
                ("painel", "Painel (100.000 solicitações, 1.000.000 de eventos)"),
                ("planilha", "Conferência de planilha de 500 linhas e arquivos hostis"),
                ("avisos", "1.000 mudanças de situação até o servidor SMTP local"),
                ("sei", "Confirmação com e sem o SEI; da confirmação ao número do processo"),
            )
            for part in (
                f"### {titulo}",
                "",
                tables.section_note(metas[nome]),
                tables.flat_md(data[nome]),
            )
        ),
        "## Como reproduzir",
        "",
        "```sh",
        "make bench                      # tudo (~1 h em 2 núcleos sem outro trabalho: "
        "o modelo (b) treina ~16 min)",
        "make bench BENCH_ARGS='--reuse-b'   # reaproveita o modelo (b) da rodada anterior",
        "make bench BENCH_ARGS='--lever-turns 300'   "
        "# alavancas com 300 mensagens cada (padrão: 1.000)",
        "make bench BENCH_ARGS='--only latency,memory'   # refaz seções; o resto é mantido",
        "make bench BENCH_ARGS='--skip levers'",
        "make bench BENCH_ARGS='--only openloop'   # só a escada em malha aberta (~10 min; "
        "produção pede PostgreSQL e Redis locais)",
        "make bench BENCH_ARGS='--only abuso,perfil'   # abusador pelo gateway web; "
        "divisão da CPU do turno (py-spy)",
        "make bench BENCH_ARGS='--levers base,tracker-cache'   # só estas alavancas",
        "make bench-smoke                # poucos segundos; resultados numa pasta temporária",
        "```",
        "",
        "Resultados brutos (JSON) em `results/bench/`; registros dos servidores em "
        "`/tmp/sei-bench-run/`.",
        "",
    ]
    doc.write_text("\n".join(out), encoding="utf-8")
    return doc


def _openloop_method(ol: dict) -> str:
    """How the open-loop section measures (``bench/openloop.py``)."""
    m = ol.get("method") or {}
    return (
        "Carga em malha aberta (`bench/openloop.py`): as mensagens chegam num processo de "
        "Poisson a uma taxa fixa (intervalos exponenciais de um gerador com semente, "
        "calculados antes do início), seja qual for a demora das respostas, como usuários "
        "de verdade. Cada chegada é a próxima mensagem de uma conversa ociosa (a resposta "
        "anterior já chegou e ainda há turnos), ou o início de uma conversa nova, com a "
        "mesma mistura da seção anterior. A latência conta a partir do instante *agendado* "
        "de envio: fila no servidor ou atraso do próprio cliente entram na conta (sem "
        "omissão coordenada; o atraso do cliente aparece numa coluna). Cada degrau manda "
        f"taxa × {num(m.get('duration_s'), 0)} s mensagens (no mínimo "
        f"{m.get('min_messages', '?')}); respostas que não chegam "
        f"{num(m.get('drain_s'), 0)} s depois do último envio contam como erro; um degrau "
        "já reprovado com certeza (respostas acima do limite, chegadas ou ainda esperadas, "
        'bastam para o p99 passar dele; ou uma falha) para de enviar ("interrompido"): '
        "o veredito é o mesmo e a máquina não acumula fila. A escada "
        "sobe 5, 10, 20, 40 e depois de 20 em 20 msg/s até o primeiro degrau reprovado, "
        f"e então divide ao meio o intervalo entre o último aprovado e o reprovado "
        f"{m.get('refine', '?')} vezes (no máximo {m.get('max_steps', '?')} degraus). "
        f"**Capacidade** = a maior taxa com p99 ≤ {num(m.get('p99_limit_ms'), 0)} ms e "
        "nenhum erro nem resposta vazia, abaixo de toda taxa reprovada. (a) e (b) ficam "
        "no ar ao mesmo tempo e sobem a escada alternadamente; depois de cada degrau, "
        "espera-se o servidor ficar ocioso. Produção: `SEI_PERFIL=producao` com as "
        "réplicas que o launcher inicia (portas seguidas), conversas num banco PostgreSQL "
        "descartável e travas no Redis; cada conversa fica numa réplica (hash do remetente)."
    )


def _rel(path: Path, doc: Path) -> str:
    try:
        return str(path.resolve().relative_to(doc.resolve().parent))
    except ValueError:
        return str(path)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--results", type=Path, default=DEFAULT_RESULTS)
    parser.add_argument("--doc", type=Path, default=ROOT / "docs" / "BENCHMARKS.md")
    parser.add_argument("--img", type=Path, default=ROOT / "docs" / "img")
    args = parser.parse_args(argv)
    print(write(args.results, args.doc, args.img))
    return 0


if __name__ == "__main__":
    sys.exit(main())
