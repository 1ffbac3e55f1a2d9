// Plays the widgets' recordings (rnnbook.twins): play, step back and forward, slider.
// Each figure.rnnbook-twin holds its frames as JSON; nothing is fetched.
(function () {
  "use strict";
  function setUp(figure) {
    var frames = JSON.parse(figure.querySelector(".rnnbook-twin-data").textContent);
    var img = figure.querySelector(".rnnbook-twin-frame");
    var text = figure.querySelector(".rnnbook-twin-text");
    var slider = figure.querySelector(".rnnbook-twin-slider");
    var value = figure.querySelector(".rnnbook-twin-value");
    var play = figure.querySelector(".rnnbook-twin-play");
    var label = slider.getAttribute("aria-label");
    var interval = parseInt(figure.getAttribute("data-interval"), 10) || 400;
    var timer = null;
    var current = 0;
    function show(i) {
      current = (i + frames.length) % frames.length;
      var frame = frames[current];
      if (img && frame.img) { img.src = frame.img; img.alt = frame.alt; }
      text.innerHTML = frame.text;
      slider.value = String(current);
      value.textContent = label + " = " + frame.value;
    }
    function stop() {
      if (timer !== null) { clearInterval(timer); timer = null; }
      play.innerHTML = "&#9654; Play";
      play.setAttribute("aria-label", "play");
    }
    play.addEventListener("click", function () {
      if (timer !== null) { stop(); return; }
      if (current === frames.length - 1) { show(0); }
      timer = setInterval(function () {
        if (current === frames.length - 1) { stop(); } else { show(current + 1); }
      }, interval);
      play.innerHTML = "&#10073;&#10073; Pause";
      play.setAttribute("aria-label", "pause");
    });
    figure.querySelector(".rnnbook-twin-step").addEventListener("click", function () {
      stop(); show(current + 1);
    });
    figure.querySelector(".rnnbook-twin-back").addEventListener("click", function () {
      stop(); show(current - 1);
    });
    slider.addEventListener("input", function () { stop(); show(parseInt(slider.value, 10)); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("figure.rnnbook-twin").forEach(setUp);
  });
})();
