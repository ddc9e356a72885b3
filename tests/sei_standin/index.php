<?php
// Stand-in of SEI's web service (SeiWS) for tests: PHP's own SoapServer in WSDL
// mode behind `php -S 127.0.0.1:PORT index.php`, so what is decoded, rejected and
// required is what SEI's SOAP stack decodes, rejects and requires.
//
// State lives in $SEI_STANDIN_DIR (a temp dir): config.json (written by the tests:
// sigla, key, enabled operations, units, cargos, mode) and estado.json (processes,
// steps, calls), read and written under an exclusive flock on estado.lock, so a
// restart keeps the processes. Faults carry Portuguese messages as SEI's do.
declare(strict_types=1);
date_default_timezone_set('America/Maceio');

$dir = getenv('SEI_STANDIN_DIR') ?: sys_get_temp_dir();
$config = json_decode((string) @file_get_contents("$dir/config.json"), true) ?: [];
$base = 'http://' . $_SERVER['HTTP_HOST'];

if ($_SERVER['REQUEST_METHOD'] === 'GET') {
    header('Content-Type: text/xml; charset=utf-8');
    echo str_replace(
        'http://127.0.0.1/sei/ws/SeiWS.php',
        $base . '/sei/ws/SeiWS.php',
        (string) file_get_contents(__DIR__ . '/sei.wsdl')
    );
    return;
}

if (($config['modo'] ?? '') === 'hostil') {
    // A response a safe client must refuse: a DTD with nested entities
    // (entity expansion) and an external entity.
    header('Content-Type: text/xml; charset=utf-8');
    echo '<?xml version="1.0"?>' . "\n"
        . '<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        . '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY x SYSTEM "file:///etc/passwd">]>'
        . '<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ns1="Sei">'
        . '<SOAP-ENV:Body><ns1:listarUnidadesResponse><parametros>&c;&x;</parametros>'
        . '</ns1:listarUnidadesResponse></SOAP-ENV:Body></SOAP-ENV:Envelope>';
    return;
}

final class SeiStandin
{
    /** @var array<string, mixed> */
    private array $estado = [];

    /** @param array<string, mixed> $config */
    public function __construct(private string $dir, private array $config, private string $base)
    {
    }

    /** Runs $fn with the state loaded and saves it after, under the lock. */
    private function comEstado(callable $fn): mixed
    {
        $trava = fopen("{$this->dir}/estado.lock", 'c');
        flock($trava, LOCK_EX);
        try {
            $texto = @file_get_contents("{$this->dir}/estado.json");
            $this->estado = $texto ? json_decode($texto, true) : ['seq' => 0, 'processos' => [], 'chamadas' => []];
            $resultado = $fn();
            $tmp = "{$this->dir}/estado.json.tmp";
            file_put_contents($tmp, json_encode($this->estado, JSON_PRETTY_PRINT | JSON_UNESCAPED_UNICODE));
            rename($tmp, "{$this->dir}/estado.json");
            return $resultado;
        } finally {
            flock($trava, LOCK_UN);
            fclose($trava);
        }
    }

    private function autenticar(string $sigla, string $identificacao, string $operacao): void
    {
        if ($sigla !== ($this->config['sigla'] ?? '')) {
            throw new SoapFault('Server', "Sistema [$sigla] não encontrado.");
        }
        if ($identificacao !== ($this->config['chave'] ?? '')) {
            // echoes what it was given, as some SEI versions do: the client must scrub it
            throw new SoapFault('Server', "Chave de acesso inválida para o serviço [$identificacao] do sistema [$sigla].");
        }
        if (!in_array($operacao, $this->config['operacoes'] ?? [], true)) {
            throw new SoapFault('Server', "Operação [$operacao] não permitida para o serviço do sistema [$sigla].");
        }
    }

    /** @return array<string, string> */
    private function unidade(string $id): array
    {
        foreach ($this->config['unidades'] ?? [] as $u) {
            if ((string) $u['IdUnidade'] === $id) {
                return $u;
            }
        }
        throw new SoapFault('Server', "Unidade [$id] não encontrada.");
    }

    private function agora(): string
    {
        return date('d/m/Y H:i:s');
    }

    /** @return array<int, mixed> */
    private static function lista(mixed $valor): array
    {
        if ($valor === null || $valor === '') {
            return [];
        }
        return is_array($valor) ? $valor : [$valor];
    }

    public function listarUnidades(string $SiglaSistema, string $IdentificacaoServico, ?string $IdTipoProcedimento = null, ?string $IdSerie = null): array
    {
        $this->autenticar($SiglaSistema, $IdentificacaoServico, 'listarUnidades');
        return $this->config['unidades'] ?? [];
    }

    public function listarCargos(string $SiglaSistema, string $IdentificacaoServico, ?string $IdUnidade = null, ?string $IdCargo = null): array
    {
        $this->autenticar($SiglaSistema, $IdentificacaoServico, 'listarCargos');
        return $this->config['cargos'] ?? [];
    }

    public function gerarProcedimento(
        string $SiglaSistema, string $IdentificacaoServico, string $IdUnidade, $Procedimento, $Documentos = null,
        $ProcedimentosRelacionados = null, $UnidadesEnvio = null, ?string $SinManterAbertoUnidade = null,
        ?string $SinEnviarEmailNotificacao = null, ?string $DataRetornoProgramado = null,
        ?string $DiasRetornoProgramado = null, ?string $SinDiasUteisRetornoProgramado = null,
        ?string $IdMarcador = null, ?string $TextoMarcador = null
    ): array {
        $this->autenticar($SiglaSistema, $IdentificacaoServico, 'gerarProcedimento');
        $unidade = $this->unidade($IdUnidade);
        $p = (array) $Procedimento;
        if (($p['IdTipoProcedimento'] ?? '') !== ($this->config['id_tipo_procedimento'] ?? '')) {
            throw new SoapFault('Server', "Tipo de processo [{$p['IdTipoProcedimento']}] não encontrado.");
        }
        if (($p['NivelAcesso'] ?? '') === '1' && empty($p['IdHipoteseLegal'])) {
            throw new SoapFault('Server', 'Hipótese legal não informada.');
        }
        $documentos = [];
        foreach (self::lista($Documentos) as $d) {
            $d = (array) $d;
            if (($d['IdSerie'] ?? '') !== ($this->config['id_serie'] ?? '')) {
                throw new SoapFault('Server', "Tipo de documento [{$d['IdSerie']}] não encontrado.");
            }
            $conteudo = base64_decode((string) ($d['Conteudo'] ?? ''), true);
            if (($d['Tipo'] ?? '') !== 'R' || $conteudo === false || $conteudo === '') {
                throw new SoapFault('Server', 'Conteúdo do documento externo inválido.');
            }
            $documentos[] = [
                'NomeArquivo' => (string) ($d['NomeArquivo'] ?? ''),
                'Descricao' => (string) ($d['Descricao'] ?? ''),
                'Tamanho' => strlen($conteudo),
                'Sha256' => hash('sha256', $conteudo),
            ];
        }
        $interessados = array_map(
            fn ($i) => ['Sigla' => (string) ((array) $i)['Sigla'], 'Nome' => (string) ((array) $i)['Nome']],
            self::lista($p['Interessados'] ?? null)
        );
        $envio = array_map('strval', self::lista($UnidadesEnvio));
        $pausa = (float) ($this->config['pausa_gerar_s'] ?? 0);
        if ($pausa > 0) {
            usleep((int) ($pausa * 1e6));
        }
        return $this->comEstado(function () use ($unidade, $p, $documentos, $interessados, $envio, $SinManterAbertoUnidade) {
            $seq = ++$this->estado['seq'];
            $id = (string) (1000 + $seq);
            $numero = sprintf('E:02000.%010d/%s', $seq, date('Y'));
            $link = "{$this->base}/sei/controlador.php?acao=procedimento_trabalhar&id_procedimento=$id";
            $andamentos = [$this->andamento($seq * 100 + 1, '1', 'Processo gerado', $unidade)];
            $abertas = [$unidade['IdUnidade']];
            foreach ($envio as $destino) {
                $alvo = $this->unidade($destino);
                $andamentos[] = $this->andamento($seq * 100 + 2, '32', "Processo remetido pela unidade {$unidade['Sigla']}", $unidade);
                $andamentos[] = $this->andamento($seq * 100 + 3, '48', "Processo recebido na unidade {$alvo['Sigla']}", $alvo);
                $abertas[] = $alvo['IdUnidade'];
            }
            if ($envio && $SinManterAbertoUnidade !== 'S') {
                $abertas = array_values(array_diff($abertas, [$unidade['IdUnidade']]));
            }
            $this->estado['processos'][$numero] = [
                'IdProcedimento' => $id,
                'ProcedimentoFormatado' => $numero,
                'Especificacao' => (string) ($p['Especificacao'] ?? ''),
                'Observacao' => (string) ($p['Observacao'] ?? ''),
                'NivelAcesso' => (string) $p['NivelAcesso'],
                'IdHipoteseLegal' => (string) ($p['IdHipoteseLegal'] ?? ''),
                'DataAutuacao' => date('d/m/Y'),
                'LinkAcesso' => $link,
                'Interessados' => $interessados,
                'Documentos' => $documentos,
                'Andamentos' => $andamentos,
                'Abertas' => array_values(array_unique($abertas)),
            ];
            $this->estado['chamadas'][] = ['operacao' => 'gerarProcedimento', 'numero' => $numero];
            $retornos = [];
            foreach ($documentos as $i => $d) {
                $retornos[] = [
                    'IdDocumento' => (string) ($id * 10 + $i),
                    'DocumentoFormatado' => (string) (900000 + $seq * 10 + $i),
                    'LinkAcesso' => "{$this->base}/sei/controlador.php?acao=documento&id=" . ($id * 10 + $i),
                ];
            }
            return [
                'IdProcedimento' => $id,
                'ProcedimentoFormatado' => $numero,
                'LinkAcesso' => $link,
                'RetornoInclusaoDocumentos' => $retornos,
            ];
        });
    }

    /** @param array<string, string> $unidade */
    private function andamento(int $id, string $tarefa, string $descricao, array $unidade): array
    {
        return [
            'IdAndamento' => (string) $id,
            'IdTarefa' => $tarefa,
            'Descricao' => $descricao,
            'DataHora' => $this->agora(),
            'Unidade' => $unidade,
        ];
    }

    /** @return array<string, mixed> */
    private function processo(string $unidade, string $protocolo): array
    {
        $processo = $this->estado['processos'][$protocolo] ?? null;
        if ($processo === null) {
            throw new SoapFault('Server', "Processo [$protocolo] não encontrado.");
        }
        if (in_array($protocolo, $this->config['sem_acesso'] ?? [], true)) {
            throw new SoapFault('Server', "Unidade [$unidade] não possui acesso ao processo [$protocolo].");
        }
        return $processo;
    }

    public function consultarProcedimento(
        string $SiglaSistema, string $IdentificacaoServico, string $IdUnidade, string $ProtocoloProcedimento,
        ?string $SinRetornarAssuntos = null, ?string $SinRetornarInteressados = null,
        ?string $SinRetornarObservacoes = null, ?string $SinRetornarAndamentoGeracao = null,
        ?string $SinRetornarAndamentoConclusao = null, ?string $SinRetornarUltimoAndamento = null,
        ?string $SinRetornarUnidadesProcedimentoAberto = null, ?string $SinRetornarProcedimentosRelacionados = null,
        ?string $SinRetornarProcedimentosAnexados = null
    ): array {
        $this->autenticar($SiglaSistema, $IdentificacaoServico, 'consultarProcedimento');
        $this->unidade($IdUnidade);
        return $this->comEstado(function () use ($IdUnidade, $ProtocoloProcedimento, $SinRetornarUltimoAndamento, $SinRetornarUnidadesProcedimentoAberto, $SinRetornarInteressados, $SinRetornarAndamentoGeracao) {
            $p = $this->processo($IdUnidade, $ProtocoloProcedimento);
            $retorno = [
                'IdProcedimento' => $p['IdProcedimento'],
                'ProcedimentoFormatado' => $p['ProcedimentoFormatado'],
                'Especificacao' => $p['Especificacao'],
                'DataAutuacao' => $p['DataAutuacao'],
                'LinkAcesso' => $p['LinkAcesso'],
                'TipoProcedimento' => [
                    'IdTipoProcedimento' => (string) ($this->config['id_tipo_procedimento'] ?? ''),
                    'Nome' => (string) ($this->config['nome_tipo_procedimento'] ?? 'Processo'),
                ],
            ];
            if ($SinRetornarAndamentoGeracao === 'S') {
                $retorno['AndamentoGeracao'] = $p['Andamentos'][0];
            }
            if ($SinRetornarUltimoAndamento === 'S') {
                $retorno['UltimoAndamento'] = end($p['Andamentos']);
            }
            if ($SinRetornarUnidadesProcedimentoAberto === 'S') {
                $retorno['UnidadesProcedimentoAberto'] = array_map(
                    fn ($id) => ['Unidade' => $this->unidade((string) $id)],
                    $p['Abertas']
                );
            }
            if ($SinRetornarInteressados === 'S') {
                $retorno['Interessados'] = $p['Interessados'];
            }
            return $retorno;
        });
    }

    public function listarAndamentos(
        string $SiglaSistema, string $IdentificacaoServico, string $IdUnidade, string $ProtocoloProcedimento,
        ?string $SinRetornarAtributos = null, $Andamentos = null, $Tarefas = null, $TarefasModulos = null
    ): array {
        $this->autenticar($SiglaSistema, $IdentificacaoServico, 'listarAndamentos');
        $this->unidade($IdUnidade);
        return $this->comEstado(fn () => $this->processo($IdUnidade, $ProtocoloProcedimento)['Andamentos']);
    }
}

ini_set('soap.wsdl_cache_enabled', '0');
$servidor = new SoapServer(__DIR__ . '/sei.wsdl', ['encoding' => 'UTF-8', 'cache_wsdl' => WSDL_CACHE_NONE]);
$servidor->setObject(new SeiStandin($dir, $config, $base));
$servidor->handle();
