// The county's leadership team structure (班子结构分析): age, education and gender,
// specialties and the targets teams miss, drawn from the JSON the page embeds as
// #team-chart-data (no inline script under the CSP). Charts stack on a phone (home.css).
document.addEventListener("DOMContentLoaded", function () {
  var source = document.getElementById("team-chart-data");
  if (!window.echarts || !source) return;
  var data = JSON.parse(source.textContent);
  var red = "#b71c1c";
  var palette = [red, "#e67e22", "#f1c40f", "#2e86c1", "#27ae60", "#8e44ad", "#7f8c8d"];
  var charts = [];
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
  function named(pairs) {
    return pairs.filter(function (p) { return p[1] > 0; })
      .map(function (p) { return {name: p[0], value: p[1]}; });
  }
  function bars(id, pairs, horizontal) {
    var category = {type: "category", data: labels(pairs),
                    axisLabel: {interval: 0, fontSize: narrow ? 10 : 12, rotate: narrow && !horizontal ? 35 : 0}};
    var value = {type: "value", minInterval: 1};
    if (horizontal) {
      category.data = category.data.slice().reverse();
      pairs = pairs.slice().reverse();
    }
    draw(id, {
      tooltip: {}, grid: {left: 10, right: 24, top: 20, bottom: 10, containLabel: true},
      xAxis: horizontal ? value : category, yAxis: horizontal ? category : value,
      series: [{type: "bar", data: values(pairs), itemStyle: {color: red},
                label: {show: true, position: horizontal ? "right" : "top"}}]
    });
  }

  bars("chart-age", data.age);
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
  bars("chart-specialties", data.specialties, true);
  bars("chart-shortfalls", data.shortfalls, true);

  window.addEventListener("resize", function () {
    charts.forEach(function (c) { c.resize(); });
  });
});
