/* lnob dashboard: progressive enhancement only (every page works without JavaScript).
 * Turns a server-drawn chart into a Vega-Lite chart when the reader asks for it: the vendored
 * Vega, Vega-Lite, vega-interpreter (no eval: CSP script-src 'self') and vega-embed are
 * loaded on demand, so the first load of a page stays small. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  var me = document.currentScript;
  var files = ["data-vega", "data-vega-lite", "data-vega-interpreter", "data-vega-embed"].map(function (a) {
    return me.getAttribute(a);
  });
  var loading = null;
  function load(src) {
    return new Promise(function (resolve, reject) {
      var s = document.createElement("script");
      s.src = src; s.onload = resolve; s.onerror = reject;
      document.head.appendChild(s);
    });
  }
  function loadAll() {
    if (!loading) {
      loading = files.reduce(function (p, f) { return p.then(function () { return load(f); }); }, Promise.resolve());
    }
    return loading;
  }
  function draw(button) {
    var spec = JSON.parse(document.getElementById(button.getAttribute("data-vega")).textContent);
    var target = document.getElementById(button.getAttribute("data-target"));
    button.disabled = true;
    loadAll().then(function () {
      return window.vegaEmbed(target, spec, {
        ast: true, expr: window.vegaInterpreter.expressionInterpreter, actions: false,
        defaultStyle: false, tooltip: false, renderer: "svg"
      });
    }).then(function (res) {
      var svg = target.querySelector("svg");
      if (svg) {
        svg.setAttribute("role", "img");
        svg.setAttribute("aria-label", spec.title || "");
      }
      button.parentNode.hidden = true;
    }).catch(function () {
      button.disabled = false;
    });
  }
  document.addEventListener("click", function (ev) {
    var b = ev.target.closest ? ev.target.closest("button[data-vega]") : null;
    if (b) { draw(b); }
  });
})();
