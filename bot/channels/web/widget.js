// Embeddable chat: one <script src="(the bot's address)/widget.js" defer></script> adds a chat button to any page.
// The chat runs in an iframe of the bot's own page, so it needs nothing from the host page; styles are set through
// the CSSOM inside a shadow root, which a host's CSS cannot reach and a strict host CSP does not block.
(function () {
  "use strict";
  if (window.__qaChatWidget) return;
  window.__qaChatWidget = true;

  var script = document.currentScript || (function () {
    var all = document.querySelectorAll("script[src*='widget.js']");
    return all[all.length - 1];
  })();
  var base = new URL(".", script.src);            // the bot's address, from this script's own src
  var chatUrl = new URL("?embed=1", base).href;
  var title = script.getAttribute("data-title") || "政务资料问答";

  function css(node, styles) {
    Object.keys(styles).forEach(function (k) { node.style[k] = styles[k]; });
    return node;
  }

  var host = document.createElement("div");
  host.id = "qa-chat-widget";
  var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;

  var button = css(document.createElement("button"), {
    position: "fixed", right: "16px", bottom: "16px", zIndex: "2147483000", width: "56px", height: "56px",
    borderRadius: "50%", border: "0", background: "#07c160", color: "#fff", fontSize: "15px", fontWeight: "600",
    boxShadow: "0 4px 14px rgba(0,0,0,.25)", cursor: "pointer", fontFamily: "inherit"
  });
  button.type = "button";
  button.className = "qa-chat-button";
  button.textContent = "问答";
  button.setAttribute("aria-label", "打开" + title);
  button.setAttribute("aria-expanded", "false");
  button.setAttribute("aria-controls", "qa-chat-panel");

  var panel = css(document.createElement("div"), {
    position: "fixed", right: "16px", bottom: "84px", zIndex: "2147483000", width: "380px",
    maxWidth: "calc(100vw - 32px)", height: "600px", maxHeight: "calc(100vh - 110px)", borderRadius: "10px",
    overflow: "hidden", boxShadow: "0 8px 30px rgba(0,0,0,.3)", background: "#ededed", display: "none"
  });
  panel.id = "qa-chat-panel";
  panel.className = "qa-chat-panel";
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-label", title);

  var frame = null;
  var open = false;

  function fitSmallScreen() {
    // On a phone the panel takes the whole screen, like an app page.
    var small = window.innerWidth <= 480;
    css(panel, small ? { right: "0", bottom: "0", width: "100vw", maxWidth: "100vw", height: "100%",
      maxHeight: "100%", borderRadius: "0" } : { right: "16px", bottom: "84px", width: "380px",
      maxWidth: "calc(100vw - 32px)", height: "600px", maxHeight: "calc(100vh - 110px)", borderRadius: "10px" });
    // A full-screen panel would sit under the button; the chat page's own close button takes over there.
    button.style.display = small && open ? "none" : "block";
  }

  function setOpen(value) {
    open = value;
    if (open && !frame) {
      frame = css(document.createElement("iframe"), { width: "100%", height: "100%", border: "0", display: "block" });
      frame.title = title;
      frame.src = chatUrl;
      panel.appendChild(frame);
    }
    fitSmallScreen();
    panel.style.display = open ? "block" : "none";
    button.setAttribute("aria-expanded", String(open));
    button.setAttribute("aria-label", (open ? "关闭" : "打开") + title);
    button.textContent = open ? "×" : "问答";
    button.style.fontSize = open ? "26px" : "15px";
    if (open) frame.focus(); else button.focus();
  }

  button.addEventListener("click", function () { setOpen(!open); });
  window.addEventListener("resize", function () { if (open) fitSmallScreen(); });
  window.addEventListener("message", function (event) {
    // Only the chat page in our own iframe may close the panel.
    if (event.origin === base.origin && frame && event.source === frame.contentWindow &&
        event.data === "qa-widget:close") setOpen(false);
  });
  document.addEventListener("keydown", function (event) {
    if (open && event.key === "Escape") setOpen(false);
  });

  root.appendChild(panel);
  root.appendChild(button);
  function attach() { document.body.appendChild(host); }
  if (document.body) attach(); else document.addEventListener("DOMContentLoaded", attach);
})();
