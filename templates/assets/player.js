/* castnotes player: progressive enhancement, no framework, nothing from other hosts.
   Without JavaScript every page works: <audio controls>, links to #t=, links to episodes.
   With it: own controls (play, -15/+30 s, seek bar with chapter marks, speed), the real
   duration before play (from the page), the position kept per episode (localStorage),
   a compact player docked at the bottom, Media Session (lock screen), keyboard keys
   (k/space play, j/← back 15 s, l/→ forward 30 s), times that seek ([data-start], #t=),
   play buttons in lists, copy and share buttons. */
(function () {
  "use strict";
  var $ = function (s, r) { return (r || document).querySelector(s); };
  var lang = document.documentElement.lang || undefined;
  var all = function (s, r) { return Array.prototype.slice.call((r || document).querySelectorAll(s)); };
  var store = function (key, value) {
    try {
      if (value === undefined) return localStorage.getItem(key);
      if (value === null) localStorage.removeItem(key); else localStorage.setItem(key, value);
    /* private mode, storage off */
    } catch (e) { }
    return null;
  };
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function clock(s) {
    /* rounded, like the times the pages print */
    s = Math.max(0, Math.round(s || 0));
    var h = Math.floor(s / 3600), m = Math.floor(s % 3600 / 60);
    return (h ? h + ":" + pad(m) : m) + ":" + pad(s % 60);
  }
  /* "754", "12:34", "1:02:03" -> seconds */
  function parseTime(text) {
    if (!/^\d+(:\d\d?){0,2}(\.\d+)?$/.test(text || "")) return NaN;
    return text.split(":").reduce(function (total, part) { return total * 60 + parseFloat(part); }, 0);
  }
  function attempt(promise) { if (promise && promise.catch) promise.catch(function () {}); }

  /* the clipboard needs https (or localhost); elsewhere, a box to copy from */
  function copy(text, label) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    window.prompt(label, text);
    return Promise.reject(new Error("prompted"));
  }

  /* the page's one player: the episode's, or the dock */
  var player = null;

  function Player(box) {
    var audio = $("audio", box), ui = $("[data-ui]", box), slot = $(".player__slot", box);
    var seekBar = $("[data-seek]", ui), nowText = $("[data-now]", ui), totalText = $("[data-total]", ui);
    var button = $("[data-act=toggle]", ui), name = $("[data-name]", ui);
    var self = this, lastSaved = 0, dragging = false, chapters = [];
    /* the words the script shows come from the page, in its language */
    var words = ui.dataset, playWord = button.getAttribute("aria-label");
    this.box = box; this.audio = audio;
    this.key = box.getAttribute("data-key");
    this.duration = parseFloat(box.getAttribute("data-duration")) || 0;
    this.title = name ? name.textContent : "";
    this.art = box.getAttribute("data-art");
    this.show = box.getAttribute("data-show") || "";

    audio.controls = false;
    ui.hidden = false;
    box.classList.add("is-enhanced");

    function total() { return isFinite(audio.duration) && audio.duration > 0 ? audio.duration : self.duration; }
    function position() { return audio.readyState ? audio.currentTime : self.start || 0; }
    function paint() {
      var now = position(), length = total();
      nowText.textContent = clock(now);
      all("[data-now]").forEach(function (el) { if (!ui.contains(el)) el.textContent = clock(now); });
      totalText.textContent = clock(length);
      if (!dragging) { seekBar.max = Math.max(1, Math.floor(length)); seekBar.value = Math.floor(now); }
      seekBar.setAttribute("aria-valuetext", words.position.replace("{now}", clock(now)).replace("{total}", clock(length)));
      seekBar.style.setProperty("--done", (length ? 100 * now / length : 0) + "%");
    }
    this.paint = paint;

    function ready(then) {
      if (audio.readyState >= 1) return then();
      audio.addEventListener("loadedmetadata", then, { once: true });
      if (audio.preload === "none") { audio.preload = "metadata"; audio.load(); }
    }
    this.seek = function (seconds, play) {
      seconds = Math.max(0, Math.min(seconds, total() || seconds));
      self.start = seconds;
      paint();
      ready(function () { audio.currentTime = seconds; paint(); });
      if (play) self.play();
    };
    this.play = function () {
      if (!audio.readyState && self.start) ready(function () { audio.currentTime = self.start; });
      attempt(audio.play());
    };
    this.toggle = function () { if (audio.paused) self.play(); else audio.pause(); };
    this.skip = function (delta) { self.seek(position() + delta, !audio.paused); };
    this.started = function () { return !audio.paused || audio.currentTime > 0; };
    /* another episode into the dock */
    this.load = function (data) {
      if (!audio.paused) audio.pause();
      self.key = data.key; self.duration = parseFloat(data.duration) || 0;
      self.title = data.title; self.art = data.art; self.start = 0;
      audio.src = data.src;
      name.textContent = data.title; name.href = data.page;
      marks();
      self.resume();
      paint();
      session();
    };
    this.resume = function () {
      var saved = parseFloat(store("castnotes-pos:" + self.key));
      if (saved > 5 && (!self.duration || saved < self.duration - 10)) self.start = saved;
    };

    function save(force) {
      var now = audio.currentTime;
      if (!force && Math.abs(now - lastSaved) < 5) return;
      lastSaved = now;
      if (self.key && now > 5) store("castnotes-pos:" + self.key, String(Math.floor(now)));
    }

    /* chapters: from the chapter list on an episode page */
    function marks() {
      chapters = self.box.id === "play" ? all("[data-chapters] [data-start]").map(function (el) {
        var title = $(".chapters__title", el);
        return { start: parseFloat(el.getAttribute("data-start")), title: title ? title.textContent : "", el: el };
      }) : [];
    }
    marks();
    var current = null;
    function chapter() {
      var now = audio.currentTime, found = null;
      chapters.forEach(function (c) { if (c.start <= now + 0.25) found = c; });
      if (found === current) return;
      if (current) current.el.removeAttribute("aria-current");
      if (found) found.el.setAttribute("aria-current", "true");
      current = found;
      session();
    }
    this.chapterStep = function (step) {
      if (!chapters.length) return self.skip(step > 0 ? 30 : -15);
      var i = current ? chapters.indexOf(current) : -1;
      if (step < 0 && current && audio.currentTime - current.start > 3) i += 1;
      var next = chapters[Math.max(0, Math.min(chapters.length - 1, i + step))];
      self.seek(next.start, !audio.paused);
    };

    function session() {
      if (!("mediaSession" in navigator) || !window.MediaMetadata || player !== self) return;
      navigator.mediaSession.metadata = new MediaMetadata({
        title: self.title, artist: self.show, album: current ? current.title : self.show,
        artwork: self.art ? [{ src: new URL(self.art, location.href).href, sizes: "600x600", type: "image/jpeg" }] : []
      });
    }
    this.session = session;
    function position_state() {
      if (!("mediaSession" in navigator) || !navigator.mediaSession.setPositionState) return;
      var length = total();
      if (!(length > 0)) return;
      try {
        navigator.mediaSession.setPositionState({ duration: length, playbackRate: audio.playbackRate,
          position: Math.min(audio.currentTime, length) });
      /* not supported */
      } catch (e) { }
    }

    ui.addEventListener("click", function (event) {
      var act = event.target.closest("[data-act]");
      if (!act) return;
      var what = act.getAttribute("data-act");
      if (what === "toggle") self.toggle();
      else self.skip(what === "back" ? -15 : 30);
    });
    seekBar.addEventListener("input", function () {
      dragging = true;
      nowText.textContent = clock(seekBar.value);
      seekBar.style.setProperty("--done", 100 * seekBar.value / (seekBar.max || 1) + "%");
    });
    seekBar.addEventListener("change", function () {
      dragging = false;
      self.seek(parseFloat(seekBar.value), !audio.paused);
    });
    audio.addEventListener("play", function () {
      button.setAttribute("aria-label", words.pause);
      box.classList.add("is-playing");
      session();
      dock();
    });
    audio.addEventListener("pause", function () {
      button.setAttribute("aria-label", playWord);
      box.classList.remove("is-playing");
      save(true);
    });
    audio.addEventListener("timeupdate", function () { paint(); save(false); chapter(); });
    audio.addEventListener("seeked", function () { paint(); chapter(); position_state(); });
    audio.addEventListener("loadedmetadata", function () { paint(); position_state(); });
    audio.addEventListener("ended", function () { store("castnotes-pos:" + self.key, null); });
    window.addEventListener("pagehide", function () { if (audio.currentTime) save(true); });

    /* docking: the episode's player follows the reader down the notes once it has played */
    var out = false;
    function dock() {
      if (box.classList.contains("player--dock")) return;
      var docked = out && self.started();
      if (docked && !box.classList.contains("is-docked")) slot.style.height = slot.offsetHeight + "px";
      box.classList.toggle("is-docked", docked);
      document.body.classList.toggle("has-dock", docked);
      if (!docked) slot.style.height = "";
    }
    if (window.IntersectionObserver && !box.classList.contains("player--dock")) {
      new IntersectionObserver(function (entries) {
        out = !entries[0].isIntersecting && entries[0].boundingClientRect.top < 0;
        dock();
      }).observe(slot);
    }
    this.resume();
    paint();
  }

  function speed(tools) {
    var label = document.createElement("label"), select = document.createElement("select");
    label.className = "speed";
    label.append($("[data-ui]", player.box).dataset.speed + " ", select);
    [0.75, 1, 1.25, 1.5, 1.75, 2].forEach(function (rate) { select.add(new Option(rate.toLocaleString(lang) + "×", rate)); });
    var saved = store("castnotes-speed");
    select.value = saved && select.querySelector('option[value="' + saved + '"]') ? saved : "1";
    function apply() { player.audio.playbackRate = player.audio.defaultPlaybackRate = parseFloat(select.value); }
    select.addEventListener("change", function () { apply(); store("castnotes-speed", select.value); });
    player.audio.addEventListener("play", apply);
    apply();
    tools.append(label);
  }

  function dockPlayer() {
    var template = $("#dock");
    if (!template) return null;
    document.body.append(template.content.cloneNode(true));
    var box = document.body.lastElementChild;
    document.body.classList.add("has-dock");
    player = new Player(box);
    speed($("[data-ui]", box));
    return player;
  }

  function setup() {
    var box = $("[data-player]");
    if (box) {
      player = new Player(box);
      var tools = $("[data-player-tools]");
      if (tools) speed(tools);
    }

    document.addEventListener("click", function (event) {
      if (event.ctrlKey || event.metaKey || event.shiftKey || event.altKey || !event.target.closest) return;
      var play = event.target.closest("[data-play]");
      if (play) {
        var key = play.getAttribute("data-key");
        if (player && player.key === key) { event.preventDefault(); player.toggle(); return; }
        /* another episode: open its page */
        if (player && player.box.id === "play") return;
        event.preventDefault();
        var label = $(".visually-hidden", play), card = play.closest("article"), art = card && $("img", card);
        (player || dockPlayer()).load({ key: key, src: play.getAttribute("data-src"), duration: play.getAttribute("data-duration"),
          title: label ? label.textContent.replace(/^: /, "") : "", art: art ? art.src : null, page: play.href.split("#")[0] });
        player.play();
        return;
      }
      var target = event.target.closest("[data-start]");
      if (!target || !player || player.box.id !== "play") return;
      var seconds = parseFloat(target.getAttribute("data-start"));
      if (isNaN(seconds)) return;
      event.preventDefault();
      player.seek(seconds, true);
      if (history.replaceState) history.replaceState(null, "", "#t=" + Math.floor(seconds));
    });

    function fromHash() {
      var match = /^#t=([\d:.]+)$/.exec(location.hash);
      if (match && player && player.box.id === "play") {
        var seconds = parseTime(match[1]);
        if (!isNaN(seconds)) player.seek(seconds, false);
      }
    }
    fromHash();
    window.addEventListener("hashchange", fromHash);
    if (location.hash === "#play" && player) player.play();

    document.addEventListener("keydown", function (event) {
      if (!player || event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
      var tag = event.target.tagName, field = /^(INPUT|TEXTAREA|SELECT)$/.test(tag) || event.target.isContentEditable;
      if (field) return;
      var key = event.key, busy = player.started();
      if (key === "k" || (key === " " && !/^(BUTTON|A|SUMMARY)$/.test(tag))) player.toggle();
      else if (key === "j" || (key === "ArrowLeft" && busy)) player.skip(-15);
      else if (key === "l" || (key === "ArrowRight" && busy)) player.skip(30);
      else return;
      event.preventDefault();
    });

    if ("mediaSession" in navigator) {
      var handlers = {
        play: function () { player.play(); },
        pause: function () { player.audio.pause(); },
        seekbackward: function (d) { player.skip(-(d.seekOffset || 15)); },
        seekforward: function (d) { player.skip(d.seekOffset || 30); },
        seekto: function (d) { player.seek(d.seekTime, !player.audio.paused); },
        previoustrack: function () { player.chapterStep(-1); },
        nexttrack: function () { player.chapterStep(1); }
      };
      Object.keys(handlers).forEach(function (action) {
        try {
          navigator.mediaSession.setActionHandler(action, function (details) { if (player) handlers[action](details); });
        /* an action this browser does not know */
        } catch (e) { }
      });
    }
  }

  function buttons() {
    all("[data-copy]").forEach(function (button) {
      var label = button.innerHTML, status = $("[data-copy-status]");
      (button.closest("li[hidden]") || button).hidden = false;
      button.addEventListener("click", function () {
        var text = button.getAttribute("data-copy");
        if (button.hasAttribute("data-copy-time") && player) text += "#t=" + Math.floor(player.audio.currentTime || player.start || 0);
        copy(text, button.textContent.trim()).then(function () {
          button.textContent = button.dataset.copied;
          if (status) status.textContent = status.dataset.copyStatus;
          setTimeout(function () { button.innerHTML = label; if (player) player.paint(); }, 2500);
        }, function () {
          var field = $("#feed-address");
          if (field) field.select();
        });
      });
    });
    if (navigator.share) {
      all("[data-share]").forEach(function (button) {
        button.closest("li").hidden = false;
        button.addEventListener("click", function () {
          attempt(navigator.share({ title: document.title, url: button.getAttribute("data-share") }));
        });
      });
    }
  }

  /* A guest photo that fails to load gives way to the initials beneath. */
  all(".person__photo img").forEach(function (img) {
    function hide() { img.hidden = true; }
    if (img.complete && !img.naturalWidth) hide(); else img.addEventListener("error", hide);
  });

  setup();
  buttons();
})();
