/*
 * parindex dashboards: draw the charts the pages describe.
 *
 * A page holds, for every chart,
 *   <div class="chart" data-chart="ID" role="img" aria-label="…"></div>
 *   <script type="application/json" id="ID">{…spec…}</script>   (Django's json_script)
 * and this file turns each spec into an Apache ECharts option. Specs (written by
 * parindex/dashboards/boards.py) have a `kind` and the figures, never styling:
 *   bar / histogram  {categories, series:[{name, data, stack?, color?}], horizontal?, value_min?, value_max?}
 *   line             {categories, series:[{name, data, dashed?, color?}], value_min?, value_max?}
 *   radar            {indicators:[{name, max}], series:[{name, data, color?}]}
 *   heatmap          {x, x_names?, y, cells:[[xi, yi, value]], value_max}
 * and may carry `unit` (appended to values in tooltips), `height` (px) and `colors`.
 *
 * Every chart's figures are also on the page as a table, so a chart that cannot be drawn
 * says so and points there; nothing here throws. Numbers are written the Vietnamese way
 * (decimal comma, dot for thousands). Charts are drawn on load and after every htmx swap
 * (the ranking's heatmap re-renders with its page), without animation.
 */
(function () {
  'use strict';

  var PALETTE = ['#a61b1b', '#1d4ed8', '#1c7c54', '#b7791f', '#6b21a8', '#0e7490', '#9f1239', '#4d7c0f'];
  var HEAT = ['#ffffff', '#fee0d2', '#fc9272', '#de2d26', '#67000d'];
  var FAILED = 'Không vẽ được biểu đồ — xem bảng số liệu bên dưới.';
  var numberFormat = new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 2 });

  function fmt(value) {
    if (value === null || value === undefined || value === '' || isNaN(value)) return '–';
    return numberFormat.format(value);
  }

  function withUnit(spec) {
    var unit = spec.unit ? ' ' + spec.unit : '';
    return function (value) {
      return value === null || value === undefined ? '–' : fmt(value) + unit;
    };
  }

  function base(spec) {
    return {
      animation: false,
      color: spec.colors || PALETTE,
      textStyle: { fontFamily: 'inherit' },
      // Tooltips are drawn on the canvas ("richText"), not as HTML: ECharts' HTML tooltips are
      // full of style="" attributes, which the Content-Security-Policy blocks (style-src 'self').
      tooltip: { confine: true, renderMode: 'richText', valueFormatter: withUnit(spec) },
    };
  }

  function legend(series) {
    return series.length > 1 ? { top: 0, type: 'scroll' } : { show: false };
  }

  // Radar indicator names on at most two lines on a narrow chart (a phone), else one.
  function wrapName(narrow) {
    return function (name) {
      if (!narrow || name.length <= 12 || name.indexOf(' ') < 0) return name;
      var words = name.split(' ');
      var half = Math.ceil(words.length / 2);
      return words.slice(0, half).join(' ') + '\n' + words.slice(half).join(' ');
    };
  }

  // `width` is the element's width in px: labels get narrower on a phone.
  function barOption(spec, histogram, width) {
    var horizontal = !!spec.horizontal;
    var series = spec.series || [];
    var many = (spec.categories || []).length > 8;
    var category = {
      type: 'category',
      data: spec.categories || [],
      axisTick: { alignWithLabel: true },
      axisLabel: horizontal
        ? { width: Math.min(140, Math.round(width * 0.36)), overflow: 'truncate' }
        : { interval: 0, rotate: many ? 45 : 0, width: many ? 110 : 90, overflow: 'truncate' },
    };
    if (horizontal) category.inverse = true; // the first category at the top, as in the table
    var value = {
      type: 'value',
      min: spec.value_min,
      max: spec.value_max,
      axisLabel: { formatter: fmt, hideOverlap: true },
    };
    var option = base(spec);
    option.tooltip.trigger = 'axis';
    option.tooltip.axisPointer = { type: 'shadow' };
    option.legend = legend(series);
    option.grid = { left: 8, right: 24, top: series.length > 1 ? 32 : 12, bottom: 8, containLabel: true };
    option.xAxis = horizontal ? value : category;
    option.yAxis = horizontal ? category : value;
    option.series = series.map(function (s) {
      var out = { type: 'bar', name: s.name, data: s.data, stack: s.stack, emphasis: { focus: 'series' } };
      if (s.color) out.itemStyle = { color: s.color };
      if (histogram) out.barCategoryGap = '5%';
      else if (!s.stack) out.barMaxWidth = 28;
      return out;
    });
    return option;
  }

  function lineOption(spec) {
    var series = spec.series || [];
    var option = base(spec);
    option.tooltip.trigger = 'axis';
    option.legend = legend(series);
    option.grid = { left: 8, right: 24, top: series.length > 1 ? 40 : 12, bottom: 8, containLabel: true };
    option.xAxis = { type: 'category', data: spec.categories || [], boundaryGap: false };
    option.yAxis = {
      type: 'value',
      min: spec.value_min,
      max: spec.value_max,
      axisLabel: { formatter: fmt, hideOverlap: true },
    };
    option.series = series.map(function (s) {
      var out = {
        type: 'line',
        name: s.name,
        data: s.data,
        connectNulls: false,
        showSymbol: true,
        symbolSize: 8,
        lineStyle: { width: s.dashed ? 2 : 3, type: s.dashed ? 'dashed' : 'solid' },
      };
      if (s.color) {
        out.itemStyle = { color: s.color };
        out.lineStyle.color = s.color;
      }
      return out;
    });
    return option;
  }

  function radarOption(spec, width) {
    var narrow = width < 480;
    var series = spec.series || [];
    var option = base(spec);
    option.tooltip.trigger = 'item';
    option.legend = legend(series);
    option.radar = {
      indicator: spec.indicators || [],
      radius: narrow ? '52%' : '62%',
      center: ['50%', '56%'],
      axisName: { color: '#1f2933', lineHeight: 14, formatter: wrapName(narrow) },
    };
    option.series = [
      {
        type: 'radar',
        data: series.map(function (s) {
          var item = { name: s.name, value: s.data, areaStyle: { opacity: 0.12 } };
          if (s.color) {
            item.itemStyle = { color: s.color };
            item.lineStyle = { color: s.color };
          }
          return item;
        }),
      },
    ];
    return option;
  }

  function heatmapOption(spec) {
    var x = spec.x || [];
    var y = spec.y || [];
    var names = spec.x_names || [];
    var show = withUnit(spec);
    var option = base(spec);
    option.tooltip = {
      confine: true,
      renderMode: 'richText', // plain text on the canvas (see base)
      trigger: 'item',
      formatter: function (p) {
        // "row · column: value unit", the column's full name (x_names) after its code.
        var col = x[p.value[0]];
        if (names[p.value[0]]) col += ' ' + names[p.value[0]];
        return y[p.value[1]] + ' · ' + col + ': ' + show(p.value[2]);
      },
    };
    option.grid = { left: 8, right: 16, top: 8, bottom: 64, containLabel: true };
    option.xAxis = {
      type: 'category',
      data: x,
      position: 'top',
      axisLabel: { interval: 0, rotate: x.length > 20 ? 90 : 0, fontSize: x.length > 20 ? 10 : 12 },
    };
    option.yAxis = {
      type: 'category',
      data: y,
      inverse: true,
      axisLabel: { width: 160, overflow: 'truncate' },
    };
    option.visualMap = {
      min: 0,
      max: spec.value_max || 1,
      calculable: true,
      orient: 'horizontal',
      left: 8, // not centred: on a phone the heatmap scrolls sideways, the scale stays in view
      bottom: 0,
      itemHeight: 180,
      formatter: show,
      inRange: { color: HEAT },
    };
    option.series = [
      {
        type: 'heatmap',
        data: spec.cells || [],
        itemStyle: { borderColor: '#ffffff', borderWidth: 1 },
        emphasis: { itemStyle: { borderColor: '#1f2933', borderWidth: 1 } },
      },
    ];
    return option;
  }

  var BUILDERS = {
    bar: function (spec, width) { return barOption(spec, false, width); },
    histogram: function (spec, width) { return barOption(spec, true, width); },
    line: lineOption,
    radar: radarOption,
    heatmap: heatmapOption,
  };

  function fail(el, error) {
    try {
      var half = window.echarts && window.echarts.getInstanceByDom(el); // setOption may have thrown
      if (half) half.dispose();
    } catch (ignored) { /* the message below matters more */ }
    el.classList.add('chart-failed');
    el.textContent = FAILED;
    if (window.console) console.error('parindex chart ' + (el.dataset.chart || '?') + ':', error);
  }

  // Elements holding an ECharts instance: resized with the window, freed once htmx removed them.
  var live = [];

  function sweep() {
    live = live.filter(function (el) {
      if (document.body.contains(el)) return true;
      var chart = window.echarts && window.echarts.getInstanceByDom(el);
      if (chart) chart.dispose();
      return false;
    });
  }

  function render(el) {
    try {
      if (!window.echarts) throw new Error('ECharts is not loaded');
      var source = document.getElementById(el.dataset.chart);
      if (!source) throw new Error('no spec #' + el.dataset.chart);
      var spec = JSON.parse(source.textContent);
      var build = BUILDERS[spec.kind];
      if (!build) throw new Error('unknown chart kind ' + spec.kind);
      // A chart that scrolls sideways on a phone (the heatmap) is at least this wide; set here
      // through the CSSOM since the Content-Security-Policy allows no style="" attribute.
      if (el.dataset.minWidth) el.style.minWidth = el.dataset.minWidth + 'px';
      var height = spec.height;
      if (!height && spec.kind === 'heatmap') height = Math.max(240, 22 * (spec.y || []).length + 120);
      if (height) el.style.height = height + 'px';
      var previous = window.echarts.getInstanceByDom(el);
      if (previous) previous.dispose();
      var option = build(spec, el.clientWidth || 600);
      if (el.classList.contains('chart-failed')) {
        // An explicit retry of a chart that failed before: drop the message.
        el.classList.remove('chart-failed');
        el.textContent = '';
      }
      var chart = window.echarts.init(el, null, { renderer: 'canvas' });
      chart.setOption(option);
      el.dataset.chartReady = '1';
      if (live.indexOf(el) < 0) live.push(el);
      return chart;
    } catch (error) {
      fail(el, error);
      return null;
    }
  }

  function renderAll(root) {
    var scope = root && root.querySelectorAll ? root : document;
    var found = Array.prototype.slice.call(scope.querySelectorAll('[data-chart]'));
    if (scope !== document && scope.matches && scope.matches('[data-chart]')) found.push(scope);
    found.forEach(function (el) {
      // Skip charts drawn (and still holding their instance) and charts that failed.
      var drawn = el.dataset.chartReady && window.echarts && window.echarts.getInstanceByDom(el);
      if (!drawn && !el.classList.contains('chart-failed')) render(el);
    });
  }

  var resizing = null;
  window.addEventListener('resize', function () {
    clearTimeout(resizing);
    resizing = setTimeout(function () {
      if (!window.echarts) return;
      sweep();
      live.forEach(function (el) {
        var chart = window.echarts.getInstanceByDom(el);
        if (chart) chart.resize();
      });
    }, 150);
  });

  document.addEventListener('htmx:afterSettle', function (event) {
    // Free the instances of elements the swap removed, then draw what it brought. The swap's
    // target first; an outerHTML swap settles on elements that replaced the target (no longer
    // in the page), so the whole page is looked at too: charts already drawn are skipped.
    sweep();
    var target = event.target;
    if (target && target !== document && document.body.contains(target)) renderAll(target);
    renderAll(document);
  });

  window.parindexCharts = { render: render, renderAll: renderAll };
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', function () { renderAll(document); });
  } else {
    renderAll(document);
  }
})();
