// figures.js draws a bar chart above each table of the figures page
// (templates/figures.html) with uPlot. The table is the page's truth and
// stays below the chart: without JavaScript, or with a screen reader, the
// table is what people read.
(function () {
  "use strict";
  if (typeof uPlot === "undefined") return;
  var short = function (s) { return s.length > 14 ? s.slice(0, 13) + "…" : s; };
  document.querySelectorAll("[data-chart]").forEach(function (box) {
    var table = document.getElementById(box.getAttribute("data-chart"));
    if (!table) return;
    var labels = [], values = [], xs = [];
    table.querySelectorAll("tbody tr").forEach(function (tr, i) {
      labels.push(tr.querySelector("th").textContent.trim());
      values.push(Number(tr.querySelector("td").textContent.trim()) || 0);
      xs.push(i);
    });
    if (!labels.length) return;
    box.hidden = false;
    var width = Math.max(280, box.clientWidth || 600);
    var top = Math.max(1, Math.max.apply(null, values));
    new uPlot({
      width: width,
      height: 220,
      legend: { show: false },
      cursor: { show: false },
      scales: {
        x: { time: false, range: [-0.5, labels.length - 0.5] },
        y: { range: [0, top * 1.1] },
      },
      axes: [
        { splits: function () { return xs; }, values: function () { return labels.map(short); },
          rotate: width < 500 ? -40 : 0, size: width < 500 ? 80 : 40, stroke: "#1f2933", font: "11px sans-serif" },
        { stroke: "#1f2933", font: "11px sans-serif",
          splits: function (u, i, min, max) { var s = []; var step = Math.max(1, Math.ceil(max / 5)); for (var v = 0; v <= max; v += step) s.push(v); return s; } },
      ],
      series: [
        {},
        { label: "Nombre", fill: "#1d5fa8", stroke: "#1d5fa8", paths: uPlot.paths.bars({ size: [0.6, 80] }), points: { show: false } },
      ],
    }, [xs, values], box);
  });
})();
