// The monitoring grid (progressive enhancement: without JavaScript the form posts every cell at once).
// Arrow keys move between cells, 1/2/3 set the level, 0 or Delete sets "not observed", Tab works as usual.
// Each change is saved at once (fetch POST, JSON, CSRF header); the saves of one row go one after another
// so every save names the row version the previous one returned. Network errors are retried with back-off,
// nothing typed is dropped; a conflict shows both values and lets the teacher choose which to keep.
(function () {
  "use strict";
  document.documentElement.classList.add("gr-js");
  var MARKS = { "": "\u2014", "1": "I", "2": "II", "3": "III" };

  function markOf(value) {
    return MARKS[value === null || value === undefined ? "" : String(value)] || "\u2014";
  }

  function init() {
    var form = document.getElementById("grid-form");
    if (!form) { return; }
    var table = document.getElementById("grid");
    var csrfInput = form.querySelector("input[name=csrf_token]");
    var live = document.getElementById("grid-live");
    var ds = form.dataset;
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    var cells = rows.map(function (tr) { return Array.prototype.slice.call(tr.querySelectorAll("select.gr-select")); });
    var states = new Map(); // tr -> {busy, pending: Map(select -> {value, version}), delay, timer}

    function announce(text) { if (live) { live.textContent = text; } }

    function state(tr) {
      if (!states.has(tr)) { states.set(tr, { busy: false, pending: new Map(), delay: 1000, timer: null }); }
      return states.get(tr);
    }

    function setStatus(select, kind, text) {
      var td = select.closest("td");
      td.classList.remove("is-saving", "is-saved", "is-error", "is-refused", "is-conflict");
      if (kind) { td.classList.add("is-" + kind); }
      td.querySelector(".gr-status").textContent = text || "";
      var box = td.querySelector(".gr-conflict-box");
      if (box && kind !== "conflict") { box.remove(); }
    }

    function setVersion(tr, version) {
      tr.dataset.version = String(version);
      var hidden = tr.querySelector("input.gr-version");
      if (hidden) { hidden.value = String(version); }
    }

    function updateProgress(tr, data) {
      var filled = tr.querySelector(".gr-filled");
      if (filled) { filled.textContent = String(data.observed); }
      var level = tr.querySelector(".gr-level");
      if (level) { level.textContent = markOf(data.level); }
      var low = tr.querySelector(".gr-low");
      if (low && typeof data.low === "number") {
        low.textContent = low.textContent.replace(/\d+/, String(data.low));
      }
      var tab = document.querySelector(".gr-tabs-groups a[aria-current=page]");
      if (tab) {
        var all = table.querySelectorAll("select.gr-select");
        var count = 0;
        all.forEach(function (s) { if (s.value) { count += 1; } });
        var bar = tab.querySelector("progress");
        var label = tab.querySelector(".gr-tab-progress");
        // Other skill groups are not on this page: only this tab's numbers change.
        if (bar && label && label.dataset.template) {
          label.textContent = label.dataset.template.replace("{filled}", String(count));
          bar.value = count;
        }
      }
    }

    function enqueue(select, value, version) {
      var tr = select.closest("tr");
      var st = state(tr);
      st.pending.delete(select);
      st.pending.set(select, { value: value, version: version });
      setStatus(select, "saving", ds.msgSaving);
      flush(tr);
    }

    function retryLater(tr) {
      var st = state(tr);
      if (st.timer) { return; }
      st.timer = window.setTimeout(function () { st.timer = null; flush(tr); }, st.delay);
      st.delay = Math.min(st.delay * 2, 30000);
    }

    function flush(tr) {
      var st = state(tr);
      if (st.busy || st.pending.size === 0) { return; }
      var select = st.pending.keys().next().value;
      var job = st.pending.get(select);
      st.pending.delete(select);
      st.busy = true;
      var body = {
        child_id: tr.dataset.child, skill_id: select.dataset.skill, stage: ds.stage,
        academic_year: parseInt(ds.year, 10), level: job.value,
        version: job.version !== undefined ? job.version : parseInt(tr.dataset.version, 10)
      };
      setStatus(select, "saving", ds.msgSaving);
      fetch(ds.cellUrl, {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrfInput.value },
        body: JSON.stringify(body)
      }).then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          return { status: response.status, data: data };
        });
      }).then(function (result) {
        st.busy = false;
        var newer = st.pending.has(select);
        if (result.status === 200 && result.data.ok) {
          st.delay = 1000;
          setVersion(tr, result.data.version);
          updateProgress(tr, result.data);
          if (!newer) { setStatus(select, "saved", ds.msgSaved); }
        } else if (result.status === 409) {
          if (!newer) { showConflict(select, job.value, result.data); }
        } else if (result.status >= 500 || result.status === 0) {
          if (!newer) { st.pending.set(select, job); }
          setStatus(select, "error", ds.msgError);
          retryLater(tr);
          return;
        } else {
          var text = (result.data && result.data.message) || ds.msgRefused;
          setStatus(select, "refused", ds.msgRefused);
          select.closest("td").querySelector(".gr-status").title = text;
          announce(text);
        }
        flush(tr);
      }).catch(function () {
        // Offline or the connection dropped: keep the value and try again.
        st.busy = false;
        if (!st.pending.has(select)) { st.pending.set(select, job); }
        setStatus(select, "error", ds.msgError);
        retryLater(tr);
      });
    }

    function showConflict(select, yours, data) {
      var tr = select.closest("tr");
      var td = select.closest("td");
      setStatus(select, "conflict", "");
      var box = document.createElement("span");
      box.className = "gr-conflict-box";
      var text = (ds.msgConflict || "").replace("{stored}", markOf(data.stored)).replace("{yours}", markOf(yours));
      box.appendChild(document.createTextNode(text));
      box.appendChild(document.createElement("br"));
      var mine = document.createElement("button");
      mine.type = "button";
      mine.className = "gr-keep-mine";
      mine.textContent = ds.msgKeepMine;
      var theirs = document.createElement("button");
      theirs.type = "button";
      theirs.className = "gr-keep-theirs";
      theirs.textContent = ds.msgKeepTheirs;
      box.appendChild(mine);
      box.appendChild(theirs);
      td.appendChild(box);
      announce(text);
      mine.addEventListener("click", function () {
        box.remove();
        select.value = yours === null || yours === undefined ? "" : String(yours);
        enqueue(select, select.value, data.version);
        select.focus();
      });
      theirs.addEventListener("click", function () {
        box.remove();
        select.value = data.stored === null || data.stored === undefined ? "" : String(data.stored);
        setVersion(tr, data.version);
        setStatus(select, "saved", ds.msgSaved);
        select.focus();
      });
    }

    function position(select) {
      for (var r = 0; r < cells.length; r += 1) {
        var c = cells[r].indexOf(select);
        if (c >= 0) { return [r, c]; }
      }
      return null;
    }

    function move(select, dr, dc) {
      var pos = position(select);
      if (!pos) { return; }
      var r = Math.min(Math.max(pos[0] + dr, 0), cells.length - 1);
      var c = Math.min(Math.max(pos[1] + dc, 0), cells[r].length - 1);
      var target = cells[r][c];
      if (target) {
        target.focus();
        target.scrollIntoView({ block: "nearest", inline: "nearest" });
      }
    }

    function set(select, value) {
      if (select.disabled) { return; }
      select.value = value;
      enqueue(select, value);
    }

    table.addEventListener("keydown", function (event) {
      var select = event.target;
      if (!select.classList || !select.classList.contains("gr-select") || event.altKey || event.ctrlKey || event.metaKey) {
        return;
      }
      var key = event.key;
      var moves = { ArrowLeft: [0, -1], ArrowRight: [0, 1], ArrowUp: [-1, 0], ArrowDown: [1, 0] };
      if (moves[key]) {
        event.preventDefault();
        move(select, moves[key][0], moves[key][1]);
      } else if (key === "1" || key === "2" || key === "3") {
        event.preventDefault();
        set(select, key);
      } else if (key === "0" || key === "Delete" || key === "Backspace") {
        event.preventDefault();
        set(select, "");
      }
    });

    table.addEventListener("change", function (event) {
      var select = event.target;
      if (select.classList && select.classList.contains("gr-select")) { enqueue(select, select.value); }
    });

    window.addEventListener("online", function () { rows.forEach(function (tr) { flush(tr); }); });

    window.addEventListener("beforeunload", function (event) {
      var waiting = false;
      states.forEach(function (st) { if (st.busy || st.pending.size) { waiting = true; } });
      if (waiting) {
        event.preventDefault();
        event.returnValue = ds.msgPending;
        return ds.msgPending;
      }
      return undefined;
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
}());
