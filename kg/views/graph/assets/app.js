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
    const s = el("span", "kg-swatch");
    s.title = data.groups[group].symbol;
    s.appendChild(markIcon(group, 14));
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

  // ------------------------------------------------------------------ drawing

  // Each node is drawn on the canvas as its class's mark with the label to its right, at the
  // place the layout (kg/views/graph/layout.py) made room for. Labels of the key classes
  // (lod 1) are drawn whenever they are legible; the others when there is room and the zoom
  // makes them legible; every label is wrapped or abbreviated (…) to its room, and the full
  // name is in the tooltip.
  const FACE = "system-ui, 'Noto Sans CJK SC', 'Noto Sans', sans-serif";
  const FONT = {1: 13, 2: 11};
  const LINE = 1.25;
  const STATUS_ORDER = ["current", "upcoming", "pending", "ended"];
  const measurer = document.createElement("canvas").getContext("2d");

  function fontOf(n) {
    return (n.lod === 1 ? "600 " : "") + FONT[n.lod || 2] + "px " + FACE;
  }

  function fits(text, room) {
    if (measurer.measureText(text).width <= room) return text.length;
    let lo = 0;
    let hi = text.length;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (measurer.measureText(text.slice(0, mid)).width <= room) lo = mid; else hi = mid - 1;
    }
    return lo;
  }

  // The label in at most n.lines lines of n.room width, cut with "…" when it does not fit.
  function wrapLabel(n) {
    if (!n.room || n.px === undefined) return [];
    measurer.font = fontOf(n);
    const lines = [];
    let rest = String(n.shown || n.label).trim();
    for (let k = 0; k < n.lines && rest; k++) {
      let cut = fits(rest, n.room);
      if (cut >= rest.length) { lines.push(rest); rest = ""; break; }
      if (k < n.lines - 1) {
        const space = rest.lastIndexOf(" ", cut);
        if (space > cut * 0.4) cut = space;
        lines.push(rest.slice(0, Math.max(cut, 1)).trim());
        rest = rest.slice(Math.max(cut, 1)).trim();
      } else {
        cut = fits(rest, n.room - measurer.measureText("…").width);
        lines.push(rest.slice(0, Math.max(cut, 1)).trimEnd() + "…");
        rest = "";
      }
    }
    return lines;
  }

  // Block geometry of every node: its label lines, width and height (layout units).
  const geo = data.nodes.map((n) => {
    const r = n.r || Math.max(6, (n.size || 14) * 0.6);
    const lines = wrapLabel(n);
    measurer.font = fontOf(n);
    const textW = lines.reduce((w, l) => Math.max(w, measurer.measureText(l).width), 0);
    const w = 2 * r + (lines.length ? 6 + textW : 0);
    const h = Math.max(2 * r, lines.length * LINE * FONT[n.lod || 2]);
    const cut = lines.length > 0 && lines.join(" ").replace(/…$/, "") !== n.label.trim();
    if (n.shown) lines[0] = "… " + lines[0];
    return {r, lines, w, h, cut};
  });

  const POLY = {
    diamond: [[0, -1.15], [1.15, 0], [0, 1.15], [-1.15, 0]],
    triangle: [[0, -1.15], [1.05, 0.75], [-1.05, 0.75]],
    triangleDown: [[0, 1.15], [1.05, -0.75], [-1.05, -0.75]],
    hexagon: [0, 1, 2, 3, 4, 5].map((k) => [Math.cos(k * Math.PI / 3), Math.sin(k * Math.PI / 3)]),
    pentagon: [0, 1, 2, 3, 4].map((k) => [1.05 * Math.cos(-Math.PI / 2 + k * 2 * Math.PI / 5),
                                          1.05 * Math.sin(-Math.PI / 2 + k * 2 * Math.PI / 5)]),
    star: Array.from({length: 10}, (_, k) => {
      const d = k % 2 ? 0.5 : 1.2;
      return [d * Math.cos(-Math.PI / 2 + k * Math.PI / 5), d * Math.sin(-Math.PI / 2 + k * Math.PI / 5)];
    }),
    plus: [[-0.35, -1], [0.35, -1], [0.35, -0.35], [1, -0.35], [1, 0.35], [0.35, 0.35], [0.35, 1],
           [-0.35, 1], [-0.35, 0.35], [-1, 0.35], [-1, -0.35], [-0.35, -0.35]],
  };

  function markPath(ctx, mark, x, y, r) {
    ctx.beginPath();
    if (POLY[mark]) {
      POLY[mark].forEach(([px, py], k) => (k ? ctx.lineTo(x + px * r, y + py * r)
                                               : ctx.moveTo(x + px * r, y + py * r)));
      ctx.closePath();
    } else if (mark === "square") {
      ctx.rect(x - r * 0.9, y - r * 0.9, r * 1.8, r * 1.8);
    } else if (mark === "pill") {
      const w = r * 2;
      const h = r * 1.2;
      ctx.moveTo(x - w / 2 + h / 2, y - h / 2);
      ctx.arc(x + w / 2 - h / 2, y, h / 2, -Math.PI / 2, Math.PI / 2);
      ctx.arc(x - w / 2 + h / 2, y, h / 2, Math.PI / 2, Math.PI * 1.5);
      ctx.closePath();
    } else if (mark === "ellipse") {
      ctx.ellipse(x, y, r, r * 0.7, 0, 0, 2 * Math.PI);
    } else {
      ctx.arc(x, y, r, 0, 2 * Math.PI);
    }
  }

  // A class's mark on a small canvas (the legend and the search results).
  function markIcon(group, size) {
    const g = data.groups[group];
    const c = document.createElement("canvas");
    const dpr = window.devicePixelRatio || 1;
    c.width = c.height = Math.round((size || 16) * dpr);
    c.className = "kg-mark";
    c.dataset.mark = g.mark;
    const ctx = c.getContext("2d");
    ctx.scale(dpr, dpr);
    const s = size || 16;
    markPath(ctx, g.mark, s / 2, s / 2, s * 0.36);
    ctx.fillStyle = g.mark === "hollow" ? "#ffffff" : g.color;
    ctx.strokeStyle = g.border;
    ctx.lineWidth = 1.2;
    ctx.fill();
    ctx.stroke();
    if (g.mark === "ring") {
      ctx.beginPath();
      ctx.arc(s / 2, s / 2, s * 0.13, 0, 2 * Math.PI);
      ctx.fillStyle = "#ffffff";
      ctx.fill();
    }
    return c;
  }

  function bestStatus(n) {
    return STATUS_ORDER.find((s) => n.statuses && n.statuses[s]) || "";
  }

  // Highlighting restyles only the nodes and edges whose state changes.
  const nodeState = new Int8Array(N); // 0 plain, 1 dimmed, 2 lit, -1 unknown (was hidden)
  const edgeState = new Int8Array(M);
  const nodeVis = new Uint8Array(N);
  const edgeVis = new Uint8Array(M);
  const edgePaths = Array.from({length: M}, () => []);
  const edgesOf = Array.from({length: N}, () => []);
  data.paths.forEach((p, pi) => p.edges.forEach((e) => edgePaths[e].push(pi)));
  data.edges.forEach((e, j) => { edgesOf[e.from].push(j); edgesOf[e.to].push(j); });
  const drawnFont = new Float32Array(N); // CSS px of the label as last drawn (0: not drawn)
  let network = null;

  function drawNode(i, ctx, x, y, st) {
    const n = data.nodes[i];
    const g = data.groups[n.group];
    const b = geo[i];
    const state = nodeState[i];
    const sx = x - b.w / 2 + b.r;
    const own = n.group === "category" && data.categories[n.id];
    markPath(ctx, g.mark, sx, y, b.r);
    ctx.fillStyle = state === 1 ? "#eef0f2" : g.mark === "hollow" ? "#ffffff"
      : own ? own.color : g.color;
    ctx.fill();
    if (n.scope === "inherited") ctx.setLineDash([4, 3]);
    else if (n.scope === "contained") ctx.setLineDash([1.5, 2]);
    ctx.lineWidth = n.focal ? 3.5 : state === 2 || st.selected || st.hover ? 2.5 : 1.3;
    ctx.strokeStyle = state === 1 ? "#d5dade"
      : st.selected || st.hover || state === 2 ? "#111111" : g.border;
    ctx.stroke();
    ctx.setLineDash([]);
    if (g.mark === "ring") {
      ctx.beginPath();
      ctx.arc(sx, y, b.r * 0.35, 0, 2 * Math.PI);
      ctx.fillStyle = "#ffffff";
      ctx.fill();
    }
    if (state !== 1) drawBadges(ctx, n, sx, y, b.r);
    drawLabel(i, ctx, sx + b.r + 6, y, state);
  }

  // Badges: the categories of a risk (chips under its mark) and, on a node none of whose
  // paths is current, a dot in the colour of its nearest status.
  function drawBadges(ctx, n, sx, y, r) {
    const cats = n.group === "risk" ? (n.categories || ["-"]) : [];
    const chip = Math.max(3, r * 0.55);
    let cx = sx - (cats.length * (chip + 1) - 1) / 2;
    for (const c of cats) {
      const cat = data.categories[c];
      if (!cat) continue;
      ctx.fillStyle = cat.color;
      ctx.fillRect(cx, y + r * 0.6 + 1, chip, chip);
      ctx.strokeStyle = "#ffffff";
      ctx.lineWidth = 0.8;
      ctx.strokeRect(cx, y + r * 0.6 + 1, chip, chip);
      cx += chip + 1;
    }
    const best = bestStatus(n);
    if (best && best !== "current" && data.statusStyle[best]) {
      ctx.beginPath();
      ctx.arc(sx + r * 0.85, y - r * 0.85, Math.max(2.5, r * 0.38), 0, 2 * Math.PI);
      ctx.fillStyle = data.statusStyle[best].color;
      ctx.fill();
      ctx.strokeStyle = "#ffffff";
      ctx.lineWidth = 1;
      ctx.stroke();
    }
  }

  function drawLabel(i, ctx, tx, y, state) {
    const n = data.nodes[i];
    const lines = geo[i].lines;
    const size = FONT[n.lod || 2];
    // The rendered size: the canvas transform's scale (device pixels) over the pixel ratio.
    const px = size * ctx.getTransform().a / (window.devicePixelRatio || 1);
    const legible = n.lod === 1 ? px >= 4 : px >= 7.5;
    drawnFont[i] = 0;
    if (!lines.length || !legible) return;
    ctx.font = fontOf(n);
    ctx.textBaseline = "middle";
    ctx.textAlign = "left";
    ctx.lineJoin = "round";
    const top = y - (lines.length * LINE * size) / 2;
    lines.forEach((line, k) => {
      const ly = top + LINE * size * (k + 0.5);
      ctx.strokeStyle = "rgba(255,255,255,0.92)";
      ctx.lineWidth = 3;
      ctx.strokeText(line, tx, ly);
      ctx.fillStyle = state === 1 ? "#b9bfc3" : n.lod === 1 ? "#16191d" : "#3a4248";
      ctx.fillText(line, tx, ly);
    });
    drawnFont[i] = px;
  }

  function renderer(params) {
    const i = params.id;
    const b = geo[i];
    return {
      drawNode: () => drawNode(i, params.ctx, params.x, params.y, params.state),
      nodeDimensions: {width: b.w, height: b.h},
    };
  }

  function visNode(i) {
    const n = data.nodes[i];
    const b = geo[i];
    const x = n.px === undefined ? n.x : n.px - b.r + b.w / 2;
    const y = n.py === undefined ? n.y : n.py;
    return {id: i, x: x, y: y, hidden: !nodeVis[i], shape: "custom", ctxRenderer: renderer};
  }

  function nodeStyle(i, state) {
    nodeState[i] = state;
    return {id: i}; // the renderer reads nodeState; an update makes vis redraw
  }

  function edgeStyle(j, state) {
    const e = data.edges[j];
    const s = data.statusStyle[e.status];
    const base = s ? s.color : "#9aa6ad";
    return {
      id: j,
      color: {color: state === 1 ? "#e6e9ec" : base, highlight: base, hover: base,
              inherit: false, opacity: state === 0 ? 0.75 : 1},
      dashes: s ? s.dashes : false,
      label: state === 2 ? e.label : undefined,
      font: {color: "#3a464c"},
      width: state === 2 ? 2.6 : state === 1 ? 0.8 : 1.2,
    };
  }

  function visEdge(j) {
    const e = data.edges[j];
    return Object.assign(edgeStyle(j, 0), {from: e.from, to: e.to, hidden: !edgeVis[j],
                                           title: undefined});
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
    if (!topAllowed[i]) return false;
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
      if (!pathVisible(p) || !topAllowed[p.steps[0]]) return;
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
      li.dataset.group = name;
      li.append(swatch(name), el("span", null, data.groups[name].label));
      list.appendChild(li);
    }
    host.appendChild(list);
    legendStatuses(host);
    legendCategories(host);
    const notes = [];
    if (data.nodes.some((n) => n.focal)) notes.push(ui.focal);
    if (data.nodes.some((n) => n.scope === "inherited")) notes.push(ui.dashed);
    if (data.nodes.some((n) => n.scope === "contained")) notes.push(ui.dotted);
    if (data.sized) notes.push(ui.size);
    if (data.nodes.some((n) => n.px !== undefined && n.room && n.lod === 2)
        || data.nodes.some((n) => n.lod === 2 && !n.room)) notes.push(ui.zoom_hint);
    for (const note of notes) host.appendChild(el("p", "kg-note", note));
  }

  // Edge colour and dash by exposure status, and the dot on nodes with no current path.
  function legendStatuses(host) {
    const present = STATUS_ORDER.filter((s) => data.edges.some((e) => e.status === s));
    if (!present.length) return;
    host.appendChild(el("h3", null, ui.edges_by_status));
    const list = el("ul", "kg-legend-status");
    for (const s of present) {
      const style = data.statusStyle[s];
      const c = document.createElement("canvas");
      c.width = 28;
      c.height = 10;
      const ctx = c.getContext("2d");
      ctx.strokeStyle = style.color;
      ctx.lineWidth = 2;
      if (style.dashes) ctx.setLineDash(style.dashes);
      ctx.beginPath();
      ctx.moveTo(1, 5);
      ctx.lineTo(27, 5);
      ctx.stroke();
      const li = el("li");
      li.dataset.status = s;
      li.append(c, el("span", null, data.statusLabels[s] || s));
      list.appendChild(li);
    }
    host.appendChild(list);
    if (present.some((s) => s !== "current")) host.appendChild(el("p", "kg-note", ui.badge_status));
  }

  function legendCategories(host) {
    const shown = Object.entries(data.categories);
    if (!shown.length || !data.nodes.some((n) => n.group === "risk")) return;
    host.appendChild(el("h3", null, ui.badges));
    const list = el("ul", "kg-legend-cats");
    for (const [id, cat] of shown) {
      const chip = el("span", "kg-chip");
      chip.style.background = cat.color;
      const li = el("li");
      li.dataset.category = id;
      li.append(chip, el("span", null, cat.label));
      list.appendChild(li);
    }
    host.appendChild(list);
  }

  // ------------------------------------------------------------------ tooltip

  // Shown on hover; a click pins it (its links can then be followed) until Esc, its close
  // button or a click elsewhere.
  const tip = el("div", "kg-tip-box");
  tip.id = "kg-tip";
  tip.hidden = true;
  container.appendChild(tip);
  let pinned = null;

  function placeTip(point) {
    const w = container.clientWidth;
    const h = container.clientHeight;
    tip.style.left = Math.max(4, Math.min(point.x + 14, w - tip.offsetWidth - 4)) + "px";
    tip.style.top = Math.max(4, Math.min(point.y + 14, h - tip.offsetHeight - 4)) + "px";
  }

  function showTip(i, point, pin) {
    if (!tip.isConnected) container.appendChild(tip); // vis empties its container
    tip.replaceChildren();
    if (pin) {
      const close = el("button", "kg-tip-close", "×");
      close.type = "button";
      close.title = ui.close;
      close.setAttribute("aria-label", ui.close);
      close.addEventListener("click", unpinTip);
      tip.appendChild(close);
    }
    tip.appendChild(details(data.nodes[i], pin, pin ? 8 : 4));
    tip.dataset.key = data.nodes[i].key;
    tip.classList.toggle("kg-pinned", !!pin);
    tip.hidden = false;
    placeTip(point);
    pinned = pin ? i : null;
  }

  function unpinTip() {
    pinned = null;
    tip.hidden = true;
    tip.classList.remove("kg-pinned");
    delete tip.dataset.key;
  }

  // ------------------------------------------------------------------ search

  const searchItems = data.nodes.map((n, i) => ({kind: "node", i: i,
                                                 text: (n.label + " " + n.id).toLowerCase()}))
    .concat(data.paths.map((p, pi) => ({kind: "path", i: pi, text: p.title.toLowerCase()})));
  let results = [];
  let active = -1;

  function buildSearch() {
    const box = el("div", "kg-search");
    const input = el("input");
    input.type = "search";
    input.id = "kg-search";
    input.placeholder = ui.search;
    input.setAttribute("aria-label", ui.search);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-controls", "kg-results");
    input.setAttribute("aria-expanded", "false");
    input.autocomplete = "off";
    const list = el("ul");
    list.id = "kg-results";
    list.setAttribute("role", "listbox");
    box.append(input, list, el("p", "kg-muted kg-search-hint", ui.search_hint));
    document.getElementById("kg-sub").after(box);
    input.addEventListener("input", () => search(input.value));
    input.addEventListener("keydown", (ev) => {
      if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
        ev.preventDefault();
        if (!results.length) return;
        const step = ev.key === "ArrowDown" ? 1 : -1;
        setActive((active + step + results.length) % results.length);
      } else if (ev.key === "Enter") {
        ev.preventDefault();
        if (results.length) openResult(results[Math.max(active, 0)]);
      } else if (ev.key === "Escape") {
        ev.preventDefault();
        ev.stopPropagation();
        if (input.value) { input.value = ""; search(""); } else input.blur();
      }
    });
  }

  function search(query) {
    const list = document.getElementById("kg-results");
    const input = document.getElementById("kg-search");
    list.replaceChildren();
    results = [];
    active = -1;
    const terms = query.toLowerCase().split(/\s+/).filter(Boolean);
    if (terms.length) {
      const hits = searchItems.filter((s) => (s.kind === "node" ? nodeVis[s.i]
                                              : visiblePaths.has(s.i))
                                             && terms.every((t) => s.text.includes(t)));
      hits.sort((a, b) => (b.text.startsWith(terms[0]) - a.text.startsWith(terms[0]))
                          || (a.kind === b.kind ? 0 : a.kind === "node" ? -1 : 1)
                          || a.text.length - b.text.length);
      results = hits.slice(0, 12);
      results.forEach((r, k) => list.appendChild(resultItem(r, k)));
      if (!results.length) list.appendChild(el("li", "kg-muted", ui.no_match));
    }
    input.setAttribute("aria-expanded", results.length ? "true" : "false");
    list.dataset.count = String(results.length);
  }

  function resultItem(r, k) {
    const li = el("li", "kg-result");
    li.id = "kg-result-" + k;
    li.setAttribute("role", "option");
    li.dataset.kind = r.kind;
    if (r.kind === "node") {
      const n = data.nodes[r.i];
      li.dataset.key = n.key;
      li.append(markIcon(n.group, 14), el("span", null, n.label),
                el("span", "kg-muted", " · " + data.groups[n.group].label));
    } else {
      li.dataset.path = String(r.i);
      li.append(el("span", "kg-result-path", ui.path), el("span", null, data.paths[r.i].title));
    }
    li.addEventListener("mousedown", (ev) => { ev.preventDefault(); openResult(r); });
    return li;
  }

  function setActive(k) {
    const list = document.getElementById("kg-results");
    [...list.children].forEach((li, m) => li.setAttribute("aria-selected", String(m === k)));
    active = k;
    const input = document.getElementById("kg-search");
    input.setAttribute("aria-activedescendant", "kg-result-" + k);
    const li = list.children[k];
    if (li && li.scrollIntoView) li.scrollIntoView({block: "nearest"});
  }

  function openResult(r) {
    if (r.kind === "node") {
      selectNode(r.i);
      network.focus(r.i, {scale: Math.max(network.getScale(), 1.1), animation: false});
    } else {
      selectPath(r.i);
    }
    container.dataset.searched = r.kind + ":" + (r.kind === "node" ? data.nodes[r.i].key : r.i);
  }

  // ------------------------------------------------------------------ node budget

  // A view bigger than the budget opens on the actors with the most exposure paths, and
  // says so: the jurisdiction and category filters narrow it further.
  const actorRank = data.nodes.map((n, i) => i).filter((i) => data.nodes[i].group === "actor")
    .sort((a, b) => data.nodes[b].npaths - data.nodes[a].npaths);
  const topAllowed = new Uint8Array(N).fill(1);
  let topN = 0; // 0: every actor

  function setTop(n) {
    topN = n;
    topAllowed.fill(n ? 0 : 1);
    if (n) {
      for (let i = 0; i < N; i++) if (data.nodes[i].group !== "actor") topAllowed[i] = 1;
      actorRank.slice(0, n).forEach((i) => { topAllowed[i] = 1; });
    }
  }

  function buildBudget() {
    if (N <= data.budget || actorRank.length < 2 || data.view === "ontology") return;
    const sizes = [10, 25, 50, 100, 250, 500, 1000].filter((s) => s < actorRank.length);
    let choice = sizes[0] || 0;
    for (const s of sizes) {
      setTop(s);
      if (computeVisibility()[0].reduce((a, v) => a + v, 0) <= data.budget) choice = s;
    }
    setTop(choice);
    const box = el("section", "kg-budget");
    box.id = "kg-budget";
    box.appendChild(el("p", "kg-note", fill(ui.budget, {N: N, B: data.budget, n: choice})));
    const set = el("fieldset");
    set.dataset.key = "top";
    set.appendChild(el("legend", null, ui.top));
    const select = el("select");
    select.name = "top";
    for (const s of sizes.concat([0])) {
      const option = el("option", null, s ? fill(ui.top_option, {n: s}) : ui.all_actors);
      option.value = String(s);
      option.selected = s === choice;
      select.appendChild(option);
    }
    select.addEventListener("change", () => { setTop(Number(select.value)); refresh(); fitView(); });
    set.appendChild(select);
    box.appendChild(set);
    document.getElementById("kg-filters").before(box);
  }

  // ------------------------------------------------------------------ network

  buildSearch();
  buildLegend();
  buildFilters();
  buildBudget(); // after the filters: it counts what they let through
  const [initialNodes, initialEdges] = computeVisibility();
  nodeVis.set(initialNodes);
  edgeVis.set(initialEdges);
  const nodes = new vis.DataSet(data.nodes.map((_, i) => visNode(i)));
  const edges = new vis.DataSet(data.edges.map((_, j) => visEdge(j)));
  timings.datasets = performance.now();
  const large = data.large;
  network = new vis.Network(container, {nodes, edges}, {
    autoResize: true,
    physics: {enabled: false},
    layout: {improvedLayout: false, randomSeed: 1},
    interaction: {hover: true, hideEdgesOnDrag: large, hideEdgesOnZoom: large,
                  multiselect: false, keyboard: false, zoomSpeed: 0.6},
    nodes: {shape: "custom", ctxRenderer: renderer},
    edges: {
      arrows: {to: {enabled: true, scaleFactor: 0.4}},
      smooth: large ? false
        : {enabled: true, type: "cubicBezier", forceDirection: "horizontal", roundness: 0.5},
      font: {size: 10, align: "middle", strokeWidth: 3, strokeColor: "#ffffff", face: FACE},
      selectionWidth: 1.2,
      hoverWidth: 0.8,
    },
  });

  // The page's fit: every visible node, with a small margin (vis's own fit leaves 10%).
  function fitView() {
    let x0 = Infinity;
    let y0 = Infinity;
    let x1 = -Infinity;
    let y1 = -Infinity;
    const at = network.getPositions();
    for (let i = 0; i < N; i++) {
      if (!nodeVis[i] || !at[i]) continue;
      x0 = Math.min(x0, at[i].x - geo[i].w / 2);
      x1 = Math.max(x1, at[i].x + geo[i].w / 2);
      y0 = Math.min(y0, at[i].y - geo[i].h / 2);
      y1 = Math.max(y1, at[i].y + geo[i].h / 2);
    }
    if (!isFinite(x0)) return;
    const w = container.clientWidth - 16;
    const h = container.clientHeight - 16;
    const scale = Math.min(w / Math.max(x1 - x0, 1), h / Math.max(y1 - y0, 1), 2);
    network.moveTo({position: {x: (x0 + x1) / 2, y: (y0 + y1) / 2}, scale: scale,
                    animation: false});
  }

  // ------------------------------------------------------------------ highlight

  let current = null;

  function applyHighlight(litNodes, litEdges) {
    const nu = [];
    const eu = [];
    for (let i = 0; i < N; i++) {
      if (!nodeVis[i]) { nodeState[i] = -1; continue; } // restyled when shown again
      const want = litNodes ? (litNodes.has(i) ? 2 : 1) : 0;
      if (want !== nodeState[i]) nu.push(nodeStyle(i, want));
    }
    for (let j = 0; j < M; j++) {
      if (!edgeVis[j]) { edgeState[j] = -1; continue; }
      const want = litEdges ? (litEdges.has(j) ? 2 : 1) : 0;
      if (want !== edgeState[j]) { edgeState[j] = want; eu.push(edgeStyle(j, want)); }
    }
    if (nu.length) nodes.update(nu);
    if (eu.length) edges.update(eu);
    if (nu.length || eu.length) network.redraw();
  }

  // The view's own subject is on every path: clicking it focuses on it and its
  // neighbours instead of lighting the whole graph.
  function highlightAround(i, origin) {
    const litNodes = new Set([i]);
    const litEdges = new Set();
    for (const j of edgesOf[i]) {
      if (!edgeVis[j]) continue;
      litEdges.add(j);
      litNodes.add(data.edges[j].from);
      litNodes.add(data.edges[j].to);
    }
    current = {nodes: litNodes, edges: litEdges, origin: origin, paths: data.nodes[i].paths,
               around: i};
    applyHighlight(litNodes, litEdges);
    container.dataset.highlight = origin;
    container.dataset.highlightNodes = String(litNodes.size);
    container.dataset.highlightEdges = String(litEdges.size);
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
    if (n.focal && data.view !== "ontology") highlightAround(i, "node:" + n.key);
    else highlightPaths(n.paths, "node:" + n.key);
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
    fit.addEventListener("click", fitView);
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
        if (nodeVis[s]) network.focus(s, {scale: Math.max(network.getScale(), 1.1),
                                          animation: false});
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
    if (current && current.around !== undefined) highlightAround(current.around, current.origin);
    else if (current) highlightPaths(current.paths, current.origin);
    else applyHighlight(null, null);
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
      fitView();
      network.redraw();
    });
  }

  network.on("click", (params) => {
    if (params.nodes.length) {
      selectNode(params.nodes[0]);
      showTip(params.nodes[0], params.pointer.DOM, true);
    } else {
      unpinTip();
      if (params.edges.length) selectEdge(params.edges[0]);
      else clearAll();
    }
  });
  network.on("hoverNode", (params) => {
    if (pinned === null) showTip(params.node, params.pointer.DOM, false);
  });
  network.on("blurNode", () => { if (pinned === null) unpinTip(); });
  network.on("dragStart", () => { if (pinned === null) unpinTip(); });
  document.addEventListener("keydown", (ev) => {
    if (ev.key === "Escape" && pinned !== null) unpinTip();
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
    fit: fitView,
    // The size (CSS px) each visible label was last drawn at, by node key (0: not drawn).
    labelSizes: () => Object.fromEntries(data.nodes.map((n, i) => [n.key, nodeVis[i] ? drawnFont[i] : null])
                                          .filter((kv) => kv[1] !== null)),
    scale: () => network.getScale(),
    domPosition: (key) => {
      const i = keyIndex.get(key);
      return network.canvasToDOM(network.getPositions([i])[i]);
    },
  };

  timings.network = performance.now();
  network.once("afterDrawing", () => {
    // A custom node learns its size as it is drawn: refresh and draw once more so that
    // the hit areas match what was drawn.
    nodes.update(data.nodes.map((_, i) => ({id: i})));
    network.redraw();
    timings.drawn = performance.now();
    window.__kgTimings = timings;
    window.__kgStats = {nodes: nodes.length, edges: edges.length};
    window.__kgReadyAt = performance.now();
    window.__kgReady = true;
    document.body.dataset.kgReady = "true";
  });
  fitView();
})();
