/* The indicator dashboard's charts and live figures.

   Every figure is in the HTML already (server-rendered); this script only draws the charts
   from the page's chart data (<script type="application/json" id="chart-data">) with the
   vendored Chart.js, and keeps the figures live: the page listens to /dashboard/events and,
   when an indicator moves, fetches itself again and swaps in place every element marked
   data-live whose content changed, then updates the charts. No reload, no inline script. */
(function () {
  "use strict";

  var COLOURS = ["#0b5cad", "#b04a00", "#1f7a3a", "#8a2f8f"];
  var DASHES = [[], [8, 4], [2, 3], [12, 4, 2, 4]];
  var POINTS = ["circle", "rectRot", "triangle", "rect"];
  var charts = {};

  function chartData(doc) {
    var element = doc.getElementById("chart-data");
    return element ? JSON.parse(element.textContent) : null;
  }

  function reducedMotion() {
    return window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  }

  function formatter(locale, percent) {
    var numbers = new Intl.NumberFormat(locale, { maximumFractionDigits: 2 });
    var percents = new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 2 });
    return function (value) {
      return percent ? percents.format(value / 100) : numbers.format(value);
    };
  }

  // Long names (an institution's, in Arabic) on several lines rather than cut: a bar chart's
  // names may take half its width (the library's limit for an axis).
  function wrap(label, width) {
    var limit = Math.max(10, Math.floor(width / 2 / 8));
    var words = String(label).split(/\s+/);
    var lines = [];
    var line = "";
    words.forEach(function (word) {
      if (line && (line + " " + word).length > limit) {
        lines.push(line);
        line = word;
      } else {
        line = line ? line + " " + word : word;
      }
    });
    if (line) lines.push(line);
    return lines;
  }

  function datasets(spec) {
    return spec.series.map(function (series, index) {
      var colour = COLOURS[index % COLOURS.length];
      return {
        label: series.label,
        data: series.data,
        borderColor: colour,
        backgroundColor: colour,
        borderDash: spec.type === "line" ? DASHES[index % DASHES.length] : undefined,
        pointStyle: POINTS[index % POINTS.length],
        // Points on a short history; a long one is a line.
        pointRadius: spec.type === "line" ? (series.data.length > 24 ? 0 : 3) : undefined,
        pointHoverRadius: spec.type === "line" ? 5 : undefined,
        borderWidth: spec.type === "line" ? 2.5 : 0,
        spanGaps: true,
      };
    });
  }

  function config(spec, data, labels) {
    var rtl = data.rtl;
    var percent = spec.series.some(function (series) { return series.percent; });
    var format = formatter(data.locale, percent);
    var horizontal = spec.type === "bar";
    var valueAxis = {
      beginAtZero: true,
      max: percent ? 100 : undefined,
      reverse: horizontal && rtl,
      stacked: !!spec.stacked,
      ticks: { callback: function (value) { return format(value); }, precision: percent ? undefined : 0 },
    };
    var categoryAxis = {
      reverse: !horizontal && rtl,
      position: horizontal ? (rtl ? "right" : "left") : "bottom",
      stacked: !!spec.stacked,
      // Every group of a breakdown is named; months are skipped as room requires.
      ticks: horizontal ? { autoSkip: false } : { autoSkip: true, maxRotation: 0 },
    };
    if (!horizontal) valueAxis.position = rtl ? "right" : "left";
    return {
      type: spec.type,
      data: {
        labels: labels,
        datasets: datasets(spec),
      },
      options: {
        indexAxis: horizontal ? "y" : "x",
        responsive: true,
        maintainAspectRatio: false,
        animation: reducedMotion() ? false : { duration: 300 },
        // Room at both ends for the first and the last month's names.
        layout: { padding: horizontal ? 0 : { left: 24, right: 24 } },
        // Names wrapped anew to a new width (a turned phone, a printed page).
        onResize: horizontal
          ? function (chart, size) {
              chart.data.labels = spec.labels.map(function (label) { return wrap(label, size.width); });
            }
          : undefined,
        locale: data.locale,
        scales: horizontal ? { x: valueAxis, y: categoryAxis } : { x: categoryAxis, y: valueAxis },
        plugins: {
          legend: {
            display: spec.series.length > 1,
            rtl: rtl,
            textDirection: rtl ? "rtl" : "ltr",
            labels: { usePointStyle: true },
          },
          tooltip: {
            rtl: rtl,
            textDirection: rtl ? "rtl" : "ltr",
            callbacks: {
              label: function (context) {
                var value = horizontal ? context.parsed.x : context.parsed.y;
                return context.dataset.label + ": " + format(value);
              },
            },
          },
        },
      },
    };
  }

  function labelsOf(spec, box) {
    if (spec.type !== "bar") return spec.labels;
    return spec.labels.map(function (label) { return wrap(label, box.clientWidth); });
  }

  function fitHeight(box, labels) {
    // A horizontal bar chart grows with its groups and their names' lines, so that every
    // name stays legible.
    var lines = labels.reduce(function (sum, label) { return sum + label.length; }, 0);
    var rem = Math.max(12, labels.length * 1.4 + lines * 1.1 + 4);
    box.style.height = Math.min(rem, 120) + "rem";
  }

  function draw(data) {
    if (!data || !window.Chart) return;
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var key = canvas.dataset.chart;
      var spec = data.charts[key];
      if (!spec) return;
      var box = canvas.parentElement;
      var labels = labelsOf(spec, box);
      if (spec.type === "bar") fitHeight(box, labels);
      var fresh = config(spec, data, labels);
      var chart = charts[key];
      if (chart) {
        chart.data.labels = fresh.data.labels;
        fresh.data.datasets.forEach(function (dataset, index) {
          if (chart.data.datasets[index]) {
            chart.data.datasets[index].data = dataset.data;
            chart.data.datasets[index].label = dataset.label;
          } else {
            chart.data.datasets.push(dataset);
          }
        });
        chart.data.datasets.length = fresh.data.datasets.length;
        chart.update();
      } else {
        charts[key] = new window.Chart(canvas, fresh);
      }
    });
  }

  // --- live figures -----------------------------------------------------------------------

  function swap(doc) {
    var changed = 0;
    doc.querySelectorAll("[data-live]").forEach(function (fresh) {
      var selector = '[data-live="' + CSS.escape(fresh.dataset.live) + '"]';
      var current = document.querySelector(selector);
      if (current && current.outerHTML !== fresh.outerHTML) {
        current.replaceWith(document.importNode(fresh, true));
        changed += 1;
      }
    });
    return changed;
  }

  var refreshing = false;
  var again = false;

  function refresh() {
    if (refreshing) {
      again = true;
      return;
    }
    refreshing = true;
    fetch(window.location.href, { headers: { Accept: "text/html" }, cache: "no-store" })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.text();
      })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        swap(doc);
        draw(chartData(doc));
        document.body.dataset.version = doc.body.dataset.version || "";
        var status = document.getElementById("live-status");
        if (status) status.textContent = document.body.dataset.updated || "";
      })
      .catch(function () {
        // The next announcement tries again.
      })
      .then(function () {
        refreshing = false;
        if (again) {
          again = false;
          refresh();
        }
      });
  }

  function listen() {
    var source = document.body.dataset.events;
    if (!source || !window.EventSource) return;
    var url = source + "?since=" + encodeURIComponent(document.body.dataset.version || "");
    var events = new EventSource(url);
    events.addEventListener("figures", function (event) {
      var version = JSON.parse(event.data).version;
      if (version !== document.body.dataset.version) refresh();
    });
  }

  // --- print: the data tables open on paper -----------------------------------------------

  var closed = [];
  window.addEventListener("beforeprint", function () {
    closed = Array.prototype.filter.call(document.querySelectorAll("details.data"), function (d) {
      return !d.open;
    });
    closed.forEach(function (d) { d.open = true; });
    Object.keys(charts).forEach(function (key) { charts[key].resize(); });
  });
  window.addEventListener("afterprint", function () {
    closed.forEach(function (d) { d.open = false; });
    closed = [];
  });

  function start() {
    if (window.Chart) {
      // The charts speak in the page's font, their text as legible as the page's.
      window.Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
      window.Chart.defaults.color = "#4a5561";
    }
    draw(chartData(document));
    listen();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
