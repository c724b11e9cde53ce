// County and township home pages: member structure, meetings held by month, organizations
// needing attention and the recruitment pipeline, drawn from the JSON the page embeds as
// #home-chart-data (no inline script under the CSP). Charts stack on a phone (home.css).
document.addEventListener("DOMContentLoaded", function () {
  var source = document.getElementById("home-chart-data");
  if (!window.echarts || !source) return;
  var data = JSON.parse(source.textContent);
  var red = "#b71c1c";
  var palette = [red, "#e67e22", "#f1c40f", "#2e86c1", "#27ae60", "#8e44ad", "#7f8c8d"];
  var charts = [];
  // A phone's column is narrow: smaller labels, slanted axis labels, no pie legend.
  var narrow = (document.querySelector(".home-chart") || document.body).clientWidth < 500;

  function draw(id, option) {
    var box = document.getElementById(id);
    if (!box) return;
    var chart = echarts.init(box);
    option.color = palette;
    chart.setOption(option);
    charts.push(chart);
  }
  function labels(pairs) { return pairs.map(function (p) { return p[0]; }); }
  function values(pairs) { return pairs.map(function (p) { return p[1]; }); }
  function named(pairs) { return pairs.map(function (p) { return {name: p[0], value: p[1]}; }); }

  draw("chart-age", {
    tooltip: {}, grid: {left: 10, right: 10, top: 30, bottom: 10, containLabel: true},
    xAxis: {type: "category", data: labels(data.age),
            axisLabel: {interval: 0, fontSize: narrow ? 10 : 12, rotate: narrow ? 35 : 0}},
    yAxis: {type: "value", name: "人", minInterval: 1},
    series: [{type: "bar", data: values(data.age), itemStyle: {color: red}, label: {show: true, position: "top"}}]
  });

  draw("chart-education", {
    tooltip: {trigger: "item", formatter: "{b}：{c} 人（{d}%）"},
    legend: {show: !narrow, bottom: 0, type: "scroll"},
    series: [
      {type: "pie", radius: ["0%", "28%"], center: ["50%", "45%"], data: named(data.gender),
       label: {position: "inner", formatter: "{b}\n{d}%", fontSize: 11}},
      {type: "pie", radius: ["40%", narrow ? "55%" : "62%"], center: ["50%", "45%"],
       data: named(data.education),
       label: {formatter: "{b}\n{c}", fontSize: narrow ? 10 : 11, width: 64, overflow: "break"}}
    ]
  });

  var m = data.meetings;
  draw("chart-meetings", {
    tooltip: {trigger: "axis", valueFormatter: function (v) { return v + "%"; }},
    legend: {bottom: 0},
    grid: {left: 10, right: 10, top: 20, bottom: 40, containLabel: true},
    xAxis: {type: "category", data: m.months.map(function (s) { return s.slice(2); })},
    yAxis: {type: "value", max: 100, axisLabel: {formatter: "{value}%"}},
    series: m.kinds.map(function (k) {
      return {
        type: "line", name: k.label,
        data: k.held.map(function (n, i) {
          return m.branches[i] ? Math.round(n * 1000 / m.branches[i]) / 10 : 0;
        })
      };
    })
  });

  // One readable row per township (or branch), its bar split by what needs attention.
  var attention = data.attention;
  var flags = attention.flags.filter(function (f) {
    return f.counts.some(function (n) { return n > 0; });
  });
  var legendRoom = narrow ? 30 + 22 * flags.length : 60;  // a phone's legend wraps, one a line
  var attentionBox = document.getElementById("chart-attention");
  if (attentionBox) {
    attentionBox.style.height = Math.max(300, attention.names.length * 26 + legendRoom + 30) + "px";
  }
  draw("chart-attention", {
    tooltip: {trigger: "axis", axisPointer: {type: "shadow"}},
    legend: {bottom: 0, orient: narrow ? "vertical" : "horizontal"},
    grid: {left: 10, right: 20, top: 10, bottom: legendRoom, containLabel: true},
    xAxis: {type: "value", minInterval: 1},
    yAxis: {type: "category", data: attention.names.slice().reverse(),
            axisLabel: {fontSize: 11, interval: 0}},
    series: flags.map(function (f) {
      return {type: "bar", stack: "flags", name: f.label, barMaxWidth: 24,
              data: f.counts.slice().reverse()};
    })
  });

  draw("chart-pipeline", {
    tooltip: {trigger: "item", formatter: "{b}：{c} 人"},
    series: [{type: "funnel", sort: "none", left: "10%", width: "80%", top: 10, bottom: 10,
              minSize: "40%", data: named(data.pipeline),
              label: {position: "inside", formatter: "{b} {c}"}}]
  });

  window.addEventListener("resize", function () {
    charts.forEach(function (c) { c.resize(); });
  });
});
