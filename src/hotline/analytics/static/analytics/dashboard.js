// Draws the dashboards from the JSON the page embeds; each chart's table stays beside it.
(function () {
  var data = JSON.parse(document.getElementById("an-data").textContent);
  if (!window.echarts) return;
  function draw(name, option) {
    var el = document.querySelector('[data-chart="' + name + '"]');
    if (!el) return;
    var chart = echarts.init(el);
    chart.setOption(option);
    window.addEventListener("resize", function () { chart.resize(); });
    return chart;
  }
  function bars(rows, label, value) {
    return { grid: { left: 110, right: 20, top: 10, bottom: 20 }, tooltip: {},
      xAxis: { type: "value" }, yAxis: { type: "category", data: rows.map(label).reverse() },
      series: [{ type: "bar", data: rows.map(value).reverse() }] };
  }
  function pie(rows) {
    return { tooltip: {}, series: [{ type: "pie", radius: "65%", data: rows.map(function (r) { return { name: r.name, value: r.count }; }) }] };
  }
  draw("volume", { tooltip: { trigger: "axis" }, legend: {}, grid: { left: 40, right: 20, bottom: 30 },
    xAxis: { type: "category", data: data.volume.map(function (r) { return r.date.slice(5); }) }, yAxis: { type: "value" },
    series: [{ name: "受理", type: "line", data: data.volume.map(function (r) { return r.received; }) },
             { name: "办结", type: "line", data: data.volume.map(function (r) { return r.closed; }) },
             { name: "上期受理", type: "line", lineStyle: { type: "dashed" }, data: data.volume.map(function (r) { return r.previous; }) }] });
  draw("channel", pie(data.channel));
  draw("appeal_type", pie(data.appeal_type));
  var cat = draw("category", bars(data.category, function (r) { return r.name; }, function (r) { return r.count; }));
  if (cat) cat.on("click", function (p) {
    var top = data.category.filter(function (r) { return r.name === p.name; })[0];
    if (top && top.code) { var u = new URL(location.href); u.searchParams.set("category", top.code); location.href = u; }
  });
  draw("county", bars(data.county, function (r) { return r.name; }, function (r) { return r.count; }));
  draw("overdue", bars(data.overdue, function (r) { return r.name; }, function (r) { return r.overdue; }));
})();
