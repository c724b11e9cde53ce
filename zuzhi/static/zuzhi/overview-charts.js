// The county overview (全县概览): organizations by type, members by status, reserves by
// township or village, requests by month, drawn from the JSON the page embeds as
// #overview-chart-data (no inline script under the CSP). The tables carry the same figures.
document.addEventListener("DOMContentLoaded", function () {
  var source = document.getElementById("overview-chart-data");
  if (!window.echarts || !source) return;
  var data = JSON.parse(source.textContent);
  var palette = ["#b71c1c", "#e67e22", "#f1c40f", "#2e86c1", "#27ae60", "#8e44ad", "#7f8c8d"];
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

  function first(rows) { return rows.map(function (r) { return r[0]; }); }
  function column(rows, i) { return rows.map(function (r) { return r[i]; }); }

  if (data.orgs.length) {
    draw("chart-ov-orgs", {
      tooltip: {trigger: "axis", axisPointer: {type: "shadow"}},
      grid: {left: 10, right: 20, top: 20, bottom: 10, containLabel: true},
      xAxis: {type: "category", data: first(data.orgs),
              axisLabel: {interval: 0, rotate: narrow ? 40 : 0, fontSize: narrow ? 10 : 12}},
      yAxis: {type: "value", minInterval: 1},
      series: [{name: "党组织", type: "bar", data: column(data.orgs, 1),
                label: {show: true, position: "top"}}]
    });
  }
  draw("chart-ov-members", {
    tooltip: {trigger: "item", formatter: "{b}：{c} 人（{d}%）"},
    legend: {bottom: 0},
    series: [{type: "pie", radius: ["30%", narrow ? "55%" : "62%"], center: ["50%", "45%"],
              data: data.members.map(function (m) { return {name: m[0], value: m[1]}; }),
              label: {formatter: "{b}\n{c}", fontSize: narrow ? 10 : 12}}]
  });
  if (data.reserves.length) {
    // Names down the side: twenty townships stay readable on a phone.
    var areas = data.reserves.slice().reverse();
    var box = document.getElementById("chart-ov-reserves");
    if (box && areas.length > 8) box.style.height = (areas.length * 40 + 60) + "px";
    draw("chart-ov-reserves", {
      tooltip: {trigger: "axis", axisPointer: {type: "shadow"}},
      legend: {top: 0},
      grid: {left: 10, right: 30, top: 30, bottom: 10, containLabel: true},
      xAxis: {type: "value", minInterval: 1},
      yAxis: {type: "category", data: first(areas), axisLabel: {interval: 0, fontSize: narrow ? 10 : 12}},
      series: [
        {name: "入库人数", type: "bar", data: column(areas, 1), label: {show: true, position: "right"}},
        {name: "不足目标的村", type: "bar", data: column(areas, 2), itemStyle: {color: "#7f8c8d"},
         label: {show: true, position: "right"}}
      ]
    });
  }
  if (data.tickets.length) {
    draw("chart-ov-tickets", {
      tooltip: {trigger: "axis"},
      legend: {top: 0},
      grid: {left: 10, right: 20, top: 30, bottom: 10, containLabel: true},
      xAxis: {type: "category", data: first(data.tickets),
              axisLabel: {rotate: narrow ? 45 : 0, fontSize: narrow ? 10 : 12}},
      yAxis: {type: "value", minInterval: 1},
      series: [
        {name: "提交", type: "bar", data: column(data.tickets, 1)},
        {name: "办结", type: "bar", data: column(data.tickets, 2)}
      ]
    });
  }

  window.addEventListener("resize", function () {
    charts.forEach(function (c) { c.resize(); });
  });
});
