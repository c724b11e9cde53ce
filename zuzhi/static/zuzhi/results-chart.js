// Contest results page: the bar chart of finals (the first entrants, or all of them on
// request, saying which) and, where the contest has three stages or more, the radar of one
// entrant's stage scores (click a name in the table). Drawn from the JSON in #chart-data.
document.addEventListener("DOMContentLoaded", function () {
  var barBox = document.getElementById("bar");
  if (!window.echarts || !barBox) return;
  var data = JSON.parse(document.getElementById("chart-data").textContent);
  var total = data.names.length;
  var bar = echarts.init(barBox);
  function drawBar(count) {
    var all = count >= total;
    bar.setOption({
      tooltip: {}, grid: {left: 40, right: 10, bottom: all && total > data.top ? 110 : 80},
      xAxis: {type: "category", data: data.names.slice(0, count),
              axisLabel: {rotate: 45, interval: all && total > data.top ? "auto" : 0,
                          width: 90, overflow: "truncate"}},
      yAxis: {type: "value", name: "总分"},
      // All of a long list: a slider to look along it rather than bars too thin to read.
      dataZoom: all && total > data.top
        ? [{type: "slider", bottom: 10, endValue: data.top - 1}, {type: "inside"}] : [],
      series: [{type: "bar", data: data.finals.slice(0, count), itemStyle: {color: "#c0392b"}}]
    }, {replaceMerge: ["dataZoom"]});
    document.getElementById("chart-caption").textContent = all
      ? "柱状图显示全部 " + total + " 个参评对象。"
      : "柱状图显示前 " + count + " 名，共 " + total + " 个参评对象。";
  }
  var shown = Math.min(total, data.top);
  drawBar(shown);
  var toggle = document.getElementById("chart-all");
  if (toggle) {
    toggle.addEventListener("click", function () {
      shown = shown < total ? total : Math.min(total, data.top);
      drawBar(shown);
      toggle.textContent = shown < total ? "显示全部 " + total + " 个" : "只显示前 " + data.top + " 名";
    });
  }
  var radarBox = document.getElementById("radar");
  var radar = radarBox && echarts.init(radarBox);
  function show(id, name) {
    radar.setOption({
      title: {text: name, left: "center"},
      radar: {indicator: data.stages, radius: "60%", axisName: {width: 90, overflow: "truncate"}},
      series: [{type: "radar", data: [{value: data.radar[id], name: name}]}]
    });
  }
  if (radar) {
    var first = document.querySelector(".radar-link");
    if (first) show(first.dataset.entrant, first.textContent);
    document.querySelectorAll(".radar-link").forEach(function (a) {
      a.addEventListener("click", function () { show(a.dataset.entrant, a.textContent); });
    });
  }
  window.addEventListener("resize", function () { bar.resize(); if (radar) radar.resize(); });
});
