/* assetmap map page: draws the markers, footprints, neighbourhoods, legend, search and the
 * accessible list from one data object (see assetmap/core/export/webdata.py).
 *
 * Safety rule for this file: text from the data is only ever inserted with textContent,
 * setAttribute or DOM properties. The two Leaflet APIs that take HTML strings (layer control
 * labels, cluster icons) get esc()-ed text or numbers only.
 *
 * API for the desktop map view (QWebChannel):
 *   assetmap.setData(data)          replace everything drawn, keeping the view
 *   assetmap.applyChanges(change)   redraw only some assets: {upsert: [row], remove: [id], areas: {id: [geometry]},
 *                                   and fields, labels, kinds when they grew} (see core/export/webpatch.py)
 *   assetmap.selectAsset(id)        pan/zoom to an asset and open its popup; selectAsset(id, {move: false})
 *                                   opens it only if the marker is already in view, and never moves the map
 *   assetmap.forgetSelection()      a popup still on its way (an animated zoom) does not open
 *   assetmap.settled()              true when no zoom to a selection is under way and the map is still
 *   assetmap.fitAll()               zoom to all the data
 *   assetmap.onAssetClick = fn(id, source)   called when a marker, footprint, row or search result is chosen
 *   assetmap.onMapClick = fn(lat, lon)       called on a click on empty map
 *   assetmap.ready                  true once markers and list are drawn ("assetmap:ready" event too)
 */
(function () {
  'use strict';
  var PAGE_SIZE = 200;
  var BREAKS = [0.2, 0.4, 0.6, 0.8];
  var FILLS = ['#eff3ff', '#bdd7e7', '#6baed6', '#3182bd', '#08519c'];
  var SHAPES = {
    circle: '<circle cx="10" cy="10" r="7.5"/>',
    square: '<rect x="3" y="3" width="14" height="14"/>',
    triangle: '<polygon points="10,1.5 18.8,17.5 1.2,17.5"/>',
    diamond: '<polygon points="10,1 19,10 10,19 1,10"/>',
    star: '<polygon points="10,1 12.6,7 19,7.3 14,11.4 15.7,18 10,14.3 4.3,18 6,11.4 1,7.3 7.4,7"/>',
    hexagon: '<polygon points="10,1 18,5.5 18,14.5 10,19 2,14.5 2,5.5"/>'
  };
  var S = { map: null, data: null, f: {}, cats: [], kinds: [], rows: [], byId: {}, markers: {}, overlays: [],
            control: null, legend: null, hoods: null, hoodLayers: {}, hoodOrder: [], hoodPage: 0,
            order: [], filtered: [], page: 0, pending: 0, returnTo: null, popupReturn: null, autopanning: false,
            catLayers: {}, areaLayers: {}, selectSeq: 0, revealing: false, nextReveal: null };
  var api = { ready: false, version: 1, onAssetClick: null, onMapClick: null };
  // Leaflet sizes a popup from its content's narrowest layout; a floor keeps addresses and links readable.
  var POPUP = { minWidth: 240, maxWidth: 320 };

  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function $(id) { return document.getElementById(id); }
  function svg(shape, color, size) { // static markup: colour comes from our own palette, checked below
    var c = /^#[0-9a-fA-F]{6}$/.test(color) ? color : '#000000';
    return '<svg xmlns="http://www.w3.org/2000/svg" width="' + size + '" height="' + size +
      '" viewBox="0 0 20 20" aria-hidden="true" focusable="false"><g fill="' + c +
      '" stroke="#1a1a1a" stroke-width="1.5" stroke-linejoin="round">' + (SHAPES[shape] || SHAPES.circle) + '</g></svg>';
  }
  function swatch(cat, size) { var s = el('span', { 'class': 'am-swatch' }); s.innerHTML = svg(cat.shape, cat.color, size || 16); return s; }
  function safeUrl(u) {
    if (!u) return null;
    u = String(u).trim();
    if (!/^[a-z][a-z0-9+.\-]*:/i.test(u)) u = 'https://' + u;
    return /^https?:\/\/[^\s<>"]+$/i.test(u) ? u : null;
  }
  function announce(msg) { var a = $('am-announce'); if (a) { a.textContent = ''; setTimeout(function () { a.textContent = msg; }, 30); } }
  function notify(id, source) {
    if (typeof api.onAssetClick === 'function') { try { api.onAssetClick(id, source); } catch (e) { console.warn(e); } }
    document.dispatchEvent(new CustomEvent('assetmap:assetclick', { detail: { id: id, source: source } }));
  }
  function get(row, name) { var i = S.f[name]; return i === undefined || i >= row.length ? null : row[i]; }
  function catOf(row) { return S.cats[row[2]]; }
  function kindLabel(row) { var k = row[3]; return k === null || k === undefined ? '' : S.kinds[k].label; }
  function pct(v) { return Math.round(v * 100) + '%'; }

  /* ---- popups ---------------------------------------------------------------------------- */
  function assetPopup(row) {
    var box = el('div', { 'class': 'am-popup' });
    box.appendChild(el('h3', { tabindex: '-1' }, get(row, 'name')));
    var cat = catOf(row), p = el('p', { 'class': 'am-popup-kind' });
    p.appendChild(swatch(cat, 14));
    p.appendChild(document.createTextNode(' ' + cat.label + (kindLabel(row) ? ' · ' + kindLabel(row) : '')));
    box.appendChild(p);
    var dl = el('dl'), labels = S.data.assets.labels || {};
    S.data.assets.fields.slice(6).forEach(function (f) {
      var v = get(row, f);
      if (v === null || v === '') return;
      dl.appendChild(el('dt', null, labels[f] || f));
      var dd = el('dd'), url = f === 'website' ? safeUrl(v) : null;
      if (url) {
        var a = el('a', { rel: 'noopener noreferrer', target: '_blank' }, v);
        a.href = url;
        dd.appendChild(a);
      } else { dd.textContent = String(v); }
      dl.appendChild(dd);
    });
    if (dl.childNodes.length) box.appendChild(dl);
    if (get(row, 'lon') === null) box.appendChild(el('p', null, 'This asset has no location yet.'));
    return box;
  }

  /* A public map's neighbourhood popup: what is near and what is missing, in one or two sentences each
   * (core/export/resident.py words them); the team's figures and caveats stay in the app and the report. */
  function residentPopup(h, box) {
    var r = h.resident, mapped = h.counts ? S.cats.filter(function (c) { return h.counts[c.id]; }) : [];
    if (mapped.length) {
      box.appendChild(el('p', null, 'Mapped here: ' + mapped.map(function (c) {
        return c.label.toLowerCase() + ' (' + h.counts[c.id] + ')'; }).join(', ') + '.'));
    }
    if (r.near) box.appendChild(el('p', null, r.near));
    if (r.missing && r.missing.length) {
      box.appendChild(el('h4', null, 'Missing nearby'));
      var ul = el('ul', { 'class': 'am-flags' });
      r.missing.forEach(function (text) { ul.appendChild(el('li', null, text)); });
      box.appendChild(ul);
    }
  }
  function hoodPopup(h) {
    var box = el('div', { 'class': 'am-popup' }), ind = S.data.indicator, rule = ruleById(ind);
    box.appendChild(el('h3', { tabindex: '-1' }, h.name));
    if (h.resident) { residentPopup(h, box); skillsPart(h, box); return box; }
    var dl = el('dl');
    function row(k, v) { if (v === undefined || v === null || v === '') return; dl.appendChild(el('dt', null, k)); dl.appendChild(el('dd', null, v)); }
    row('Code', h.code);
    row('Population', h.population !== undefined ? h.population.toLocaleString('en-GB') : null);
    row('Deprivation (IMD decile, 1 = most deprived)', h.imd_decile);
    if (ind && h.coverage && h.coverage[ind] !== undefined) row(rule ? rule.title : ind, pct(h.coverage[ind]));
    if (h.priority !== undefined) row('Priority rank', h.priority);
    if (h.counts) row('Assets', S.cats.map(function (c) { return c.label + ': ' + (h.counts[c.id] || 0); }).join('; '));
    box.appendChild(dl);
    if (h.flags && h.flags.length) {
      box.appendChild(el('h4', null, 'Gaps flagged'));
      var ul = el('ul', { 'class': 'am-flags' });
      h.flags.forEach(function (f) {
        var li = el('li');
        if (f.severity) li.appendChild(el('strong', null, f.severity + ': '));
        li.appendChild(document.createTextNode(f.message || f.rule || ''));
        ul.appendChild(li);
      });
      box.appendChild(ul);
    }
    skillsPart(h, box);
    return box;
  }
  function skillsPart(h, box) {
    if (h.skills) {
      var names = Object.keys(h.skills.counts || {});
      box.appendChild(el('h4', null, 'Skills residents offer'));
      box.appendChild(el('p', null, names.length ? names.map(function (s) { return s + ' (' + h.skills.counts[s] + ')'; }).join(', ') : 'None to show.'));
      if (h.skills.suppressed) box.appendChild(el('p', { 'class': 'am-note' }, 'Skills offered by fewer than 3 people are not shown, so no one can be identified.'));
      (h.skills.people || []).forEach(function (p) { box.appendChild(el('p', null, p.name + ': ' + (p.skills || '') + (p.contact ? ' (' + p.contact + ')' : ''))); });
    }
  }
  function ruleById(id) { return (S.data.rules || []).filter(function (r) { return r.id === id; })[0] || null; }

  /* ---- layers ---------------------------------------------------------------------------- */
  function clusterIcon(cat, ci) {
    return function (cluster) {
      var n = cluster.getChildCount();
      return L.divIcon({
        className: 'am-cluster am-cat-' + ci, iconSize: L.point(40, 40),
        html: svg(cat.shape, cat.color, 40) + '<span class="am-cluster-count" data-count="' + n + '">' + n +
          '</span><span class="am-visually-hidden"> ' + esc(cat.label) + ', zoom in</span>'
      });
    };
  }
  function outlineText() {
    var hoods = S.data.neighbourhoods || [], marked = hoods.filter(function (h) { return h.attention; }).length;
    if (hoods.some(function (h) { return h.attention !== undefined; })) {
      return ' Thick dashed outline: the ' + marked + ' neighbourhood' + (marked === 1 ? '' : 's') +
        ' that need attention most (the top tenth by priority); every gap is in its popup';
    }
    return ' Thick dashed outline: a medium or high gap is flagged (all flags are in its popup)';
  }
  function hoodStyle(h) {
    var ind = S.data.indicator, v = ind && h.coverage ? h.coverage[ind] : undefined, flagged = h.attention !== undefined ? h.attention : (h.flags && h.flags.some(function (f) { return f.severity !== 'low'; }));
    var fill = v === undefined || v === null ? null : FILLS[BREAKS.filter(function (b) { return v >= b; }).length];
    return { color: flagged ? '#000000' : '#555555', weight: flagged ? 3.5 : 1, dashArray: flagged ? '8 5' : null,
             fillColor: fill || '#ffffff', fillOpacity: fill ? 0.55 : 0, pane: 'am-hoods' };
  }

  function clearLayers() {
    S.overlays.forEach(function (o) { S.map.removeLayer(o); });
    if (S.hoods) S.map.removeLayer(S.hoods);
    if (S.control) S.map.removeControl(S.control);
    if (S.legend) S.map.removeControl(S.legend);
    S.overlays = []; S.markers = {}; S.hoods = null; S.hoodLayers = {}; S.control = null; S.legend = null;
    S.catLayers = {}; S.areaLayers = {};
  }

  function buildLayers() {
    var map = S.map, overlays = {}, data = S.data;
    if (!map.getPane('am-hoods')) { map.createPane('am-hoods').style.zIndex = 350; }
    if (data.neighbourhoods && data.neighbourhoods.length) {
      var feats = data.neighbourhoods.filter(function (h) { return h.g; }).map(function (h) { return { type: 'Feature', geometry: h.g, properties: h }; });
      S.hoods = L.geoJSON(feats, {
        style: function (ft) { return hoodStyle(ft.properties); },
        renderer: feats.length > 1000 ? L.canvas({ pane: 'am-hoods' }) : undefined,
        onEachFeature: function (ft, layer) {
          layer.bindPopup(function () { return hoodPopup(ft.properties); }, POPUP);
          S.hoodLayers[ft.properties.code] = layer;
        }
      }).addTo(map);
      var rule = ruleById(data.indicator);
      overlays[esc('Neighbourhoods' + (data.indicator ? ': ' + (rule ? rule.title : data.indicator) : ''))] = S.hoods;
    }
    var areasByCat = {};
    (data.areas || []).forEach(function (a) { var r = S.rows[a.a]; (areasByCat[r[2]] = areasByCat[r[2]] || []).push(a); });
    S.cats.forEach(function (cat, ci) {
      var rows = S.rows.filter(function (r) { return r[2] === ci; });
      if (!rows.length) return;
      var c = categoryLayer(ci), markers = [];
      (areasByCat[ci] || []).forEach(function (a) { footprint(c, S.rows[a.a], a.g); });
      rows.forEach(function (row) { var m = assetMarker(c, row); if (m) markers.push(m); });
      S.pending += 1;
      c.group.addLayers(markers);
      if (!c.group._map) chunkDone(1, 1); // not on a loaded map yet: clustered when it is
      overlays['<span class="am-swatch">' + svg(cat.shape, cat.color, 16) + '</span> ' + esc(cat.label) +
               ' <span class="am-count">(' + rows.length + ')</span>'] = c.layer;
    });
    S.control = L.control.layers(null, overlays, { collapsed: false, position: 'topright' }).addTo(map);
    var lc = S.control.getContainer();
    lc.removeAttribute('aria-haspopup'); // Leaflet's, for its collapsed form; this one is always open
    lc.setAttribute('role', 'group'); // a plain div may not carry a name; a group of checkboxes may
    lc.setAttribute('aria-label', 'Map layers');
    S.legend = legendControl().addTo(map);
    if (!S.pending) finishReady();
  }
  /* One category's layer (footprints under clustered markers), made the first time it has something to draw. */
  function categoryLayer(ci) {
    if (S.catLayers[ci]) return S.catLayers[ci];
    var cat = S.cats[ci];
    var icon = L.divIcon({ className: 'am-marker am-cat-' + ci, html: svg(cat.shape, cat.color, 22), iconSize: [22, 22], iconAnchor: [11, 11], popupAnchor: [0, -10] });
    var group = L.markerClusterGroup({ chunkedLoading: true, showCoverageOnHover: false, maxClusterRadius: 45,
      spiderfyOnMaxZoom: true, iconCreateFunction: clusterIcon(cat, ci), chunkProgress: chunkDone });
    var areas = L.featureGroup(), layer = L.layerGroup([areas, group]).addTo(S.map);
    S.overlays.push(layer);
    return (S.catLayers[ci] = { icon: icon, group: group, areas: areas, layer: layer });
  }
  function footprint(c, row, g) {
    var cat = catOf(row);
    var f = L.geoJSON(g, { style: { color: cat.color, weight: 2, fillColor: cat.color, fillOpacity: 0.25 } })
      .bindPopup(function () { return assetPopup(row); }, POPUP)
      .on('click', function () { notify(row[0], 'map'); });
    f._amId = row[0];
    f.eachLayer(function (part) { part._amId = row[0]; }); // a popup's source is the part clicked
    f.addTo(c.areas);
    (S.areaLayers[row[0]] = S.areaLayers[row[0]] || []).push({ layer: f, group: c.areas });
  }
  function assetMarker(c, row) {
    var lon = row[4], lat = row[5];
    if (lon === null || lon === undefined || lat === null || lat === undefined) return null;
    var m = L.marker([lat, lon], { icon: c.icon, title: String(row[1]), keyboard: true });
    m.bindPopup(function () { return assetPopup(row); }, POPUP);
    m.on('click', function () { notify(row[0], 'map'); });
    m._assetCat = row[2]; m._amId = row[0];
    S.markers[row[0]] = { marker: m, group: c.group, layer: c.layer };
    return m;
  }
  function chunkDone(done, total) {
    if (done >= total) { S.pending -= 1; if (S.pending <= 0) setTimeout(finishReady, 0); }
  }
  function finishReady() {
    api.ready = true;
    document.documentElement.setAttribute('data-assetmap-ready', '1');
    document.dispatchEvent(new CustomEvent('assetmap:ready'));
  }

  function legendControl() {
    var ctl = L.control({ position: 'bottomright' });
    ctl.onAdd = function () {
      var box = el('div', { 'class': 'am-legend leaflet-bar', role: 'region', 'aria-labelledby': 'am-legend-title' });
      L.DomEvent.disableClickPropagation(box); L.DomEvent.disableScrollPropagation(box);
      var head = el('div', { 'class': 'am-legend-head' });
      head.appendChild(el('h2', { id: 'am-legend-title' }, 'Legend'));
      var toggle = el('button', { type: 'button', 'aria-expanded': 'true', 'aria-controls': 'am-legend-body' });
      head.appendChild(toggle); box.appendChild(head);
      var body = el('div', { id: 'am-legend-body' });
      function label(open) { // "Hide legend" to a screen reader; the box already says Legend on screen
        toggle.textContent = open ? 'Hide' : 'Show';
        toggle.appendChild(el('span', { 'class': 'am-visually-hidden' }, ' legend'));
      }
      label(true);
      toggle.addEventListener('click', function () {
        var open = body.hidden; body.hidden = !open; toggle.setAttribute('aria-expanded', String(open)); label(open);
      });
      var ul = el('ul', { 'class': 'am-legend-cats' });
      S.cats.forEach(function (c) { var li = el('li'); li.appendChild(swatch(c, 16)); li.appendChild(document.createTextNode(' ' + c.label)); ul.appendChild(li); });
      body.appendChild(ul);
      var ind = S.data.indicator;
      if (ind) {
        var rule = ruleById(ind) || { title: ind };
        body.appendChild(el('h3', null, rule.title || ind));
        var bins = el('ul', { 'class': 'am-legend-bins' }), edges = [0].concat(BREAKS, [1]);
        FILLS.forEach(function (f, i) {
          var li = el('li'), box2 = el('span', { 'class': 'am-bin' }); box2.style.background = f;
          li.appendChild(box2); li.appendChild(document.createTextNode(' ' + pct(edges[i]) + '–' + pct(edges[i + 1]))); bins.appendChild(li);
        });
        var none = el('li'), nb = el('span', { 'class': 'am-bin am-bin-none' }); none.appendChild(nb); none.appendChild(document.createTextNode(' No result')); bins.appendChild(none);
        var fl = el('li'), fb = el('span', { 'class': 'am-bin am-bin-flag' }); fl.appendChild(fb); fl.appendChild(document.createTextNode(outlineText())); bins.appendChild(fl);
        body.appendChild(bins);
        body.appendChild(el('p', { 'class': 'am-note', id: 'am-legend-note' }, indicatorNote(rule)));
      }
      box.appendChild(body);
      return box;
    };
    return ctl;
  }
  function indicatorNote(rule) {
    var t = rule.target, target = t === undefined || t === null ? '' : ' Target: ' + (t <= 1 ? pct(t) : t + '%') + '.';
    var dist = rule.distance_m ? ' within ' + rule.distance_m + ' m in a straight line of a qualifying asset' : ' covered';
    return 'Shading shows the share of each neighbourhood' + dist + ' (' + (rule.title || rule.id) + ').' + target +
      (rule.source ? ' Source: ' + rule.source + (/[.!?]$/.test(rule.source) ? '' : '.') : '') + ' Darker means better covered.';
  }

  /* ---- list and search ------------------------------------------------------------------- */
  function fillFilters() {
    var sel = $('am-filter-category'); if (!sel) return;
    while (sel.options.length > 1) sel.remove(1);
    S.cats.forEach(function (c, i) { if (c.count) sel.appendChild(el('option', { value: String(i) }, c.label + ' (' + c.count + ')')); });
  }
  function applyFilter() {
    var sel = $('am-filter-category'), txt = $('am-filter-text');
    var ci = sel && sel.value !== '' ? Number(sel.value) : null, q = txt ? txt.value.trim().toLowerCase() : '';
    S.filtered = S.order.filter(function (i) {
      var r = S.rows[i]; return (ci === null || r[2] === ci) && (!q || String(r[1]).toLowerCase().indexOf(q) >= 0);
    });
    S.page = 0; renderPage();
  }
  function renderPage() {
    var body = $('am-list-body'); if (!body) return;
    var n = S.filtered.length, pages = Math.max(1, Math.ceil(n / PAGE_SIZE)), start = S.page * PAGE_SIZE;
    var frag = document.createDocumentFragment();
    S.filtered.slice(start, start + PAGE_SIZE).forEach(function (i) {
      var r = S.rows[i], tr = el('tr', { 'data-id': r[0] }), th = el('th', { scope: 'row' });
      if (r[4] !== null && r[4] !== undefined) {
        var b = el('button', { type: 'button', 'class': 'am-rowbtn' }, r[1]);
        b.addEventListener('click', function () { showFrom(b, r[0]); notify(r[0], 'list'); });
        th.appendChild(b);
      } else { th.textContent = r[1]; th.appendChild(el('span', { 'class': 'am-note' }, ' (no location)')); }
      tr.appendChild(th); tr.appendChild(el('td', null, catOf(r).label)); tr.appendChild(el('td', null, kindLabel(r)));
      tr.appendChild(el('td', null, get(r, 'address') || ''));
      frag.appendChild(tr);
    });
    body.textContent = ''; body.appendChild(frag);
    $('am-list-status').textContent = n ? 'Showing ' + (start + 1) + '–' + Math.min(n, start + PAGE_SIZE) + ' of ' + n + ' assets.' : 'No assets match.';
    $('am-page').textContent = 'Page ' + (S.page + 1) + ' of ' + pages;
    $('am-prev').disabled = S.page === 0; $('am-next').disabled = S.page >= pages - 1;
  }
  function keepFocus(pressed, other) { // a button that turns disabled drops focus to the page: keep it in the pager
    if (pressed.disabled && document.activeElement !== other) other.focus();
  }
  function showFrom(from, id) { // select an asset from the page; its popup takes focus and returns it to `from`
    S.returnTo = from;
    if (!api.selectAsset(id)) S.returnTo = null;
  }

  /* ---- the list of neighbourhoods: the shading and gap results as text ------------------- */
  function hoodOrder() {
    var coll = new Intl.Collator('en-GB', { sensitivity: 'base', numeric: true });
    S.hoodOrder = (S.data.neighbourhoods || []).slice().sort(function (a, b) { return coll.compare(String(a.name), String(b.name)); });
    S.hoodPage = 0;
  }
  function flagSummary(h) {
    if (!h.flags) return 'Not analysed';
    if (!h.flags.length) return 'None';
    var n = {}, order = [];
    h.flags.forEach(function (f) { var k = String(f.severity || 'other'); if (!(k in n)) { n[k] = 0; order.push(k); } n[k] += 1; });
    return order.map(function (k) { return n[k] + ' ' + k; }).join(', ');
  }
  function renderHoods() {
    var sec = $('am-hoodlist'), body = $('am-hood-body'); if (!sec || !body) return;
    var hoods = S.hoodOrder, n = hoods.length;
    sec.hidden = !n;
    if (!n) { body.textContent = ''; return; }
    var ind = S.data.indicator, rule = ind ? ruleById(ind) || { id: ind, title: ind } : null;
    $('am-hood-indicator').textContent = rule ? (rule.title || ind) + ' (share covered)' : 'Share covered';
    $('am-hoodlist-note').textContent = rule ? indicatorNote(rule) : 'No gap analysis results to show.';
    var pages = Math.max(1, Math.ceil(n / PAGE_SIZE)); if (S.hoodPage > pages - 1) S.hoodPage = pages - 1;
    var start = S.hoodPage * PAGE_SIZE, frag = document.createDocumentFragment();
    hoods.slice(start, start + PAGE_SIZE).forEach(function (h) {
      var tr = el('tr', { 'data-code': h.code }), th = el('th', { scope: 'row' }), v = ind && h.coverage ? h.coverage[ind] : undefined;
      if (S.hoodLayers[h.code]) {
        var b = el('button', { type: 'button', 'class': 'am-rowbtn' }, h.name);
        b.addEventListener('click', function () { S.returnTo = b; if (!showHood(h.code)) S.returnTo = null; });
        th.appendChild(b);
      } else { th.textContent = h.name; }
      tr.appendChild(th);
      tr.appendChild(el('td', null, v === undefined || v === null ? 'No result' : pct(v)));
      tr.appendChild(el('td', null, flagSummary(h)));
      tr.appendChild(el('td', null, h.priority === undefined ? '' : h.priority));
      frag.appendChild(tr);
    });
    body.textContent = ''; body.appendChild(frag);
    $('am-hood-page').textContent = 'Page ' + (S.hoodPage + 1) + ' of ' + pages;
    $('am-hood-prev').disabled = S.hoodPage === 0; $('am-hood-next').disabled = S.hoodPage >= pages - 1;
  }
  function showHood(code) {
    var layer = S.hoodLayers[code]; if (!layer || !S.hoods) return false;
    if (!S.map.hasLayer(S.hoods)) S.map.addLayer(S.hoods);
    S.map.fitBounds(layer.getBounds(), { padding: [20, 20], maxZoom: 16, animate: false });
    var at; try { at = layer.getCenter(); } catch (e) { at = layer.getBounds().getCenter(); }
    layer.openPopup(at);
    return true;
  }

  function wireList() {
    if (!$('am-list-body') || $('am-list-body').getAttribute('data-wired')) return;
    $('am-list-body').setAttribute('data-wired', '1');
    $('am-filter-category').addEventListener('change', applyFilter);
    $('am-filter-text').addEventListener('input', applyFilter);
    $('am-prev').addEventListener('click', function () { if (S.page > 0) { S.page -= 1; renderPage(); keepFocus($('am-prev'), $('am-next')); } });
    $('am-next').addEventListener('click', function () { S.page += 1; renderPage(); keepFocus($('am-next'), $('am-prev')); });
    if ($('am-hood-prev')) {
      $('am-hood-prev').addEventListener('click', function () { if (S.hoodPage > 0) { S.hoodPage -= 1; renderHoods(); keepFocus($('am-hood-prev'), $('am-hood-next')); } });
      $('am-hood-next').addEventListener('click', function () { S.hoodPage += 1; renderHoods(); keepFocus($('am-hood-next'), $('am-hood-prev')); });
    }
    wireSearch();
    var side = $('am-side');
    if (side) side.addEventListener('focusin', function (e) { // not hidden under a table's sticky header
      var t = e.target, table = t.closest ? t.closest('table') : null, head = table && table.tHead;
      if (!head || head.contains(t)) return;
      requestAnimationFrame(function () { // the header cells are the sticky part
        var hb = head.rows[0].cells[0].getBoundingClientRect(), tb = t.getBoundingClientRect();
        if (tb.top < hb.bottom && tb.bottom > hb.top) side.scrollTop -= hb.bottom - tb.top + 6;
      });
    });
  }
  function wireSearch() {
    var input = $('am-search-input'), list = $('am-search-results'), active = -1, hits = [];
    if (!input) return;
    function close() { list.hidden = true; input.setAttribute('aria-expanded', 'false'); input.removeAttribute('aria-activedescendant'); active = -1; }
    function choose(i) { var r = S.rows[hits[i]]; input.value = r[1]; close(); showFrom(input, r[0]); notify(r[0], 'search'); }
    function mark() {
      Array.prototype.forEach.call(list.children, function (li, i) { li.setAttribute('aria-selected', String(i === active)); });
      if (active >= 0) input.setAttribute('aria-activedescendant', 'am-opt-' + active);
    }
    input.addEventListener('input', function () {
      var q = input.value.trim().toLowerCase(); list.textContent = ''; hits = [];
      if (!q) { close(); return; }
      var starts = [], contains = [];
      for (var k = 0; k < S.order.length && starts.length < 10; k++) {
        var i = S.order[k], r = S.rows[i], name = String(r[1]).toLowerCase(), at = name.indexOf(q);
        if (r[4] === null || r[4] === undefined) continue;
        if (at === 0) starts.push(i); else if (at > 0 && contains.length < 10) contains.push(i);
      }
      hits = starts.concat(contains).slice(0, 10);
      hits.forEach(function (i, n) {
        var r = S.rows[i], li = el('li', { role: 'option', id: 'am-opt-' + n, 'aria-selected': 'false' }, r[1]);
        li.appendChild(el('span', { 'class': 'am-note' }, ' · ' + catOf(r).label));
        li.addEventListener('mousedown', function (e) { e.preventDefault(); choose(n); });
        list.appendChild(li);
      });
      if (!hits.length) list.appendChild(el('li', { role: 'option', 'aria-disabled': 'true' }, 'No asset with that name'));
      list.hidden = false; input.setAttribute('aria-expanded', 'true'); active = -1;
      announce(hits.length ? hits.length + (hits.length === 1 ? ' match' : ' matches') + ': down arrow to choose.' : 'No asset with that name.');
    });
    input.addEventListener('keydown', function (e) {
      if (e.key === 'ArrowDown' && hits.length) { active = Math.min(active + 1, hits.length - 1); mark(); e.preventDefault(); }
      else if (e.key === 'ArrowUp' && hits.length) { active = Math.max(active - 1, 0); mark(); e.preventDefault(); }
      else if (e.key === 'Enter' && hits.length) { choose(active >= 0 ? active : 0); e.preventDefault(); }
      else if (e.key === 'Escape') { close(); }
    });
    input.addEventListener('blur', function () { setTimeout(close, 150); });
  }

  /* ---- public API ------------------------------------------------------------------------ */
  api.setData = function (data, opts) {
    if (typeof data === 'string') data = JSON.parse(data);
    var first = !S.data;
    api.ready = false; document.documentElement.removeAttribute('data-assetmap-ready');
    clearLayers();
    S.data = data; S.f = {}; data.assets.fields.forEach(function (f, i) { S.f[f] = i; });
    S.cats = data.categories; S.kinds = data.assets.kinds; S.rows = data.assets.rows; S.byId = {};
    S.rows.forEach(function (r, i) { S.byId[r[0]] = i; });
    var coll = new Intl.Collator('en-GB', { sensitivity: 'base', numeric: true });
    S.order = S.rows.map(function (r, i) { return i; }).sort(function (a, b) { return coll.compare(String(S.rows[a][1]), String(S.rows[b][1])); });
    var m = data.meta || {};
    document.title = (m.private && $('am-private') ? 'Private: ' : '') + (m.title || 'Community assets');
    if ($('am-title')) $('am-title').textContent = m.title || '';
    if ($('am-description')) $('am-description').textContent = m.description || '';
    if (first || (opts && opts.fit)) api.fitAll(false); // before the layers: clustering needs a view
    buildLayers();
    fillFilters(); wireList(); applyFilter(); hoodOrder(); renderHoods();
  };
  api.fitAll = function (animate) {
    var b = S.data && S.data.bounds, o = { animate: animate !== false };
    if (b && (b[0][0] !== b[1][0] || b[0][1] !== b[1][1])) S.map.fitBounds(b, L.extend({ padding: [20, 20], maxZoom: 17 }, o));
    else if (b) S.map.setView(b[0], 15, o);
    else S.map.setView([54.0, -2.0], 6, o);
  };
  api.selectAsset = function (id, opts) {
    var hit = S.markers[id], i = S.byId[id], seq = ++S.selectSeq, move = !opts || opts.move !== false;
    if (i === undefined) return false;
    var name = S.rows[i][1];
    Array.prototype.forEach.call(document.querySelectorAll('#am-list-body tr.am-selected'), function (tr) { tr.classList.remove('am-selected'); });
    Array.prototype.forEach.call(document.querySelectorAll('#am-list-body tr'), function (tr) { if (tr.getAttribute('data-id') === id) tr.classList.add('am-selected'); });
    if (!hit) { announce(name + ' has no location on the map.'); return false; }
    if (!move) { // keep the view: reopen the popup only where the marker already shows
      if (S.map.hasLayer(hit.layer) && hit.group.getVisibleParent(hit.marker) === hit.marker && !hit.marker.isPopupOpen()) {
        var popup = hit.marker.getPopup(), pan = popup.options.autoPan;
        popup.options.autoPan = false; hit.marker.openPopup(); popup.options.autoPan = pan;
      }
      return true;
    }
    if (!S.map.hasLayer(hit.layer)) S.map.addLayer(hit.layer);
    reveal(id, seq);
    announce('Showing ' + name + ' on the map.');
    return true;
  };
  /* Zoom to a marker, then open its popup: one at a time, once the map and its clusters are still, and
   * only for the newest selection. Leaflet ignores a zoom asked for during another's animation, and the
   * cluster layer drops its callback when the map stops while it is still animating, so quick
   * selections used to end on the wrong popup, or on none. */
  function still() {
    if (S.map._animatingZoom || (S.map._panAnim && S.map._panAnim._inProgress)) return false;
    return !Object.keys(S.catLayers).some(function (k) { return S.catLayers[k].group._inZoomAnimation > 0; });
  }
  function reveal(id, seq) {
    S.nextReveal = { id: id, seq: seq };
    if (!S.revealing) revealNext(0);
  }
  function revealNext(waited) {
    var want = S.nextReveal;
    if (!want || want.seq !== S.selectSeq) { S.nextReveal = null; S.revealing = false; return; }
    S.revealing = true;
    if (!still() && waited < 3000) { setTimeout(function () { revealNext(waited + 50); }, 50); return; }
    S.nextReveal = null;
    var hit = S.markers[want.id];
    if (!hit) { S.revealing = false; return; }
    var done = false, timer = null;
    function finish() {
      if (done) return;
      done = true; clearTimeout(timer); S.revealing = false;
      if (S.nextReveal) { setTimeout(function () { revealNext(0); }, 0); return; } // a newer one waited for this
      if (want.seq === S.selectSeq && S.markers[want.id] === hit) hit.marker.openPopup();
    }
    timer = setTimeout(finish, 3000); // the marker was redrawn or removed meanwhile: stop waiting for it
    hit.group.zoomToShowLayer(hit.marker, finish);
  }
  api.forgetSelection = function () { S.selectSeq += 1; }; // a selection's popup still on its way never opens
  api.settled = function () { return !!S.map && !S.revealing && still(); };

  /* Redraw only the assets a change names (an edit in the desktop app), keeping the view and the rest. */
  function dropDrawn(id) {
    var hit = S.markers[id];
    if (hit) { hit.group.removeLayer(hit.marker); delete S.markers[id]; }
    (S.areaLayers[id] || []).forEach(function (f) { f.group.removeLayer(f.layer); });
    delete S.areaLayers[id];
  }
  function insertByName(order, i, coll) {
    var name = String(S.rows[i][1]), lo = 0, hi = order.length;
    while (lo < hi) { var mid = (lo + hi) >> 1; if (coll.compare(String(S.rows[order[mid]][1]), name) <= 0) lo = mid + 1; else hi = mid; }
    order.splice(lo, 0, i);
  }
  api.applyChanges = function (ch) {
    if (typeof ch === 'string') ch = JSON.parse(ch);
    if (!S.data) return 0;
    var A = S.data.assets, upsert = ch.upsert || [], touched = {}, gone = {}, nGone = 0;
    var coll = new Intl.Collator('en-GB', { sensitivity: 'base', numeric: true });
    if (ch.fields) { A.fields = ch.fields; S.f = {}; ch.fields.forEach(function (f, i) { S.f[f] = i; }); }
    if (ch.labels) A.labels = ch.labels;
    if (ch.kinds) { A.kinds = ch.kinds; S.kinds = ch.kinds; }
    (ch.remove || []).forEach(function (id) { touched[id] = true; if (S.byId[id] !== undefined && !gone[id]) { gone[id] = true; nGone += 1; } });
    upsert.forEach(function (r) { touched[r[0]] = true; });
    Object.keys(touched).forEach(dropDrawn);
    var before = S.rows.map(function (r) { return r[0]; }), out = {};
    Object.keys(touched).forEach(function (id) { if (S.byId[id] !== undefined) out[S.byId[id]] = true; });
    var order = S.order.filter(function (i) { return !out[i]; });
    upsert.forEach(function (r) {
      var i = S.byId[r[0]];
      if (i === undefined) { S.byId[r[0]] = S.rows.length; S.rows.push(r); } else { S.rows[i] = r; }
    });
    if (nGone) { // close the gaps the removed rows leave, renumbering the rest
      var renumber = [], rows = [];
      S.rows.forEach(function (r) { if (gone[r[0]]) renumber.push(-1); else { renumber.push(rows.length); rows.push(r); } });
      order = order.map(function (i) { return renumber[i]; });
      S.rows = A.rows = rows; S.byId = {};
      rows.forEach(function (r, i) { S.byId[r[0]] = i; });
    }
    upsert.forEach(function (r) { insertByName(order, S.byId[r[0]], coll); });
    S.order = order;
    var newAreas = ch.areas || {};
    if ((S.data.areas && S.data.areas.length) || Object.keys(newAreas).length) {
      var areas = (S.data.areas || []).filter(function (a) { return !touched[before[a.a]]; })
        .map(function (a) { return { a: S.byId[before[a.a]], g: a.g }; });
      upsert.forEach(function (r) { (newAreas[r[0]] || []).forEach(function (g) { areas.push({ a: S.byId[r[0]], g: g }); }); });
      S.data.areas = areas;
    }
    upsert.forEach(function (r) {
      var c = categoryLayer(r[2]), m = assetMarker(c, r);
      (newAreas[r[0]] || []).forEach(function (g) { footprint(c, r, g); });
      if (m) c.group.addLayer(m);
    });
    S.cats.forEach(function (c) { c.count = 0; });
    S.rows.forEach(function (r) { S.cats[r[2]].count += 1; });
    var page = S.page;
    fillFilters(); applyFilter();
    if (page) { S.page = Math.min(page, Math.max(0, Math.ceil(S.filtered.length / PAGE_SIZE) - 1)); renderPage(); }
    return upsert.length + nGone;
  };
  function clearOfControls(node) {
    // Leaflet pans a popup into the map but not out from under the layers box and legend, which are
    // drawn above it: pan on, if the popup then still fits, so nothing in it is hidden.
    var box = S.map.getContainer().getBoundingClientRect(), r = node.getBoundingClientRect(), shift = 0;
    Array.prototype.forEach.call(S.map.getContainer().querySelectorAll('.leaflet-right .leaflet-control'), function (c) {
      var q = c.getBoundingClientRect();
      if (q.width && q.left < r.right && q.right > r.left && q.top < r.bottom && q.bottom > r.top) shift = Math.max(shift, r.right - q.left + 8);
    });
    if (shift > 0 && r.left - shift >= box.left + 8 && node.isConnected) S.map.panBy([shift, 0]);
  }
  function wireKeyboard(map) {
    var box = map.getContainer(), corners = box.querySelector('.leaflet-control-container');
    // Controls first in the tab order (Leaflet puts them after every marker): zoom, layers and legend
    // are a few Tabs from the map, not a few hundred. Their z-index keeps them drawn above the map.
    if (corners && box.firstChild !== corners) box.insertBefore(corners, box.firstChild);
    box.addEventListener('keydown', function (e) {
      var t = e.target;
      if (t === box || (e.key !== ' ' && e.key !== 'Spacebar') || t.getAttribute('role') !== 'button') return;
      // Leaflet's role="button" links and marker icons answer Enter only; buttons answer Space too.
      e.preventDefault();
      t.click();
      if (t.classList.contains('am-cluster')) box.focus({ preventScroll: true }); // its icon goes as it opens up
    });
    map.on('autopanstart', function () { S.autopanning = true; }); // a popup's own pan, before 'popupopen'
    map.on('moveend', function () { S.autopanning = false; });
    map.on('popupopen', function (e) {
      var node = e.popup.getElement(), active = document.activeElement;
      var from = S.returnTo || (active && active !== box && box.contains(active) && !node.contains(active) ? active : null);
      S.returnTo = null;
      S.popupReturn = from ? { popup: e.popup, el: from } : null;
      if (!node.getAttribute('data-am-keys')) {
        node.setAttribute('data-am-keys', '1');
        node.addEventListener('keydown', function (k) {
          if (k.key === 'Escape') { k.preventDefault(); k.stopPropagation(); map.closePopup(); }
        });
      }
      if (S.autopanning) map.once('moveend', function () { clearOfControls(node); }); else clearOfControls(node);
      var head = from && node.querySelector('.am-popup h3');
      if (head) head.focus({ preventScroll: true }); // the map does not scroll under Leaflet's feet
    });
    map.on('popupclose', function (e) {
      var back = S.popupReturn; if (!back || back.popup !== e.popup) return;
      S.popupReturn = null;
      var node = e.popup.getElement(), active = document.activeElement;
      if (active && active !== document.body && !(node && node.contains(active))) return; // focus moved on: leave it
      var to = document.body.contains(back.el) ? back.el : box; // a marker may have gone into a cluster
      to.focus(box.contains(to) ? { preventScroll: true } : undefined);
    });
  }
  api.init = function (map, options) {
    S.map = map; api.map = map; api.options = options || {};
    wireKeyboard(map);
    map.on('click', function (e) { if (typeof api.onMapClick === 'function') api.onMapClick(e.latlng.lat, e.latlng.lng); });
    var warned = false;
    map.eachLayer(function (layer) {
      if (layer instanceof L.TileLayer) layer.on('tileerror', function () {
        if (warned) return; warned = true;
        var s = $('am-basemap-status'); if (s) s.textContent = 'The background map could not be loaded (offline?); the assets are shown without it.';
      });
    });
    var node = document.getElementById('assetmap-data');
    if (node) api.setData(JSON.parse(node.textContent));
  };
  window.assetmap = api;
})();
