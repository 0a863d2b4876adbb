/* Desktop side of the map page: wires the export page's API (resources/web/assetmap.js) to the
 * Python MapBridge over QWebChannel. Inlined after assetmap.js by assetmap/gui/map_view.py;
 * it only wraps assetmap.init and uses the public API plus Leaflet events.
 */
(function () {
  'use strict';
  var api = window.assetmap;
  var D = { bridge: null, data: null, byId: {}, addMode: false, pendingId: null, selectedId: null,
            dragMarker: null, pending: null, ready: false };
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
