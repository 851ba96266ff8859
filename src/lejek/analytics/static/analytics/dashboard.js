// Draws the dashboard's Plotly figures (built on the server) and redraws them after htmx swaps.
(function () {
  "use strict";

  function draw(root) {
    if (!window.Plotly) return;
    root.querySelectorAll("[data-figure]").forEach(function (element) {
      var source = document.getElementById(element.dataset.figure);
      if (!source) return;
      var figure = JSON.parse(source.textContent);
      window.Plotly.react(element, figure.data, figure.layout, {
        displaylogo: false,
        responsive: true,
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    draw(document);
  });
  document.body.addEventListener("htmx:afterSettle", function (event) {
    draw(event.target);
  });
})();
