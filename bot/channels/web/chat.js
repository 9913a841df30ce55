// The web chat: asks /api/ask, renders answers with their source, sends thumbs up/down to /api/feedback.
// Every piece of user or corpus text is inserted with textContent, never as HTML.
(function () {
  "use strict";

  var API = new URL("api/", document.baseURI);
  var log = document.getElementById("log");
  var form = document.getElementById("ask");
  var input = document.getElementById("q");
  var send = document.getElementById("send");
  var closeBtn = document.getElementById("close");
  var embedded = new URLSearchParams(location.search).has("embed");
  var busy = false;

  // --- small DOM helpers ------------------------------------------------------------------------------
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function scrollDown() {
    log.scrollTop = log.scrollHeight;
  }

  function addMessage(who, bubble) {
    var row = el("div", "msg " + who);
    var avatar = el("span", "avatar", who === "user" ? "我" : "政");
    avatar.setAttribute("aria-hidden", "true");
    var label = el("span", "sr-only", who === "user" ? "您说：" : "助手：");
    bubble.insertBefore(label, bubble.firstChild);
    row.appendChild(avatar);
    row.appendChild(bubble);
    log.appendChild(row);
    scrollDown();
    return row;
  }

  function chips(questions) {
    var box = el("div", "chips");
    questions.forEach(function (q) {
      var chip = el("button", "chip", q);
      chip.type = "button";
      chip.addEventListener("click", function () { ask(q); });
      box.appendChild(chip);
    });
    return box;
  }

  // --- rendering ---------------------------------------------------------------------------------------
  function welcome(examples) {
    var bubble = el("div", "bubble welcome");
    bubble.appendChild(el("p", "answer-text",
      "您好！我可以回答资料库中政府文件的问题，答案引自原文并注明出处。"));
    if (examples.length) {
      bubble.appendChild(el("p", "notice", "您可以试试："));
      bubble.appendChild(chips(examples.slice(0, 4)));
    }
    addMessage("bot", bubble);
  }

  function sourceFold(src) {
    var fold = el("details", "source");
    fold.appendChild(el("summary", null, "查看原文出处"));
    var body = el("div", "source-body");
    var meta = [src.title ? "《" + src.title + "》" : "", src.section || "", src.source || "", src.date || ""]
      .filter(Boolean);
    body.appendChild(el("p", "source-meta", meta.join(" · ")));
    body.appendChild(el("p", "source-text", src.text));
    if (/^https?:\/\//i.test(src.url || "")) {
      var link = el("a", "source-link", "打开原文链接");
      link.href = src.url;
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      body.appendChild(link);
    }
    fold.appendChild(body);
    return fold;
  }

  function rating(answer) {
    var box = el("div", "rate");
    box.appendChild(el("span", null, "有帮助吗？"));
    var buttons = [["up", "有帮助"], ["down", "没有帮助"]].map(function (spec) {
      var b = el("button", "rate-" + spec[0]);
      b.type = "button";
      b.appendChild(thumb(spec[0] === "down"));
      b.setAttribute("aria-label", spec[2]);
      b.setAttribute("aria-pressed", "false");
      b.addEventListener("click", function () { rate(answer, spec[0], buttons, box); });
      box.appendChild(b);
      return b;
    });
    return box;
  }

  var SVG = "http://www.w3.org/2000/svg";
  var THUMB = "M2 21h4V9H2v12zm20-11c0-1.1-.9-2-2-2h-6.3l1-4.6v-.3c0-.4-.2-.8-.4-1.1L13.2 1 6.6 7.6C6.2 7.9 6 " +
    "8.4 6 9v10c0 1.1.9 2 2 2h9c.8 0 1.5-.5 1.8-1.2l3-7.1c.1-.2.2-.5.2-.7v-2z";

  function thumb(down) {
    // An inline icon, so the buttons look the same on systems without an emoji font.
    var svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("width", "18");
    svg.setAttribute("height", "18");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    if (down) svg.setAttribute("transform", "rotate(180)");
    var path = document.createElementNS(SVG, "path");
    path.setAttribute("d", THUMB);
    path.setAttribute("fill", "currentColor");
    svg.appendChild(path);
    return svg;
  }

  function rate(answer, value, buttons, box) {
    buttons.forEach(function (b) { b.disabled = true; });
    post("feedback", { answer_id: answer.answer_id, rating: value, question: answer.question })
      .then(function () {
        buttons.forEach(function (b) {
          b.setAttribute("aria-pressed", String(b.classList.contains("rate-" + value)));
        });
        box.appendChild(el("span", "rate-done", "谢谢您的反馈"));
      })
      .catch(function (err) {
        buttons.forEach(function (b) { b.disabled = false; });
        box.appendChild(el("span", "rate-error", err.message));
      });
  }

  function stripTips(text, suggestions) {
    // The reply text lists the suggestions too; they are shown as buttons instead.
    if (!suggestions.length) return text;
    return text.split(/\n(?:您可以试试|您可以試試|您可以这样问|您可以這樣問)[:：]/)[0];
  }

  function renderAnswer(a) {
    var bubble = el("div", "bubble");
    if (a.notice) bubble.appendChild(el("p", "notice", a.notice));
    var suggestions = Array.isArray(a.suggestions) ? a.suggestions : [];
    if (a.answered) {
      bubble.classList.add("answered");
      if (a.short && a.quote) bubble.appendChild(el("p", "short-answer", a.short));
      bubble.appendChild(el("p", "answer-text", a.quote || a.answer));
      if (a.quote && a.citation) bubble.appendChild(citeLine(a.citation));
      if (a.sources && a.sources.length) bubble.appendChild(sourceFold(a.sources[0]));
    } else if (a.kind === "refusal") {
      bubble.classList.add("no-answer");
      bubble.setAttribute("role", "note");
      bubble.appendChild(el("p", "no-answer-title", "未找到答案"));
      bubble.appendChild(el("p", "answer-text", stripTips(a.answer, suggestions)));
    } else {
      bubble.appendChild(el("p", "answer-text", stripTips(a.answer, suggestions)));
    }
    if (suggestions.length) {
      bubble.appendChild(el("p", "notice tips", "您可以试试："));
      bubble.appendChild(chips(suggestions.slice(0, 3)));
    }
    if (a.answer_id && (a.kind === "answer" || a.kind === "refusal")) bubble.appendChild(rating(a));
    addMessage("bot", bubble);
  }

  function citeLine(citation) {
    // "案例：X；来源：《Y》" -> the case name is emphasised; all parts stay text nodes.
    var p = el("p", "cite");
    var m = /^(案例[:：])(.*?)([;；].*)?$/.exec(citation);
    if (!m) { p.textContent = citation; return p; }
    p.appendChild(document.createTextNode(m[1]));
    p.appendChild(el("span", "case-name", m[2]));
    if (m[3]) p.appendChild(document.createTextNode(m[3]));
    return p;
  }

  function renderError(message) {
    var bubble = el("div", "bubble error");
    bubble.setAttribute("role", "alert");
    bubble.appendChild(el("p", "answer-text", message));
    addMessage("bot", bubble);
  }

  function typing() {
    var bubble = el("div", "bubble typing-bubble");
    bubble.setAttribute("role", "status");
    bubble.setAttribute("aria-label", "正在查找答案");
    var dots = el("span", "typing");
    for (var i = 0; i < 3; i++) dots.appendChild(el("span"));
    bubble.appendChild(dots);
    return addMessage("bot", bubble);
  }

  // --- network -----------------------------------------------------------------------------------------
  function post(path, body) {
    return fetch(new URL(path, API), {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body)
    }).then(readJson, function () {
      throw new Error("网络连接失败，请检查网络后重试。");
    });
  }

  function readJson(res) {
    return res.json().catch(function () { return {}; }).then(function (data) {
      if (!res.ok) throw new Error(data.message || "服务暂时不可用（" + res.status + "），请稍后再试。");
      return data;
    });
  }

  function ask(question) {
    question = (question || "").trim();
    if (!question || busy) { input.focus(); return; }
    busy = true;
    send.disabled = true;
    log.setAttribute("aria-busy", "true");
    var bubble = el("div", "bubble");
    bubble.appendChild(el("p", "answer-text", question));
    addMessage("user", bubble);
    var indicator = typing();
    post("ask", { question: question })
      .then(renderAnswer, function (err) { renderError(err.message); })
      .then(function () {
        indicator.remove();
        busy = false;
        send.disabled = false;
        log.removeAttribute("aria-busy");
        scrollDown();
        input.focus();
      });
  }

  // --- wiring ------------------------------------------------------------------------------------------
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var q = input.value;
    if (!q.trim() || busy) { input.focus(); return; }
    input.value = "";
    autosize();
    ask(q);
  });

  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event("submit", { cancelable: true }));
    }
  });

  function autosize() {
    input.style.height = "auto";
    input.style.height = Math.min(input.scrollHeight + 2, 120) + "px";
  }
  input.addEventListener("input", autosize);

  if (embedded) {
    document.documentElement.classList.add("embed");
    closeBtn.hidden = false;
    var closeWidget = function () { parent.postMessage("qa-widget:close", "*"); };
    closeBtn.addEventListener("click", closeWidget);
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape") closeWidget();
    });
  }

  fetch(new URL("examples", API))
    .then(readJson)
    .then(function (data) {
      if (data.max_question_chars) input.maxLength = data.max_question_chars;
      welcome(Array.isArray(data.examples) ? data.examples : []);
    }, function () { welcome([]); });
})();
