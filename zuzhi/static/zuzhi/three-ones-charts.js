// Three-ones problems by aspect and by type (问题汇总), drawn from the JSON the page embeds
// as #three-ones-chart-data (no inline script under the CSP).
document.addEventListener("DOMContentLoaded", function () {
  var source = document.getElementById("three-ones-chart-data");
  if (!window.echarts || !source) return;
  var data = JSON.parse(source.textContent);
  var red = "#b71c1c";
  var narrow = (document.querySelector(".home-chart") || document.body).clientWidth < 500;
  var charts = [];

  function bars(id, labels, values, horizontal) {
    var box = document.getElementById(id);
    if (!box) return;
    var category = {type: "category", data: labels,
                    axisLabel: {interval: 0, fontSize: narrow ? 10 : 12}};
    var value = {type: "value", minInterval: 1};
    if (horizontal) {
      category.data = labels.slice().reverse();
      values = values.slice().reverse();
    }
    var chart = echarts.init(box);
    chart.setOption({
      tooltip: {}, grid: {left: 10, right: 24, top: 20, bottom: 10, containLabel: true},
      xAxis: horizontal ? value : category, yAxis: horizontal ? category : value,
      series: [{type: "bar", data: values, itemStyle: {color: red},
                label: {show: true, position: horizontal ? "right" : "top"}}]
    });
    charts.push(chart);
  }

  bars("chart-aspects", data.by_aspect.map(function (r) { return r[0]; }),
       data.by_aspect.map(function (r) { return r[1]; }), false);
  bars("chart-types", data.by_type.map(function (r) { return r[0] + "·" + r[1]; }),
       data.by_type.map(function (r) { return r[2]; }), true);

  window.addEventListener("resize", function () {
    charts.forEach(function (c) { c.resize(); });
  });
});
