/*
 * Assistente do SEI (SESAU/AL): chat widget. Vanilla JS, no dependencies, no
 * build step. Embed with one tag:
 *
 *   <script src="https://SERVIDOR/static/sei-widget.js"
 *           data-servidor="https://SERVIDOR/" data-titulo="Assistente do SEI"
 *           data-cor="#00528a"></script>
 *
 * Security: message content is only ever inserted with textContent / created
 * elements (never parsed as HTML); links are http(s) only, opened with
 * rel="noopener noreferrer". The session id is random (crypto.getRandomValues)
 * and lives in sessionStorage with the rendered conversation: a reload keeps
 * the conversation, a new browser session (shared office PCs) starts fresh.
 */
(function () {
  "use strict";

  if (window.__seiWidget) {
    return;
  }
  window.__seiWidget = true;

  var CHAVE_ARMAZENAMENTO = "sei-widget:v1";
  var ALFABETO = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  var SESSAO_RE = /^[A-Za-z0-9_-]{16,64}$/;
  var LIMITE_TEXTO = 10 * 1024;
  var LIMITE_ANEXO = 10 * 1024 * 1024;
  var TIPOS_ANEXO = ["image/png", "image/jpeg"];
  var LIMITE_PLANILHA = 5 * 1024 * 1024;
  // .ods/.xls/.xlsm are accepted here so the server can say how to save as .xlsx
  var ACEITA_PLANILHA = ".xlsx,.csv,.ods,.xls,.xlsm,text/csv," +
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
  var ESPERAS_MS = [800, 1600, 3200, 6400];
  var TEMPO_MAXIMO_MS = 70000;
  var MAX_ITENS = 300;
  var COR_PADRAO = "#00528a";
  var SVG_NS = "http://www.w3.org/2000/svg";
  var ICONES = {
    chat: "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z",
    fechar: "M6.4 5 12 10.6 17.6 5 19 6.4 13.4 12l5.6 5.6-1.4 1.4-5.6-5.6L6.4 19 5 17.6 10.6 12 5 6.4z",
    clipe: "M16.5 6.5v10a4.5 4.5 0 0 1-9 0V5a3 3 0 0 1 6 0v10.5a1.5 1.5 0 0 1-3 0V6.5H9v9a3 3 0 0 0 6 0V5a4.5 4.5 0 0 0-9 0v11.5a6 6 0 0 0 12 0v-10z",
    enviar: "M3 20.5 21.5 12 3 3.5v6.6l13 1.9-13 1.9z",
    baixar: "M11 4h2v9.2l3.3-3.3 1.4 1.4L12 17l-5.7-5.7 1.4-1.4 3.3 3.3zM5 19h14v2H5z",
    planilha: "M4 3h16a1 1 0 0 1 1 1v16a1 1 0 0 1-1 1H4a1 1 0 0 1-1-1V4a1 1 0 0 1 1-1zm1 2v3h4V5zm6 0v3h8V5zM5 10v4h4v-4zm6 0v4h8v-4zM5 16v3h4v-3zm6 0v3h8v-3z"
  };
  var TEXTOS = {
    abrir: "Abrir o assistente do SEI",
    lancador: "Dúvidas sobre o SEI?",
    fechar: "Fechar o chat",
    conversa: "Conversa com o assistente",
    mensagem: "Mensagem",
    placeholder: "Escreva sua dúvida…",
    enviar: "Enviar mensagem",
    anexar: "Anexar captura de tela (PNG ou JPEG, até 10 MB)",
    anexarPlanilha: "Enviar planilha preenchida (.xlsx ou .csv, até 5 MB)",
    planilhaEnviada: "Planilha enviada: ",
    planilhaGrande: "MB e o limite é 5 MB. Envie só a aba com os dados, sem imagens, em .xlsx ou .csv.",
    planilhaVazia: "O arquivo está vazio. Escolha a planilha preenchida (.xlsx ou .csv).",
    digitando: "O assistente está digitando…",
    reconectando: "Reconectando…",
    voce: "Você: ",
    assistente: "Assistente: ",
    aviso: "Aviso: ",
    opcoes: "Opções de resposta",
    opcaoVencida: "Esta opção era de uma pergunta anterior",
    subtitulo: "SESAU/AL · respostas automáticas",
    privacidade: "Não informe senhas. Dados pessoais só quando o assistente pedir.",
    boasVindas: "Olá! Sou o assistente virtual do SEI da Secretaria de Estado da Saúde. " +
      "Escreva sua dúvida com suas palavras (por exemplo: \"esqueci minha senha\") " +
      "ou digite \"menu\" para ver os assuntos.",
    semConexao: "Não consegui falar com o assistente. Verifique sua conexão e tente de " +
      "novo; o que você escreveu foi mantido.",
    erroGenerico: "Algo deu errado. Tente de novo em instantes.",
    longa: "A mensagem é muito longa (máximo de 10 KB). Resuma ou divida em partes.",
    anexoTipo: "não é uma imagem PNG ou JPEG. Envie a captura de tela como PNG ou JPG " +
      "(no computador, tecla Print Screen ou Ferramenta de Captura).",
    anexoGrande: "e o limite é 10 MB. Recorte só a parte da tela com o erro ou salve em JPEG.",
    anexoVazio: "O arquivo está vazio. Escolha uma imagem PNG ou JPEG de até 10 MB.",
    capturaEnviada: "Captura de tela enviada: ",
    planilhaPronta: "Planilha da solicitação ",
    baixarPlanilha: "Baixar planilha ",
    baixando: "Baixando…",
    baixarErro: "Não foi possível baixar a planilha. Tente de novo."
  };

  // ------------------------------------------------------------ utilities

  /** Random id of `tamanho` chars from a 64-symbol alphabet (6 bits each). */
  function idAleatorio(tamanho) {
    var bytes = new Uint8Array(tamanho);
    window.crypto.getRandomValues(bytes);
    var saida = "";
    for (var i = 0; i < tamanho; i++) {
      saida += ALFABETO.charAt(bytes[i] & 63);
    }
    return saida;
  }

  /** Create an element with attributes (never HTML) and optional text. */
  function el(tag, atributos, texto) {
    var elemento = document.createElement(tag);
    Object.keys(atributos || {}).forEach(function (nome) {
      elemento.setAttribute(nome, atributos[nome]);
    });
    if (texto !== undefined && texto !== null) {
      elemento.textContent = texto;
    }
    return elemento;
  }

  /** An inline SVG icon (decorative: hidden from assistive technology). */
  function icone(nome) {
    var svg = document.createElementNS(SVG_NS, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("width", "20");
    svg.setAttribute("height", "20");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    var caminho = document.createElementNS(SVG_NS, "path");
    caminho.setAttribute("d", ICONES[nome]);
    caminho.setAttribute("fill", "currentColor");
    svg.appendChild(caminho);
    return svg;
  }

  /** Visually hidden text for screen readers. */
  function textoOculto(texto) {
    return el("span", { "class": "sei-oculto" }, texto);
  }

  function bytesUtf8(texto) {
    return new TextEncoder().encode(texto).length;
  }

  function esperar(ms) {
    return new Promise(function (resolver) { setTimeout(resolver, ms); });
  }

  function megabytes(bytes) {
    return (bytes / (1024 * 1024)).toFixed(1).replace(".", ",");
  }

  // ------------------------------------------------------------ colours

  /** Relative luminance (WCAG) of a #rrggbb colour. */
  function luminancia(hex) {
    var canais = [1, 3, 5].map(function (i) {
      var c = parseInt(hex.substr(i, 2), 16) / 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * canais[0] + 0.7152 * canais[1] + 0.0722 * canais[2];
  }

  function contraste(a, b) {
    var la = luminancia(a), lb = luminancia(b);
    return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
  }

  /** "#abc" / "#aabbcc" -> "#aabbcc"; anything else -> null. */
  function corValida(valor) {
    var m = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec((valor || "").trim());
    if (!m) {
      return null;
    }
    var h = m[1].toLowerCase();
    return "#" + (h.length === 3 ? h.replace(/(.)/g, "$1$1") : h);
  }

  /** CSS custom properties from the brand colour, keeping text contrast ≥ 4.5:1. */
  function aplicarCores(raiz, cor) {
    var texto = contraste(cor, "#ffffff") >= 4.5 ? "#ffffff" : "#000000";
    var sobreBranco = contraste(cor, "#ffffff") >= 4.5 ? cor : "#1b1f24";
    raiz.style.setProperty("--sei-cor", cor);
    raiz.style.setProperty("--sei-cor-texto", texto);
    raiz.style.setProperty("--sei-cor-destaque", sobreBranco);
  }

  // ------------------------------------------------------------ configuration

  function scriptAtual() {
    return document.currentScript ||
      document.querySelector("script[src*='sei-widget.js']");
  }

  /** Settings from the script tag's data attributes. */
  function lerConfig(script) {
    var dados = (script && script.dataset) || {};
    var origem = script && script.src ? new URL("../", script.src) : new URL("/", location.href);
    var servidor = new URL(dados.servidor || origem.href, location.href).href;
    if (servidor.charAt(servidor.length - 1) !== "/") {
      servidor += "/";
    }
    return {
      servidor: servidor,
      titulo: (dados.titulo || "Assistente do SEI").slice(0, 80),
      cor: corValida(dados.cor) || COR_PADRAO
    };
  }

  // ------------------------------------------------------------ storage

  function armazenamento() {
    try {
      return window.sessionStorage;
    } catch (e) {
      return null;
    }
  }

  /** The saved conversation of this browser session, or a new one. */
  function carregarEstado() {
    var guardado = null;
    try {
      guardado = JSON.parse(armazenamento().getItem(CHAVE_ARMAZENAMENTO));
    } catch (e) {
      guardado = null;
    }
    if (guardado && typeof guardado.sessao === "string" && SESSAO_RE.test(guardado.sessao) &&
        Array.isArray(guardado.itens)) {
      return { sessao: guardado.sessao, itens: guardado.itens, aberto: !!guardado.aberto };
    }
    return { sessao: idAleatorio(32), itens: [], aberto: false };
  }

  function salvarEstado(estado) {
    var itens = estado.itens.slice(-MAX_ITENS);
    try {
      armazenamento().setItem(CHAVE_ARMAZENAMENTO, JSON.stringify(
        { sessao: estado.sessao, itens: itens, aberto: estado.aberto }));
    } catch (e) {
      // storage full or disabled: the conversation still works, only not restorable
    }
  }

  // ------------------------------------------------------------ safe text

  var PADRAO_LINK = /\[([^\]\n]{1,300})\]\(([^()\s]{1,2000})\)|\bhttps?:\/\/[^\s<>"'`]+/gi;

  /** The URL when it is an absolute http(s) URL, else null. */
  function urlSegura(bruta) {
    if (!/^https?:\/\//i.test(bruta)) {
      return null;
    }
    try {
      var url = new URL(bruta);
      return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
    } catch (e) {
      return null;
    }
  }

  function criarLink(url, rotulo) {
    var a = el("a", { href: url, target: "_blank", rel: "noopener noreferrer" }, rotulo);
    a.appendChild(textoOculto(" (abre em nova aba)"));
    return a;
  }

  /** Append `texto` to `pai` as text nodes and safe <a> elements only. */
  function preencherTexto(pai, texto) {
    var inicio = 0;
    var m;
    PADRAO_LINK.lastIndex = 0;
    while ((m = PADRAO_LINK.exec(texto)) !== null) {
      var bruto = m[0];
      var depois = "";
      var no;
      if (m[1] !== undefined) {
        var alvo = urlSegura(m[2]);
        no = alvo ? criarLink(alvo, m[1]) : document.createTextNode(bruto);
      } else {
        var fim = /[.,;:!?)\]]+$/.exec(bruto);
        if (fim) {
          depois = fim[0];
          bruto = bruto.slice(0, -depois.length);
        }
        var url = urlSegura(bruto);
        no = url ? criarLink(url, bruto) : document.createTextNode(bruto);
      }
      pai.appendChild(document.createTextNode(texto.slice(inicio, m.index)));
      pai.appendChild(no);
      if (depois) {
        pai.appendChild(document.createTextNode(depois));
      }
      inicio = m.index + m[0].length;
    }
    pai.appendChild(document.createTextNode(texto.slice(inicio)));
  }

  // ------------------------------------------------------------ the widget

  function Widget(config) {
    this.config = config;
    this.estado = carregarEstado();
    this.ocupado = false;
    this.construir();
    this.renderizarTudo();
    if (this.estado.itens.length === 0) {
      this.adicionar({ de: "bot", texto: TEXTOS.boasVindas });
    }
    if (this.estado.aberto) {
      this.abrir(false);
    }
  }

  /** Build the launcher button and the (hidden) panel. */
  Widget.prototype.construir = function () {
    var self = this;
    var idPainel = "sei-painel-" + idAleatorio(6);
    var raiz = el("div", { "class": "sei-widget", "data-ocupado": "false", "data-aberto": "false" });
    aplicarCores(raiz, this.config.cor);

    var lancador = el("button", {
      type: "button", "class": "sei-lancador", "aria-expanded": "false",
      "aria-controls": idPainel, "aria-label": TEXTOS.abrir
    });
    lancador.appendChild(icone("chat"));
    lancador.appendChild(el("span", { "class": "sei-lancador-texto", "aria-hidden": "true" },
      TEXTOS.lancador));

    var painel = el("div", {
      id: idPainel, "class": "sei-painel", role: "dialog", "aria-modal": "false",
      "aria-label": this.config.titulo
    });
    painel.hidden = true;

    var cabecalho = el("div", { "class": "sei-cabecalho" });
    var titulos = el("div", { "class": "sei-titulos" });
    titulos.appendChild(el("h2", { "class": "sei-titulo" }, this.config.titulo));
    titulos.appendChild(el("p", { "class": "sei-subtitulo" }, TEXTOS.subtitulo));
    var fechar = el("button", { type: "button", "class": "sei-fechar", "aria-label": TEXTOS.fechar });
    fechar.appendChild(icone("fechar"));
    cabecalho.appendChild(titulos);
    cabecalho.appendChild(fechar);

    var conversa = el("div", { "class": "sei-conversa" });
    var registro = el("div", {
      "class": "sei-log", role: "log", "aria-live": "polite", "aria-label": TEXTOS.conversa,
      tabindex: "0"
    });
    var digitando = el("div", { "class": "sei-digitando", "aria-hidden": "true" });
    digitando.appendChild(el("span"));
    digitando.appendChild(el("span"));
    digitando.appendChild(el("span"));
    digitando.hidden = true;
    conversa.appendChild(registro);
    conversa.appendChild(digitando);

    var situacao = el("div", { "class": "sei-situacao", role: "status", "aria-live": "polite" });

    var formulario = el("form", { "class": "sei-form", novalidate: "" });
    var idEntrada = "sei-entrada-" + idAleatorio(6);
    var arquivo = el("input", {
      type: "file", "class": "sei-oculto", accept: "image/png,image/jpeg", tabindex: "-1",
      "aria-hidden": "true"
    });
    var anexar = el("button", { type: "button", "class": "sei-icone sei-anexar", "aria-label": TEXTOS.anexar });
    anexar.appendChild(icone("clipe"));
    var arquivoPlanilha = el("input", {
      type: "file", "class": "sei-oculto sei-arquivo-planilha", accept: ACEITA_PLANILHA,
      tabindex: "-1", "aria-hidden": "true"
    });
    var enviarPlanilha = el("button", {
      type: "button", "class": "sei-icone sei-enviar-planilha", "aria-label": TEXTOS.anexarPlanilha,
      title: TEXTOS.anexarPlanilha
    });
    enviarPlanilha.appendChild(icone("planilha"));
    var rotulo = el("label", { "for": idEntrada, "class": "sei-oculto" }, TEXTOS.mensagem);
    var entrada = el("textarea", {
      id: idEntrada, "class": "sei-entrada", rows: "1", placeholder: TEXTOS.placeholder,
      autocomplete: "off", maxlength: String(LIMITE_TEXTO)
    });
    var enviar = el("button", { type: "submit", "class": "sei-icone sei-enviar", "aria-label": TEXTOS.enviar });
    enviar.appendChild(icone("enviar"));
    // the planilha button before the clip: Shift+Tab from the message box still reaches the clip first
    [arquivoPlanilha, enviarPlanilha, arquivo, anexar, rotulo, entrada, enviar].forEach(function (filho) {
      formulario.appendChild(filho);
    });

    var rodape = el("p", { "class": "sei-rodape" }, TEXTOS.privacidade);

    [cabecalho, conversa, situacao, formulario, rodape].forEach(function (filho) {
      painel.appendChild(filho);
    });
    raiz.appendChild(painel);
    raiz.appendChild(lancador);

    this.raiz = raiz;
    this.lancador = lancador;
    this.painel = painel;
    this.conversa = conversa;
    this.registro = registro;
    this.digitando = digitando;
    this.situacao = situacao;
    this.entrada = entrada;
    this.arquivo = arquivo;
    this.botaoAnexar = anexar;
    this.botaoPlanilha = enviarPlanilha;

    lancador.addEventListener("click", function () {
      if (self.estado.aberto) {
        self.fechar();
      } else {
        self.abrir(true);
      }
    });
    fechar.addEventListener("click", function () { self.fechar(); });
    painel.addEventListener("keydown", function (evento) {
      if (evento.key === "Escape") {
        evento.preventDefault();
        self.fechar();
      }
    });
    formulario.addEventListener("submit", function (evento) {
      evento.preventDefault();
      self.enviarDigitado();
    });
    entrada.addEventListener("keydown", function (evento) {
      if (evento.key === "Enter" && !evento.shiftKey && !evento.isComposing) {
        evento.preventDefault();
        self.enviarDigitado();
      }
    });
    entrada.addEventListener("input", function () { self.ajustarAltura(); });
    entrada.addEventListener("paste", function (evento) { self.colar(evento); });
    anexar.addEventListener("click", function () { arquivo.click(); });
    enviarPlanilha.addEventListener("click", function () { arquivoPlanilha.click(); });
    arquivoPlanilha.addEventListener("change", function () {
      var escolhido = arquivoPlanilha.files && arquivoPlanilha.files[0];
      arquivoPlanilha.value = "";
      if (escolhido) {
        self.enviarPlanilha(escolhido);
      }
    });
    arquivo.addEventListener("change", function () {
      var escolhido = arquivo.files && arquivo.files[0];
      arquivo.value = "";
      if (escolhido) {
        self.enviarAnexo(escolhido);
      }
    });
  };

  /** Attach to the page once the widget's stylesheet is loaded (no unstyled flash). */
  Widget.prototype.montar = function () {
    var self = this;
    var folha = el("link", { rel: "stylesheet", href: this.config.servidor + "static/sei-widget.css" });
    this.raiz.hidden = true;
    var mostrar = function () { self.raiz.hidden = false; };
    folha.addEventListener("load", mostrar);
    folha.addEventListener("error", mostrar);
    document.head.appendChild(folha);
    document.body.appendChild(this.raiz);
  };

  // ----- open / close

  Widget.prototype.abrir = function (focar) {
    this.estado.aberto = true;
    this.painel.hidden = false;
    this.raiz.setAttribute("data-aberto", "true");
    this.lancador.setAttribute("aria-expanded", "true");
    salvarEstado(this.estado);
    this.rolarParaFim();
    if (focar) {
      this.entrada.focus();
    }
    this.novidades();
  };

  /** News of a request this session filed (a status change, an NTS note), on opening. */
  Widget.prototype.novidades = function () {
    var self = this;
    if (this.ocupado || !this.estado.sessao) {
      return;
    }
    var corpo = JSON.stringify({ sessao: this.estado.sessao });
    this.chamar("api/avisos", function () {
      return { method: "POST", headers: { "Content-Type": "application/json" }, body: corpo };
    }).then(function (respostas) {
      if (respostas.length) {
        self.receber(respostas);
        self.rolarParaFim();
      }
    }).catch(function () { /* only the news is delayed: the next message brings it */ });
  };

  Widget.prototype.fechar = function () {
    this.estado.aberto = false;
    this.painel.hidden = true;
    this.raiz.setAttribute("data-aberto", "false");
    this.lancador.setAttribute("aria-expanded", "false");
    salvarEstado(this.estado);
    this.lancador.focus();
  };

  // ----- rendering

  Widget.prototype.renderizarTudo = function () {
    var self = this;
    this.registro.textContent = "";
    this.estado.itens.forEach(function (item) { self.renderizar(item); });
  };

  /** Add an item to the conversation (saved unless it is a transient notice). */
  Widget.prototype.adicionar = function (item) {
    var vencidos = [];
    if (item.de === "usuario" || (Array.isArray(item.botoes) && item.botoes.length)) {
      vencidos = this.vencerAnteriores();  // the conversation moved on
    }
    Object.defineProperty(item, "venceu", { value: vencidos, writable: true, enumerable: false, configurable: true });
    if (item.de !== "aviso") {
      this.estado.itens.push(item);
      if (this.estado.itens.length > MAX_ITENS) {
        this.estado.itens.splice(0, this.estado.itens.length - MAX_ITENS);
      }
      salvarEstado(this.estado);
    }
    this.renderizar(item);
    this.rolarParaFim();
    return item;
  };

  /** Disable every earlier button group still live; the items disabled. */
  Widget.prototype.vencerAnteriores = function () {
    var self = this;
    var vencidos = this.estado.itens.filter(function (anterior) {
      return Array.isArray(anterior.botoes) && anterior.botoes.length && !anterior.vencido;
    });
    vencidos.forEach(function (anterior) { self.marcarVencido(anterior, true); });
    return vencidos;
  };

  /** Mark an item's buttons as belonging to an earlier question (or live again). */
  Widget.prototype.marcarVencido = function (item, vencido) {
    item.vencido = vencido;
    var linha = item.elemento;
    if (linha) {
      Array.prototype.forEach.call(linha.querySelectorAll(".sei-opcao"), function (b) {
        atualizarBotao(b, item);
      });
    }
  };

  /** A button's state from its item: disabled once used or superseded (also for assistive tech). */
  function atualizarBotao(b, item) {
    var desativado = !!item.usado || !!item.vencido;
    b.disabled = desativado;
    b.setAttribute("aria-disabled", desativado ? "true" : "false");
    if (item.vencido) {
      b.setAttribute("title", TEXTOS.opcaoVencida);
    } else {
      b.removeAttribute("title");
    }
  }

  Widget.prototype.remover = function (item) {
    (item.venceu || []).forEach(function (anterior) {  // the message did not go: restore them
      this.marcarVencido(anterior, false);
    }, this);
    var indice = this.estado.itens.indexOf(item);
    if (indice >= 0) {
      this.estado.itens.splice(indice, 1);
      salvarEstado(this.estado);
    }
    if (item.elemento && item.elemento.parentNode) {
      item.elemento.parentNode.removeChild(item.elemento);
    }
  };

  /** One message row: who said it, the text (safe), buttons or a download. */
  Widget.prototype.renderizar = function (item) {
    var de = item.de === "usuario" ? "usuario" : item.de === "aviso" ? "aviso" : "bot";
    var linha = el("div", { "class": "sei-msg sei-msg-" + de });
    var balao = el("div", { "class": "sei-balao" });
    balao.appendChild(textoOculto(de === "usuario" ? TEXTOS.voce : de === "aviso" ? TEXTOS.aviso : TEXTOS.assistente));
    if (item.tipo === "planilha") {
      balao.appendChild(document.createTextNode(item.rotulo ? String(item.rotulo) :
        TEXTOS.planilhaPronta + String(item.protocolo || "") + "."));
      linha.appendChild(balao);
      linha.appendChild(this.botaoBaixar(item));
    } else {
      preencherTexto(balao, String(item.texto || ""));
      linha.appendChild(balao);
      if (Array.isArray(item.botoes) && item.botoes.length) {
        linha.appendChild(this.grupoBotoes(item));
      }
    }
    Object.defineProperty(item, "elemento", { value: linha, writable: true, enumerable: false, configurable: true });
    this.registro.appendChild(linha);
  };

  /** The buttons of a bot message: a tap sends the payload and disables the group. */
  Widget.prototype.grupoBotoes = function (item) {
    var self = this;
    var grupo = el("div", { "class": "sei-botoes", role: "group", "aria-label": TEXTOS.opcoes });
    item.botoes.forEach(function (botao) {
      var b = el("button", { type: "button", "class": "sei-opcao" }, String(botao.titulo));
      atualizarBotao(b, item);
      b.addEventListener("click", function () { self.escolher(item, botao, grupo); });
      grupo.appendChild(b);
    });
    return grupo;
  };

  Widget.prototype.desativarGrupo = function (item, grupo, desativar) {
    item.usado = desativar;
    salvarEstado(this.estado);
    Array.prototype.forEach.call(grupo.querySelectorAll("button"), function (b) {
      atualizarBotao(b, item);
    });
  };

  Widget.prototype.botaoBaixar = function (item) {
    var self = this;
    var botao = el("button", { type: "button", "class": "sei-baixar" });
    botao.appendChild(icone("baixar"));
    botao.appendChild(el("span", null, TEXTOS.baixarPlanilha + String(item.arquivo || "")));
    botao.addEventListener("click", function () { self.baixar(item, botao); });
    return botao;
  };

  Widget.prototype.rolarParaFim = function () {
    this.conversa.scrollTop = this.conversa.scrollHeight;
  };

  Widget.prototype.ajustarAltura = function () {
    this.entrada.style.height = "auto";
    this.entrada.style.height = Math.min(this.entrada.scrollHeight, 120) + "px";
  };

  Widget.prototype.aviso = function (texto) {
    this.adicionar({ de: "aviso", texto: texto });
  };

  Widget.prototype.definirOcupado = function (ocupado) {
    this.ocupado = ocupado;
    this.raiz.setAttribute("data-ocupado", ocupado ? "true" : "false");
    this.digitando.hidden = !ocupado;
    this.botaoAnexar.disabled = ocupado;
    this.botaoPlanilha.disabled = ocupado;
    this.situacao.textContent = ocupado ? TEXTOS.digitando : "";
    this.situacao.classList.remove("sei-reconectando");
    if (ocupado) {
      this.rolarParaFim();
    }
  };

  Widget.prototype.reconectando = function () {
    this.situacao.textContent = TEXTOS.reconectando;
    this.situacao.classList.add("sei-reconectando");
  };

  // ----- talking to the gateway

  /**
   * fetch with retries and backoff on network errors and 502/503/504 (the
   * gateway restarting or Rasa down): "Reconectando…" meanwhile. Resolves
   * with the final Response; rejects only when the network never came back.
   */
  Widget.prototype.buscar = async function (caminho, opcoes) {
    var ultima = null;
    for (var tentativa = 0; tentativa <= ESPERAS_MS.length; tentativa++) {
      if (tentativa > 0) {
        this.reconectando();
        await esperar(ESPERAS_MS[tentativa - 1]);
      }
      var controle = new AbortController();
      var limite = setTimeout(function () { controle.abort(); }, TEMPO_MAXIMO_MS);
      try {
        var resposta = await fetch(this.config.servidor + caminho, Object.assign(
          { signal: controle.signal, credentials: "same-origin", cache: "no-store" }, opcoes()));
        if ([502, 503, 504].indexOf(resposta.status) < 0) {
          return resposta;
        }
        ultima = resposta;
      } catch (erro) {
        ultima = null;
      } finally {
        clearTimeout(limite);
      }
    }
    if (ultima) {
      return ultima;
    }
    throw new Error("sem conexão");
  };

  /** POST to the API; the replies, or an Error with a Portuguese message. */
  Widget.prototype.chamar = async function (caminho, opcoes) {
    var resposta;
    try {
      resposta = await this.buscar(caminho, opcoes);
    } catch (e) {
      throw new Error(TEXTOS.semConexao);
    }
    var dados = {};
    try {
      dados = await resposta.json();
    } catch (e) {
      dados = {};
    }
    if (!resposta.ok) {
      throw new Error(typeof dados.erro === "string" ? dados.erro : TEXTOS.erroGenerico);
    }
    return Array.isArray(dados.respostas) ? dados.respostas : [];
  };

  Widget.prototype.receber = function (respostas) {
    var self = this;
    respostas.forEach(function (r) {
      if (r && r.tipo === "planilha" && typeof r.url === "string") {
        var planilha = { de: "bot", tipo: "planilha", protocolo: String(r.protocolo || ""),
          arquivo: String(r.arquivo || ""), url: r.url };
        if (typeof r.rotulo === "string" && r.rotulo) {
          planilha.rotulo = r.rotulo.slice(0, 200);  // a blank or a checked planilha
        }
        self.adicionar(planilha);
      } else if (r && r.tipo === "texto") {
        var botoes = Array.isArray(r.botoes) ? r.botoes.filter(function (b) {
          return b && typeof b.titulo === "string" && typeof b.payload === "string";
        }).map(function (b) { return { titulo: b.titulo, payload: b.payload }; }) : [];
        self.adicionar({ de: "bot", texto: String(r.texto || ""), botoes: botoes });
      }
    });
  };

  /**
   * Send a message: show it, wait with the typing indicator, render the
   * replies. On failure the bubble goes away and `aoFalhar` restores state.
   */
  Widget.prototype.conversar = async function (mostrado, opcoes, aoFalhar) {
    var item = this.adicionar({ de: "usuario", texto: mostrado });
    this.definirOcupado(true);
    try {
      this.receber(await this.chamar.apply(this, opcoes));
    } catch (erro) {
      this.remover(item);
      if (aoFalhar) {
        aoFalhar();
      }
      this.aviso(erro.message || TEXTOS.erroGenerico);
    } finally {
      this.definirOcupado(false);
    }
  };

  Widget.prototype.pedidoTexto = function (texto) {
    var corpo = JSON.stringify({ sessao: this.estado.sessao, texto: texto, id: idAleatorio(20) });
    return ["api/mensagem", function () {
      return { method: "POST", headers: { "Content-Type": "application/json" }, body: corpo };
    }];
  };

  Widget.prototype.enviarDigitado = function () {
    var self = this;
    var texto = this.entrada.value;
    if (this.ocupado || !texto.trim()) {
      return;
    }
    if (bytesUtf8(texto) > LIMITE_TEXTO) {
      this.aviso(TEXTOS.longa);
      return;
    }
    this.entrada.value = "";
    this.ajustarAltura();
    this.conversar(texto.trim(), this.pedidoTexto(texto), function () {
      if (!self.entrada.value) {
        self.entrada.value = texto;  // keep what was typed
        self.ajustarAltura();
      }
    });
  };

  Widget.prototype.escolher = function (item, botao, grupo) {
    var self = this;
    if (this.ocupado || item.usado || item.vencido) {
      return;
    }
    this.desativarGrupo(item, grupo, true);
    if (!window.matchMedia || !window.matchMedia("(pointer: coarse)").matches) {
      this.entrada.focus();  // the tapped button is now disabled; no on-screen keyboard on phones
    }
    this.conversar(botao.titulo, this.pedidoTexto(botao.payload), function () {
      self.desativarGrupo(item, grupo, false);
    });
  };

  /** Client-side check of a screenshot; the Portuguese problem, or null. */
  function problemaDoAnexo(arquivo) {
    var nome = "\"" + String(arquivo.name || "arquivo").slice(0, 60) + "\"";
    if (TIPOS_ANEXO.indexOf(arquivo.type) < 0) {
      return "O arquivo " + nome + " " + TEXTOS.anexoTipo;
    }
    if (arquivo.size === 0) {
      return TEXTOS.anexoVazio;
    }
    if (arquivo.size > LIMITE_ANEXO) {
      return "A imagem " + nome + " tem " + megabytes(arquivo.size) + " MB " + TEXTOS.anexoGrande;
    }
    return null;
  }

  Widget.prototype.enviarAnexo = function (arquivo) {
    if (this.ocupado) {
      return;
    }
    var problema = problemaDoAnexo(arquivo);
    if (problema) {
      this.aviso(problema);
      return;
    }
    var sessao = this.estado.sessao;
    var id = idAleatorio(20);
    var nome = String(arquivo.name || "captura.png").slice(0, 120);
    this.conversar(TEXTOS.capturaEnviada + nome, ["api/anexo", function () {
      var formulario = new FormData();
      formulario.append("sessao", sessao);
      formulario.append("id", id);
      formulario.append("arquivo", arquivo, nome);
      return { method: "POST", body: formulario };
    }], null);
  };

  /** Upload a filled planilha: the server reads it by content and the bot checks it. */
  Widget.prototype.enviarPlanilha = function (arquivo) {
    if (this.ocupado) {
      return;
    }
    var nome = String(arquivo.name || "planilha.xlsx").slice(0, 120);
    if (arquivo.size === 0) {
      this.aviso(TEXTOS.planilhaVazia);
      return;
    }
    if (arquivo.size > LIMITE_PLANILHA) {
      this.aviso("A planilha \"" + nome.slice(0, 60) + "\" tem " + megabytes(arquivo.size) + " " +
        TEXTOS.planilhaGrande);
      return;
    }
    var sessao = this.estado.sessao;
    var id = idAleatorio(20);
    this.conversar(TEXTOS.planilhaEnviada + nome, ["api/planilha", function () {
      var formulario = new FormData();
      formulario.append("sessao", sessao);
      formulario.append("id", id);
      formulario.append("arquivo", arquivo, nome);
      return { method: "POST", body: formulario };
    }], null);
  };

  /** A screenshot pasted into the message box (Print Screen + Ctrl+V) is uploaded. */
  Widget.prototype.colar = function (evento) {
    var itens = (evento.clipboardData && evento.clipboardData.files) || [];
    if (itens.length && TIPOS_ANEXO.indexOf(itens[0].type) >= 0) {
      evento.preventDefault();
      this.enviarAnexo(itens[0]);
    }
  };

  /** Download the spreadsheet: fetch with the session header -> Blob -> file. */
  Widget.prototype.baixar = async function (item, botao) {
    var rotulo = botao.lastChild;
    var original = rotulo.textContent;
    var sessao = this.estado.sessao;
    botao.disabled = true;
    rotulo.textContent = TEXTOS.baixando;
    try {
      var resposta = await this.buscar(item.url, function () {
        return { headers: { "X-Sei-Sessao": sessao } };
      });
      if (!resposta.ok) {
        var dados = await resposta.json().catch(function () { return {}; });
        this.aviso(typeof dados.erro === "string" ? dados.erro : TEXTOS.baixarErro);
        return;
      }
      var blob = await resposta.blob();
      var endereco = URL.createObjectURL(blob);
      var a = el("a", { href: endereco, download: item.arquivo, "class": "sei-oculto" });
      document.body.appendChild(a);
      a.click();
      a.parentNode.removeChild(a);
      setTimeout(function () { URL.revokeObjectURL(endereco); }, 30000);
    } catch (e) {
      this.aviso(TEXTOS.semConexao);
    } finally {
      this.situacao.textContent = "";
      this.situacao.classList.remove("sei-reconectando");
      rotulo.textContent = original;
      botao.disabled = false;
    }
  };

  // ------------------------------------------------------------ start

  function iniciar() {
    var widget = new Widget(lerConfig(SCRIPT));
    widget.montar();
  }

  var SCRIPT = scriptAtual();
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", iniciar);
  } else {
    iniciar();
  }
})();
