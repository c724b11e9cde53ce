// Contest results page: the bar chart of finals and the radar of one entrant's stage scores
// (click a name in the table), drawn from the JSON the page embeds as #chart-data.
document.addEventListener("DOMContentLoaded", function () {
  if (!window.echarts || !document.getElementById("bar")) return;
  var data = JSON.parse(document.getElementById("chart-data").textContent);
  var bar = echarts.init(document.getElementById("bar"));
  bar.setOption({
    tooltip: {}, grid: {left: 40, right: 10, bottom: 80},
    xAxis: {type: "category", data: data.names, axisLabel: {rotate: 45, interval: 0}},
    yAxis: {type: "value", name: "总分"},
    series: [{type: "bar", data: data.finals, itemStyle: {color: "#c0392b"}}]
  });
  var radar = echarts.init(document.getElementById("radar"));
  function show(id, name) {
    radar.setOption({
      title: {text: name, left: "center"},
      radar: {indicator: data.stages},
      series: [{type: "radar", data: [{value: data.radar[id], name: name}]}]
    });
  }
  var first = document.querySelector(".radar-link");
  if (first) show(first.dataset.entrant, first.textContent);
  document.querySelectorAll(".radar-link").forEach(function (a) {
    a.addEventListener("click", function () { show(a.dataset.entrant, a.textContent); });
  });
  window.addEventListener("resize", function () { bar.resize(); radar.resize(); });
});
