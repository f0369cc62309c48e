"use strict";
const form = document.getElementById("form");
const text = document.getElementById("query");
const statusLine = document.getElementById("status");
const output = document.getElementById("output");
const pick = document.getElementById("pick");
const data = JSON.parse(document.getElementById("library").textContent);
const library = data.queries;
const namespaces = Object.entries(data.prefixes).sort((a, b) => b[1].length - a[1].length);
for (const item of library) {
  const option = document.createElement("option");
  option.value = item.name;
  option.textContent = item.name + " \u2014 " + item.title;
  pick.appendChild(option);
}
pick.addEventListener("change", () => {
  const item = library.find((entry) => entry.name === pick.value);
  if (item) { text.value = item.text; }
});
text.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { form.requestSubmit(); }
});
function show(term) {
  if (!term) { return ""; }
  if (term.type === "bnode") { return "_:" + term.value; }
  if (term.type === "uri") {
    for (const [prefix, namespace] of namespaces) {
      if (term.value.startsWith(namespace) && term.value.length > namespace.length) {
        return prefix + ":" + term.value.slice(namespace.length);
      }
    }
  }
  return term.value;
}
form.addEventListener("submit", async (event) => {
  event.preventDefault();
  output.replaceChildren();
  statusLine.textContent = "Running\u2026";
  const started = performance.now();
  let response;
  try {
    response = await fetch("sparql", {
      method: "POST",
      headers: {"Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/sparql-results+json, text/turtle;q=0.9"},
      body: new URLSearchParams({query: text.value}),
    });
  } catch (error) {
    statusLine.textContent = "Request failed: " + error;
    return;
  }
  const body = await response.text();
  const took = Math.round(performance.now() - started) + " ms";
  if (!response.ok) {
    statusLine.textContent = response.status + " " + response.statusText + ": " + body;
    return;
  }
  const type = response.headers.get("Content-Type") || "";
  if (!type.startsWith("application/sparql-results+json")) {
    const pre = document.createElement("pre");
    pre.textContent = body;
    output.appendChild(pre);
    statusLine.textContent = "Graph in " + took;
    return;
  }
  const data = JSON.parse(body);
  if ("boolean" in data) {
    statusLine.textContent = "ASK: " + data.boolean + " (" + took + ")";
    return;
  }
  const vars = data.head.vars;
  const table = document.createElement("table");
  const head = table.createTHead().insertRow();
  for (const name of vars) {
    const th = document.createElement("th");
    th.textContent = name;
    head.appendChild(th);
  }
  const tbody = table.createTBody();
  for (const binding of data.results.bindings) {
    const row = tbody.insertRow();
    for (const name of vars) {
      const cell = row.insertCell();
      const term = binding[name];
      cell.textContent = show(term);
      if (term) {
        cell.title = (term.type === "uri" ? term.value : term.type)
          + (term["xml:lang"] ? " @" + term["xml:lang"] : "")
          + (term.datatype ? " ^^" + term.datatype : "");
      }
    }
  }
  output.appendChild(table);
  statusLine.textContent = data.results.bindings.length + " row(s) in " + took;
});
