// The household service's figures (联户服务数据): requests by type and state, satisfaction and
// each community's coverage, drawn from the JSON the page embeds as #ticket-figures-chart-data
// (no inline script under the CSP).
document.addEventListener("DOMContentLoaded", function () {
  var source = document.getElementById("ticket-figures-chart-data");
  if (!window.echarts || !source) return;
  var data = JSON.parse(source.textContent);
  var palette = ["#b71c1c", "#ef6c00", "#f9a825", "#2e7d32", "#1565c0", "#757575"];
  var charts = [];

  function init(id) {
    var box = document.getElementById(id);
    if (!box) return null;
    var chart = echarts.init(box);
    charts.push(chart);
    return chart;
  }

  var types = init("chart-types");
  if (types) {
    types.setOption({
      color: palette, tooltip: {trigger: "axis"}, legend: {type: "scroll", bottom: 0},
      grid: {left: 10, right: 16, top: 16, bottom: 40, containLabel: true},
      xAxis: {type: "category", data: data.types.map(function (r) { return r[0]; }),
              axisLabel: {interval: 0}},
      yAxis: {type: "value", minInterval: 1},
      series: data.states.map(function (label, i) {
        return {name: label, type: "bar", stack: "state",
                data: data.types.map(function (r) { return r[1][i]; })};
      })
    });
  }

  var ratings = init("chart-ratings");
  if (ratings) {
    ratings.setOption({
      color: ["#2e7d32", "#f9a825", "#b71c1c"], tooltip: {trigger: "item"},
      legend: {bottom: 0},
      series: [{type: "pie", radius: ["35%", "65%"], label: {formatter: "{b} {d}%"},
                data: data.ratings.map(function (label, i) {
                  return {name: label, value: data.overall_ratings[i]};
                })}]
    });
  }

  var coverage = init("chart-coverage");
  if (coverage) {
    var names = data.communities.map(function (r) { return r[0]; }).reverse();
    coverage.setOption({
      color: ["#bdbdbd", "#b71c1c"], tooltip: {trigger: "axis"}, legend: {bottom: 0},
      grid: {left: 10, right: 24, top: 10, bottom: 40, containLabel: true},
      xAxis: {type: "value", minInterval: 1},
      yAxis: {type: "category", data: names},
      series: [
        {name: "联系户", type: "bar", data: data.communities.map(function (r) { return r[1]; }).reverse()},
        {name: "已联系", type: "bar", data: data.communities.map(function (r) { return r[2]; }).reverse()}
      ]
    });
  }

  window.addEventListener("resize", function () {
    charts.forEach(function (c) { c.resize(); });
  });
});
