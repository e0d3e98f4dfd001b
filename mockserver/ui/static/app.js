/* affect-mockserver: the live dashboard (served by the admin API at /ui) and the journal
 * report (the same page with a journal inlined, see mockserver/report.py).
 *
 * Hand-written, no dependencies, no build step. It never contacts any host but the admin
 * API that served it (and, as a report, nothing at all).
 *
 * Journal entries are described by schemas/journal-entry.schema.json. Vendor views follow
 * the vendors' public message shapes: Hume Expression Measurement streaming (API reference
 * at dev.hume.ai/reference/expression-measurement-api/stream; SDK hume 0.13) and the
 * Behavioral Signals streaming and batch results (behavioralsignals.readme.io; SDK
 * behavioralsignals 0.7.1, api.proto StreamResult and InferenceResult).
 * The only URL in this file is the SVG namespace, an identifier that is never fetched.
 */
"use strict";
(function () {
  const SVG_NS = "http://www.w3.org/2000/svg";
  const TOKEN_KEY = "mockserver-admin-token";
  const MARK_ORDER = ["violation", "error", "fault", "warning", "close", "status"];
  const HUME_MODELS = ["prosody", "burst", "language", "face"];
  const MESSAGE_KINDS = new Set(["text", "binary", "message", "request", "response"]);
  const END_KINDS = new Set(["close", "disconnect", "cancel", "status"]);
  const PALETTE = [
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b",
    "#e377c2", "#17becf", "#7f7f00", "#5b5b5b", "#393b79", "#a05d56",
  ];
  const MAX_DETAIL_CHARS = 200000;
  const HIGHLIGHT_CHARS = 60000;
  const MAX_STRIP_TICKS = 1500;
  const MAX_SESSION_ROWS = 2000;
  const ROW_HEIGHT = 22;

  const FAULT_EXAMPLES = [
    ["Hume: close 1011 instead of the next reply",
      { vendor: "hume", type: "close", code: 1011, reason: "Internal server error." }],
    ["Hume: refuse the next handshake with HTTP 429",
      { vendor: "hume", type: "handshake_reject", status: 429, when: { times: 1 } }],
    ["Hume: drop the connection after 2 replies",
      { vendor: "hume", type: "drop", when: { after_results: 2 } }],
    ["Behavioral Signals: abort the stream (UNAVAILABLE) after 1 result",
      { vendor: "behavioral", type: "grpc_abort", status: "UNAVAILABLE",
        details: "The service is restarting", when: { after_results: 1 } }],
    ["Behavioral Signals REST: 503 on the next 2 process polls",
      { vendor: "behavioral", type: "http_error", status: 503,
        when: { path: "/processes/\\d+$", method: "GET", times: 2 } }],
    ["Any vendor: delay every reply by 0.2-0.5 s",
      { type: "delay", min_seconds: 0.2, max_seconds: 0.5 }],
  ];
  const SCENARIO_EXAMPLE = [
    "name: angry-from-the-dashboard",
    "hume:",
    "  rules:",
    "    - when: {model: language, text: \"(?i)refund\"}",
    "      respond: {emotions: {Anger: 0.9}, others_at_most: 0.3}",
    "behavioral:",
    "  results:",
    "    - {task: emotion, label: angry, from: 0.0, to: 5.0, posterior: 0.9}",
    "",
  ].join("\n");

  const $ = (id) => document.getElementById(id);

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (name === "className") node.className = value;
      else if (name === "text") node.textContent = value;
      else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value === true ? "" : String(value));
    }
    for (const child of children) {
      if (child !== null && child !== undefined) node.append(child);
    }
    return node;
  }

  function svg(tag, attrs, text) {
    const node = document.createElementNS(SVG_NS, tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value !== undefined && value !== null) node.setAttribute(name, String(value));
    }
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function fmtSeconds(s) {
    if (s === null || s === undefined || !isFinite(s)) return "";
    if (s < 10) return s.toFixed(3);
    if (s < 100) return s.toFixed(2);
    return s.toFixed(1);
  }

  function fmtAge(s) {
    if (!isFinite(s)) return "";
    if (s < 60) return s.toFixed(1) + " s";
    const m = Math.floor(s / 60);
    if (m < 60) return m + " min " + Math.floor(s % 60) + " s";
    return Math.floor(m / 60) + " h " + (m % 60) + " min";
  }

  function fmtBytes(n) {
    if (typeof n !== "number") return "";
    if (n < 1024) return n + " B";
    if (n < 1048576) return (n / 1024).toFixed(1) + " KiB";
    return (n / 1048576).toFixed(1) + " MiB";
  }

  function clip(text, n) {
    text = String(text);
    return text.length > n ? text.slice(0, n - 1) + "\u2026" : text;
  }

  function plural(n, word) {
    return n + " " + word + (n === 1 ? "" : "s");
  }

  function isObject(v) {
    return v !== null && typeof v === "object" && !Array.isArray(v);
  }

  function num(v) {
    if (typeof v === "number") return v;
    if (typeof v === "string" && v.trim() !== "") {
      const x = Number(v);
      return isFinite(x) ? x : null;
    }
    return null;
  }

  // -- reading entries --------------------------------------------------------------------

  /** The connection an entry is shown under: HTTP requests are grouped per vendor. */
  function connKey(e) {
    return e.transport === "http" ? e.vendor + " REST" : e.connection;
  }

  function hasWarning(d) {
    if (typeof d.warning === "string") return true;
    for (const value of Object.values(d)) {
      if (isObject(value) && typeof value.warning === "string") return true;
    }
    return false;
  }

  /** Markers of one entry: violation, error, fault, warning, close, status. */
  function marksOf(e) {
    const marks = [];
    if (state.highlight.has(e.seq)) marks.push("violation");
    const d = e.data;
    if (e.kind === "status" && e.status && e.status !== "OK") marks.push("error");
    if (e.kind === "close" && e.code && e.code !== 1000 && e.code !== 1001) marks.push("error");
    if (e.kind === "disconnect") marks.push("error");
    if (e.kind === "handshake" && e.direction === "out" && e.code && e.code !== 101) marks.push("error");
    if (e.kind === "response" && e.code >= 400) marks.push("error");
    if (isObject(d) && e.direction === "out" && (typeof d.error === "string" || isObject(d.error))) {
      if (!marks.includes("error")) marks.push("error");
    }
    if (e.fault || e.kind === "fault") marks.push("fault");
    if (isObject(d) && e.direction === "out" && hasWarning(d)) marks.push("warning");
    if (e.kind === "close" || e.kind === "disconnect" || e.kind === "cancel") marks.push("close");
    if (e.kind === "status") marks.push("status");
    marks.sort((a, b) => MARK_ORDER.indexOf(a) - MARK_ORDER.indexOf(b));
    return marks;
  }

  function topEmotion(predictions) {
    let best = null;
    for (const p of predictions) {
      if (!isObject(p) || !Array.isArray(p.emotions)) continue;
      for (const em of p.emotions) {
        if (isObject(em) && typeof em.score === "number" && (!best || em.score > best.score)) best = em;
      }
    }
    return best ? " (" + best.name + " " + best.score.toFixed(2) + ")" : "";
  }

  function humeSummary(e) {
    const d = e.data;
    if (e.direction === "in") {
      const parts = [];
      if (isObject(d.models)) parts.push("models: " + Object.keys(d.models).join("+"));
      if (typeof d.data === "string") {
        parts.push(d.raw_text ? "text \u201c" + clip(d.data, 60) + "\u201d" : "data " + clip(d.data, 40));
      }
      if (d.job_details) parts.push("job_details");
      if (d.reset_stream) parts.push("reset_stream");
      if (d.payload_id) parts.push("payload_id " + d.payload_id);
      return parts.join(" \u00b7 ") || jsonPreview(d);
    }
    if (d.error !== undefined) return (d.code || "error") + " " + clip(JSON.stringify(d.error).replace(/^"|"$/g, ""), 160);
    if (isObject(d.job_details)) return "job " + (d.job_details.job_id || "");
    const parts = [];
    for (const [key, value] of Object.entries(d)) {
      if (!isObject(value)) continue;
      if (typeof value.warning === "string") parts.push(key + " " + (value.code || "") + " " + value.warning);
      else if (Array.isArray(value.predictions)) {
        const n = value.predictions.length;
        parts.push(key + " " + n + " prediction" + (n === 1 ? "" : "s") + topEmotion(value.predictions));
      }
    }
    if (d.payload_id) parts.push("payload_id " + d.payload_id);
    return parts.join(" \u00b7 ") || jsonPreview(d);
  }

  function bsRows(d) {
    if (Array.isArray(d.result)) return d.result;
    if (Array.isArray(d.results)) return d.results;
    return null;
  }

  function bsSummary(e) {
    const d = e.data;
    if (e.direction === "in") {
      const parts = [];
      if (isObject(d.config)) {
        const c = d.config;
        parts.push("config " + (c.sample_rate_hertz || "?") + " Hz" + (c.level ? " level " + c.level : ""));
      }
      if (isObject(d.audio_content) && d.audio_content.bytes) parts.push("audio " + fmtBytes(d.audio_content.bytes));
      return parts.join(" \u00b7 ") || jsonPreview(d);
    }
    const rows = bsRows(d);
    if (!rows) return jsonPreview(d);
    const finals = [];
    let t0 = Infinity;
    let t1 = -Infinity;
    const levels = new Set();
    for (const r of rows) {
      if (!isObject(r)) continue;
      const start = num(r.start_time !== undefined ? r.start_time : r.startTime);
      const end = num(r.end_time !== undefined ? r.end_time : r.endTime);
      if (start !== null) t0 = Math.min(t0, start);
      if (end !== null) t1 = Math.max(t1, end);
      if (r.level) levels.add(r.level);
      const label = r.final_label !== undefined ? r.final_label : r.finalLabel;
      if (label && ["emotion", "positivity", "strength", "deepfake"].includes(r.task)) {
        finals.push(r.task + " " + label);
      }
    }
    const head = (d.message_id !== undefined ? "#" + d.message_id + " " : "") +
      [...levels].join("+") + (isFinite(t0) ? " " + t0 + "\u2013" + t1 + " s" : "");
    return head + ": " + rows.length + " results" + (finals.length ? " \u00b7 " + finals.slice(0, 4).join(", ") : "");
  }

  function jsonPreview(d) {
    if (d === undefined || d === null) return "";
    return clip(JSON.stringify(d), 200);
  }

  function summarize(e) {
    const d = e.data;
    switch (e.kind) {
      case "handshake":
        if (e.direction === "in") return "upgrade " + (isObject(d) ? d.path || "" : "");
        return "HTTP " + (e.code || "") + (e.code === 101 ? " switching protocols" : "") +
          (isObject(d) ? " " + jsonPreview(d) : "");
      case "close":
        return "close " + (e.code || "") + (e.reason ? " " + e.reason : "");
      case "disconnect":
        return "connection dropped, no close frame";
      case "call":
        return "call " + (isObject(d) ? d.method || "" : "");
      case "status":
        return "status " + (e.status || "") + (e.reason ? " " + e.reason : "");
      case "half_close":
        return "client finished sending";
      case "cancel":
        return "cancelled" + (e.reason ? " " + e.reason : "");
      case "request":
        return isObject(d) ? (d.method || "") + " " + (d.path || "") : jsonPreview(d);
      case "response": {
        const rows = isObject(d) ? bsRows(d) : null;
        const detail = rows ? rows.length + " results" : isObject(d) && d.message ? d.message : jsonPreview(d);
        return (e.code || "") + " " + detail;
      }
      case "fault":
        return "withheld by the fault: " + (isObject(d) ? Object.keys(d).join(", ") : "");
      case "binary":
        return "binary " + fmtBytes(e.size);
      default:
        break;
    }
    if (!isObject(d)) return jsonPreview(d);
    if (e.vendor === "hume") return humeSummary(e);
    if (e.vendor === "behavioral") return bsSummary(e);
    return jsonPreview(d);
  }

  // -- state ------------------------------------------------------------------------------

  const state = {
    mode: "live", // or "report"
    entries: [], // every entry, in seq order
    seqs: new Set(),
    conns: new Map(), // key -> Conn
    live: new Map(), // live session id -> {record, at}
    highlight: new Map(), // seq -> message
    selected: null, // conn key
    frame: -1, // index in the selected conn's entries
    follow: true, // keep the newest frame in view
    tab: "timeline",
    topN: 5,
    dirty: { sessions: true, frames: true, strip: true, charts: true },
    chartsFor: null, // [conn key, version] the charts show
  };

  class Conn {
    constructor(key, vendor, transport) {
      this.key = key;
      this.vendor = vendor;
      this.transport = transport;
      this.ids = new Set();
      this.entries = [];
      this.nIn = 0;
      this.nOut = 0;
      this.requests = 0;
      this.failed = 0;
      this.end = null; // the last close, disconnect, cancel or status entry
      this.rejected = null; // a refused handshake
      this.client = ""; // the client's address, kept from the live session list
      this.version = 0;
      this.order = 0; // first seq
    }

    get first() {
      return this.entries.length ? this.entries[0].t : 0;
    }

    get last() {
      return this.entries.length ? this.entries[this.entries.length - 1].t : 0;
    }
  }

  function insertSorted(list, e) {
    if (!list.length || list[list.length - 1].seq < e.seq) {
      list.push(e);
      return list.length - 1;
    }
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid].seq < e.seq) lo = mid + 1;
      else hi = mid;
    }
    list.splice(lo, 0, e);
    return lo;
  }

  function connFor(key, vendor, transport, seq) {
    let conn = state.conns.get(key);
    if (!conn) {
      conn = new Conn(key, vendor, transport);
      conn.order = seq;
      state.conns.set(key, conn);
    }
    return conn;
  }

  function addEntries(list) {
    for (const e of list) {
      if (state.seqs.has(e.seq)) continue;
      state.seqs.add(e.seq);
      e.marks = marksOf(e);
      insertSorted(state.entries, e);
      const conn = connFor(connKey(e), e.vendor, e.transport, e.seq);
      conn.order = Math.min(conn.order || e.seq, e.seq);
      conn.ids.add(e.connection);
      const at = insertSorted(conn.entries, e);
      if (state.selected === conn.key && at <= state.frame) state.frame += 1;
      if (MESSAGE_KINDS.has(e.kind)) {
        if (e.direction === "in") conn.nIn += 1;
        else conn.nOut += 1;
      }
      if (e.kind === "request") conn.requests += 1;
      if (e.kind === "response" && e.code >= 400) conn.failed += 1;
      if (END_KINDS.has(e.kind) && (!conn.end || conn.end.seq < e.seq)) conn.end = e;
      if (e.kind === "handshake" && e.direction === "out" && e.code && e.code !== 101) conn.rejected = e;
      conn.version += 1;
    }
    if (list.length) {
      if (state.selected === null) {
        const first = sortedConns()[0];
        if (first) selectConn(first.key, false);
      }
      markDirty();
    }
  }

  function clearAll() {
    state.entries = [];
    state.seqs = new Set();
    state.conns = new Map();
    state.selected = null;
    state.frame = -1;
    state.follow = true;
    state.chartsFor = null;
    renderDetail(null);
    markDirty();
  }

  function sortedConns() {
    return [...state.conns.values()].sort((a, b) => a.order - b.order);
  }

  function liveRecords(conn) {
    const records = [];
    for (const id of conn.transport === "http" ? state.live.keys() : [conn.key]) {
      const item = state.live.get(id);
      if (!item) continue;
      if (conn.transport === "http" && (item.record.transport !== "http" || item.record.vendor !== conn.vendor)) continue;
      records.push(item);
    }
    return records;
  }

  function describeConn(conn) {
    const live = liveRecords(conn);
    const now = performance.now();
    const info = live.length ? live[0].record.info || {} : {};
    if (info.remote) conn.client = info.remote;
    const out = {
      client: conn.client || "\u2014",
      age: "",
      ageTitle: "",
      state: "",
      title: "",
      cls: "state-ended",
    };
    if (live.length) {
      const item = live[0];
      out.age = fmtAge(item.record.age_s + (now - item.at) / 1000);
      out.ageTitle = "open for";
    } else if (conn.entries.length) {
      out.age = fmtAge(conn.last - conn.first);
      out.ageTitle = "lasted";
    }
    if (conn.transport === "http") {
      out.state = live.length ? live.length + " in flight" : conn.requests + " requests";
      if (conn.failed) {
        out.state += ", " + conn.failed + " failed";
        out.cls = "state-error";
      }
      if (live.length) out.cls = "state-live";
      return out;
    }
    if (conn.rejected) {
      out.state = "refused " + conn.rejected.code;
      out.cls = "state-error";
    } else if (conn.end) {
      const end = conn.end;
      if (end.kind === "status") out.state = end.status === "OK" ? "status OK" : end.status || "status";
      else if (end.kind === "close") out.state = "closed " + (end.code || "");
      else if (end.kind === "disconnect") out.state = "dropped";
      else out.state = "cancelled";
      if (end.marks.includes("error") || end.fault) out.cls = "state-error";
      if (end.fault) {
        out.state += " (fault)";
        out.title = "fault " + end.fault + (end.reason ? ": " + end.reason : "");
      } else if (end.reason) out.title = end.reason;
      if (live.length && end.kind !== "status") {
        out.state += ", open";
        out.cls = "state-live";
      }
    } else if (live.length) {
      out.state = conn.transport === "grpc" ? "streaming" : "open";
      out.cls = "state-live";
    } else {
      out.state = state.mode === "report" ? "open at the end of the journal" : "ended";
    }
    return out;
  }

  // -- rendering, batched per animation frame -----------------------------------------------

  let frameRequested = false;

  function markDirty(...parts) {
    const which = parts.length ? parts : Object.keys(state.dirty);
    for (const part of which) state.dirty[part] = true;
    if (!frameRequested) {
      frameRequested = true;
      requestAnimationFrame(render);
    }
  }

  function render() {
    frameRequested = false;
    const dirty = state.dirty;
    if (dirty.sessions) renderSessions();
    if (dirty.frames) frameList.refresh();
    if (dirty.strip && state.tab === "timeline") renderStrip();
    if (dirty.charts && state.tab === "charts") scheduleCharts();
    renderCounts();
    dirty.sessions = dirty.frames = false;
    if (state.tab === "timeline") dirty.strip = false;
  }

  function renderCounts() {
    const liveCount = state.live.size;
    $("counts").textContent = state.entries.length + " entries \u00b7 " + state.conns.size + " sessions" +
      (state.mode === "live" ? " \u00b7 " + liveCount + " live" : "");
  }

  // -- sessions table ---------------------------------------------------------------------

  function visibleConns() {
    const filter = $("session-filter").value.trim().toLowerCase();
    const liveOnly = $("live-only").checked;
    return sortedConns().filter((conn) => {
      if (filter && !(conn.key.toLowerCase().includes(filter) || conn.vendor.includes(filter))) return false;
      if (liveOnly && !liveRecords(conn).length) return false;
      return true;
    });
  }

  function renderSessions() {
    const body = document.querySelector("#sessions tbody");
    const conns = visibleConns();
    const shown = conns.slice(-MAX_SESSION_ROWS);
    const rows = [];
    for (const conn of shown) {
      const info = describeConn(conn);
      const selected = conn.key === state.selected;
      const row = el("tr", {
        "data-conn": conn.key,
        "aria-selected": selected ? "true" : "false",
        tabindex: selected ? "0" : "-1",
      },
      el("td", {}, el("span", { className: "vendor", text: conn.vendor })),
      el("td", { className: "id", text: conn.key }),
      el("td", { text: info.client }),
      el("td", { className: "num", title: info.ageTitle, text: info.age }),
      el("td", { className: "num", text: String(conn.nIn) }),
      el("td", { className: "num", text: String(conn.nOut) }),
      el("td", { className: info.cls, title: info.title || undefined, text: info.state }));
      rows.push(row);
    }
    if (shown.length && !shown.some((c) => c.key === state.selected)) rows[0].tabIndex = 0;
    const hadFocus = body.contains(document.activeElement);
    body.replaceChildren(...rows);
    $("no-sessions").hidden = rows.length > 0;
    if (hadFocus) {
      const row = body.querySelector("tr[tabindex='0']");
      if (row) row.focus({ preventScroll: true });
    }
    const conn = state.conns.get(state.selected);
    $("session-title").textContent = conn ? conn.key + " \u00b7 " + conn.vendor + " \u00b7 " + conn.transport + " \u00b7 " + conn.entries.length + " frames" : "";
  }

  function selectConn(key, focusRow) {
    if (state.selected !== key) {
      state.selected = key;
      state.frame = -1;
      state.follow = true;
      state.chartsFor = null;
      renderDetail(null);
    }
    const conn = state.conns.get(key);
    if (conn && state.frame < 0 && conn.entries.length) {
      state.frame = 0;
      renderDetail(conn.entries[0]);
      state.follow = state.mode === "live";
    }
    markDirty();
    if (focusRow) {
      requestAnimationFrame(() => {
        const row = document.querySelector("#sessions tbody tr[data-conn='" + cssEscape(key) + "']");
        if (row) {
          row.focus();
          row.scrollIntoView({ block: "nearest" });
        }
      });
    }
  }

  function cssEscape(text) {
    return window.CSS && CSS.escape ? CSS.escape(text) : text.replace(/['\\]/g, "\\$&");
  }

  function onSessionsKey(event) {
    const rows = [...document.querySelectorAll("#sessions tbody tr")];
    if (!rows.length) return;
    let index = rows.findIndex((row) => row.dataset.conn === state.selected);
    const keys = { ArrowDown: 1, ArrowUp: -1, PageDown: 10, PageUp: -10 };
    if (event.key in keys) index = Math.max(0, Math.min(rows.length - 1, index + keys[event.key]));
    else if (event.key === "Home") index = 0;
    else if (event.key === "End") index = rows.length - 1;
    else if (event.key === "Enter") {
      $("frames").focus();
      event.preventDefault();
      return;
    } else return;
    event.preventDefault();
    selectConn(rows[index].dataset.conn, true);
  }

  // -- frames: a virtualised list ---------------------------------------------------------

  class VirtualList {
    constructor(container) {
      this.container = container;
      this.spacer = container.querySelector(".spacer");
      this.pool = [];
      container.addEventListener("scroll", () => this.onScroll(), { passive: true });
      container.addEventListener("click", (event) => {
        const row = event.target.closest(".frame");
        if (row) selectFrame(Number(row.dataset.index), false);
      });
      container.addEventListener("keydown", (event) => this.onKey(event));
      new ResizeObserver(() => this.refresh()).observe(container);
    }

    get entries() {
      const conn = state.conns.get(state.selected);
      return conn ? conn.entries : [];
    }

    onScroll() {
      const c = this.container;
      state.follow = c.scrollTop + c.clientHeight >= c.scrollHeight - ROW_HEIGHT;
      if (!this.scheduled) {
        this.scheduled = true;
        requestAnimationFrame(() => {
          this.scheduled = false;
          this.refresh();
        });
      }
    }

    onKey(event) {
      const n = this.entries.length;
      if (!n) return;
      const page = Math.max(1, Math.floor(this.container.clientHeight / ROW_HEIGHT) - 1);
      const steps = { ArrowDown: 1, ArrowUp: -1, PageDown: page, PageUp: -page, j: 1, k: -1 };
      let index = state.frame;
      if (event.key in steps) index = Math.max(0, Math.min(n - 1, (index < 0 ? 0 : index) + steps[event.key]));
      else if (event.key === "Home") index = 0;
      else if (event.key === "End") index = n - 1;
      else if (event.key === "Enter") {
        $("detail-json").focus();
        event.preventDefault();
        return;
      } else return;
      event.preventDefault();
      selectFrame(index, true);
    }

    scrollTo(index) {
      const c = this.container;
      const top = index * ROW_HEIGHT;
      if (top < c.scrollTop) c.scrollTop = top;
      else if (top + ROW_HEIGHT > c.scrollTop + c.clientHeight) c.scrollTop = top + ROW_HEIGHT - c.clientHeight;
    }

    refresh() {
      const entries = this.entries;
      const c = this.container;
      this.spacer.style.height = entries.length * ROW_HEIGHT + "px";
      if (state.follow && entries.length && state.mode === "live") {
        c.scrollTop = c.scrollHeight;
      }
      const first = Math.max(0, Math.floor(c.scrollTop / ROW_HEIGHT) - 5);
      const count = Math.min(entries.length - first, Math.ceil(c.clientHeight / ROW_HEIGHT) + 10);
      while (this.pool.length < count) {
        const row = el("div", { className: "frame", role: "option" },
          el("span", { className: "seq" }), el("span", { className: "t" }), el("span", { className: "dir" }),
          el("span", { className: "kind" }), el("span", { className: "summary" }), el("span", { className: "size" }));
        c.append(row);
        this.pool.push(row);
      }
      const t0 = entries.length ? entries[0].t : 0;
      for (let i = 0; i < this.pool.length; i++) {
        const row = this.pool[i];
        if (i >= count) {
          row.hidden = true;
          continue;
        }
        const index = first + i;
        const e = entries[index];
        row.hidden = false;
        row.style.top = index * ROW_HEIGHT + "px";
        row.dataset.index = String(index);
        row.dataset.seq = String(e.seq);
        row.id = "frame-" + e.seq;
        row.className = "frame" + (e.marks.length ? " m-" + e.marks[0] : "");
        row.setAttribute("aria-selected", index === state.frame ? "true" : "false");
        const cells = row.children;
        cells[0].textContent = "#" + e.seq;
        cells[1].textContent = "+" + fmtSeconds(e.t - t0);
        cells[2].textContent = e.direction === "in" ? "\u2192" : "\u2190";
        cells[2].className = "dir dir-" + e.direction;
        cells[2].title = e.direction === "in" ? "client to server" : "server to client";
        cells[3].textContent = e.kind;
        cells[4].replaceChildren(summaryOf(e), ...badges(e));
        cells[4].title = summaryOf(e);
        cells[5].textContent = fmtBytes(e.size);
      }
      const active = state.frame >= 0 && entries[state.frame] ? "frame-" + entries[state.frame].seq : "";
      if (active) c.setAttribute("aria-activedescendant", active);
      else c.removeAttribute("aria-activedescendant");
    }
  }

  function summaryOf(e) {
    if (e.summary === undefined) e.summary = summarize(e);
    return e.summary;
  }

  function badges(e) {
    const out = [];
    if (e.fault) out.push(el("span", { className: "badge fault", text: "fault " + e.fault }));
    if (e.marks.includes("violation")) out.push(el("span", { className: "badge violation", text: "violation" }));
    return out;
  }

  function selectFrame(index, scroll) {
    const conn = state.conns.get(state.selected);
    if (!conn || !conn.entries[index]) return;
    state.frame = index;
    state.follow = state.mode === "live" && index === conn.entries.length - 1;
    if (scroll) frameList.scrollTo(index);
    renderDetail(conn.entries[index]);
    markDirty("frames", "strip");
  }

  function selectSeq(seq) {
    const e = state.entries[findSeq(seq)];
    if (!e || e.seq !== seq) return false;
    selectConn(connKey(e), false);
    const conn = state.conns.get(connKey(e));
    const index = conn.entries.indexOf(e);
    setTab("timeline");
    state.follow = false;
    requestAnimationFrame(() => {
      selectFrame(index, true);
      $("frames").focus();
    });
    return true;
  }

  function findSeq(seq) {
    let lo = 0;
    let hi = state.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (state.entries[mid].seq < seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  // -- frame JSON -------------------------------------------------------------------------

  let detailEntry = null;

  function renderDetail(e, whole) {
    detailEntry = e;
    const pre = $("detail-json");
    const note = $("detail-note");
    const more = $("detail-more");
    if (!e) {
      $("detail-summary").textContent = "";
      pre.textContent = "Select a frame.";
      note.hidden = more.hidden = true;
      return;
    }
    $("detail-summary").textContent = "#" + e.seq + " " + e.connection + " " + e.direction + " " + e.kind;
    const message = state.highlight.get(e.seq);
    note.hidden = message === undefined;
    note.textContent = message === undefined ? "" : "Violation: " + message;
    const plain = {};
    for (const [key, value] of Object.entries(e)) {
      if (key !== "marks" && key !== "summary") plain[key] = value;
    }
    let text = JSON.stringify(plain, null, 2);
    more.hidden = whole || text.length <= MAX_DETAIL_CHARS;
    if (!whole && text.length > MAX_DETAIL_CHARS) text = text.slice(0, MAX_DETAIL_CHARS) + "\n\u2026";
    if (text.length <= HIGHLIGHT_CHARS) pre.replaceChildren(...highlightJson(text));
    else pre.textContent = text;
    pre.scrollTop = 0;
  }

  function highlightJson(text) {
    const out = [];
    const pattern = /("(?:[^"\\]|\\.)*")(\s*:)?|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|\b(true|false|null)\b/g;
    let last = 0;
    let match;
    while ((match = pattern.exec(text)) !== null) {
      if (match.index > last) out.push(text.slice(last, match.index));
      let cls = "j-lit";
      if (match[1]) cls = match[2] ? "j-key" : "j-str";
      else if (match[3]) cls = "j-num";
      out.push(el("span", { className: cls, text: match[1] || match[3] || match[4] }));
      if (match[2]) out.push(match[2]);
      last = pattern.lastIndex;
    }
    if (last < text.length) out.push(text.slice(last));
    return out;
  }

  // -- the time strip ---------------------------------------------------------------------

  function renderStrip() {
    const box = $("strip");
    const conn = state.conns.get(state.selected);
    const width = Math.max(200, box.clientWidth);
    const height = Math.max(60, box.clientHeight);
    const root = svg("svg", { viewBox: "0 0 " + width + " " + height, width: width, height: height });
    box.replaceChildren(root);
    if (!conn || !conn.entries.length) return;
    const left = 34;
    const right = width - 10;
    const t0 = conn.first;
    const span = Math.max(conn.last - t0, 1e-3);
    const x = (t) => left + ((t - t0) / span) * (right - left);
    const lanes = { in: [6, 28], out: [34, 56] };
    root.append(svg("text", { x: 4, y: 21 }, "in"), svg("text", { x: 4, y: 49 }, "out"));
    root.append(svg("line", { class: "axis", x1: left, x2: right, y1: 62, y2: 62 }));
    for (const tick of niceTicks(0, span, 8)) {
      const xt = left + (tick / span) * (right - left);
      root.append(svg("line", { class: "axis", x1: xt, x2: xt, y1: 62, y2: 66 }));
      root.append(svg("text", { x: xt, y: 77, "text-anchor": "middle" }, "+" + formatTick(tick) + " s"));
    }
    const entries = conn.entries;
    if (entries.length <= MAX_STRIP_TICKS) {
      for (const e of entries) {
        const [y1, y2] = lanes[e.direction];
        const xe = x(e.t);
        root.append(svg("line", { class: "tick-" + e.direction, x1: xe, x2: xe, y1: y1, y2: y2 }));
      }
    } else {
      const bins = Math.max(1, Math.floor(right - left));
      for (const direction of ["in", "out"]) {
        const counts = new Array(bins).fill(0);
        for (const e of entries) {
          if (e.direction === direction) counts[Math.min(bins - 1, Math.floor(((e.t - t0) / span) * bins))] += 1;
        }
        const most = Math.max(1, ...counts);
        const [y1, y2] = lanes[direction];
        for (let i = 0; i < bins; i++) {
          if (!counts[i]) continue;
          const h = Math.max(2, ((y2 - y1) * counts[i]) / most);
          root.append(svg("rect", { class: "bin-" + direction, x: left + i, y: y2 - h, width: 1, height: h }));
        }
      }
    }
    let marks = 0;
    for (const e of entries) {
      if (!e.marks.length || marks > 3000) continue;
      marks += 1;
      const [y1, y2] = lanes[e.direction];
      const cx = x(e.t);
      const cy = (y1 + y2) / 2;
      const mark = svg("path", {
        class: "mark-" + e.marks[0],
        d: "M" + cx + " " + (cy - 6) + " l5 6 l-5 6 l-5 -6 z",
        "data-seq": e.seq,
      });
      mark.append(svg("title", {}, "#" + e.seq + " " + e.marks.join(", ") + ": " + summaryOf(e)));
      root.append(mark);
    }
    const current = entries[state.frame];
    if (current) {
      const xc = x(current.t);
      root.append(svg("line", { class: "cursor", x1: xc, x2: xc, y1: 2, y2: 60 }));
    }
    root.addEventListener("click", (event) => {
      const rect = root.getBoundingClientRect();
      const t = t0 + ((event.clientX - rect.left - left) / (right - left)) * span;
      selectFrame(nearestFrame(entries, t), true);
    });
  }

  function nearestFrame(entries, t) {
    let lo = 0;
    let hi = entries.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (entries[mid].t < t) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0 && Math.abs(entries[lo - 1].t - t) <= Math.abs(entries[lo].t - t)) return lo - 1;
    return lo;
  }

  function niceTicks(lo, hi, count) {
    const span = hi - lo;
    if (!(span > 0)) return [lo];
    const raw = span / Math.max(1, count);
    const power = Math.pow(10, Math.floor(Math.log10(raw)));
    const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= raw) || raw;
    const ticks = [];
    for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) ticks.push(Number(v.toFixed(10)));
    return ticks;
  }

  function formatTick(v) {
    return Math.abs(v) >= 100 ? v.toFixed(0) : String(Number(v.toPrecision(3)));
  }

  // -- emotion charts ---------------------------------------------------------------------

  let chartTimer = null;

  function scheduleCharts() {
    if (chartTimer !== null) return;
    const conn = state.conns.get(state.selected);
    const stale = !state.chartsFor || state.chartsFor[0] !== state.selected;
    chartTimer = setTimeout(() => {
      chartTimer = null;
      state.dirty.charts = false;
      renderCharts();
    }, stale || !conn ? 0 : 1000);
  }

  /** Hume: per model, every prediction's emotion scores at its stream time. */
  function humeData(conn) {
    const models = new Map();
    for (const e of conn.entries) {
      if (e.direction !== "out" || !isObject(e.data)) continue;
      for (const model of HUME_MODELS) {
        const block = e.data[model];
        if (!isObject(block) || !Array.isArray(block.predictions)) continue;
        let data = models.get(model);
        if (!data) {
          data = { points: [], timed: true };
          models.set(model, data);
        }
        for (const p of block.predictions) {
          if (!isObject(p) || !Array.isArray(p.emotions)) continue;
          let x = null;
          let x1 = null; // the end of the prediction's time range, if it has one
          if (isObject(p.time) && typeof p.time.begin === "number") {
            x = p.time.begin;
            if (typeof p.time.end === "number" && p.time.end > x) x1 = p.time.end;
          } else if (typeof p.time === "number") x = p.time;
          if (x === null) data.timed = false;
          const scores = new Map();
          for (const em of p.emotions) {
            if (isObject(em) && typeof em.name === "string" && typeof em.score === "number") scores.set(em.name, em.score);
          }
          const label = typeof p.text === "string" ? "\u201c" + clip(p.text, 40) + "\u201d"
            : typeof p.frame === "number" ? "frame " + p.frame : "";
          data.points.push({ x: x, x1: x1, index: data.points.length + 1, scores: scores, label: label });
        }
      }
    }
    return models;
  }

  /** The ``n`` emotions with the highest score anywhere in the stream (ties: by name). */
  function topEmotions(points, n) {
    const best = new Map();
    for (const p of points) {
      for (const [name, score] of p.scores) {
        if (!best.has(name) || score > best.get(name)) best.set(name, score);
      }
    }
    return [...best.entries()]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .slice(0, n)
      .map(([name, score]) => ({ name: name, max: score }));
  }

  function humeCharts(conn) {
    const figures = [];
    const models = humeData(conn);
    for (const model of HUME_MODELS) {
      const data = models.get(model);
      if (!data || !data.points.length) continue;
      const top = topEmotions(data.points, state.topN);
      const timed = data.timed;
      const series = top.map((item, i) => ({
        name: item.name,
        color: PALETTE[i % PALETTE.length],
        points: stepPoints(data.points, item.name, timed),
      }));
      figures.push(chartFigure({
        title: model,
        subtitle: "top " + top.length + " of " + countNames(data.points) + " emotions, " + plural(data.points.length, "prediction"),
        xLabel: timed ? "stream time (s)" : "prediction (no stream time: text or images)",
        yLabel: "score",
        series: series,
        bands: [],
        attrs: { "data-vendor": "hume", "data-model": model },
        describe: model + ": " + top.map((t) => t.name + " up to " + t.max.toFixed(2)).join(", "),
      }));
    }
    return figures;
  }

  /** One series' points: a time range (prosody, burst, language on audio) is a flat step
   * from its begin to its end; a time or an index is one point. */
  function stepPoints(points, name, timed) {
    const out = [];
    for (const p of points) {
      if (!p.scores.has(name)) continue;
      const y = p.scores.get(name);
      if (!timed) out.push([p.index, y, p.label]);
      else if (p.x1 !== null) out.push([p.x, y, p.label], [p.x1, y, p.label]);
      else out.push([p.x, y, p.label]);
    }
    return out.sort((a, b) => a[0] - b[0]);
  }

  function countNames(points) {
    const names = new Set();
    for (const p of points) for (const name of p.scores.keys()) names.add(name);
    return names.size;
  }

  /** Behavioral Signals: per task, each result's labels and posteriors on the audio axis. */
  function bsData(conn) {
    const tasks = new Map();
    for (const e of conn.entries) {
      if (e.direction !== "out" || !isObject(e.data)) continue;
      const rows = bsRows(e.data);
      if (!rows) continue;
      for (const r of rows) {
        if (!isObject(r) || typeof r.task !== "string") continue;
        const start = num(r.start_time !== undefined ? r.start_time : r.startTime);
        const end = num(r.end_time !== undefined ? r.end_time : r.endTime);
        if (start === null || end === null) continue;
        const label = r.final_label !== undefined ? r.final_label : r.finalLabel;
        const posteriors = new Map();
        let score = null;
        for (const p of Array.isArray(r.prediction) ? r.prediction : []) {
          if (!isObject(p)) continue;
          const value = num(p.posterior);
          if (p.label && value !== null) posteriors.set(p.label, value);
          if (num(p.score) !== null) score = num(p.score);
        }
        if (!label && !posteriors.size && score === null) continue; // features, embeddings
        let task = tasks.get(r.task);
        if (!task) {
          task = { rows: [], labels: [] };
          tasks.set(r.task, task);
        }
        for (const name of [label, ...posteriors.keys()]) {
          if (name && !task.labels.includes(name)) task.labels.push(name);
        }
        task.rows.push({
          level: r.level || "utterance", start: start, end: end, label: label || "",
          posteriors: posteriors, score: score, seq: e.seq,
        });
      }
    }
    return tasks;
  }

  function bsCharts(conn) {
    const figures = [];
    for (const [name, task] of bsData(conn)) {
      const levels = ["utterance", "segment"].filter((level) => task.rows.some((r) => r.level === level));
      const fine = levels.includes("segment") ? "segment" : levels[0];
      const colors = new Map(task.labels.map((label, i) => [label, PALETTE[i % PALETTE.length]]));
      const rows = task.rows.filter((r) => r.level === fine);
      let series = task.labels
        .filter((label) => rows.some((r) => r.posteriors.has(label)))
        .map((label) => ({
          name: label,
          color: colors.get(label),
          points: rows.filter((r) => r.posteriors.has(label))
            .map((r) => [(r.start + r.end) / 2, r.posteriors.get(label)])
            .sort((a, b) => a[0] - b[0]),
        }));
      if (!series.length && rows.some((r) => r.score !== null)) {
        series = [{
          name: "score", color: PALETTE[0],
          points: rows.filter((r) => r.score !== null).map((r) => [(r.start + r.end) / 2, r.score]).sort((a, b) => a[0] - b[0]),
        }];
      }
      const bands = levels.map((level) => ({
        lane: level,
        rows: task.rows.filter((r) => r.level === level).map((r) => ({
          x0: r.start, x1: r.end, label: r.label, color: colors.get(r.label) || "#888",
          title: level + " " + r.start + "\u2013" + r.end + " s: " + r.label +
            (r.posteriors.has(r.label) ? " (" + r.posteriors.get(r.label).toFixed(2) + ")" : "") +
            (r.score !== null ? " score " + r.score : ""),
        })),
      }));
      const counts = levels.map((level) => plural(task.rows.filter((r) => r.level === level).length, level));
      figures.push(chartFigure({
        title: name,
        subtitle: counts.join(", ") + (series.length ? "; lines: " + (series[0].name === "score" ? "score" : "posterior") + " per " + fine : ""),
        xLabel: "audio time (s)",
        yLabel: series.length && series[0].name === "score" ? "score" : "posterior",
        series: series,
        bands: bands,
        attrs: { "data-vendor": "behavioral", "data-task": name, "data-levels": levels.join(","), "data-labels": JSON.stringify(task.labels) },
        describe: name + ": labels " + task.labels.join(", ") + " over " + counts.join(" and "),
      }));
    }
    return figures;
  }

  function chartFigure(spec) {
    const box = $("charts");
    const width = Math.max(420, box.clientWidth - 20);
    const laneH = 18;
    const plotH = spec.series.length ? 150 : 0;
    const left = spec.bands.length ? 62 : 44;
    const right = width - 12;
    const top = 6;
    const lanesH = spec.bands.length * (laneH + 3);
    const plotTop = top + lanesH + (lanesH ? 6 : 0);
    const axisY = plotTop + plotH;
    const height = axisY + 34;
    let lo = Infinity;
    let hi = -Infinity;
    for (const s of spec.series) for (const [x] of s.points) { lo = Math.min(lo, x); hi = Math.max(hi, x); }
    for (const b of spec.bands) for (const r of b.rows) { lo = Math.min(lo, r.x0); hi = Math.max(hi, r.x1); }
    if (!isFinite(lo)) { lo = 0; hi = 1; }
    if (spec.bands.length) lo = Math.min(lo, 0);
    if (hi <= lo) hi = lo + 1;
    const X = (v) => left + ((v - lo) / (hi - lo)) * (right - left);
    const Y = (v) => axisY - Math.max(0, Math.min(1, v)) * plotH;
    const root = svg("svg", { viewBox: "0 0 " + width + " " + height, width: width, height: height, role: "img", "aria-label": spec.describe });
    spec.bands.forEach((band, i) => {
      const y = top + i * (laneH + 3);
      root.append(svg("text", { class: "lane-label", x: left - 4, y: y + 12, "text-anchor": "end" }, band.lane));
      const group = svg("g", { class: "band", "data-level": band.lane });
      for (const r of band.rows) {
        const x0 = X(r.x0);
        const w = Math.max(1, X(r.x1) - x0 - 1);
        const rect = svg("rect", { x: x0, y: y, width: w, height: laneH, rx: 2, fill: r.color, "data-label": r.label });
        rect.append(svg("title", {}, r.title));
        group.append(rect);
        if (w > r.label.length * 6 + 6) group.append(svg("text", { x: x0 + 3, y: y + 13 }, r.label));
      }
      root.append(group);
    });
    if (plotH) {
      for (const v of [0, 0.25, 0.5, 0.75, 1]) {
        root.append(svg("line", { class: "grid", x1: left, x2: right, y1: Y(v), y2: Y(v) }));
        root.append(svg("text", { x: left - 4, y: Y(v) + 3, "text-anchor": "end" }, String(v)));
      }
    }
    root.append(svg("line", { class: "grid", x1: left, x2: right, y1: axisY, y2: axisY }));
    for (const tick of niceTicks(lo, hi, 10)) {
      root.append(svg("text", { x: X(tick), y: axisY + 13, "text-anchor": "middle" }, formatTick(tick)));
    }
    root.append(svg("text", { x: (left + right) / 2, y: axisY + 28, "text-anchor": "middle" }, spec.xLabel));
    if (plotH) {
      root.append(svg("text", { x: 10, y: plotTop + plotH / 2, transform: "rotate(-90 10 " + (plotTop + plotH / 2) + ")", "text-anchor": "middle" }, spec.yLabel));
    }
    const paths = new Map();
    for (const s of spec.series) {
      const d = s.points.map(([x, y], i) => (i ? "L" : "M") + X(x).toFixed(1) + " " + Y(y).toFixed(1)).join(" ");
      const group = svg("g", { "data-series": s.name });
      group.append(svg("path", { class: "series", d: d || "M0 0", stroke: s.color, "data-series": s.name }));
      if (s.points.length <= 120) {
        for (const [x, y, label] of s.points) {
          const dot = svg("circle", { class: "dot", cx: X(x).toFixed(1), cy: Y(y).toFixed(1), r: 2.2, fill: s.color });
          dot.append(svg("title", {}, s.name + " " + y.toFixed(3) + " at " + formatTick(x) + (label ? " " + label : "")));
          group.append(dot);
        }
      }
      group.firstChild.append(svg("title", {}, s.name));
      paths.set(s.name, group);
      root.append(group);
    }
    const legend = el("ul", { className: "chart-legend", "aria-label": "Series (press to show or hide)" });
    for (const s of spec.series) {
      const button = el("button", { type: "button", "aria-pressed": "true", "data-series": s.name },
        el("span", { className: "swatch" }), s.name);
      button.firstChild.style.background = s.color;
      button.addEventListener("click", () => {
        const on = button.getAttribute("aria-pressed") !== "true";
        button.setAttribute("aria-pressed", on ? "true" : "false");
        for (const node of paths.get(s.name).querySelectorAll("path, circle")) node.classList.toggle("dim", !on);
      });
      legend.append(el("li", {}, button));
    }
    const attrs = Object.assign({ className: "chart", "data-series": JSON.stringify(spec.series.map((s) => s.name)) }, spec.attrs);
    return el("figure", attrs,
      el("figcaption", {}, spec.title, el("span", { className: "sub", text: spec.subtitle })),
      root, spec.series.length ? legend : null);
  }

  function renderCharts() {
    const box = $("charts");
    const conn = state.conns.get(state.selected);
    if (!conn) {
      box.replaceChildren(el("p", { className: "empty", text: "Select a session." }));
      return;
    }
    if (state.chartsFor && state.chartsFor[0] === conn.key && state.chartsFor[1] === conn.version && state.chartsFor[2] === state.topN && state.chartsFor[3] === box.clientWidth) return;
    state.chartsFor = [conn.key, conn.version, state.topN, box.clientWidth];
    document.querySelector(".chart-options").hidden = conn.vendor !== "hume";
    const figures = conn.vendor === "hume" ? humeCharts(conn) : conn.vendor === "behavioral" ? bsCharts(conn) : [];
    if (!figures.length) {
      box.replaceChildren(el("p", { className: "empty", text: "No emotion results in " + conn.key + " yet." }));
      return;
    }
    box.replaceChildren(...figures);
  }

  // -- tabs -------------------------------------------------------------------------------

  function tabs() {
    return [...document.querySelectorAll("[role=tab]")].filter((tab) => !tab.hidden);
  }

  function setTab(name, focus) {
    state.tab = name;
    for (const tab of document.querySelectorAll("[role=tab]")) {
      const on = tab.id === "tab-" + name;
      tab.setAttribute("aria-selected", on ? "true" : "false");
      tab.tabIndex = on ? 0 : -1;
      $(tab.getAttribute("aria-controls")).hidden = !on;
      if (on && focus) tab.focus();
    }
    if (name === "controls" && state.mode === "live") refreshControls();
    markDirty();
  }

  function onTabKey(event) {
    const list = tabs();
    const index = list.indexOf(event.target);
    let next = null;
    if (event.key === "ArrowRight") next = list[(index + 1) % list.length];
    else if (event.key === "ArrowLeft") next = list[(index - 1 + list.length) % list.length];
    else if (event.key === "Home") next = list[0];
    else if (event.key === "End") next = list[list.length - 1];
    if (next) {
      event.preventDefault();
      setTab(next.id.slice(4), true);
    }
  }

  // -- violations (reports) ---------------------------------------------------------------

  function renderViolations() {
    const list = $("violations");
    const items = [...state.highlight.entries()].sort((a, b) => a[0] - b[0]);
    $("tab-violations").hidden = !items.length;
    $("tab-violations").textContent = "Violations (" + items.length + ")";
    list.replaceChildren(...items.map(([seq, message]) => {
      const e = state.entries[findSeq(seq)];
      const where = e && e.seq === seq ? e.connection + " " + e.direction + " " + e.kind : "not in the journal";
      return el("li", {}, el("button", { type: "button", "data-seq": seq, onclick: () => selectSeq(seq) },
        "#" + seq + " (" + where + "): " + message));
    }));
  }

  // -- live: the admin API ----------------------------------------------------------------

  function token() {
    try {
      return sessionStorage.getItem(TOKEN_KEY) || "";
    } catch (error) {
      return "";
    }
  }

  function authHeaders() {
    const value = token();
    return value ? { Authorization: "Bearer " + value } : {};
  }

  function setStatus(text, cls) {
    const node = $("status");
    node.textContent = text;
    node.className = "status" + (cls ? " " + cls : "");
  }

  let streamAbort = null;
  let lastSeq = 0;

  async function runStream() {
    let delay = 500;
    for (;;) {
      const controller = new AbortController();
      streamAbort = controller;
      try {
        const response = await fetch("/events?since_seq=" + lastSeq, {
          headers: authHeaders(), cache: "no-store", signal: controller.signal,
        });
        if (response.status === 401) {
          setStatus("admin token required", "down");
          $("token").focus();
          await waitForToken();
          continue;
        }
        if (!response.ok || !response.body) throw new Error("HTTP " + response.status);
        setStatus("live", "live");
        delay = 500;
        await readEvents(response.body);
        setStatus("reconnecting", "down");
      } catch (error) {
        if (controller.signal.aborted) continue; // a new token: reconnect at once
        setStatus("disconnected, retrying", "down");
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(5000, delay * 2);
    }
  }

  let tokenWaiter = null;

  function waitForToken() {
    return new Promise((resolve) => { tokenWaiter = resolve; });
  }

  async function readEvents(body) {
    const reader = body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        handleBlock(block);
      }
    }
  }

  function handleBlock(block) {
    let event = "message";
    const data = [];
    for (const line of block.split("\n")) {
      if (!line || line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? "" : line.slice(colon + 1);
      if (value.startsWith(" ")) value = value.slice(1);
      if (field === "event") event = value;
      else if (field === "data") data.push(value);
    }
    if (!data.length) return;
    const payload = JSON.parse(data.join("\n"));
    if (event === "entries") {
      addEntries(payload);
      for (const e of payload) lastSeq = Math.max(lastSeq, e.seq);
    } else if (event === "sessions") {
      const at = performance.now();
      state.live = new Map(payload.map((record) => [record.id, { record: record, at: at }]));
      for (const record of payload) {
        const key = record.transport === "http" ? record.vendor + " REST" : record.id;
        const conn = connFor(key, record.vendor, record.transport, Number.MAX_SAFE_INTEGER);
        if (record.info && record.info.remote) conn.client = record.info.remote;
      }
      markDirty("sessions");
    } else if (event === "reset") {
      lastSeq = 0;
      clearAll();
    } else if (event === "hello") {
      $("title").textContent = "affect-mockserver " + payload.version;
      $("title").title = "seed " + payload.seed;
    }
  }

  async function api(method, path, text) {
    const headers = authHeaders();
    const init = { method: method, headers: headers, cache: "no-store" };
    if (text !== undefined) {
      let type = "application/yaml";
      try {
        JSON.parse(text);
        type = "application/json";
      } catch (error) {
        // not JSON: the admin API reads it as YAML
      }
      headers["Content-Type"] = type;
      init.body = text;
    }
    const response = await fetch(path, init);
    let body = null;
    try {
      body = await response.json();
    } catch (error) {
      body = null;
    }
    if (!response.ok) {
      const message = body && body.error ? body.error.message : body && body.message ? body.message : "";
      throw new Error("HTTP " + response.status + (message ? ": " + message : ""));
    }
    return body;
  }

  function showResult(text, good) {
    const out = $("control-result");
    out.textContent = text;
    out.className = "result " + (good ? "good" : "bad");
  }

  async function refreshControls() {
    try {
      const [faults, scenarios] = await Promise.all([api("GET", "/faults"), api("GET", "/scenarios")]);
      $("faults-active").textContent = faults.length ? faults.map((f) => JSON.stringify(f)).join("\n") : "none";
      $("scenarios-active").textContent = scenarios.length ? scenarios.map((s) => s.name || JSON.stringify(s)).join("\n") : "none";
    } catch (error) {
      showResult(error.message, false);
    }
  }

  function control(button, action, describe) {
    button.addEventListener("click", async () => {
      button.disabled = true;
      try {
        const body = await action();
        showResult(describe(body), true);
      } catch (error) {
        showResult(error.message, false);
      } finally {
        button.disabled = false;
        refreshControls();
      }
    });
  }

  function setUpControls() {
    const select = $("fault-example");
    FAULT_EXAMPLES.forEach(([label], i) => select.append(el("option", { value: i, text: label })));
    const pick = () => { $("fault-text").value = JSON.stringify(FAULT_EXAMPLES[Number(select.value)][1], null, 2); };
    select.addEventListener("change", pick);
    pick();
    $("scenario-text").value = SCENARIO_EXAMPLE;
    control($("fault-add"), () => api("POST", "/faults", $("fault-text").value),
      (body) => "Added " + body.added.map((f) => f.name).join(", ") + "; " + body.active.length + " active.");
    control($("fault-clear"), () => api("DELETE", "/faults"), (body) => "Cleared " + plural(body.cleared, "fault") + ".");
    control($("scenario-load"), () => api("POST", "/scenarios", $("scenario-text").value),
      (body) => "Loaded " + (body.loaded.name || "the scenario") + "; " + body.active.length + " active.");
    control($("scenario-clear"), () => api("DELETE", "/scenarios"), (body) => "Cleared " + plural(body.cleared, "scenario") + ".");
    control($("reset"), () => {
      if (!window.confirm("Reset the server? The journal, scenarios and faults are forgotten.")) {
        return Promise.reject(new Error("Reset cancelled."));
      }
      return api("POST", "/reset");
    }, (body) => "Reset: cleared " + body.cleared.journal_entries + " journal entries, " +
      body.cleared.scenarios + " scenarios, " + body.cleared.faults + " faults.");
  }

  // -- start ------------------------------------------------------------------------------

  function bindCommon() {
    for (const tab of document.querySelectorAll("[role=tab]")) {
      tab.addEventListener("click", () => setTab(tab.id.slice(4)));
      tab.addEventListener("keydown", onTabKey);
    }
    const body = document.querySelector("#sessions tbody");
    body.addEventListener("click", (event) => {
      const row = event.target.closest("tr");
      if (row) selectConn(row.dataset.conn, true);
    });
    body.addEventListener("keydown", onSessionsKey);
    $("session-filter").addEventListener("input", () => markDirty("sessions"));
    $("live-only").addEventListener("change", () => markDirty("sessions"));
    $("top-n").addEventListener("change", () => {
      state.topN = Math.max(1, Math.min(12, Number($("top-n").value) || 5));
      state.chartsFor = null;
      markDirty("charts");
    });
    $("detail-more").addEventListener("click", () => renderDetail(detailEntry, true));
    new ResizeObserver(() => markDirty("strip", "charts")).observe($("strip"));
    window.addEventListener("hashchange", followHash);
  }

  function followHash() {
    const match = /(?:^#|&)seq=(\d+)/.exec(location.hash);
    return match ? selectSeq(Number(match[1])) : false;
  }

  function startReport(data) {
    state.mode = "report";
    document.body.classList.add("report");
    $("token-form").hidden = true;
    $("live-only").parentElement.hidden = true;
    $("controls").hidden = true;
    $("controls-report").hidden = false;
    $("tab-controls").hidden = true;
    const title = data.title || "journal report";
    document.title = title + " \u2014 affect-mockserver";
    $("title").textContent = title;
    setStatus("report \u00b7 " + (data.entries || []).length + " entries", "");
    for (const [seq, message] of Object.entries(data.highlight || {})) state.highlight.set(Number(seq), String(message));
    addEntries(data.entries || []);
    renderViolations();
    if (!followHash() && state.highlight.size) selectSeq(Math.min(...state.highlight.keys()));
  }

  function startLive() {
    const input = $("token");
    input.value = token();
    $("token-form").addEventListener("submit", (event) => {
      event.preventDefault();
      try {
        if (input.value) sessionStorage.setItem(TOKEN_KEY, input.value);
        else sessionStorage.removeItem(TOKEN_KEY);
      } catch (error) {
        // storage disabled: the token lasts until the page is closed
      }
      lastSeq = 0;
      clearAll();
      if (tokenWaiter) {
        const resolve = tokenWaiter;
        tokenWaiter = null;
        resolve();
      } else if (streamAbort) {
        streamAbort.abort();
      }
      if (state.tab === "controls") refreshControls();
    });
    setUpControls();
    setInterval(() => {
      if (state.live.size) markDirty("sessions");
    }, 1000);
    setStatus("connecting", "");
    runStream();
  }

  let frameList = null;

  function main() {
    frameList = new VirtualList($("frames"));
    bindCommon();
    const embedded = document.getElementById("mockserver-report");
    if (embedded) startReport(JSON.parse(embedded.textContent));
    else startLive();
    markDirty();
  }

  main();
})();
