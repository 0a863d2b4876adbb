/* Desktop side of the map page: wires the export page's API (resources/web/assetmap.js) to the
 * Python MapBridge over QWebChannel. Inlined after assetmap.js by assetmap/gui/map_view.py;
 * it only wraps assetmap.init and uses the public API plus Leaflet events.
 *
 * Three rules it keeps:
 * - adding or placing: a click anywhere on the map places (the desktop CSS lets clicks through every
 *   layer while the container has the am-placing class) and no popup opens;
 * - the view moves only when Python asks to show something (select with reveal, showHood, fitBounds);
 *   redraws and changes keep it;
 * - the open asset popup is the selected asset's or none.
 */
(function () {
  'use strict';
  var api = window.assetmap;
  var D = { bridge: null, data: null, byId: {}, addMode: false, selectedId: null, popupId: null, popup: null,
            dragMarker: null, lastPopupMarker: null, pending: null, ready: false, scores: {}, scoreLayer: null,
            legendOpen: false, hood: null, hoodCode: null, draws: 0, changes: 0, waiting: null };
  var SCORE_BINS = [20, 40, 60, 80];
  var SCORE_SHADES = ['#f2f0f7', '#cbc9e2', '#9e9ac8', '#6a51a3', '#3f007d']; // light = low, dark = high
  // The chosen neighbourhood: yellow on a black halo, unlike the blue shading, grey outlines and dashed gaps.
  var HOOD_HALO = { color: '#000000', weight: 8, opacity: 0.85, fill: false };
  var HOOD_LINE = { color: '#ffd400', weight: 4, opacity: 1, fill: false };
  window.assetmapDesktop = D;

  function call(name) {
    var args = Array.prototype.slice.call(arguments, 1);
    if (D.bridge && typeof D.bridge[name] === 'function') D.bridge[name].apply(D.bridge, args);
  }
  /* A script error while drawing would leave a stale map without a word: the app is told (and logs it). */
  function reporting(what, fn) {
    try { fn(); } catch (err) { call('onPageError', what, String(err && err.stack || err)); }
  }
  function parse(text) { return typeof text === 'string' ? JSON.parse(text) : text; }
  function rowObject(r) {
    var o = {}, f = D.data.assets.fields;
    f.forEach(function (name, i) { o[name] = i < r.length ? r[i] : null; });
    o.category = D.data.categories[r[2]].id;
    return o;
  }
  function stopDragging() {
    if (D.dragMarker && D.dragMarker.dragging) D.dragMarker.dragging.disable();
    D.dragMarker = null;
  }
  /* After a redraw or a change: the selected asset's popup comes back if it was open and its marker is in
   * view; the map does not move for it. */
  function keepSelection(reopen) {
    if (!D.selectedId || !D.byId[D.selectedId] || D.addMode) return;
    if (D.waiting === D.selectedId) { D.waiting = null; api.selectAsset(D.selectedId, { move: true }); return; }
    if (reopen) api.selectAsset(D.selectedId, { move: false });
  }

  D.setData = function (text) {
    var data = parse(text), reopen = !!D.popupId && D.popupId === D.selectedId;
    D.data = data; D.byId = {};
    data.assets.rows.forEach(function (r) { D.byId[r[0]] = rowObject(r); });
    D.dragMarker = null; D.lastPopupMarker = null;
    api.setData(data);
    applyLegend();
    drawScores();
    keepSelection(reopen);
    D.draws += 1;
    call('onDataShown', data.assets.rows.length);
  };
  /* An edit, undo or redo: only the assets it names are redrawn (see assetmap.applyChanges). */
  D.applyChanges = function (text) {
    var ch = parse(text), touched = {};
    (ch.remove || []).forEach(function (id) { touched[id] = true; });
    (ch.upsert || []).forEach(function (r) { touched[r[0]] = true; });
    var reopen = !!D.popupId && D.popupId === D.selectedId && !!touched[D.selectedId];
    if (D.waiting && D.waiting !== D.selectedId) D.waiting = null;
    if (D.dragMarker && touched[D.dragMarker._amId]) D.dragMarker = null; // its marker is being replaced
    if (D.lastPopupMarker && touched[D.lastPopupMarker._amId]) D.lastPopupMarker = null;
    if (reopen) api.map.closePopup();
    var n = api.applyChanges(ch);
    (ch.remove || []).forEach(function (id) { delete D.byId[id]; });
    (ch.upsert || []).forEach(function (r) { D.byId[r[0]] = rowObject(r); });
    drawScores();
    keepSelection(reopen);
    D.changes += 1;
    call('onChangesShown', n);
  };
  D.row = function (id) { return D.byId[id] || null; };
  /* Select an asset (null: none). reveal (the default) zooms to it and opens its popup; without it the
   * popup opens only if the marker is already in view. */
  D.select = function (id, reveal) {
    D.selectedId = id || null;
    // an asset just added can be selected before the change that draws it arrives: shown once it does
    D.waiting = id && reveal !== false && !D.byId[id] ? id : null;
    if (D.dragMarker && D.dragMarker._amId !== D.selectedId) stopDragging();
    api.forgetSelection(); // an earlier selection's popup still on its way (animated zoom) must not open
    if (!id) { api.map.closePopup(); return false; }
    if (D.popupId && D.popupId !== id) api.map.closePopup(); // another asset's popup: not the selected one
    if (D.addMode) return false; // nothing opens while a click is awaited
    if (D.popupId === id && reveal === false) return true; // clicked on the map: its popup is open already
    return api.selectAsset(id, { move: reveal !== false });
  };
  D.popupAssetId = function () { return D.popupId; };
  D.setAddMode = function (on) {
    D.addMode = !!on;
    api.map.getContainer().classList.toggle('am-placing', D.addMode);
    if (on) {
      api.forgetSelection();
      api.map.closePopup(); // an open popup would hide the spot the user is about to click
      stopDragging();
    }
  };
  D.showPending = function (lat, lon) {
    D.clearPending();
    D.pending = L.circleMarker([lat, lon], { radius: 9, color: '#d00', weight: 3, fillOpacity: 0.2, interactive: false })
      .addTo(api.map);
  };
  D.clearPending = function () { if (D.pending) { api.map.removeLayer(D.pending); D.pending = null; } };
  D.fitBounds = function (south, west, north, east) {
    api.map.fitBounds([[south, west], [north, east]], { padding: [20, 20], maxZoom: 17 });
  };
  /* A neighbourhood chosen in the gap table: outlined (on its own layer, so redraws and hidden
   * neighbourhoods keep it) and shown whole. */
  D.showHood = function (code, geometry) {
    D.clearHood();
    if (!geometry) return false;
    var map = api.map;
    if (!map.getPane('am-hood-sel')) {
      var pane = map.createPane('am-hood-sel'); pane.style.zIndex = 380; pane.style.pointerEvents = 'none';
    }
    var opts = function (style) { return { pane: 'am-hood-sel', interactive: false, style: style }; };
    D.hood = L.featureGroup([L.geoJSON(geometry, opts(HOOD_HALO)), L.geoJSON(geometry, opts(HOOD_LINE))]).addTo(map);
    D.hoodCode = code;
    map.fitBounds(D.hood.getBounds(), { padding: [20, 20], maxZoom: 16, animate: false });
    return true;
  };
  D.clearHood = function () { if (D.hood) { api.map.removeLayer(D.hood); D.hood = null; D.hoodCode = null; } };
  D.hoodOutline = function () {
    if (!D.hood) return null;
    var b = D.hood.getBounds();
    return { code: D.hoodCode, bounds: [[b.getSouth(), b.getWest()], [b.getNorth(), b.getEast()]], color: HOOD_LINE.color };
  };
  /* The legend starts folded on the desktop (the window has a layer panel); the user's choice sticks
   * across redraws. The exported page keeps its own default (open). */
  function applyLegend() {
    var body = document.getElementById('am-legend-body');
    var button = document.querySelector('.am-legend-head button');
    if (!body || !button) return;
    if (!button._amWired) {
      button._amWired = true;
      button.addEventListener('click', function () { D.legendOpen = !body.hidden; });
    }
    if (body.hidden === D.legendOpen) button.click();
  }
  D.legendHidden = function () { var b = document.getElementById('am-legend-body'); return b ? b.hidden : null; };

  /* Assessed buildings: a ring shaded by score with the score written beside it (never colour alone). */
  function scoreShade(s) { return SCORE_SHADES[SCORE_BINS.filter(function (b) { return s >= b; }).length]; }
  function drawScores() {
    var map = api.map;
    if (!map) return;
    if (!map.getPane('am-scores')) {
      var pane = map.createPane('am-scores'); pane.style.zIndex = 590; pane.style.pointerEvents = 'none';
    }
    if (D.scoreLayer) map.removeLayer(D.scoreLayer);
    D.scoreLayer = L.layerGroup().addTo(map);
    Object.keys(D.scores).forEach(function (id) {
      var r = D.byId[id], s = Number(D.scores[id]);
      if (!r || r.lat === null || r.lon === null || r.lat === undefined || !isFinite(s)) return;
      var at = [r.lat, r.lon], text = 'Score ' + String(Math.round(s)); // a number only: safe as tooltip content
      L.circleMarker(at, { pane: 'am-scores', radius: 16, color: '#222222', weight: 9, fill: false, interactive: false })
        .addTo(D.scoreLayer);
      var ring = L.circleMarker(at, { pane: 'am-scores', radius: 16, color: scoreShade(s), weight: 6, fill: false,
                                      interactive: false, className: 'am-score-ring' });
      ring._amAssetId = id; ring._amScore = s;
      ring.bindTooltip(text, { permanent: true, direction: 'right', offset: [20, 0], className: 'am-score-tip' });
      ring.addTo(D.scoreLayer);
    });
  }
  D.setScores = function (scores) { D.scores = scores || {}; drawScores(); };
  D.scoreLabels = function () {
    var out = {};
    if (D.scoreLayer) D.scoreLayer.eachLayer(function (l) { if (l._amAssetId) out[l._amAssetId] = l.getTooltip().getContent(); });
    return out;
  };
  D.markerCount = function () { return document.querySelectorAll('.am-marker, .marker-cluster').length; };

  /* The selected asset's marker can be dragged to move it; the drop goes to Python, which saves it. */
  function makeDraggable(marker) {
    if (!marker || !marker.dragging || D.addMode) return;
    if (D.dragMarker && D.dragMarker !== marker) stopDragging();
    D.dragMarker = marker;
    marker.dragging.enable();
    if (!marker._amDragWired) {
      marker._amDragWired = true;
      marker.on('dragend', function () {
        var p = marker.getLatLng();
        call('onMarkerMoved', marker._amId, p.lat, p.lng);
      });
    }
  }

  var origInit = api.init;
  api.init = function (map, options) {
    origInit(map, options);
    api.onAssetClick = function (id, source) {
      D.selectedId = id;
      if (D.lastPopupMarker && D.lastPopupMarker._amId === id) makeDraggable(D.lastPopupMarker);
      call('onAssetClick', id, source || 'map');
    };
    api.onMapClick = function (lat, lon) { call('onMapClick', lat, lon); };
    map.on('popupopen', function (e) {
      if (D.addMode) { map.closePopup(e.popup); return; } // e.g. Enter on a focused marker: a click is awaited
      var m = e.popup && e.popup._source;
      D.popup = e.popup;
      D.popupId = m && m._amId ? m._amId : null;
      D.lastPopupMarker = m instanceof L.Marker ? m : null;
      if (D.lastPopupMarker && D.popupId && D.popupId === D.selectedId) makeDraggable(D.lastPopupMarker);
    });
    map.on('popupclose', function (e) { if (e.popup === D.popup) { D.popup = null; D.popupId = null; } });
    var last = 0;
    map.on('mousemove', function (e) {
      var now = Date.now(); if (now - last < 40) return; last = now;
      call('onPointerMoved', e.latlng.lat, e.latlng.lng);
    });
    map.eachLayer(function (layer) {
      if (layer instanceof L.TileLayer) {
        layer.on('tileerror', function () { if (!D.tileFailed) { D.tileFailed = true; call('onBasemapFailed'); } });
      }
    });
    new QWebChannel(qt.webChannelTransport, function (channel) {
      D.bridge = channel.objects.bridge;
      var parts = [];
      D.bridge.dataPart.connect(function (text, index, count) { // map data comes in parts; a new index 0 restarts
        if (index === 0) parts = [];
        parts.push(text);
        if (index === count - 1 && parts.length === count) {
          var whole = parts.join(''); parts = [];
          reporting('drawing the map data', function () { D.setData(whole); });
        }
      });
      D.bridge.changesReady.connect(function (text) {
        reporting('drawing an edit', function () { D.applyChanges(text); });
      });
      window.addEventListener('error', function (e) { call('onPageError', 'page', String(e.message)); });
      D.ready = true;
      call('onPageReady');
    });
  };
})();
