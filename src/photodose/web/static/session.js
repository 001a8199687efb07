// photodose session timer: a countdown that survives a page reload (state in localStorage) and
// logs the session (POST /session/log, CSRF token from the page) when it ends or is stopped.
(function () {
  "use strict";
  var KEY = "photodose.session";
  var box = document.getElementById("timer");
  if (!box) { return; }
  var clock = document.getElementById("clock");
  var bar = document.getElementById("clock-bar");
  var status = document.getElementById("timer-status");
  var startBtn = document.getElementById("start");
  var stopBtn = document.getElementById("stop");
  var tick = null;

  function load() {
    try { return JSON.parse(window.localStorage.getItem(KEY) || "null"); } catch (e) { return null; }
  }
  function save(s) { window.localStorage.setItem(KEY, JSON.stringify(s)); }
  function clear() { window.localStorage.removeItem(KEY); }
  function fmt(sec) {
    sec = Math.max(0, Math.round(sec));
    var m = Math.floor(sec / 60), s = sec % 60;
    return (m < 10 ? "0" : "") + m + ":" + (s < 10 ? "0" : "") + s;
  }

  function log(s, seconds, completed) {
    var body = new URLSearchParams();
    body.set("device", s.device);
    body.set("mode", s.mode);
    body.set("minutes", String(seconds / 60));
    body.set("started_at", new Date(s.startedAt).toISOString());
    body.set("completed", completed ? "true" : "false");
    status.textContent = "Logging the session…";
    return fetch("/session/log", {
      method: "POST",
      headers: { "X-CSRF-Token": box.dataset.csrf },
      body: body,
      credentials: "same-origin"
    }).then(function (r) { return r.json().then(function (j) { return { ok: r.ok, j: j }; }); })
      .then(function (res) {
        if (!res.ok) {
          var e = res.j.error || {};
          status.textContent = "Not logged: " + (e.field || "") + ": " + (e.message || "") + (e.fix ? ". Fix: " + e.fix : "");
          return;
        }
        clear();
        var doses = res.j.logged.doses.map(function (d) { return d.channel + " " + d.fluence_j_cm2.central.toPrecision(3) + " J/cm²"; });
        status.textContent = (completed ? "Done" : "Stopped") + ": logged " + (seconds / 60).toFixed(2) + " min (" + doses.join(", ") + ") in your journal.";
        stopBtn.hidden = true;
        startBtn.hidden = !box.dataset.device;
      })
      .catch(function () { status.textContent = "Could not reach photodose to log the session; it is kept and will be logged when you reload."; });
  }

  function run(s) {
    startBtn.hidden = true;
    stopBtn.hidden = false;
    status.textContent = s.name + " · " + s.mode + ": running. You can reload this page; the timer continues.";
    function step() {
      var elapsed = (Date.now() - s.startedAt) / 1000;
      var left = s.seconds - elapsed;
      clock.textContent = fmt(left);
      bar.value = Math.min(1, elapsed / s.seconds);
      if (left <= 0) {
        window.clearInterval(tick);
        clock.textContent = "00:00";
        log(s, s.seconds, true);
      }
    }
    step();
    tick = window.setInterval(step, 250);
  }

  startBtn.addEventListener("click", function () {
    var s = {
      device: box.dataset.device,
      name: box.dataset.deviceName,
      mode: box.dataset.mode,
      seconds: Number(box.dataset.seconds),
      startedAt: Date.now()
    };
    save(s);
    run(s);
  });
  stopBtn.addEventListener("click", function () {
    var s = load();
    if (!s) { return; }
    window.clearInterval(tick);
    var done = Math.min(s.seconds, (Date.now() - s.startedAt) / 1000);
    stopBtn.hidden = true;
    if (done < 6) { clear(); status.textContent = "Stopped before 0.1 min: nothing logged."; startBtn.hidden = false; return; }
    log(s, done, false);
  });

  var pending = load();
  if (pending) { run(pending); }
}());
