(function () {
  "use strict";
  var records = JSON.parse(document.getElementById("records").textContent);
  var list = document.getElementById("findings");
  var form = document.getElementById("controls");
  var elements = {};
  records.forEach(function (r) { elements[r.n] = document.getElementById("f" + r.n); });
  var POLICIES = ["deny", "warn", "allow"];
  var sorters = {
    severity: function (a, b) { return a.n - b.n; },
    similarity: function (a, b) { return b.sim - a.sim || a.n - b.n; },
    evidence: function (a, b) { return b.ev - a.ev || a.n - b.n; },
    file: function (a, b) { return a.path < b.path ? -1 : a.path > b.path ? 1 : a.n - b.n; }
  };
  var currentSort = "severity";

  // the state lives in the URL hash (#policy=deny,warn&cat=…&src=…&q=…&min=0.9&striking=1&sort=…&open=ID)
  function readHash() {
    var params = new URLSearchParams(location.hash.replace(/^#/, ""));
    var policy = params.has("policy") ? params.get("policy").split(",").filter(function (p) {
      return POLICIES.indexOf(p) >= 0; }) : POLICIES.slice();
    return { policy: policy, cat: params.get("cat") || "", src: params.get("src") || "",
             q: params.get("q") || "", min: Math.min(1, Math.max(0, parseFloat(params.get("min")) || 0)),
             striking: params.get("striking") === "1",
             sort: sorters.hasOwnProperty(params.get("sort")) ? params.get("sort") : "severity",
             open: params.get("open") || "" };
  }

  function writeHash(state) {
    var params = new URLSearchParams();
    if (state.policy.length !== POLICIES.length) { params.set("policy", state.policy.join(",")); }
    ["cat", "src", "q", "open"].forEach(function (k) { if (state[k]) { params.set(k, state[k]); } });
    if (state.min > 0) { params.set("min", String(state.min)); }
    if (state.striking) { params.set("striking", "1"); }
    if (state.sort !== "severity") { params.set("sort", state.sort); }
    history.replaceState(null, "", "#" + params.toString());
  }

  function fromControls() {
    var state = readHash();
    state.policy = POLICIES.filter(function (p) {
      return form.querySelector("input[name=policy][value=" + p + "]").checked; });
    state.cat = document.getElementById("f-cat").value;
    state.q = document.getElementById("f-q").value;
    state.min = Math.min(1, Math.max(0, parseFloat(document.getElementById("f-min").value) || 0));
    state.striking = document.getElementById("f-striking").checked;
    state.sort = document.getElementById("f-sort").value;
    return state;
  }

  function toControls(state) {
    POLICIES.forEach(function (p) {
      form.querySelector("input[name=policy][value=" + p + "]").checked = state.policy.indexOf(p) >= 0; });
    var cat = document.getElementById("f-cat");
    cat.value = state.cat;
    if (cat.value !== state.cat) { cat.value = ""; }
    document.getElementById("f-q").value = state.q;
    document.getElementById("f-min").value = String(state.min);
    document.getElementById("f-striking").checked = state.striking;
    document.getElementById("f-sort").value = state.sort;
  }

  function matches(r, state) {
    if (state.policy.indexOf(r.policy) < 0) { return false; }
    if (state.cat && r.cat !== state.cat) { return false; }
    if (state.src && r.src !== state.src) { return false; }
    if (state.striking && !r.striking) { return false; }
    if (r.sim < state.min) { return false; }
    if (state.q) {
      var q = state.q.toLowerCase();
      if (r.path.toLowerCase().indexOf(q) < 0 && r.src.toLowerCase().indexOf(q) < 0) { return false; }
    }
    return true;
  }

  function apply(state) {
    var start = performance.now();
    var shown = 0;
    records.forEach(function (r) {
      var visible = matches(r, state);
      if (elements[r.n].hidden === visible) { elements[r.n].hidden = !visible; }
      if (visible) { shown += 1; }
    });
    if (state.sort !== currentSort) {
      var fragment = document.createDocumentFragment();
      records.slice().sort(sorters[state.sort]).forEach(function (r) { fragment.appendChild(elements[r.n]); });
      list.appendChild(fragment);
      currentSort = state.sort;
    }
    document.getElementById("shown").textContent = shown + " of " + records.length + " findings shown" +
      (state.src ? " (source " + state.src + ")" : "");
    if (state.open) {
      var target = list.querySelector("article[data-id='" + CSS.escape(state.open) + "']");
      if (target) { target.querySelector("details").open = true; target.hidden = false;
        if (target.getBoundingClientRect().top > window.innerHeight) { target.scrollIntoView(); } }
    }
    document.body.setAttribute("data-apply-ms", (performance.now() - start).toFixed(1));
  }

  function onControl() { var state = fromControls(); state.src = readHash().src; writeHash(state); apply(state); }
  form.addEventListener("submit", function (event) { event.preventDefault(); });  // no inline handlers on the page
  form.addEventListener("change", onControl);
  document.getElementById("f-q").addEventListener("input", onControl);
  document.getElementById("f-min").addEventListener("input", onControl);
  window.addEventListener("hashchange", function () { var s = readHash(); toControls(s); apply(s); });

  // hovering an aligned run lights it up on both sides
  list.addEventListener("mouseover", function (event) {
    var block = event.target.closest && event.target.closest(".blk[data-b]");
    var finding = block && block.closest("article");
    if (!finding) { return; }
    finding.querySelectorAll(".blk.on").forEach(function (el) { el.classList.remove("on"); });
    finding.querySelectorAll(".blk[data-b='" + block.getAttribute("data-b") + "']").forEach(function (el) {
      el.classList.add("on"); });
  });

  var initial = readHash();
  toControls(initial);
  apply(initial);
  document.body.setAttribute("data-ready-ms", performance.now().toFixed(1));
})();
