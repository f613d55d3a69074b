// Wegwijs web: the policy dashboard's charts. Each .chart element carries its plotly figure (visible counts only)
// in data-chart, made by the server; drawn here, as the CSP allows no inline script. The table below each chart
// holds the same numbers for people who do not see it.
document.addEventListener("DOMContentLoaded", () => {
  if (typeof Plotly === "undefined") return;
  for (const el of document.querySelectorAll(".chart[data-chart]")) {
    const figure = JSON.parse(el.dataset.chart);
    figure.layout.font = { family: "system-ui, sans-serif", size: 13, color: "#1a1a1a" };
    figure.layout.autosize = true;
    Plotly.newPlot(el, figure.data, figure.layout,
                   { displaylogo: false, responsive: true, displayModeBar: false, locale: document.documentElement.lang });
  }
});
