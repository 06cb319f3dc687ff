// The interactive network map: sigma.js 3 (WebGL) over a graphology graph.
//
// Loaded as a classic script after the vendored graphology and sigma bundles (globals
// `graphology` and `Sigma`); the CSP forbids inline code, so everything lives here.
// Positions come from the server (computed once per metric run), so no layout runs in the
// browser. Names are user data: they reach the page only through textContent and
// setAttribute, never through innerHTML or string-built markup.
(() => {
  "use strict";

  const FADED = "#E4E7EB";
  const EDGE = "#B8C0CA";
  const EDGE_OLD = "#D5DAE0";
  const EDGE_NEW = "#D55E00"; // vermillion: stands out against the light edges
  const EDGE_LOST = "#0072B2"; // blue, dashed: ties of the compared round that are gone now
  const EDGE_CARRIED = "#7B8794"; // grey, dashed: ties carried from the previous round (staff)
  const TAP_RADIUS = 24; // CSS px around a tap in which the nearest member is picked
  const LABEL_INK = "#1D2433";
  const SVG_NS = "http://www.w3.org/2000/svg";

  const config = JSON.parse(document.getElementById("map-config").textContent);
  const dataUrl = document.getElementById("map-urls").dataset.data;
  const $ = (id) => document.getElementById(id);
  const els = {
    canvas: $("map-canvas"), status: $("map-status"), legend: $("map-legend"), card: $("map-card"),
    snapshot: $("map-snapshot"), searchForm: $("map-search-form"), search: $("map-search"),
    results: $("map-results"), focusBox: $("map-focus"), focusName: $("map-focus-name"),
    steps: $("map-steps"), clearFocus: $("map-clear-focus"), round: $("map-round"),
    compare: $("map-compare"), anonymised: $("map-anonymised"), colour: $("map-colour"),
    size: $("map-size"), types: $("map-types"), strength: $("map-strength"), reset: $("map-reset"),
    ego: $("map-ego"), egoRows: $("map-ego-rows"), egoTitle: $("map-ego-title"),
    lost: $("map-lost"), drawerToggle: $("map-drawer-toggle"), drawerClose: $("map-drawer-close"),
    copyLink: $("map-copy-link"),
  };

  const state = {
    data: null,
    graph: null,
    renderer: null,
    n: 0,
    nodeShown: null, // Uint8Array: passes the cohort/sector/region filters
    edgeRows: null, // per drawn edge: [[type, strength], ...]
    edgeShown: null, // Uint8Array per drawn edge
    edgeNew: null, // Uint8Array per drawn edge (comparison)
    edgeCarried: null, // Uint8Array per drawn edge: every row of it carried from the round before
    focus: null, // row of the focused member
    ego: null, // Map row → steps away
    loadToken: 0,
    lost: [], // [[row a, row b], ...]: ties of the compared round that are gone now
    labelBoxes: [], // label rectangles drawn in the current frame (collision avoidance)
    drawnLabels: new Set(), // nodes whose label the current frame shows
    pending: new URLSearchParams(window.location.search), // the view asked for in the URL
    picked: null, // the row the last click or tap chose
  };

  // What tests and benchmarks read (see tests/test_map_browser.py).
  const api = {
    ready: false,
    error: null,
    timings: {},
    get renderer() { return state.renderer; },
    get data() { return state.data; },
    nodeCount: () => (state.graph ? state.graph.order : 0),
    shownNodeCount: () => countShown().nodes,
    shownEdgeCount: () => countShown().edges,
    focusedMemberIds: () =>
      state.ego && state.data.nodes.id ? [...state.ego.keys()].map((i) => state.data.nodes.id[i]) : null,
    colourOf: (memberId) => {
      const row = state.data.nodes.id.indexOf(memberId);
      return row < 0 ? null : state.graph.getNodeAttribute(String(row), "color");
    },
    legendEntries: () => [...els.legend.querySelectorAll("li")].map((li) => li.textContent.trim()),
    focusMember: (memberId) => focusRow(state.data.nodes.id.indexOf(memberId)),
    // A member whose name is hidden from the viewer has no id here (null): focus by row.
    focusRow: (row) => focusRow(row),
    focusedRows: () => (state.ego ? [...state.ego.keys()] : null),
    snapshotPng: () => snapshotCanvas().toDataURL("image/png"),
    // Where a member is drawn, in CSS pixels of the page (for tap tests).
    pagePointOf: (row) => {
      const p = state.renderer.graphToViewport(state.graph.getNodeAttributes(String(row)));
      const box = els.canvas.getBoundingClientRect();
      return { x: box.left + p.x, y: box.top + p.y, inView: p.x >= 0 && p.y >= 0 && p.x <= box.width && p.y <= box.height };
    },
    picked: () => state.picked,
    clearFocus: () => clearFocus(),
    cameraMoving: () => (state.renderer ? state.renderer.getCamera().isAnimated() : false),
    lostCount: () => countShown().lost,
    carriedCount: () => countShown().carried,
    drawnLabels: () => [...state.drawnLabels].map(Number),
    labelBoxes: () => state.labelBoxes.map((b) => [...b]),
    viewUrl: () => window.location.href,
    buildSvg: () => new XMLSerializer().serializeToString(buildSvg()),
  };
  window.netleadMap = api;

  // --- loading ---------------------------------------------------------------------------

  async function load() {
    const token = ++state.loadToken;
    applyUrlBefore();
    const params = new URLSearchParams({ round: els.round.value });
    if (els.compare.value) params.set("compare", els.compare.value);
    if (els.anonymised.checked) params.set("anonymised", "1");
    setStatus("Loading the map…");
    api.ready = false;
    const started = performance.now();
    let data;
    try {
      const response = await fetch(`${dataUrl}?${params}`, {
        credentials: "same-origin", headers: { Accept: "application/json" },
      });
      if (!response.ok) throw new Error(`the server answered ${response.status}`);
      data = await response.json();
    } catch (error) {
      api.error = String(error);
      setStatus(`The map could not be loaded: ${error.message}`);
      return;
    }
    if (token !== state.loadToken) return; // a newer request is on its way
    if (data.error) {
      state.pending = null;
      api.error = data.error;
      setStatus(data.error);
      return;
    }
    const fetched = performance.now();
    build(data);
    applyUrlAfter();
    saveView();
    const built = performance.now();
    // The first frame is drawn by the time the next animation frame starts.
    requestAnimationFrame(() => {
      const drawn = performance.now();
      api.timings = {
        fetchMs: fetched - started, buildMs: built - fetched, firstFrameMs: drawn - built,
        totalMs: drawn - started, sinceNavigationMs: drawn,
      };
      api.ready = true;
    });
  }

  function build(data) {
    state.data = data;
    const n = data.nodes.label.length;
    state.n = n;
    state.focus = null;
    state.ego = null;
    els.focusBox.hidden = true;
    els.ego.hidden = true;
    hideCard();
    const graph = new graphology.UndirectedGraph();
    for (let i = 0; i < n; i++) {
      graph.addNode(String(i), { x: data.nodes.x[i], y: data.nodes.y[i], label: data.nodes.label[i], size: 3, color: FADED });
    }
    // One drawn line per pair: the pair's rows (type, strength) decide whether it is shown.
    const pairIndex = new Map();
    const rows = [];
    const isNew = [];
    const isCarried = [];
    const e = data.edges;
    for (let k = 0; k < e.source.length; k++) {
      const key = e.source[k] * n + e.target[k];
      let at = pairIndex.get(key);
      if (at === undefined) {
        at = rows.length;
        pairIndex.set(key, at);
        rows.push([]);
        isNew.push(0);
        isCarried.push(e.carried ? 1 : 0);
        graph.addUndirectedEdgeWithKey(String(at), String(e.source[k]), String(e.target[k]), { k: at, size: 1, color: EDGE });
      }
      rows[at].push([e.type[k], e.strength[k]]);
      if (e.new && e.new[k]) isNew[at] = 1;
      // A pair is drawn as carried only when no row of it was reported in this round.
      if (!(e.carried && e.carried[k])) isCarried[at] = 0;
    }
    state.edgeRows = rows;
    state.edgeNew = Uint8Array.from(isNew);
    state.edgeCarried = Uint8Array.from(isCarried);
    state.edgeShown = new Uint8Array(rows.length).fill(1);
    state.nodeShown = new Uint8Array(n).fill(1);
    state.graph = graph;
    const lost = data.lost || { source: [], target: [] };
    state.lost = lost.source.map((a, k) => [a, lost.target[k]]);

    fillFilters(data);
    // Style and visibility are set before sigma indexes the graph, so it does so once.
    styleNodes();
    computeVisibility();
    if (state.renderer) state.renderer.kill();
    const big = rows.length > 5000;
    const { EdgeLineProgram, EdgeRectangleProgram } = Sigma.rendering;
    state.renderer = new Sigma(graph, els.canvas, {
      nodeReducer, edgeReducer,
      zIndex: true,
      labelFont: "DejaVu Sans, Verdana, sans-serif",
      labelSize: 12,
      labelWeight: "500",
      // Sigma offers a few labels per grid cell, more as the view zooms in (all of them
      // when close); drawLabel then leaves out any label that would overlap one drawn.
      labelDensity: n > 2000 ? 0.5 : 1,
      labelGridCellSize: 60,
      labelRenderedSizeThreshold: n > 2000 ? 7 : 4,
      defaultDrawNodeLabel: drawLabel,
      defaultEdgeColor: EDGE,
      // Big maps draw ties as hairlines (a fraction of the pixels of sigma's quads, which
      // matters on weak or software GPUs) and drop ties and labels while the view moves.
      // New ties in a comparison stay thick either way.
      edgeProgramClasses: { line: big ? EdgeLineProgram : EdgeRectangleProgram, thick: EdgeRectangleProgram },
      hideEdgesOnMove: big,
      hideLabelsOnMove: n > 2000,
      // The print stylesheet hides the canvas; sigma must not fail when it has no size.
      allowInvalidContainer: true,
      minCameraRatio: 0.02,
      maxCameraRatio: 3,
    });
    state.renderer.on("beforeRender", () => { state.labelBoxes = []; state.drawnLabels = new Set(); });
    state.renderer.on("afterRender", drawLost);
    state.renderer.on("enterNode", ({ node }) => showCard(Number(node)));
    state.renderer.on("leaveNode", () => hideCard());
    // A click or tap picks the member drawn nearest to it (within a finger's width), not
    // whichever disc happens to be on top or the one the finger barely missed.
    state.renderer.on("clickNode", ({ event }) => pickAt(event));
    state.renderer.on("clickStage", ({ event }) => pickAt(event));
    renderLegend();
    announce();
  }

  // --- filters, colour and size ----------------------------------------------------------

  function fillFilters(data) {
    for (const select of document.querySelectorAll("[data-filter]")) {
      const group = data.groups[select.dataset.filter];
      const keep = select.value;
      while (select.options.length > 1) select.remove(1);
      group.values.forEach((value, i) => {
        if (value.missing) return;
        select.add(new Option(`${value.label} (${value.count})`, String(i)));
      });
      select.value = [...select.options].some((o) => o.value === keep) ? keep : "";
    }
    const checked = new Set(
      [...els.types.querySelectorAll("input")].filter((box) => !box.checked).map((box) => box.dataset.name),
    );
    for (const label of els.types.querySelectorAll("label")) label.remove();
    data.types.forEach((type, i) => {
      const label = document.createElement("label");
      label.className = "check";
      const box = document.createElement("input");
      box.type = "checkbox";
      box.value = String(i);
      box.dataset.name = type.name;
      box.checked = !checked.has(type.name);
      label.append(box, ` ${type.name}`);
      els.types.append(label);
    });
    // Only earlier rounds can be compared with.
    const order = config.rounds.map((r) => String(r.id));
    const here = order.indexOf(els.round.value);
    for (const option of els.compare.options) {
      if (!option.value) continue;
      option.disabled = order.indexOf(option.value) >= here;
    }
    if (els.compare.selectedOptions[0] && els.compare.selectedOptions[0].disabled) els.compare.value = "";
  }

  function applyStyle() {
    styleNodes();
    state.renderer.refresh();
    renderLegend();
    saveView();
  }

  // Colour by the chosen grouping, area by the chosen metric (radius grows with its root).
  function styleNodes() {
    const data = state.data;
    const group = data.groups[els.colour.value];
    const metric = data.metrics.find((m) => m.key === els.size.value) || data.metrics[0];
    const values = metric.values.map((v) => (v === null ? 0 : Math.max(0, v)));
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of values) { if (v < lo) lo = v; if (v > hi) hi = v; }
    const big = state.n > 3000;
    const [minSize, maxSize] = big ? [1.6, 9] : [3, 15];
    state.graph.updateEachNodeAttributes((node, attrs) => {
      const i = Number(node);
      const t = hi > lo ? (values[i] - lo) / (hi - lo) : 0.3;
      attrs.size = minSize + (maxSize - minSize) * Math.sqrt(t);
      attrs.color = group.values[group.of[i]].colour;
      return attrs;
    }, { attributes: ["size", "color"] });
  }

  function selectedTypes() {
    return new Set([...els.types.querySelectorAll("input:checked")].map((box) => Number(box.value)));
  }

  function applyFilters({ fit = true } = {}) {
    computeVisibility();
    state.renderer.refresh({ skipIndexation: true });
    if (state.focus !== null) renderEgoTable();
    renderLegend();
    announce();
    if (fit) fitShown();
    saveView();
  }

  // Zoom to what is shown: the focused network, else the members the filters keep.
  function fitShown() {
    if (state.focus !== null) { fitCamera([...state.ego.keys()]); return; }
    const rows = [];
    for (let i = 0; i < state.n; i++) if (state.nodeShown[i]) rows.push(i);
    if (rows.length === state.n || !rows.length) state.renderer.getCamera().animatedReset({ duration: 300 });
    else fitCamera(rows);
  }

  // Who passes the cohort/sector/region filters, and which ties pass type and strength.
  function computeVisibility() {
    const data = state.data;
    const wanted = {};
    for (const select of document.querySelectorAll("[data-filter]")) {
      if (select.value !== "") wanted[select.dataset.filter] = Number(select.value);
    }
    const extra = data.nodes.extra_cohorts;
    for (let i = 0; i < state.n; i++) {
      let ok = true;
      for (const [key, value] of Object.entries(wanted)) {
        if (data.groups[key].of[i] === value) continue;
        if (key === "cohort" && extra[i] && extra[i].includes(value)) continue;
        ok = false;
        break;
      }
      state.nodeShown[i] = ok ? 1 : 0;
    }
    const types = selectedTypes();
    const min = Number(els.strength.value);
    state.graph.forEachEdge((edge, attrs, source, target) => {
      const k = attrs.k;
      let ok = state.nodeShown[Number(source)] && state.nodeShown[Number(target)];
      if (ok) ok = state.edgeRows[k].some(([type, strength]) => types.has(type) && strength >= min);
      state.edgeShown[k] = ok ? 1 : 0;
    });
    if (state.focus !== null) {
      if (state.nodeShown[state.focus]) computeEgo();
      else clearFocus({ quiet: true });
    }
  }

  function nodeReducer(node, attrs) {
    const i = Number(node);
    if (!state.nodeShown[i]) return { ...attrs, hidden: true };
    if (state.ego) {
      if (!state.ego.has(i)) return { ...attrs, color: FADED, label: "", zIndex: 0 };
      const out = { ...attrs, zIndex: 1, forceLabel: state.ego.size <= 60 };
      if (i === state.focus) {
        out.highlighted = true;
        out.zIndex = 2;
        out.forceLabel = true;
        out.size = attrs.size + 3;
      }
      return out;
    }
    return attrs;
  }

  function edgeReducer(edge, attrs) {
    const k = attrs.k;
    if (!state.edgeShown[k]) return { ...attrs, hidden: true };
    if (state.ego) {
      const [a, b] = state.graph.extremities(edge);
      if (!state.ego.has(Number(a)) || !state.ego.has(Number(b))) return { ...attrs, hidden: true };
    }
    // Sigma has no dashed lines: carried ties are drawn on the overlay (drawLost).
    if (state.edgeCarried[k]) return { ...attrs, hidden: true };
    if (state.data.compare) {
      return state.edgeNew[k]
        ? { ...attrs, color: EDGE_NEW, size: 2, zIndex: 1, type: "thick" }
        : { ...attrs, color: EDGE_OLD, zIndex: 0 };
    }
    return attrs;
  }

  // How many members and ties are drawn now (filters and focus applied), and how many of
  // those ties are new in a comparison.
  function countShown() {
    let nodes = 0;
    let edges = 0;
    let fresh = 0;
    let lost = 0;
    let carried = 0;
    if (!state.graph) return { nodes, edges, fresh, lost, carried };
    for (const [a, b] of state.lost) if (lostShown(a, b)) lost++;
    for (let i = 0; i < state.n; i++) if (state.nodeShown[i] && (!state.ego || state.ego.has(i))) nodes++;
    state.graph.forEachEdge((edge, attrs, a, b) => {
      if (!state.edgeShown[attrs.k]) return;
      if (state.ego && (!state.ego.has(Number(a)) || !state.ego.has(Number(b)))) return;
      edges++;
      fresh += state.edgeNew[attrs.k];
      carried += state.edgeCarried[attrs.k];
    });
    return { nodes, edges, fresh, lost, carried };
  }

  // A lost tie is drawn when both its members are (filters and focus applied).
  function lostShown(a, b) {
    if (!state.nodeShown[a] || !state.nodeShown[b]) return false;
    return !state.ego || (state.ego.has(a) && state.ego.has(b));
  }

  // The carried ties drawn now, as [row a, row b] (filters and focus applied).
  function carriedShown() {
    const out = [];
    state.graph.forEachEdge((edge, attrs, a, b) => {
      if (!state.edgeCarried[attrs.k] || !state.edgeShown[attrs.k]) return;
      if (state.ego && (!state.ego.has(Number(a)) || !state.ego.has(Number(b)))) return;
      out.push([Number(a), Number(b)]);
    });
    return out;
  }

  // Sigma has no dashed ties: lost and carried ones are drawn on a canvas of their own over
  // the map.
  function drawLost() {
    const canvas = els.lost;
    const { width, height } = state.renderer.getDimensions();
    const scale = window.devicePixelRatio || 1;
    if (canvas.width !== Math.round(width * scale) || canvas.height !== Math.round(height * scale)) {
      canvas.width = Math.round(width * scale);
      canvas.height = Math.round(height * scale);
    }
    const ctx = canvas.getContext("2d");
    ctx.setTransform(scale, 0, 0, scale, 0, 0);
    ctx.clearRect(0, 0, width, height);
    const carried = state.edgeCarried.some((c) => c) ? carriedShown() : [];
    if (carried.length) {
      ctx.strokeStyle = EDGE_CARRIED;
      ctx.lineWidth = 1.2;
      ctx.setLineDash([4, 3]);
      ctx.beginPath();
      for (const [a, b] of carried) {
        const pa = state.renderer.graphToViewport(state.graph.getNodeAttributes(String(a)));
        const pb = state.renderer.graphToViewport(state.graph.getNodeAttributes(String(b)));
        ctx.moveTo(pa.x, pa.y);
        ctx.lineTo(pb.x, pb.y);
      }
      ctx.stroke();
    }
    if (!state.data.compare || !state.lost.length) return;
    ctx.strokeStyle = EDGE_LOST;
    ctx.lineWidth = 1.6;
    ctx.setLineDash([5, 4]);
    ctx.beginPath();
    for (const [a, b] of state.lost) {
      if (!lostShown(a, b)) continue;
      const pa = state.renderer.graphToViewport(state.graph.getNodeAttributes(String(a)));
      const pb = state.renderer.graphToViewport(state.graph.getNodeAttributes(String(b)));
      ctx.moveTo(pa.x, pa.y);
      ctx.lineTo(pb.x, pb.y);
    }
    ctx.stroke();
  }

  // Labels: one per node that sigma offers, unless it would overlap a label already drawn
  // in this frame (the focused member's and its network's labels are offered first).
  function drawLabel(context, data, settings) {
    if (!data.label) return;
    const size = settings.labelSize;
    context.font = `${settings.labelWeight} ${size}px ${settings.labelFont}`;
    const width = context.measureText(data.label).width;
    const x = data.x + data.size + 3;
    const y = data.y + size / 3;
    const box = [x - 2, y - size, x + width + 2, y + 4];
    const focused = data.key === String(state.focus);
    for (const b of focused ? [] : state.labelBoxes) {
      if (box[0] < b[2] && b[0] < box[2] && box[1] < b[3] && b[1] < box[3]) return;
    }
    state.labelBoxes.push(box);
    state.drawnLabels.add(data.key);
    context.lineWidth = 3;
    context.strokeStyle = "rgba(255, 255, 255, 0.85)";
    context.strokeText(data.label, x, y);
    context.fillStyle = LABEL_INK;
    context.fillText(data.label, x, y);
  }

  // --- legend and announcements ----------------------------------------------------------

  function renderLegend() {
    const data = state.data;
    const group = data.groups[els.colour.value];
    const counts = new Array(group.values.length).fill(0);
    for (let i = 0; i < state.n; i++) {
      if (state.nodeShown[i] && (!state.ego || state.ego.has(i))) counts[group.of[i]]++;
    }
    els.legend.replaceChildren();
    const items = legendItems(group, counts);
    const heading = document.createElement("p");
    heading.className = "map-legend-title";
    heading.textContent = `Colour: ${group.label.toLowerCase()}`;
    const list = document.createElement("ul");
    for (const item of items) list.append(legendRow(item.colour, item.text, item.kind));
    els.legend.append(heading, list);

    const metric = data.metrics.find((m) => m.key === els.size.value);
    const size = document.createElement("p");
    size.className = "map-legend-note";
    size.textContent = `Size: ${metric.label.toLowerCase()}`;
    els.legend.append(size);
    const anyCarried = state.edgeCarried.some((c) => c);
    if (data.compare || state.ego || anyCarried) {
      const lines = document.createElement("ul");
      if (data.compare) {
        const { fresh, lost } = countShown();
        lines.append(legendRow(EDGE_NEW, `Tie new since ${data.compare.name} (${fresh.toLocaleString()})`, "line"));
        lines.append(legendRow(EDGE_LOST, `Tie in ${data.compare.name}, gone now — dashed (${lost.toLocaleString()})`, "dash"));
        lines.append(legendRow(EDGE_OLD, `Tie already in ${data.compare.name}`, "line"));
      }
      if (anyCarried) {
        const { carried } = countShown();
        lines.append(legendRow(EDGE_CARRIED, `Tie carried from the previous round (no answer in this one) — dashed (${carried.toLocaleString()})`, "dash"));
      }
      if (state.ego) lines.append(legendRow(FADED, "Outside the focused network", "dot"));
      els.legend.append(lines);
    }
  }

  // The entries of the colour legend for the members shown: palette colours one by one,
  // everything beyond the palette folded into one "other" entry, missing values last.
  function legendItems(group, counts) {
    const items = [];
    let otherGroups = 0;
    let otherMembers = 0;
    let otherColour = null;
    group.values.forEach((value, i) => {
      if (!counts[i] || value.missing) return;
      if (value.other) {
        otherGroups++;
        otherMembers += counts[i];
        otherColour = value.colour;
        return;
      }
      items.push({ colour: value.colour, text: `${value.label} (${counts[i]})`, kind: "dot" });
    });
    if (otherGroups) {
      items.push({ colour: otherColour, text: `${otherGroups} other ${group.plural} (${otherMembers})`, kind: "dot" });
    }
    group.values.forEach((value, i) => {
      if (counts[i] && value.missing) items.push({ colour: value.colour, text: `${value.label} (${counts[i]})`, kind: "dot" });
    });
    return items;
  }

  function legendRow(colour, text, kind) {
    const li = document.createElement("li");
    const swatch = document.createElement("span");
    swatch.className = kind === "line" || kind === "dash" ? `map-swatch map-swatch-${kind === "dash" ? "dash" : "line"}` : "map-swatch";
    if (kind === "dash") swatch.style.borderTopColor = colour;
    else swatch.style.background = colour;
    swatch.setAttribute("aria-hidden", "true");
    li.append(swatch, document.createTextNode(text));
    return li;
  }

  function announce() {
    const { nodes, edges, fresh, lost, carried } = countShown();
    const data = state.data;
    let text = `${data.round.name}: showing ${nodes.toLocaleString()} of ${state.n.toLocaleString()} members and ${edges.toLocaleString()} ties`;
    if (data.compare) {
      text += `, ${fresh.toLocaleString()} of them new since ${data.compare.name}; ${lost.toLocaleString()} ${lost === 1 ? "tie" : "ties"} of ${data.compare.name} gone (dashed)`;
    }
    if (carried) text += `; ${carried.toLocaleString()} carried from the previous round (grey dashes)`;
    if (state.focus !== null) {
      text += ` in ${data.nodes.label[state.focus]}’s ${els.steps.value === "2" ? "two-step" : "direct"} network`;
    }
    setStatus(`${text}.`);
  }

  function setStatus(text) { els.status.textContent = text; }

  // --- hover card --------------------------------------------------------------------------

  function showCard(i) {
    fillCard(i);
    const pos = state.renderer.graphToViewport(state.graph.getNodeAttributes(String(i)));
    const box = els.canvas.getBoundingClientRect();
    els.card.hidden = false;
    const w = els.card.offsetWidth;
    const h = els.card.offsetHeight;
    els.card.style.left = `${Math.min(Math.max(pos.x + 14, 4), box.width - w - 4)}px`;
    els.card.style.top = `${Math.min(Math.max(pos.y - h / 2, 4), box.height - h - 4)}px`;
  }

  function hideCard() {
    els.card.hidden = true;
  }

  function fillCard(i) {
    const data = state.data;
    const org = data.groups.organisation.values[data.groups.organisation.of[i]];
    const cohort = data.groups.cohort.values[data.groups.cohort.of[i]];
    const cluster = data.groups.community.values[data.groups.community.of[i]];
    const title = document.createElement("p");
    title.className = "map-card-name";
    title.textContent = data.nodes.label[i];
    const where = document.createElement("p");
    where.className = "map-card-org";
    const job = data.nodes.title ? data.nodes.title[i] : "";
    where.textContent = [job, org.missing ? "" : org.label].filter(Boolean).join(", ") || org.label;
    const list = document.createElement("dl");
    const facts = [["Cohort", cohort.label], ["Cluster", cluster.label]];
    for (const key of ["degree", "betweenness", "reach_two_steps"]) {
      const metric = data.metrics.find((m) => m.key === key);
      if (metric) facts.push([metric.label, formatMetric(metric.values[i], metric.format)]);
    }
    const sized = data.metrics.find((m) => m.key === els.size.value);
    if (sized && !["degree", "betweenness", "reach_two_steps"].includes(sized.key)) {
      facts.push([sized.label, formatMetric(sized.values[i], sized.format)]);
    }
    for (const [term, value] of facts) {
      const dt = document.createElement("dt");
      dt.textContent = term;
      const dd = document.createElement("dd");
      dd.textContent = value;
      list.append(dt, dd);
    }
    els.card.replaceChildren(title, where, list);
  }

  function formatMetric(value, format) {
    if (value === null || value === undefined) return "—";
    if (format === "count") return Math.round(value).toLocaleString();
    if (format === "share") return `${(value * 100).toFixed(1)}%`;
    if (format === "index") return String(value);
    return value.toFixed(3);
  }

  // --- search and focus ------------------------------------------------------------------

  function matches(text) {
    const needle = text.trim().toLocaleLowerCase();
    if (!needle || !state.data) return [];
    const found = [];
    const labels = state.data.nodes.label;
    for (let i = 0; i < labels.length && found.length < 500; i++) {
      if (state.nodeShown[i] && labels[i].toLocaleLowerCase().includes(needle)) found.push(i);
    }
    // Whole-name and starts-with matches first.
    const rank = (i) => {
      const label = labels[i].toLocaleLowerCase();
      return label === needle ? 0 : label.startsWith(needle) ? 1 : 2;
    };
    return found.sort((a, b) => rank(a) - rank(b) || labels[a].localeCompare(labels[b])).slice(0, 12);
  }

  function showMatches(rows) {
    els.results.replaceChildren();
    const org = state.data.groups.organisation;
    for (const i of rows) {
      const li = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "link-button";
      button.dataset.row = String(i);
      const orgName = org.values[org.of[i]];
      button.textContent = orgName.missing ? state.data.nodes.label[i] : `${state.data.nodes.label[i]} — ${orgName.label}`;
      li.append(button);
      els.results.append(li);
    }
  }

  function focusRow(i) {
    if (i === null || i < 0 || i >= state.n) return;
    if (!state.nodeShown[i]) {
      setStatus(`${state.data.nodes.label[i]} is hidden by the filters: reset them to see them.`);
      return;
    }
    state.focus = i;
    if (document.body.classList.contains("map-drawer-open")) drawer(false);
    computeEgo();
    els.focusBox.hidden = false;
    els.focusName.textContent = state.data.nodes.label[i];
    state.renderer.refresh({ skipIndexation: true });
    fitCamera([...state.ego.keys()]);
    renderLegend();
    renderEgoTable();
    announce();
    saveView();
  }

  function computeEgo() {
    const steps = Number(els.steps.value);
    const ego = new Map([[state.focus, 0]]);
    let frontier = [state.focus];
    for (let step = 1; step <= steps; step++) {
      const next = [];
      for (const i of frontier) {
        state.graph.forEachEdge(String(i), (edge, attrs, a, b) => {
          if (!state.edgeShown[attrs.k]) return;
          const other = Number(a) === i ? Number(b) : Number(a);
          if (!ego.has(other)) {
            ego.set(other, step);
            next.push(other);
          }
        });
      }
      frontier = next;
    }
    state.ego = ego;
  }

  function clearFocus({ quiet = false } = {}) {
    state.focus = null;
    state.ego = null;
    els.focusBox.hidden = true;
    els.ego.hidden = true;
    if (quiet) return;
    state.renderer.refresh({ skipIndexation: true });
    fitShown();
    renderLegend();
    announce();
    saveView();
  }

  function fitCamera(rows) {
    const renderer = state.renderer;
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    for (const i of rows) {
      const d = renderer.getNodeDisplayData(String(i));
      if (!d) continue;
      x0 = Math.min(x0, d.x); x1 = Math.max(x1, d.x);
      y0 = Math.min(y0, d.y); y1 = Math.max(y1, d.y);
    }
    if (!Number.isFinite(x0)) return;
    const ratio = Math.min(1.1, Math.max(0.08, Math.max(x1 - x0, y1 - y0) * 1.35));
    renderer.getCamera().animate({ x: (x0 + x1) / 2, y: (y0 + y1) / 2, ratio }, { duration: 350 });
  }

  function renderEgoTable() {
    const data = state.data;
    const org = data.groups.organisation;
    const degree = data.metrics.find((m) => m.key === "degree");
    const rows = [...state.ego.entries()].sort((a, b) => a[1] - b[1] || data.nodes.label[a[0]].localeCompare(data.nodes.label[b[0]]));
    els.egoTitle.textContent = `${data.nodes.label[state.focus]}’s network: ${rows.length - 1} people within ${els.steps.value} step${els.steps.value === "1" ? "" : "s"}`;
    const shown = rows.slice(0, 500);
    els.egoRows.replaceChildren(...shown.map(([i, steps]) => {
      const tr = document.createElement("tr");
      const th = document.createElement("th");
      th.scope = "row";
      th.textContent = data.nodes.label[i];
      const orgCell = document.createElement("td");
      orgCell.textContent = org.values[org.of[i]].label;
      const stepCell = document.createElement("td");
      stepCell.className = "num";
      stepCell.textContent = steps === 0 ? "—" : String(steps);
      const ties = document.createElement("td");
      ties.className = "num";
      ties.textContent = formatMetric(degree.values[i], "count");
      tr.append(th, orgCell, stepCell, ties);
      return tr;
    }));
    els.ego.hidden = false;
  }

  // --- export and print ------------------------------------------------------------------

  // Exports put the legend in a panel beside the map, so it never hides part of it.
  const PANEL_FONT = "12px DejaVu Sans, Verdana, sans-serif";
  const PANEL_LINE = 17;
  const PANEL_PAD = 14;
  const PANEL_WIDTH = 300;
  let measurer = null;

  function textWidth(text, bold) {
    measurer = measurer || document.createElement("canvas").getContext("2d");
    measurer.font = bold ? `bold ${PANEL_FONT}` : PANEL_FONT;
    return measurer.measureText(text).width;
  }

  // The legend as lines of at most the panel's width, read back from the on-screen legend
  // and status so that exports say exactly what the page says.
  function legendLines() {
    const raw = [
      { text: config.program, bold: true },
      { text: els.status.textContent },
      { text: "" },
    ];
    for (const child of els.legend.children) {
      if (child.tagName === "UL") {
        for (const li of child.children) {
          const swatch = li.querySelector(".map-swatch");
          const kind = swatch.classList.contains("map-swatch-dash") ? "dash" : swatch.classList.contains("map-swatch-line") ? "line" : "dot";
          raw.push({ text: li.textContent, colour: kind === "dash" ? swatch.style.borderTopColor : swatch.style.background, kind });
        }
      } else {
        raw.push({ text: child.textContent, bold: child.classList.contains("map-legend-title") });
      }
    }
    const lines = [];
    for (const line of raw) {
      const room = PANEL_WIDTH - 2 * PANEL_PAD - (line.colour ? 20 : 0);
      let current = "";
      for (const word of line.text.split(" ")) {
        const next = current ? `${current} ${word}` : word;
        if (current && textWidth(next, line.bold) > room) {
          lines.push({ ...line, text: current });
          current = word;
          line.colour = null; // the swatch belongs to the first line only
        } else {
          current = next;
        }
      }
      lines.push({ ...line, text: current });
    }
    return lines;
  }

  // One canvas with the map as drawn now (WebGL layers and labels) and its legend.
  function snapshotCanvas() {
    const renderer = state.renderer;
    renderer.refresh({ skipIndexation: true }); // draws now, so the WebGL buffers are fresh
    const { width, height } = renderer.getDimensions();
    const lines = legendLines();
    const fullHeight = Math.max(height, lines.length * PANEL_LINE + 2 * PANEL_PAD);
    const scale = window.devicePixelRatio || 1;
    const out = document.createElement("canvas");
    out.width = Math.round((width + PANEL_WIDTH) * scale);
    out.height = Math.round(fullHeight * scale);
    const ctx = out.getContext("2d");
    ctx.fillStyle = "#FFFFFF";
    ctx.fillRect(0, 0, out.width, out.height);
    const layers = renderer.getCanvases();
    for (const name of ["edges", "lost", "nodes", "edgeLabels", "labels", "hovers", "hoverNodes"]) {
      const layer = name === "lost" ? els.lost : layers[name];
      if (layer) ctx.drawImage(layer, 0, 0, Math.round(width * scale), Math.round(height * scale));
    }
    ctx.scale(scale, scale);
    ctx.fillStyle = "#DDE2EA";
    ctx.fillRect(width, 0, 1, fullHeight);
    let y = PANEL_PAD + 12;
    const x = width + PANEL_PAD;
    for (const line of lines) {
      if (line.colour) {
        ctx.fillStyle = line.colour;
        if (line.kind === "dash") { ctx.fillRect(x, y - 5, 5, 3); ctx.fillRect(x + 8, y - 5, 6, 3); }
        else if (line.kind === "line") ctx.fillRect(x, y - 5, 14, 3);
        else { ctx.beginPath(); ctx.arc(x + 6, y - 4, 5, 0, 2 * Math.PI); ctx.fill(); }
      }
      ctx.font = line.bold ? `bold ${PANEL_FONT}` : PANEL_FONT;
      ctx.fillStyle = "#1D2433";
      ctx.fillText(line.text, line.colour || line.kind ? x + 20 : x, y);
      y += PANEL_LINE;
    }
    return out;
  }

  function buildSvg() {
    const renderer = state.renderer;
    const { width, height } = renderer.getDimensions();
    const lines = legendLines();
    const fullHeight = Math.max(height, lines.length * PANEL_LINE + 2 * PANEL_PAD);
    const fullWidth = width + PANEL_WIDTH;
    const svg = document.createElementNS(SVG_NS, "svg");
    svg.setAttribute("xmlns", SVG_NS);
    svg.setAttribute("width", String(fullWidth));
    svg.setAttribute("height", String(fullHeight));
    svg.setAttribute("viewBox", `0 0 ${fullWidth} ${fullHeight}`);
    svg.setAttribute("font-family", "DejaVu Sans, Verdana, sans-serif");
    const add = (parent, tag, attrs, text) => {
      const el = document.createElementNS(SVG_NS, tag);
      for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
      if (text !== undefined) el.textContent = text;
      parent.append(el);
      return el;
    };
    add(svg, "title", {}, `${config.program}: ${els.status.textContent}`);
    add(svg, "rect", { width: fullWidth, height: fullHeight, fill: "#FFFFFF" });
    const inView = (p) => p.x >= -20 && p.y >= -20 && p.x <= width + 20 && p.y <= height + 20;
    const map = add(svg, "g", {});
    const edges = add(map, "g", { "stroke-linecap": "round" });
    const graph = state.graph;
    graph.forEachEdge((edge, attrs, a, b) => {
      const d = renderer.getEdgeDisplayData(edge);
      if (!d || d.hidden) return;
      const pa = renderer.graphToViewport(graph.getNodeAttributes(a));
      const pb = renderer.graphToViewport(graph.getNodeAttributes(b));
      if (!inView(pa) && !inView(pb)) return;
      add(edges, "line", {
        x1: r(pa.x), y1: r(pa.y), x2: r(pb.x), y2: r(pb.y), stroke: d.color || EDGE,
        "stroke-width": r(Math.max(0.5, renderer.scaleSize(d.size || 1) * 0.6)),
      });
    });
    const carried = carriedShown();
    if (carried.length) {
      const group = add(map, "g", { stroke: EDGE_CARRIED, "stroke-width": 1.2, "stroke-dasharray": "4 3" });
      for (const [a, b] of carried) {
        const pa = renderer.graphToViewport(graph.getNodeAttributes(String(a)));
        const pb = renderer.graphToViewport(graph.getNodeAttributes(String(b)));
        if (!inView(pa) && !inView(pb)) continue;
        add(group, "line", { x1: r(pa.x), y1: r(pa.y), x2: r(pb.x), y2: r(pb.y) });
      }
    }
    if (state.data.compare) {
      const lost = add(map, "g", { stroke: EDGE_LOST, "stroke-width": 1.6, "stroke-dasharray": "5 4" });
      for (const [a, b] of state.lost) {
        if (!lostShown(a, b)) continue;
        const pa = renderer.graphToViewport(graph.getNodeAttributes(String(a)));
        const pb = renderer.graphToViewport(graph.getNodeAttributes(String(b)));
        if (!inView(pa) && !inView(pb)) continue;
        add(lost, "line", { x1: r(pa.x), y1: r(pa.y), x2: r(pb.x), y2: r(pb.y) });
      }
    }
    const nodes = add(map, "g", { stroke: "#FFFFFF", "stroke-width": 0.5 });
    const labels = add(map, "g", { "font-size": 12, fill: "#1D2433" });
    const shownLabels = state.drawnLabels;
    const order = graph.nodes().map((node) => [node, renderer.getNodeDisplayData(node)])
      .filter(([, d]) => d && !d.hidden)
      .sort((p, q) => (p[1].zIndex || 0) - (q[1].zIndex || 0));
    for (const [node, d] of order) {
      const p = renderer.graphToViewport(graph.getNodeAttributes(node));
      if (!inView(p)) continue;
      const radius = renderer.scaleSize(d.size);
      add(nodes, "circle", { cx: r(p.x), cy: r(p.y), r: r(radius), fill: d.color });
      if (d.label && shownLabels.has(node)) {
        add(labels, "text", { x: r(p.x + radius + 3), y: r(p.y + 4) }, d.label);
      }
    }
    const legend = add(svg, "g", { "font-size": 12, fill: "#1D2433" });
    add(legend, "rect", { x: width, y: 0, width: 1, height: fullHeight, fill: "#DDE2EA" });
    let y = PANEL_PAD + 12;
    const x = width + PANEL_PAD;
    for (const line of lines) {
      if (line.colour) {
        if (line.kind === "dash") add(legend, "line", { x1: x, y1: y - 4, x2: x + 14, y2: y - 4, stroke: line.colour, "stroke-width": 2, "stroke-dasharray": "5 3" });
        else if (line.kind === "line") add(legend, "rect", { x, y: y - 5, width: 14, height: 3, fill: line.colour });
        else add(legend, "circle", { cx: x + 6, cy: y - 4, r: 5, fill: line.colour });
      }
      const attrs = { x: line.colour || line.kind ? x + 20 : x, y };
      if (line.bold) attrs["font-weight"] = "bold";
      if (line.text) add(legend, "text", attrs, line.text);
      y += PANEL_LINE;
    }
    return svg;
  }

  const r = (v) => Math.round(v * 10) / 10;

  function download(blob, extension) {
    const url = URL.createObjectURL(blob);
    const link = document.createElement("a");
    const round = state.data.round.name.toLowerCase().replace(/[^a-z0-9]+/g, "-");
    link.href = url;
    link.download = `network-map-${round}.${extension}`;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  // Printing a WebGL canvas is unreliable, so the print shows a snapshot image instead.
  function prepareForPrint() {
    if (!state.renderer) return Promise.resolve();
    els.snapshot.src = snapshotCanvas().toDataURL("image/png");
    return els.snapshot.decode().catch(() => undefined);
  }
  api.prepareForPrint = prepareForPrint;

  // --- picking by click or tap ----------------------------------------------------------

  // The shown member nearest to where the pointer landed, if within reach of a finger.
  function pickAt(event) {
    const row = nearestRow(event.x, event.y);
    if (row === null) return;
    state.picked = row;
    if (matchMedia("(hover: none)").matches) showCard(row);
    focusRow(row);
  }

  function nearestRow(x, y) {
    let best = null;
    let bestDistance = Infinity;
    const renderer = state.renderer;
    for (let i = 0; i < state.n; i++) {
      if (!state.nodeShown[i] || (state.ego && !state.ego.has(i))) continue;
      const d = renderer.getNodeDisplayData(String(i));
      if (!d) continue;
      const p = renderer.framedGraphToViewport(d);
      const distance = Math.hypot(p.x - x, p.y - y);
      const reach = Math.max(TAP_RADIUS, renderer.scaleSize(d.size) + 4);
      if (distance <= reach && distance < bestDistance) {
        best = i;
        bestDistance = distance;
      }
    }
    return best;
  }

  // --- keyboard pan and zoom -------------------------------------------------------------

  function onMapKey(event) {
    if (!state.renderer || event.altKey || event.ctrlKey || event.metaKey) return;
    const camera = state.renderer.getCamera();
    const now = camera.getState();
    const step = 0.12 * now.ratio; // a fraction of what is on screen, whatever the zoom
    const moves = {
      ArrowLeft: { x: now.x - step }, ArrowRight: { x: now.x + step },
      ArrowUp: { y: now.y + step }, ArrowDown: { y: now.y - step },
      "+": { ratio: now.ratio / 1.4 }, "=": { ratio: now.ratio / 1.4 },
      "-": { ratio: now.ratio * 1.4 }, _: { ratio: now.ratio * 1.4 },
    };
    if (event.key === "0") {
      event.preventDefault();
      camera.animatedReset({ duration: 250 });
      return;
    }
    const move = moves[event.key];
    if (!move) return;
    event.preventDefault();
    camera.animate(move, { duration: 150 });
  }

  // --- the view in the URL ---------------------------------------------------------------

  // Round, comparison and anonymised are read before the data is fetched; colour, size,
  // filters, types, strength, reach and focus once it has arrived (they name its values).
  function applyUrlBefore() {
    const want = state.pending;
    if (!want) return;
    setSelect(els.round, want.get("round"));
    setSelect(els.compare, want.get("compare"));
    els.anonymised.checked = want.get("anonymised") === "1";
    setSelect(els.colour, want.get("colour"));
    setSelect(els.size, want.get("size"));
    setSelect(els.steps, want.get("reach"));
    setSelect(els.strength, want.get("strength"));
  }

  function applyUrlAfter() {
    const want = state.pending;
    state.pending = null;
    if (!want) return;
    let filtered = false;
    for (const select of document.querySelectorAll("[data-filter]")) {
      const label = want.get(select.dataset.filter);
      if (!label) continue;
      const values = state.data.groups[select.dataset.filter].values;
      const at = values.findIndex((v) => v.label === label && !v.missing);
      if (at >= 0) { select.value = String(at); filtered = true; }
    }
    const hiddenTypes = new Set((want.get("hide_types") || "").split("|").filter(Boolean));
    for (const box of els.types.querySelectorAll("input")) {
      if (hiddenTypes.has(box.dataset.name)) { box.checked = false; filtered = true; }
    }
    if (els.strength.value !== "1") filtered = true;
    if (filtered) applyFilters({ fit: false });
    styleNodes();
    state.renderer.refresh();
    renderLegend();
    const focus = want.get("focus");
    let row = -1;
    if (focus && /^r\d+$/.test(focus)) row = Number(focus.slice(1));
    else if (focus && state.data.nodes.id) row = state.data.nodes.id.indexOf(Number(focus));
    if (row >= 0 && row < state.n) focusRow(row);
    else if (filtered) fitShown();
  }

  function setSelect(select, value) {
    if (value === null || value === undefined) return;
    if ([...select.options].some((o) => o.value === value && !o.disabled)) select.value = value;
  }

  // Everything that makes this view, as the page's query string (defaults left out).
  function saveView() {
    if (!state.data || state.pending) return;
    const view = new URLSearchParams();
    view.set("round", String(state.data.round.id));
    if (state.data.compare) view.set("compare", String(state.data.compare.id));
    if (state.data.anonymised) view.set("anonymised", "1");
    if (els.colour.selectedIndex > 0) view.set("colour", els.colour.value);
    if (els.size.value !== "degree") view.set("size", els.size.value);
    for (const select of document.querySelectorAll("[data-filter]")) {
      if (select.value === "") continue;
      view.set(select.dataset.filter, state.data.groups[select.dataset.filter].values[Number(select.value)].label);
    }
    const hidden = [...els.types.querySelectorAll("input")].filter((b) => !b.checked).map((b) => b.dataset.name);
    if (hidden.length) view.set("hide_types", hidden.join("|"));
    if (els.strength.value !== "1") view.set("strength", els.strength.value);
    if (state.focus !== null) {
      // A member id only where the page may show it; otherwise the row on this map.
      const id = state.data.nodes.id ? state.data.nodes.id[state.focus] : null;
      view.set("focus", id ? String(id) : `r${state.focus}`);
      if (els.steps.value !== "1") view.set("reach", els.steps.value);
    }
    const query = `?${view}`;
    if (query !== window.location.search) history.replaceState(null, "", query);
  }

  // --- phone drawer ----------------------------------------------------------------------

  function drawer(open) {
    document.body.classList.toggle("map-drawer-open", open);
    els.drawerToggle.setAttribute("aria-expanded", String(open));
    if (open) els.search.focus({ preventScroll: true });
    else els.drawerToggle.focus({ preventScroll: true });
  }

  // --- wiring ----------------------------------------------------------------------------

  els.canvas.addEventListener("keydown", onMapKey);
  els.drawerToggle.addEventListener("click", () => drawer(!document.body.classList.contains("map-drawer-open")));
  els.drawerClose.addEventListener("click", () => drawer(false));
  els.copyLink.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(window.location.href);
      setStatus("The link to this view is copied: paste it into a bookmark or a message.");
    } catch {
      window.prompt("Copy this link to the view:", window.location.href);
    }
  });

  els.searchForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const found = matches(els.search.value);
    showMatches(found);
    if (found.length === 1 || (found.length && state.data.nodes.label[found[0]].toLocaleLowerCase() === els.search.value.trim().toLocaleLowerCase())) {
      focusRow(found[0]);
    } else if (!found.length) {
      setStatus(`No member shown matches “${els.search.value.trim()}”.`);
    } else {
      setStatus(`${found.length} members match: choose one from the list.`);
    }
  });
  let typing = null;
  els.search.addEventListener("input", () => {
    clearTimeout(typing);
    typing = setTimeout(() => showMatches(matches(els.search.value)), 120);
  });
  els.search.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown") {
      const first = els.results.querySelector("button");
      if (first) { event.preventDefault(); first.focus(); }
    }
  });
  els.results.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-row]");
    if (button) focusRow(Number(button.dataset.row));
  });
  els.results.addEventListener("keydown", (event) => {
    const buttons = [...els.results.querySelectorAll("button")];
    const at = buttons.indexOf(document.activeElement);
    if (event.key === "ArrowDown" && at < buttons.length - 1) { event.preventDefault(); buttons[at + 1].focus(); }
    if (event.key === "ArrowUp") { event.preventDefault(); (at > 0 ? buttons[at - 1] : els.search).focus(); }
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && document.body.classList.contains("map-drawer-open")) {
      drawer(false);
      return;
    }
    if (event.key === "Escape" && state.focus !== null) {
      clearFocus();
      els.search.focus();
    }
  });
  els.steps.addEventListener("change", () => { if (state.focus !== null) focusRow(state.focus); else saveView(); });
  els.clearFocus.addEventListener("click", () => clearFocus());
  els.colour.addEventListener("change", applyStyle);
  els.size.addEventListener("change", applyStyle);
  for (const select of document.querySelectorAll("[data-filter]")) select.addEventListener("change", applyFilters);
  els.types.addEventListener("change", applyFilters);
  els.strength.addEventListener("change", applyFilters);
  els.reset.addEventListener("click", () => {
    for (const select of document.querySelectorAll("[data-filter]")) select.value = "";
    for (const box of els.types.querySelectorAll("input")) box.checked = true;
    els.strength.value = "1";
    applyFilters();
  });
  els.round.addEventListener("change", load);
  els.compare.addEventListener("change", load);
  els.anonymised.addEventListener("change", () => { els.results.replaceChildren(); load(); });
  $("map-export-png").addEventListener("click", () => snapshotCanvas().toBlob((blob) => download(blob, "png")));
  $("map-export-svg").addEventListener("click", () => {
    const text = `<?xml version="1.0" encoding="UTF-8"?>\n${api.buildSvg()}`;
    download(new Blob([text], { type: "image/svg+xml" }), "svg");
  });
  $("map-print").addEventListener("click", () => prepareForPrint().then(() => window.print()));
  window.addEventListener("beforeprint", () => { if (state.renderer) els.snapshot.src = snapshotCanvas().toDataURL("image/png"); });

  load();
})();
