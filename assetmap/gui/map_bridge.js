/* Desktop side of the map page: wires the export page's API (resources/web/assetmap.js) to the
 * Python MapBridge over QWebChannel. Inlined after assetmap.js by assetmap/gui/map_view.py;
 * it only wraps assetmap.init and uses the public API plus Leaflet events.
 */
(function () {
  'use strict';
  var api = window.assetmap;
  var D = { bridge: null, data: null, byId: {}, addMode: false, pendingId: null, selectedId: null,
            dragMarker: null, pending: null, ready: false, scores: {}, scoreLayer: null, legendOpen: false };
  var SCORE_BINS = [20, 40, 60, 80];
  var SCORE_SHADES = ['#f2f0f7', '#cbc9e2', '#9e9ac8', '#6a51a3', '#3f007d']; // light = low, dark = high
  window.assetmapDesktop = D;

  function call(name) {
    var args = Array.prototype.slice.call(arguments, 1);
    if (D.bridge && typeof D.bridge[name] === 'function') D.bridge[name].apply(D.bridge, args);
  }

  D.setData = function (text) {
    var data = typeof text === 'string' ? JSON.parse(text) : text;
    D.data = data; D.byId = {};
    var f = data.assets.fields;
    data.assets.rows.forEach(function (r) {
      var o = {}; f.forEach(function (name, i) { o[name] = i < r.length ? r[i] : null; });
      o.category = data.categories[r[2]].id;
      D.byId[r[0]] = o;
    });
    D.dragMarker = null;
    api.setData(data);
    applyLegend();
    drawScores();
    if (D.selectedId && D.byId[D.selectedId]) D.select(D.selectedId);
    call('onDataShown', data.assets.rows.length);
  };
  D.row = function (id) { return D.byId[id] || null; };
  D.select = function (id) {
    D.selectedId = id || null;
    if (D.dragMarker) { if (D.dragMarker.dragging) D.dragMarker.dragging.disable(); D.dragMarker = null; }
    if (!id) { api.map.closePopup(); return false; }
    D.pendingId = id;
    return api.selectAsset(id);
  };
  D.setAddMode = function (on) {
    D.addMode = !!on;
    if (on) api.map.closePopup(); // an open popup would hide the spot the user is about to click
    api.map.getContainer().style.cursor = on ? 'crosshair' : '';
  };
  D.showPending = function (lat, lon) {
    D.clearPending();
    D.pending = L.circleMarker([lat, lon], { radius: 9, color: '#d00', weight: 3, fillOpacity: 0.2 }).addTo(api.map);
  };
  D.clearPending = function () { if (D.pending) { api.map.removeLayer(D.pending); D.pending = null; } };
  D.fitBounds = function (south, west, north, east) {
    api.map.fitBounds([[south, west], [north, east]], { padding: [20, 20], maxZoom: 17 });
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

  function makeDraggable(marker, id) {
    if (!marker || !marker.dragging) return;
    if (D.dragMarker && D.dragMarker !== marker && D.dragMarker.dragging) D.dragMarker.dragging.disable();
    D.dragMarker = marker;
    marker._assetId = id;
    marker.dragging.enable();
    if (!marker._amDragWired) {
      marker._amDragWired = true;
      marker.on('dragend', function () {
        var p = marker.getLatLng();
        call('onMarkerMoved', marker._assetId, p.lat, p.lng);
      });
    }
  }

  var origInit = api.init;
  api.init = function (map, options) {
    origInit(map, options);
    api.onAssetClick = function (id, source) {
      D.selectedId = id;
      if (D.lastPopupMarker) makeDraggable(D.lastPopupMarker, id);
      call('onAssetClick', id, source || 'map');
    };
    api.onMapClick = function (lat, lon) { call('onMapClick', lat, lon); };
    map.on('popupopen', function (e) {
      var m = e.popup && e.popup._source;
      D.lastPopupMarker = m instanceof L.Marker ? m : null;
      if (D.lastPopupMarker && D.pendingId) { makeDraggable(D.lastPopupMarker, D.pendingId); D.pendingId = null; }
    });
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
      D.bridge.dataChanged.connect(function (text) { D.setData(text); });
      D.ready = true;
      call('onPageReady');
    });
  };
})();
