// The village reserve pool (后备力量库): pool size and villages under target by township,
// and the pool's sources, drawn from the JSON the page embeds as #reserve-pool-chart-data
// (no inline script under the CSP). The tables above carry the same figures without script.
document.addEventListener("DOMContentLoaded", function () {
  var source = document.getElementById("reserve-pool-chart-data");
  if (!window.echarts || !source) return;
  var data = JSON.parse(source.textContent);
  var red = "#b71c1c";
  var palette = [red, "#e67e22", "#f1c40f", "#2e86c1", "#27ae60", "#8e44ad", "#7f8c8d"];
  var narrow = (document.querySelector(".home-chart") || document.body).clientWidth < 500;
  var charts = [];

  function draw(id, option) {
    var box = document.getElementById(id);
    if (!box) return;
    var chart = echarts.init(box);
    option.color = palette;
    chart.setOption(option);
    charts.push(chart);
  }

  if (data.areas.length) {
    // Townships down the side: a county's twenty names stay readable on a phone.
    var areas = data.areas.slice().reverse();
    var box = document.getElementById("chart-pool-areas");
    if (box && areas.length > 8) box.style.height = (areas.length * 44 + 60) + "px";
    draw("chart-pool-areas", {
      tooltip: {trigger: "axis", axisPointer: {type: "shadow"}},
      legend: {top: 0},
      grid: {left: 10, right: 30, top: 30, bottom: 10, containLabel: true},
      xAxis: {type: "value", minInterval: 1},
      yAxis: {type: "category", data: areas.map(function (a) { return a[0]; }),
              axisLabel: {interval: 0, fontSize: narrow ? 10 : 12}},
      series: [
        {name: "入库人数", type: "bar", data: areas.map(function (a) { return a[1]; }),
         label: {show: true, position: "right"}},
        {name: "不足目标的村", type: "bar", data: areas.map(function (a) { return a[2]; }),
         itemStyle: {color: "#7f8c8d"}, label: {show: true, position: "right"}}
      ]
    });
  }
  draw("chart-pool-sources", {
    tooltip: {trigger: "item", formatter: "{b}：{c} 人（{d}%）"},
    legend: {show: !narrow, bottom: 0, type: "scroll"},
    series: [{type: "pie", radius: ["30%", narrow ? "55%" : "62%"], center: ["50%", "45%"],
              data: data.sources.map(function (s) { return {name: s[0], value: s[1]}; }),
              label: {formatter: "{b}\n{c}", fontSize: narrow ? 10 : 11, width: 64, overflow: "break"}}]
  });

  window.addEventListener("resize", function () {
    charts.forEach(function (c) { c.resize(); });
  });
});
