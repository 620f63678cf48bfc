/* castnotes player: progressive enhancement for the episode page.
   - [data-start] elements (chapters, transcript cues) seek the audio and play.
   - #t=SECONDS in the address starts the episode there.
   - the current chapter is marked with aria-current.
   - a playback speed control, remembered between visits.
   - [data-copy] elements get a "Copy feed link" button.
   - guest photos that fail to load give way to the initials beneath. */
(function () {
  "use strict";

  function copyButtons() {
    if (!navigator.clipboard) return;
    document.querySelectorAll("[data-copy]").forEach(function (hint) {
      var button = document.createElement("button");
      var label = "Copy feed link";
      button.type = "button";
      button.className = "button button--ghost";
      button.textContent = label;
      button.setAttribute("aria-live", "polite");
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(hint.getAttribute("data-copy")).then(function () {
          button.textContent = "Copied! Paste it into your podcast app";
          setTimeout(function () { button.textContent = label; }, 3000);
        });
      });
      hint.replaceWith(button);
    });
  }

  function player() {
    var audio = document.querySelector("[data-player] audio");
    if (!audio) return;
    var marks = Array.prototype.slice.call(document.querySelectorAll("[data-chapters] [data-start]"));

    function seek(seconds, play) {
      function go() {
        audio.currentTime = seconds;
        if (play) {
          var started = audio.play();
          if (started && started.catch) started.catch(function () {});
        }
      }
      if (audio.readyState >= 1) return go();
      audio.addEventListener("loadedmetadata", go, { once: true });
      audio.preload = "metadata";
      audio.load();
    }

    document.addEventListener("click", function (event) {
      var target = event.target.closest && event.target.closest("[data-start]");
      if (!target || event.ctrlKey || event.metaKey || event.shiftKey) return;
      var seconds = parseFloat(target.getAttribute("data-start"));
      if (isNaN(seconds)) return;
      event.preventDefault();
      seek(seconds, true);
      if (history.replaceState) history.replaceState(null, "", "#t=" + Math.floor(seconds));
    });

    var hash = /^#t=(\d+(?:\.\d+)?)$/.exec(location.hash);
    if (hash) seek(parseFloat(hash[1]), false);

    var current = null;
    function highlight() {
      var now = audio.currentTime, found = null;
      marks.forEach(function (mark) {
        if (parseFloat(mark.getAttribute("data-start")) <= now + 0.25) found = mark;
      });
      if (found === current) return;
      if (current) current.removeAttribute("aria-current");
      if (found) found.setAttribute("aria-current", "true");
      current = found;
    }
    if (marks.length) {
      audio.addEventListener("timeupdate", highlight);
      audio.addEventListener("seeked", highlight);
    }

    var tools = document.querySelector("[data-player-tools]");
    if (!tools) return;
    var label = document.createElement("label");
    var select = document.createElement("select");
    label.className = "speed";
    label.append("Speed ", select);
    [0.75, 1, 1.25, 1.5, 1.75, 2].forEach(function (rate) {
      select.add(new Option(rate + "×", String(rate)));
    });
    var saved = null;
    try { saved = localStorage.getItem("castnotes-speed"); } catch (e) { /* private mode */ }
    select.value = saved && select.querySelector('option[value="' + saved + '"]') ? saved : "1";
    function apply() {
      audio.playbackRate = audio.defaultPlaybackRate = parseFloat(select.value);
    }
    select.addEventListener("change", function () {
      apply();
      try { localStorage.setItem("castnotes-speed", select.value); } catch (e) { /* ignore */ }
    });
    audio.addEventListener("play", apply);
    apply();
    tools.append(label);
  }

  // A guest photo that fails to load: hide it, so the initials beneath show instead.
  document.querySelectorAll(".person__photo img").forEach(function (img) {
    function hide() { img.hidden = true; }
    if (img.complete && !img.naturalWidth) hide();
    else img.addEventListener("error", hide);
  });

  copyButtons();
  player();
})();
