// figures.js draws a bar chart above each table of the figures page
// (templates/figures.html) with uPlot. The table is the page's truth and
// stays below the chart: without JavaScript, or with a screen reader, the
// table is what people read.
(function () {
  "use strict";
  if (typeof uPlot === "undefined") return;
  var short = function (s) { return s.length > 14 ? s.slice(0, 13) + "…" : s; };
  var ink = "#1f2933", bar = "#1d5fa8";

  function draw(box) {
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
    box.textContent = "";
    var width = Math.max(240, box.clientWidth || 600);
    // Slanted labels when they would not fit side by side.
    var slant = width / labels.length < 90;
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
          rotate: slant ? -40 : 0, size: slant ? 90 : 40, stroke: ink, font: "11px sans-serif" },
        { stroke: ink, font: "11px sans-serif", size: 40,
          splits: function (u, i, min, max) {
            var s = [], step = Math.max(1, Math.ceil(max / 5));
            for (var v = 0; v <= max; v += step) s.push(v);
            return s;
          } },
      ],
      series: [
        {},
        { label: "Nombre", fill: bar, stroke: bar, paths: uPlot.paths.bars({ size: [0.6, 80] }), points: { show: false } },
      ],
    }, [xs, values], box);
  }

  var boxes = document.querySelectorAll("[data-chart]");
  boxes.forEach(draw);
  var pending;
  window.addEventListener("resize", function () {
    clearTimeout(pending);
    pending = setTimeout(function () { boxes.forEach(draw); }, 30);
  });
})();
