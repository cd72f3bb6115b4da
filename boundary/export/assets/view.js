// The boundary graph view: cytoscape.js with the dagre layout, data from #graph-data.
// Everything shown from the template is set with textContent, never as markup.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("graph-data").textContent);
  var styles = JSON.parse(document.getElementById("graph-style").textContent);
  var byId = {};
  data.nodes.forEach(function (n) { byId[n.id] = n; });

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    if (cls) { e.className = cls; }
    return e;
  }

  document.getElementById("node-count").textContent =
    data.nodes.length + " nodes, " + data.edges.length + " edges, " +
    data.nodes.filter(function (n) { return n.finding_count > 0; }).length + " with findings";

  var legend = document.getElementById("legend");
  Object.keys(styles.groups).forEach(function (g) {
    if (!data.nodes.some(function (n) { return n.group === g; })) { return; }
    var s = styles.groups[g];
    var item = el("span");
    var swatch = el("i");
    swatch.style.background = s.fill; swatch.style.borderColor = s.line;
    item.appendChild(swatch); item.appendChild(document.createTextNode(s.title));
    item.title = "Show or hide this kind of resource";
    item.setAttribute("data-group", g);
    item.addEventListener("click", function () {
      var hidden = item.classList.toggle("off");
      cy.nodes().filter(function (n) { return byId[n.id()].group === g; })
        .style("display", hidden ? "none" : "element");
    });
    legend.appendChild(item);
  });

  var elements = [];
  data.nodes.forEach(function (n) {
    var s = styles.groups[n.group] || styles.groups.other;
    elements.push({ group: "nodes", data: {
      id: n.id, label: n.label, fill: s.fill, line: s.line, shape: s.shape,
      border: n.finding_count > 0 ? (styles.severities[n.severity] || "#d7301f") : s.line,
      width: n.finding_count > 0 ? 4 : 1.5,
    } });
  });
  var merged = {};
  data.edges.forEach(function (e) {
    var key = e.source + "\u0000" + e.target + "\u0000" + e.kind;
    if (!merged[key]) {
      merged[key] = { group: "edges", data: { id: "m" + Object.keys(merged).length, source: e.source,
        target: e.target, kind: e.kind, label: e.label === e.kind ? "" : e.label, edges: [e.id] } };
      elements.push(merged[key]);
    } else {
      merged[key].data.edges.push(e.id);
      if (e.label !== e.kind && merged[key].data.label.indexOf(e.label) < 0) {
        merged[key].data.label += (merged[key].data.label ? " " : "") + e.label;
      }
    }
  });
  var edgeById = {};
  data.edges.forEach(function (e) { edgeById[e.id] = e; });

  var big = data.nodes.length > 400;
  var cy = cytoscape({
    container: document.getElementById("graph"),
    elements: elements,
    wheelSensitivity: 0.3,
    minZoom: 0.05,
    maxZoom: 4,
    textureOnViewport: big,
    hideEdgesOnViewport: big,
    style: [
      { selector: "node", style: {
        "label": "data(label)", "shape": "data(shape)", "background-color": "data(fill)",
        "border-color": "data(border)", "border-width": "data(width)",
        "font-size": 13, "text-valign": "center", "text-halign": "center", "text-wrap": "ellipsis",
        "text-max-width": 160, "width": 172, "height": 38, "color": "#222", "min-zoomed-font-size": 5 } },
      { selector: "node[shape = 'star']", style: { "width": 60, "height": 60, "text-valign": "bottom", "text-margin-y": 4 } },
      { selector: "edge", style: {
        "curve-style": "bezier", "target-arrow-shape": "triangle", "width": 1.3,
        "line-color": "#9e9e9e", "target-arrow-color": "#9e9e9e", "arrow-scale": 0.8,
        "label": "data(label)", "font-size": 9, "color": "#555", "text-rotation": "autorotate",
        "text-background-color": "#fff", "text-background-opacity": 0.85, "text-background-padding": 1,
        "text-wrap": "ellipsis", "text-max-width": 180, "min-zoomed-font-size": 7 } },
      { selector: "edge[kind = 'attached-policy'], edge[kind = 'assumable-by'], edge[kind = 'references'], edge[kind = 'routes']",
        style: { "line-style": "dashed" } },
      { selector: "edge[kind = 'grants']", style: { "line-color": "#756bb1", "target-arrow-color": "#756bb1" } },
      { selector: "edge[kind = 'invokes']", style: { "line-color": "#e6550d", "target-arrow-color": "#e6550d" } },
      { selector: ".match", style: { "overlay-color": "#fdd835", "overlay-opacity": 0.45, "overlay-padding": 6 } },
      { selector: "node:selected", style: { "overlay-color": "#2171b5", "overlay-opacity": 0.25, "overlay-padding": 6 } },
      { selector: ".faded", style: { "opacity": 0.2 } },
    ],
  });

  // Columns keep the path readable left to right: the internet, APIs, endpoints and
  // triggers, functions, roles, policies, data. Dagre orders the nodes within each
  // column (fewer crossings); the columns are then stacked evenly.
  var COLUMNS = { internet: 0, principal: 0, api: 1, endpoint: 2, other: 2, "function": 3,
    role: 4, policy: 5, data: 6, external: 6 };
  // Past a few hundred nodes dagre's crossing minimisation takes seconds; a few
  // barycenter sweeps over the columns order them in milliseconds instead.
  if (!big && data.nodes.length <= 250) {
    cy.layout({ name: "dagre", rankDir: "LR", nodeSep: 10, rankSep: 60, edgeSep: 4, animate: false }).run();
  } else {
    barycenter();
  }
  function columnOf(node) {
    var column = COLUMNS[byId[node.id()].group];
    return column === undefined ? 2 : column;
  }
  function barycenter() {
    var columns = {};
    cy.nodes().sort(function (a, b) { return a.id() < b.id() ? -1 : 1; }).forEach(function (node) {
      var c = columnOf(node);
      (columns[c] = columns[c] || []).push(node);
    });
    var order = {};
    Object.keys(columns).forEach(function (c) { columns[c].forEach(function (n, i) { order[n.id()] = i; }); });
    var keys = Object.keys(columns).map(Number).sort(function (a, b) { return a - b; });
    for (var sweep = 0; sweep < 4; sweep++) {
      var pass = sweep % 2 === 0 ? keys : keys.slice().reverse();
      pass.forEach(function (c) {
        var weight = {};
        columns[c].forEach(function (n) {
          var sum = 0, count = 0;
          n.neighborhood("node").forEach(function (m) {
            if (columnOf(m) !== c) { sum += order[m.id()] / Math.max(columns[columnOf(m)].length, 1); count++; }
          });
          weight[n.id()] = count ? sum / count : order[n.id()] / columns[c].length;
        });
        columns[c].sort(function (a, b) { return weight[a.id()] - weight[b.id()]; });
        columns[c].forEach(function (n, i) { order[n.id()] = i; });
      });
    }
    cy.nodes().forEach(function (n) { n.position({ x: 0, y: order[n.id()] }); });
  }
  cy.batch(function () {
    var columns = {};
    cy.nodes().forEach(function (node) {
      var column = columnOf(node);
      (columns[column] = columns[column] || []).push(node);
    });
    Object.keys(columns).forEach(function (column) {
      var list = columns[column].sort(function (a, b) { return a.position("y") - b.position("y"); });
      list.forEach(function (node, index) {
        node.position({ x: Number(column) * 225, y: (index - (list.length - 1) / 2) * 50 });
      });
    });
  });
  cy.fit(undefined, 24);

  var panel = document.getElementById("details");
  function section(title) { panel.appendChild(el("h3", title)); var ul = el("ul"); panel.appendChild(ul); return ul; }
  function link(id) {
    var a = el("a", (byId[id] || {}).label || id);
    a.addEventListener("click", function () { select(id); });
    return a;
  }
  function edgeItem(e, other, arrow) {
    var li = el("li", null, "edge");
    li.appendChild(el("span", arrow + " " + e.kind + " "));
    li.appendChild(link(other));
    if (e.label && e.label !== e.kind) { li.appendChild(el("div", e.label, "actions")); }
    if (e.statement) { li.appendChild(el("pre", JSON.stringify(JSON.parse(e.statement), null, 2))); }
    return li;
  }

  function show(id) {
    var n = byId[id];
    panel.textContent = "";
    panel.appendChild(el("h2", n.label));
    var meta = el("dl", null, "meta");
    [["kind", n.type || n.kind], ["id", n.id], ["resource", n.resource], ["address", n.address],
     ["file", n.file ? n.file + (n.line ? ":" + n.line : "") : null], ["arns", n.arns],
     ["authorization", n.authorization]].forEach(function (pair) {
      if (pair[1] === undefined || pair[1] === null || pair[1] === "") { return; }
      meta.appendChild(el("dt", pair[0])); meta.appendChild(el("dd", pair[1]));
    });
    panel.appendChild(meta);
    if (n.findings) {
      var fl = section("Findings");
      JSON.parse(n.findings).forEach(function (f) {
        var li = el("li", null, "finding " + f.severity);
        li.appendChild(el("b", f.rule + " " + f.severity));
        li.appendChild(el("span", f.name));
        li.appendChild(el("div", f.message));
        fl.appendChild(li);
      });
    }
    var outgoing = data.edges.filter(function (e) { return e.source === id; });
    var incoming = data.edges.filter(function (e) { return e.target === id; });
    var grants = outgoing.filter(function (e) { return e.kind === "grants"; });
    if (grants.length) {
      var gl = section("Grants (" + grants.length + ")");
      grants.forEach(function (e) { gl.appendChild(edgeItem(e, e.target, "\u2192")); });
    }
    var rest = outgoing.filter(function (e) { return e.kind !== "grants"; });
    if (rest.length) {
      var ol = section("Out (" + rest.length + ")");
      rest.forEach(function (e) { ol.appendChild(edgeItem(e, e.target, "\u2192")); });
    }
    if (incoming.length) {
      var il = section("In (" + incoming.length + ")");
      incoming.forEach(function (e) { il.appendChild(edgeItem(e, e.source, "\u2190")); });
    }
  }

  function select(id) {
    var node = cy.getElementById(id);
    if (node.empty()) { return; }
    cy.elements().unselect();
    node.select();
    cy.animate({ center: { eles: node }, zoom: Math.max(cy.zoom(), 0.9) }, { duration: 200 });
    show(id);
  }

  cy.on("tap", "node", function (evt) { show(evt.target.id()); });
  cy.on("tap", "edge", function (evt) {
    var d = evt.target.data();
    panel.textContent = "";
    panel.appendChild(el("h2", d.kind));
    var ul = section("Edges");
    d.edges.forEach(function (eid) { ul.appendChild(edgeItem(edgeById[eid], d.target, "\u2192")); });
  });

  var search = document.getElementById("search");
  var status = document.getElementById("search-status");
  function find(query) {
    cy.elements().removeClass("match faded");
    query = query.trim().toLowerCase();
    if (!query) { status.textContent = ""; return []; }
    var hits = data.nodes.filter(function (n) {
      return n.label.toLowerCase().indexOf(query) >= 0 || n.id.toLowerCase().indexOf(query) >= 0;
    });
    status.textContent = hits.length + (hits.length === 1 ? " match" : " matches");
    if (hits.length) {
      var found = cy.collection(hits.map(function (n) { return cy.getElementById(n.id); }));
      cy.elements().not(found.closedNeighborhood()).addClass("faded");
      found.addClass("match");
      select(hits[0].id);
    }
    return hits;
  }
  search.addEventListener("input", function () { find(search.value); });
  search.addEventListener("keydown", function (e) { if (e.key === "Escape") { search.value = ""; find(""); } });
  document.getElementById("fit").addEventListener("click", function () { cy.fit(undefined, 20); });

  window.boundaryView = { cy: cy, find: find, select: select, nodes: data.nodes.length, readyAt: performance.now() };
  document.body.setAttribute("data-ready", "true");
})();
