(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("nansei-map-data").textContent);
  var map = L.map("nansei-map", { zoomSnap: 0.25 });
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution(D.coast_credit + " | Leaflet (BSD-2)");
  map.fitBounds(D.bounds);

  function dot(lat, lon, opts) { return L.circleMarker([lat, lon], opts); }
  function label(lat, lon, text, cls) {
    return L.marker([lat, lon], { interactive: false, keyboard: false,
      icon: L.divIcon({ className: cls || "nansei-label", html: text, iconSize: null, iconAnchor: [-6, 6] }) });
  }
  function esc(s) { return String(s).replace(/[&<>"]/g, function (c) { return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]; }); }

  var coast = L.geoJSON(D.coastlines, { style: { color: "#8a7a55", weight: 0.7, fillColor: "#e6dcc0", fillOpacity: 1, className: "nansei-coast" } });
  var names = L.layerGroup(D.islands.map(function (i) { return label(i.lat, i.lon, esc(i.name.split(" (")[0])); }));
  var airports = L.layerGroup(D.airports.map(function (a) {
    return dot(a.lat, a.lon, { radius: 5, color: "#253494", fillColor: "#253494", fillOpacity: 1, weight: 1, className: "nansei-airport" }).bindTooltip(esc(a.id + " " + a.name)); }));
  var ports = L.layerGroup(D.ports.map(function (p) {
    return dot(p.lat, p.lon, { radius: 4, color: "#225ea8", fillColor: "#41b6c4", fillOpacity: 1, weight: 1, className: "nansei-port" }).bindTooltip(esc(p.name)); }));
  var used = {};
  D.used_sites.forEach(function (s) { used[s] = true; });
  var cand = L.layerGroup(D.sites.filter(function (s) { return !used[s.id]; }).map(function (s) {
    return dot(s.lat, s.lon, { radius: 3, color: s.decoy ? "#1b7837" : "#666", fillColor: "#999", fillOpacity: s.decoy ? 0 : 1, weight: 1, className: "nansei-site" }).bindTooltip(esc(s.id + (s.decoy ? " (decoy)" : ""))); }));
  var usedL = L.layerGroup(D.sites.filter(function (s) { return used[s.id]; }).map(function (s) {
    return dot(s.lat, s.lon, { radius: 4, color: "#1b7837", fillColor: "#1b7837", fillOpacity: 0.9, weight: 1, className: "nansei-used-site" }).bindTooltip(esc(s.id + " (used)")); }));
  var colours = ["#7b3294", "#008837", "#c2a5cf", "#a6dba0"];
  var ranges = L.layerGroup(D.ranges.map(function (r, k) {
    return L.geoJSON(r.geojson, { style: { color: colours[k % 4], weight: 1.5, dashArray: "6 4", fill: false, className: "nansei-range" } }).bindTooltip(esc(r.id + " range " + r.range_km + " km")); }));
  var zones = L.layerGroup(D.zones.map(function (z) {
    return L.circle([z.lat, z.lon], { radius: z.radius_km * 1000, color: "#d62728", weight: 1, fillOpacity: 0.12, className: "nansei-zone" }).bindTooltip(esc(z.name)); }));
  var evac = L.layerGroup(D.evacuation.map(function (f) {
    return L.polyline([[f.from_lat, f.from_lon], [f.to_lat, f.to_lon]], { color: f.mode === "air" ? "#253494" : "#41b6c4", weight: 1 + 5 * f.per_day / 8700, opacity: 0.6, className: "nansei-evac" })
      .bindTooltip(esc(f.gateway + " → " + f.to + ": " + f.per_day + "/day (" + f.mode + ", " + f.confidence + ")")); }));
  var strikes = L.layerGroup(), launchers = L.layerGroup(), closed = L.layerGroup(), people = L.layerGroup();

  coast.addTo(map); names.addTo(map); airports.addTo(map); ports.addTo(map); cand.addTo(map);
  usedL.addTo(map); ranges.addTo(map); zones.addTo(map); strikes.addTo(map);
  launchers.addTo(map); closed.addTo(map);
  if (D.frames.length && D.frames[0].people) { people.addTo(map); }
  var overlays = {
    "Coastlines": coast, "Island names": names, "Airports": airports, "Ports": ports,
    "Candidate sites": cand, "Used sites": usedL, "Range envelopes": ranges, "Sea target zones": zones,
    "Evacuation flows": evac, "Strikes (replay)": strikes, "Launchers (replay)": launchers,
    "Closed gateways (replay)": closed, "Residents remaining (replay)": people
  };
  L.control.layers(null, overlays, { collapsed: false }).addTo(map);
  L.control.scale({ imperial: false }).addTo(map);

  // Legend: one row per symbol drawn, in the colours used above.
  function svgDot(r, stroke, fill, fillOpacity, width, dash) {
    var d = 2 * r + 4;
    return '<svg width="' + d + '" height="' + d + '"><circle cx="' + d / 2 + '" cy="' + d / 2 + '" r="' + r
      + '" stroke="' + stroke + '" stroke-width="' + width + '" fill="' + fill + '" fill-opacity="' + fillOpacity + '"'
      + (dash ? ' stroke-dasharray="' + dash + '"' : "") + "/></svg>";
  }
  function svgLine(colour, width, dash) {
    return '<svg width="22" height="10"><line x1="1" y1="5" x2="21" y2="5" stroke="' + colour + '" stroke-width="'
      + width + '"' + (dash ? ' stroke-dasharray="' + dash + '"' : "") + "/></svg>";
  }
  var rows = [
    [svgDot(5, "#253494", "#253494", 1, 1), "airport"],
    [svgDot(4, "#225ea8", "#41b6c4", 1, 1), "port"],
    [svgDot(3, "#666", "#999", 1, 1), "candidate site"],
    [svgDot(3, "#1b7837", "#999", 0, 1), "decoy site"],
    [svgDot(4, "#1b7837", "#1b7837", 0.9, 1), "site used (replication 0)"]
  ];
  D.ranges.forEach(function (r, k) { rows.push([svgLine(colours[k % 4], 1.5, "6 4"), esc(r.id) + " range " + r.range_km + " km from used sites"]); });
  if (D.zones.length) { rows.push([svgDot(6, "#d62728", "#d62728", 0.12, 1), "sea target zone"]); }
  if (D.evacuation.length) {
    rows.push([svgLine("#253494", 2), "evacuation flow by air (width: people/day)"]);
    rows.push([svgLine("#41b6c4", 2), "evacuation flow by sea"]);
  }
  rows.push([svgDot(6, "#fff", "#1b7837", 1, 1.5), "launcher at a site"]);
  rows.push([svgDot(6, "#fff", "#ff00ff", 1, 1.5), "launcher moving"]);
  rows.push([svgDot(6, "#fff", "#000", 1, 1.5), "launcher destroyed"]);
  rows.push([svgDot(6, "#d62728", "#d62728", 0.6, 1), "strike on an occupied site"]);
  rows.push([svgDot(8, "#d62728", "#d62728", 0.6, 1), "strike that destroyed a launcher"]);
  rows.push([svgDot(6, "#ff7f00", "#d62728", 0, 1), "wasted strike (empty or decoy site)"]);
  rows.push([svgDot(6, "#d62728", "#d62728", 0.6, 3), "thick edge: strike in the last 24 h"]);
  rows.push([svgDot(9, "#000", "#fff", 0, 2, "2 2"), "gateway closed (inferred)"]);
  if (D.frames.length && D.frames[0].people) { rows.push(["<b>1,234</b>", "residents remaining on the island"]); }
  var legend = L.control({ position: "bottomleft" });
  legend.onAdd = function () {
    var div = L.DomUtil.create("div", "nansei-legend");
    div.innerHTML = rows.map(function (r) { return '<div class="nansei-legend-row"><span class="nansei-legend-key">' + r[0] + "</span>" + r[1] + "</div>"; }).join("");
    return div;
  };
  legend.addTo(map);

  var gw = {};
  D.gateways.forEach(function (g) { gw[g.id] = g; });
  var slider = document.getElementById("nansei-time");
  var status = document.getElementById("nansei-status");
  document.getElementById("nansei-notes").textContent = D.notes.join(" ");
  if (!D.frames.length) { document.getElementById("nansei-replay").style.display = "none"; }
  slider.max = Math.max(D.frames.length - 1, 0);

  function draw(k) {
    var f = D.frames[k];
    if (!f) { return; }
    strikes.clearLayers(); launchers.clearLayers(); closed.clearLayers(); people.clearLayers();
    D.strikes.forEach(function (s) {
      if (s.t > f.t) { return; }
      var recent = f.t - s.t <= 24;
      var cls = s.killed ? "nansei-strike nansei-strike-kill" : (s.wasted ? "nansei-strike nansei-strike-wasted" : "nansei-strike nansei-strike-hit");
      dot(s.lat, s.lon, { radius: s.killed ? 8 : 6, color: s.wasted ? "#ff7f00" : "#d62728", weight: recent ? 3 : 1,
        fillOpacity: s.wasted ? 0 : 0.6, fillColor: "#d62728", className: cls })
        .bindTooltip("strike at " + s.t.toFixed(1) + " h on " + esc(s.site) + (s.wasted ? " (wasted)" : s.killed ? " (launcher destroyed)" : "")).addTo(strikes);
    });
    f.launchers.forEach(function (p) {
      var c = p[2] === "destroyed" ? "#000" : (p[2] === "moving" ? "#ff00ff" : "#1b7837");
      dot(p[0], p[1], { radius: 6, color: "#fff", weight: 1.5, fillColor: c, fillOpacity: 1, className: "nansei-launcher nansei-launcher-" + p[2] })
        .bindTooltip("launcher " + p[3] + ": " + p[2]).addTo(launchers);
    });
    f.closed.forEach(function (id) {
      var g = gw[id];
      if (g) { dot(g.lat, g.lon, { radius: 9, color: "#000", weight: 2, fill: false, dashArray: "2 2", className: "nansei-closed" }).bindTooltip(esc(id) + " closed (inferred start)").addTo(closed); }
    });
    D.islands.forEach(function (i) {
      var n = f.people ? f.people[i.id] : i.population;
      if (n === undefined) { return; }
      label(i.lat - 0.08, i.lon, Math.round(n).toLocaleString("en") + (f.people ? "" : " (t=0)"), "nansei-label nansei-people").addTo(people);
    });
    status.textContent = "t = " + f.t.toFixed(0) + " h (day " + (f.t / 24).toFixed(1) + "): " + f.alive + " launchers alive, "
      + f.strikes + " strikes (" + f.wasted + " wasted), " + f.closed.length + " gateways closed";
  }
  slider.addEventListener("input", function () { draw(+slider.value); });
  draw(0);
  window.nanseiMap = { map: map, draw: draw, data: D, overlays: overlays };
})();
