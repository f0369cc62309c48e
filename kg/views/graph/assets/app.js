/* aigov-kg graph viewer (part of aigov-kg, Apache-2.0).
 * Every string shown here comes from the JSON data block and is set with textContent or
 * drawn on the canvas by vis-network: nothing from the data is ever parsed as HTML. */
(() => {
  "use strict";
  const timings = {start: performance.now()}; // for scripts/bench_viz.py
  const data = JSON.parse(document.getElementById("kg-data").textContent);
  timings.parsed = performance.now();
  const ui = data.ui;
  const N = data.nodes.length;
  const M = data.edges.length;
  const container = document.getElementById("kg-net");
  const panel = document.getElementById("kg-panel");
  const keyIndex = new Map(data.nodes.map((n, i) => [n.key, i]));

  // ------------------------------------------------------------------ DOM helpers

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, (m, k) => (k in values ? String(values[k]) : m));
  }

  function safeHref(url) {
    if (typeof url !== "string" || !/^https?:\/\//i.test(url)) return null;
    try {
      const parsed = new URL(url);
      return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
    } catch (e) {
      return null;
    }
  }

  function sourceItem(url) {
    const href = safeHref(url);
    if (!href) return el("span", "kg-src-text", url);
    const a = el("a", "kg-src", url);
    a.href = href;
    a.target = "_blank";
    a.rel = "noopener noreferrer";
    return a;
  }

  // What a source is (the record's official text, or its tier in the source policy).
  function sourceMark(li, n, url) {
    const mark = n.marks && n.marks[url];
    if (mark) li.appendChild(el("span", "kg-src-mark", " [" + mark + "]"));
  }

  function swatch(group) {
    const g = data.groups[group];
    const s = el("span", "kg-swatch", g.symbol);
    s.style.color = g.color;
    return s;
  }

  function row(dl, term, value) {
    if (value === undefined || value === null || value === "") return;
    dl.append(el("dt", null, term), el("dd", null, value));
  }

  function statusSummary(n) {
    const parts = Object.entries(n.statuses).map(([s, c]) => c + " " + (data.statusLabels[s] || s));
    return n.npaths + (parts.length ? " (" + parts.join(", ") + ")" : "");
  }

  function details(n, withLinks, maxSources) {
    const box = el("div", "kg-tip");
    const head = el("div", "kg-tip-title");
    head.append(swatch(n.group), el("span", null, n.label));
    box.appendChild(head);
    const dl = el("dl");
    row(dl, ui.type, [n.type, data.groups[n.group].label].filter(Boolean).join(" · "));
    row(dl, ui.roles, n.roles.map((r) => data.roleNames[r] || r).join(", "));
    row(dl, ui.state, n.status);
    for (const [k, v] of Object.entries(n.dates)) row(dl, ui[k] || k, v);
    if (n.scope) row(dl, ui[n.scope], n.scope_from);
    if (n.categories) row(dl, ui.categories, n.categories.join(", "));
    if (n.npaths && data.view !== "ontology") row(dl, ui.npaths, statusSummary(n));
    if (n.betweenness !== undefined) row(dl, ui.betweenness, n.betweenness.toFixed(4));
    if (n.illustrative) row(dl, "", ui.illustrative);
    if (n.description) {
      const text = n.description.length > 400 && !withLinks
        ? n.description.slice(0, 399) + "…" : n.description;
      row(dl, ui.description, text);
    }
    box.appendChild(dl);
    if (n.sources.length) {
      const list = el("ul", "kg-srcs");
      for (const url of n.sources.slice(0, maxSources)) {
        const li = el("li");
        li.appendChild(withLinks ? sourceItem(url) : el("span", "kg-src-text", url));
        sourceMark(li, n, url);
        list.appendChild(li);
      }
      if (n.sources.length > maxSources) {
        list.appendChild(el("li", "kg-muted", fill(ui.more, {n: n.sources.length - maxSources})));
      }
      box.append(el("div", "kg-tip-sub", ui.sources), list);
    }
    return box;
  }

  // ------------------------------------------------------------------ vis data

  // Highlighting restyles only the nodes and edges whose state changes.
  const nodeState = new Int8Array(N); // 0 plain, 1 dimmed, 2 lit
  const edgeState = new Int8Array(M);
  const nodeVis = new Uint8Array(N);
  const edgeVis = new Uint8Array(M);
  const edgePaths = Array.from({length: M}, () => []);
  data.paths.forEach((p, pi) => p.edges.forEach((e) => edgePaths[e].push(pi)));

  function nodeStyle(i, state) {
    const n = data.nodes[i];
    const g = data.groups[n.group];
    const box = g.shape === "box";
    const bg = state === 1 ? "#eef0f2" : g.color;
    const border = state === 1 ? "#d5dade" : state === 2 ? "#111111" : g.border;
    return {
      id: i,
      color: {background: bg, border: border,
              highlight: {background: bg, border: "#000000"},
              hover: {background: bg, border: "#000000"}},
      font: {color: state === 1 ? "#c5cacd" : box ? "#ffffff" : "#1f2328",
             strokeWidth: box ? 0 : 3, strokeColor: "#ffffff"},
      borderWidth: n.focal ? 4 : state === 2 ? 3 : 1.5,
    };
  }

  function edgeStyle(j, state) {
    return {
      id: j,
      color: {color: state === 1 ? "#eceff1" : state === 2 ? "#2b3137" : "#9aa6ad",
              highlight: "#2b3137", hover: "#2b3137", inherit: false},
      font: {color: state === 1 ? "#d3d8db" : "#4a575e"},
      width: state === 2 ? 2.5 : 1,
    };
  }

  function visNode(i) {
    const n = data.nodes[i];
    const g = data.groups[n.group];
    const dashes = n.scope === "inherited" ? [6, 4] : n.scope === "contained" ? [2, 3] : false;
    const item = Object.assign(nodeStyle(i, 0), {
      label: n.short, x: n.x, y: n.y, shape: g.shape, size: n.size, hidden: !nodeVis[i],
      shapeProperties: {borderDashes: dashes}, title: details(n, true, 4),
    });
    if (g.shape === "box" || g.shape === "ellipse") item.widthConstraint = {maximum: 220};
    return item;
  }

  function visEdge(j) {
    const e = data.edges[j];
    return Object.assign(edgeStyle(j, 0), {from: e.from, to: e.to, label: e.label,
                                           hidden: !edgeVis[j]});
  }

  // ------------------------------------------------------------------ filters

  const state = {};
  const nodeFilters = data.filters.filter((f) => f.node);
  let visiblePaths = new Set();

  function pathVisible(p) {
    for (const f of data.filters) {
      const values = p.facets && p.facets[f.key];
      if (!values) continue;
      if (f.type === "select") {
        if (state[f.key] && !values.includes(state[f.key])) return false;
      } else if (!values.some((v) => state[f.key].has(v))) {
        return false;
      }
    }
    return true;
  }

  function nodeOk(i) {
    const facets = data.nodes[i].facets;
    if (!facets) return true;
    for (const f of nodeFilters) {
      const values = facets[f.key];
      if (values && !values.some((v) => state[f.key].has(v))) return false;
    }
    return true;
  }

  function computeVisibility() {
    const nv = new Uint8Array(N);
    const ev = new Uint8Array(M);
    const ok = Array.from({length: N}, (_, i) => nodeOk(i));
    visiblePaths = new Set();
    data.paths.forEach((p, pi) => {
      if (!pathVisible(p)) return;
      visiblePaths.add(pi);
      for (const s of p.steps) if (ok[s]) nv[s] = 1;
      for (const s of p.extra) if (ok[s]) nv[s] = 1;
      for (const e of p.edges) {
        if (ok[data.edges[e].from] && ok[data.edges[e].to]) ev[e] = 1;
      }
    });
    return [nv, ev];
  }

  function buildFilters() {
    const host = document.getElementById("kg-filters");
    if (!data.filters.length) return;
    host.appendChild(el("h2", null, ui.filters));
    for (const f of data.filters) {
      const set = el("fieldset");
      set.dataset.key = f.key;
      set.appendChild(el("legend", null, f.label));
      if (f.type === "select") {
        const select = el("select");
        select.name = f.key;
        for (const o of f.options) {
          const option = el("option", null, o.label);
          option.value = o.value;
          select.appendChild(option);
        }
        state[f.key] = "";
        select.addEventListener("change", () => { state[f.key] = select.value; refresh(); });
        set.appendChild(select);
      } else {
        state[f.key] = new Set(f.options.filter((o) => o.checked).map((o) => o.value));
        for (const o of f.options) {
          const label = el("label");
          const box = el("input");
          box.type = "checkbox";
          box.name = f.key;
          box.value = o.value;
          box.checked = o.checked;
          box.addEventListener("change", () => {
            if (box.checked) state[f.key].add(o.value); else state[f.key].delete(o.value);
            refresh();
          });
          label.append(box, document.createTextNode(" " + o.label));
          set.appendChild(label);
        }
      }
      host.appendChild(set);
    }
  }

  function buildLegend() {
    const host = document.getElementById("kg-legend");
    host.appendChild(el("h2", null, ui.legend));
    const list = el("ul");
    for (const name of data.groupOrder) {
      const li = el("li");
      li.append(swatch(name), el("span", null, data.groups[name].label));
      list.appendChild(li);
    }
    host.appendChild(list);
    const notes = [];
    if (data.nodes.some((n) => n.focal)) notes.push(ui.focal);
    if (data.nodes.some((n) => n.scope === "inherited")) notes.push(ui.dashed);
    if (data.nodes.some((n) => n.scope === "contained")) notes.push(ui.dotted);
    if (data.sized) notes.push(ui.size);
    for (const note of notes) host.appendChild(el("p", "kg-note", note));
  }

  // ------------------------------------------------------------------ network

  buildLegend();
  buildFilters();
  const [initialNodes, initialEdges] = computeVisibility();
  nodeVis.set(initialNodes);
  edgeVis.set(initialEdges);
  const nodes = new vis.DataSet(data.nodes.map((_, i) => visNode(i)));
  const edges = new vis.DataSet(data.edges.map((_, j) => visEdge(j)));
  timings.datasets = performance.now();
  const large = data.large;
  const network = new vis.Network(container, {nodes, edges}, {
    autoResize: true,
    physics: {enabled: false},
    layout: {improvedLayout: false, randomSeed: 1},
    interaction: {hover: true, tooltipDelay: 120, hideEdgesOnDrag: large,
                  hideEdgesOnZoom: large, multiselect: false, keyboard: false},
    nodes: {font: {size: 13, face: "system-ui, 'Noto Sans CJK SC', sans-serif"}},
    edges: {
      arrows: {to: {enabled: true, scaleFactor: 0.45}},
      smooth: large ? false
        : {enabled: true, type: "cubicBezier", forceDirection: "horizontal", roundness: 0.45},
      font: {size: 10, align: "middle", strokeWidth: 3, strokeColor: "#ffffff",
             face: "system-ui, 'Noto Sans CJK SC', sans-serif"},
      selectionWidth: 1.5,
    },
  });

  // ------------------------------------------------------------------ highlight

  let current = null;

  function applyHighlight(litNodes, litEdges) {
    const nu = [];
    const eu = [];
    for (let i = 0; i < N; i++) {
      const want = litNodes ? (litNodes.has(i) ? 2 : 1) : 0;
      if (want !== nodeState[i]) { nodeState[i] = want; nu.push(nodeStyle(i, want)); }
    }
    for (let j = 0; j < M; j++) {
      const want = litEdges ? (litEdges.has(j) ? 2 : 1) : 0;
      if (want !== edgeState[j]) { edgeState[j] = want; eu.push(edgeStyle(j, want)); }
    }
    if (nu.length) nodes.update(nu);
    if (eu.length) edges.update(eu);
  }

  function highlightPaths(pathIndexes, origin) {
    const litNodes = new Set();
    const litEdges = new Set();
    for (const pi of pathIndexes) {
      if (!visiblePaths.has(pi)) continue;
      const p = data.paths[pi];
      for (const s of p.steps.concat(p.extra)) if (nodeVis[s]) litNodes.add(s);
      for (const e of p.edges) if (edgeVis[e]) litEdges.add(e);
    }
    current = {nodes: litNodes, edges: litEdges, origin: origin, paths: pathIndexes};
    applyHighlight(litNodes, litEdges);
    container.dataset.highlight = origin;
    container.dataset.highlightNodes = String(litNodes.size);
    container.dataset.highlightEdges = String(litEdges.size);
  }

  function clearHighlight() {
    current = null;
    applyHighlight(null, null);
    delete container.dataset.highlight;
    delete container.dataset.highlightNodes;
    delete container.dataset.highlightEdges;
  }

  function selectNode(i) {
    const n = data.nodes[i];
    highlightPaths(n.paths, "node:" + n.key);
    network.selectNodes([i], false);
    if (data.view === "ontology" && n.paths.length === 1) showPath(n.paths[0]);
    else showNode(i);
  }

  function selectEdge(j) {
    const e = data.edges[j];
    highlightPaths(edgePaths[j], "edge:" + data.nodes[e.from].key + "->" + data.nodes[e.to].key);
    showPaths(edgePaths[j], e.label);
  }

  function selectPath(pi) {
    highlightPaths([pi], "path:" + pi);
    showPath(pi);
  }

  function clearAll() {
    clearHighlight();
    network.unselectAll();
    showOverview();
  }

  // ------------------------------------------------------------------ side panel

  function panelHead() {
    panel.replaceChildren();
    const bar = el("div", "kg-bar");
    const fit = el("button", null, ui.fit);
    fit.type = "button";
    fit.addEventListener("click", () => network.fit({animation: false}));
    const clear = el("button", null, ui.clear);
    clear.type = "button";
    clear.addEventListener("click", clearAll);
    bar.append(fit, clear);
    panel.appendChild(bar);
  }

  function pathList(pathIndexes, heading) {
    const shown = pathIndexes.filter((pi) => visiblePaths.has(pi));
    const box = el("section", "kg-paths");
    box.appendChild(el("h3", null, heading + " (" + shown.length + ")"));
    const list = el("ol");
    for (const pi of shown.slice(0, 200)) {
      const p = data.paths[pi];
      const li = el("li");
      const button = el("button", "kg-path", p.title);
      button.type = "button";
      button.dataset.path = String(pi);
      if (p.status) button.appendChild(el("span", "kg-status kg-" + p.status,
                                          data.statusLabels[p.status] || p.status));
      button.addEventListener("click", () => selectPath(pi));
      li.appendChild(button);
      list.appendChild(li);
    }
    if (shown.length > 200) list.appendChild(el("li", "kg-muted",
                                                fill(ui.more, {n: shown.length - 200})));
    box.appendChild(list);
    return box;
  }

  let listing = null; // the node's or edge's path list, offered again under a path
  let redraw = () => showOverview(); // re-renders the panel after a filter change

  function showOverview() {
    listing = null;
    redraw = showOverview;
    panelHead();
    panel.appendChild(el("p", "kg-hint", ui.hint));
    for (const note of data.notes) panel.appendChild(el("p", "kg-note", note));
    panel.appendChild(pathList(data.paths.map((_, i) => i), ui.paths));
  }

  function showNode(i) {
    listing = {paths: data.nodes[i].paths, heading: ui.paths};
    redraw = () => showNode(i);
    panelHead();
    panel.appendChild(details(data.nodes[i], true, 12));
    panel.appendChild(pathList(data.nodes[i].paths, ui.paths));
  }

  function showPaths(pathIndexes, heading) {
    listing = {paths: pathIndexes, heading: heading};
    redraw = () => showPaths(pathIndexes, heading);
    panelHead();
    panel.appendChild(pathList(pathIndexes, heading));
  }

  function showPath(pi) {
    const p = data.paths[pi];
    redraw = () => showPath(pi);
    panelHead();
    const box = el("section", "kg-path-detail");
    box.dataset.path = String(pi);
    box.appendChild(el("h2", null, p.title));
    const dl = el("dl");
    for (const [k, v] of p.meta) row(dl, k, v);
    box.appendChild(dl);
    const incoming = new Map();
    for (const e of p.edges) if (!incoming.has(data.edges[e].to)) incoming.set(data.edges[e].to, e);
    const steps = el("ol", "kg-steps");
    p.steps.forEach((s, k) => {
      const n = data.nodes[s];
      const li = el("li", "kg-step");
      li.dataset.key = n.key;
      if (k > 0 && incoming.has(s)) li.appendChild(el("div", "kg-rel",
                                                      "↳ " + data.edges[incoming.get(s)].label));
      const head = el("button", "kg-step-head");
      head.type = "button";
      head.append(swatch(n.group), el("strong", null, n.label),
                  el("span", "kg-muted", " · " + (n.type || data.groups[n.group].label)));
      head.addEventListener("click", () => {
        if (nodeVis[s]) network.focus(s, {scale: 1.1, animation: false});
      });
      li.appendChild(head);
      const facts = [n.status, ...Object.entries(n.dates).map(([d, v]) => (ui[d] || d) + " " + v)];
      if (facts.filter(Boolean).length) li.appendChild(el("div", "kg-muted",
                                                          facts.filter(Boolean).join(" · ")));
      if (n.sources.length) {
        const list = el("ul", "kg-srcs");
        for (const url of n.sources.slice(0, 6)) {
          const item = el("li");
          item.appendChild(sourceItem(url));
          sourceMark(item, n, url);
          list.appendChild(item);
        }
        li.appendChild(list);
      }
      steps.appendChild(li);
    });
    box.appendChild(steps);
    panel.appendChild(box);
    if (listing && listing.paths.length > 1) {
      panel.appendChild(pathList(listing.paths, listing.heading));
    }
  }

  // ------------------------------------------------------------------ refresh, ready

  function counts() {
    let n = 0;
    let m = 0;
    for (let i = 0; i < N; i++) n += nodeVis[i];
    for (let j = 0; j < M; j++) m += edgeVis[j];
    return {nodes: n, edges: m, paths: visiblePaths.size};
  }

  function subtitle() {
    const c = counts();
    const text = fill(ui.showing, {n: c.nodes, N: N, m: c.edges, M: M, p: c.paths});
    document.getElementById("kg-sub").textContent = (data.asOf ? data.asOf + " · " : "") + text;
    container.dataset.visibleNodes = String(c.nodes);
    container.dataset.visibleEdges = String(c.edges);
  }

  function refresh() {
    const [nv, ev] = computeVisibility();
    const nu = [];
    const eu = [];
    for (let i = 0; i < N; i++) if (nv[i] !== nodeVis[i]) { nodeVis[i] = nv[i]; nu.push({id: i, hidden: !nv[i]}); }
    for (let j = 0; j < M; j++) if (ev[j] !== edgeVis[j]) { edgeVis[j] = ev[j]; eu.push({id: j, hidden: !ev[j]}); }
    if (nu.length) nodes.update(nu);
    if (eu.length) edges.update(eu);
    if (current) highlightPaths(current.paths, current.origin);
    if (current && !current.nodes.size) clearAll();
    else redraw();
    subtitle();
  }

  function staticMode() {
    document.body.classList.add("kg-static");
    const legend = document.getElementById("kg-legend");
    legend.classList.add("kg-overlay");
    container.appendChild(legend);
    return new Promise((resolve) => {
      network.once("afterDrawing", () => resolve(true));
      network.setSize("100%", "100%");
      network.fit({animation: false});
      network.redraw();
    });
  }

  network.on("click", (params) => {
    if (params.nodes.length) selectNode(params.nodes[0]);
    else if (params.edges.length) selectEdge(params.edges[0]);
    else clearAll();
  });

  document.getElementById("kg-title").textContent = data.title;
  subtitle();
  showOverview();

  window.kgViz = {
    network, nodes, edges, data, staticMode, counts,
    selectNode: (key) => selectNode(keyIndex.get(key)),
    selectPath: selectPath,
    clear: clearAll,
    highlighted: () => (current ? {
      origin: current.origin,
      nodes: [...current.nodes].map((i) => data.nodes[i].key).sort(),
      edges: [...current.edges].map((j) => [data.nodes[data.edges[j].from].key,
                                            data.nodes[data.edges[j].to].key]).sort(),
    } : null),
    domPosition: (key) => {
      const i = keyIndex.get(key);
      return network.canvasToDOM(network.getPositions([i])[i]);
    },
  };

  timings.network = performance.now();
  network.once("afterDrawing", () => {
    timings.drawn = performance.now();
    window.__kgTimings = timings;
    window.__kgStats = {nodes: nodes.length, edges: edges.length};
    window.__kgReadyAt = performance.now();
    window.__kgReady = true;
    document.body.dataset.kgReady = "true";
  });
  network.fit({animation: false});
})();
