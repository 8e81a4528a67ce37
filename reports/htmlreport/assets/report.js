// Draws every chart of the fanbench report from the JSON option beside it.
// Options name their formatters as strings ("fb:ms"); they are swapped for
// the functions below, so the page holds no code generated from data.
(function () {
  "use strict";
  function num(v, d) {
    return typeof v === "number" && isFinite(v) ? v.toFixed(d) : "–";
  }
  function ms(v) {
    if (typeof v !== "number" || !isFinite(v)) return "–";
    return (v > 0 && v < 1 ? v.toFixed(3) : v.toFixed(1)) + " ms";
  }
  // x is 1/(1-p): 10 is p90, 100 is p99, 1000 is p99.9.
  function percentile(x) {
    if (!(x > 1)) return "p0";
    return "p" + String(+(100 * (1 - 1 / x)).toFixed(3));
  }
  var formatters = {
    percentileAxis: percentile,
    percentilePointer: function (p) { return percentile(p.value); },
    secondsPointer: function (p) { return "t = " + num(p.value, 0) + " s"; },
    ms: ms,
    percent: function (v) { return num(v, 2) + " %"; },
    perSecond: function (v) { return num(v, 1) + " /s"; },
    ratio: function (v) { return num(v, 2) + "×"; },
    count: function (v) { return typeof v === "number" ? v.toLocaleString("en-US") : "–"; },
  };
  function hydrate(o) {
    if (Array.isArray(o)) {
      o.forEach(hydrate);
      return;
    }
    if (!o || typeof o !== "object") return;
    Object.keys(o).forEach(function (k) {
      var v = o[k];
      if ((k === "formatter" || k === "valueFormatter") && typeof v === "string" && v.indexOf("fb:") === 0) {
        if (formatters[v.slice(3)]) o[k] = formatters[v.slice(3)];
        else delete o[k];
      } else {
        hydrate(v);
      }
    });
  }
  // The legend is plain (it wraps onto as many rows as it needs, never
  // pages): once it is laid out, the grid moves down below it, with room
  // for the axis names above the grid, and the chart grows by as much.
  var gridTop = 40;
  function legendBottom(c) {
    var legend = c.getModel().getComponent("legend");
    if (!legend || legend.get("show") === false) return 0;
    var view = c.getViewOfComponentModel(legend);
    if (!view || !view.group) return 0;
    var r = view.group.getBoundingRect();
    return view.group.y + r.y + r.height;
  }
  function hasAxisName(option) {
    return [].concat(option.yAxis || [], option.xAxis || []).some(function (a) { return a && a.name; });
  }
  function fit(c, target) {
    var base = +target.getAttribute("data-height");
    var option = c.getOption();
    var top = Math.max(gridTop, Math.ceil(legendBottom(c) + (hasAxisName(option) ? 32 : 10)));
    var grids = (option.grid || []).map(function () { return { top: top }; });
    if (grids.length) c.setOption({ grid: grids });
    var height = base + top - gridTop;
    if (target.clientHeight !== height) {
      target.style.height = height + "px";
      c.resize();
    }
  }
  var drawn = [];
  var sources = document.querySelectorAll('script[type="application/json"][data-chart]');
  Array.prototype.forEach.call(sources, function (el) {
    var target = document.getElementById(el.getAttribute("data-chart"));
    if (!target) return;
    var option = JSON.parse(el.textContent);
    hydrate(option);
    var c = echarts.init(target, null, { renderer: "canvas" });
    c.setOption(option);
    fit(c, target);
    drawn.push(c);
  });
  window.addEventListener("resize", function () {
    drawn.forEach(function (c) {
      c.resize();
      fit(c, c.getDom());
    });
  });
  window.fanbenchCharts = drawn;
})();
