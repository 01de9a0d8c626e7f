// Segments viewer: plain browser JavaScript, no build step. Talks only to the read API (config.json says where)
// and to the short-lived presigned S3 URLs that API hands out.
"use strict";

const CUE_COLOURS = {
  BlackFrames: "#222222", ColorBars: "#e6194b", Content: "#4363d8", EndCredits: "#911eb4",
  OpeningCredits: "#f58231", Slate: "#3cb44b", StudioLogo: "#c9a400",
};
const TERMINAL = new Set(["SUCCEEDED", "FAILED"]);
const POLL_MS = 2000;
const CARD_W = 186, CARD_H = 166, CARD_W_PHONE = 156, CARD_H_PHONE = 146;

let config = { apiUrl: "", auth: null };
let pollTimer = null;
let view = null; // state of the open video page

const $ = (sel, root = document) => root.querySelector(sel);
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "dataset") Object.assign(node.dataset, v);
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) node.append(c);
  return node;
}

// ---- sign-in (Cognito hosted UI, authorization code + PKCE); absent in local mode -------------------------
const auth = {
  token() { return sessionStorage.getItem("accessToken"); },
  async begin() {
    const a = config.auth;
    const verifier = b64url(crypto.getRandomValues(new Uint8Array(32)));
    const challenge = b64url(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier))));
    sessionStorage.setItem("pkce", verifier);
    sessionStorage.setItem("after", location.hash || "#/");
    const q = new URLSearchParams({ response_type: "code", client_id: a.clientId, redirect_uri: a.redirectUri,
      scope: (a.scopes || ["openid"]).join(" "), code_challenge_method: "S256", code_challenge: challenge });
    location.assign(`${a.domain}/oauth2/authorize?${q}`);
  },
  async finish(code) {
    const a = config.auth;
    const body = new URLSearchParams({ grant_type: "authorization_code", client_id: a.clientId, code,
      redirect_uri: a.redirectUri, code_verifier: sessionStorage.getItem("pkce") || "" });
    const r = await fetch(`${a.domain}/oauth2/token`, { method: "POST", body,
      headers: { "Content-Type": "application/x-www-form-urlencoded" } });
    if (!r.ok) throw new Error(`sign-in failed (${r.status})`);
    const tokens = await r.json();
    // The API's authorizer checks scopes, so it takes the access token.
    sessionStorage.setItem("accessToken", tokens.access_token);
    history.replaceState(null, "", location.pathname + (sessionStorage.getItem("after") || "#/"));
  },
  signOut() {
    sessionStorage.removeItem("accessToken");
    const a = config.auth;
    const q = new URLSearchParams({ client_id: a.clientId, logout_uri: a.redirectUri });
    location.assign(`${a.domain}/logout?${q}`);
  },
};
function b64url(bytes) {
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

async function api(path, options = {}) {
  const headers = { ...(options.headers || {}) };
  if (config.auth && auth.token()) headers.Authorization = auth.token();
  const response = await fetch(config.apiUrl + path, { ...options, headers });
  if (response.status === 401 && config.auth) { await auth.begin(); throw new Error("signing in"); }
  if (!response.ok) {
    let message = `${response.status}`;
    try { const e = await response.json(); message = `${e.code || response.status}: ${e.message || ""}`; } catch (_) { /* not JSON */ }
    throw new Error(message);
  }
  return response;
}
const getJson = async (path) => (await api(path)).json();

// ---- routing ---------------------------------------------------------------------------------------------
function route() {
  clearTimeout(pollTimer);
  if (view) { view.dispose(); view = null; }
  const m = location.hash.match(/^#\/video\/([A-Za-z0-9_-]+)/);
  if (m) showVideo(m[1]); else showList();
}

// ---- videos list with live status and upload -------------------------------------------------------------
function showList() {
  const main = $("#main");
  const progress = el("progress", { max: 100, value: 0, hidden: true, "aria-label": "upload progress" });
  const note = el("p", { class: "muted", role: "status", "aria-live": "polite" });
  const input = el("input", { type: "file", accept: "video/*,.mp4,.mov,.m4v,.mkv,.webm", "data-testid": "upload",
    id: "upload-input", onchange: (e) => e.target.files[0] && upload(e.target.files[0], progress, note) });
  const zone = el("label", { class: "dropzone", for: "upload-input" },
    el("strong", {}, "Upload a video"), " — drop a file here or choose one", input, progress, note);
  zone.addEventListener("dragover", (e) => { e.preventDefault(); zone.classList.add("over"); });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (e) => {
    e.preventDefault(); zone.classList.remove("over");
    if (e.dataTransfer.files[0]) upload(e.dataTransfer.files[0], progress, note);
  });
  const body = el("tbody");
  const table = el("table", {}, el("caption", { class: "sr-only" }, "Videos and their detection status"),
    el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Video"), el("th", { scope: "col" }, "Status"),
      el("th", { scope: "col", class: "optional" }, "Engine"), el("th", { scope: "col", class: "optional" }, "Updated"))),
    body);
  main.replaceChildren(el("h1", {}, "Videos"), zone, table);
  refreshList(body);
}

async function refreshList(body) {
  try {
    const videos = [];
    let token = null;
    do {
      const page = await getJson(`/videos?maxResults=100${token ? `&nextToken=${encodeURIComponent(token)}` : ""}`);
      videos.push(...page.Videos);
      token = page.NextToken;
    } while (token && videos.length < 1000);
    videos.sort((a, b) => (b.updatedAt || "").localeCompare(a.updatedAt || ""));
    body.replaceChildren(...(videos.length ? videos.map(videoRow) :
      [el("tr", {}, el("td", { colspan: 4, class: "muted" }, "No videos yet."))]));
  } catch (err) {
    body.replaceChildren(el("tr", {}, el("td", { colspan: 4, class: "error" }, `Cannot list videos: ${err.message}`)));
  }
  if (!location.hash.startsWith("#/video/")) pollTimer = setTimeout(() => refreshList(body), POLL_MS);
}

function videoRow(v) {
  const status = v.queued ? "QUEUED" : v.status;
  return el("tr", { "data-testid": "video-row", "data-video-id": v.videoId, "data-status": v.status },
    el("td", {}, el("a", { href: `#/video/${v.videoId}` }, v.key)),
    el("td", {}, el("span", { class: `status ${status}` }, status),
      v.status === "FAILED" && v.statusMessage ? el("div", { class: "error" }, v.statusMessage) : null),
    el("td", { class: "optional" }, v.source || ""),
    el("td", { class: "optional" }, (v.updatedAt || "").replace("T", " ").slice(0, 19)));
}

async function upload(file, progress, note) {
  progress.hidden = false; progress.value = 0;
  note.textContent = `Uploading ${file.name}…`;
  try {
    const form = await (await api("/uploads", { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ filename: file.name, size: file.size }) })).json();
    const data = new FormData();
    for (const [k, v] of Object.entries(form.Fields)) data.append(k, v);
    data.append("file", file); // S3 requires the file to be the last field
    await new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open("POST", form.Url);
      xhr.upload.onprogress = (e) => { if (e.lengthComputable) progress.value = (100 * e.loaded) / e.total; };
      xhr.onload = () => (xhr.status < 300 ? resolve() : reject(new Error(`S3 refused the upload (${xhr.status})`)));
      xhr.onerror = () => reject(new Error("network error during upload"));
      xhr.send(data);
    });
    progress.value = 100;
    note.textContent = `Uploaded ${form.Key}; detection starts shortly.`;
  } catch (err) {
    note.textContent = `Upload failed: ${err.message}`;
    note.className = "error";
  }
}

// ---- one video -------------------------------------------------------------------------------------------
async function showVideo(videoId) {
  const main = $("#main");
  main.replaceChildren(el("p", { class: "muted" }, "Loading…"));
  let info;
  try { info = await getJson(`/videos/${videoId}`); } catch (err) {
    main.replaceChildren(el("p", { class: "error" }, `Cannot load the video: ${err.message}`),
      el("a", { href: "#/" }, "All videos"));
    return;
  }
  const heading = el("h1", {}, info.key);
  const statusLine = el("p", { role: "status", "aria-live": "polite" },
    el("span", { class: `status ${info.JobStatus}` }, info.JobStatus), " ", info.StatusMessage || "");
  if (info.JobStatus !== "SUCCEEDED") {
    main.replaceChildren(el("a", { href: "#/" }, "← All videos"), heading, statusLine);
    if (!TERMINAL.has(info.JobStatus)) pollTimer = setTimeout(() => route(), POLL_MS);
    return;
  }
  const [segments, playback, thumbs] = await Promise.all([
    allSegments(videoId), getJson(`/videos/${videoId}/playback`),
    getJson(`/videos/${videoId}/thumbnails`).catch(() => ({ Status: "FAILED", StatusMessage: "unavailable", Thumbnails: [] })),
  ]);
  view = new VideoView(videoId, info, segments, playback, thumbs);
  main.replaceChildren(el("a", { href: "#/" }, "← All videos"), heading, statusLine, view.render());
  view.layout();
}

async function allSegments(videoId) {
  const out = [];
  let token = null;
  do {
    const page = await getJson(`/videos/${videoId}/segments?maxResults=1000${token ? `&nextToken=${encodeURIComponent(token)}` : ""}`);
    out.push(...page.Segments);
    token = page.NextToken;
  } while (token);
  return out;
}

class VideoView {
  constructor(videoId, info, segments, playback, thumbs) {
    this.videoId = videoId;
    this.info = info;
    this.segments = segments;
    this.rate = (info.VideoMetadata && info.VideoMetadata[0] && info.VideoMetadata[0].FrameRate) || 25;
    this.durationMs = Math.max(1, (info.VideoMetadata && info.VideoMetadata[0] && info.VideoMetadata[0].DurationMillis) || 0,
      ...segments.map((s) => s.EndTimestampMillis));
    this.playback = playback;
    this.thumbs = thumbs;
    this.thumbByIndex = new Map((thumbs.Thumbnails || []).map((t) => [t.Index, t]));
    this.filter = { type: "", cueType: "", minConfidence: 0 };
    this.current = -1;
    this.listeners = [];
  }

  confidence(s) { return (s.ShotSegment || s.TechnicalCueSegment || {}).Confidence || 0; }

  visible() {
    const f = this.filter;
    return this.segments.filter((s) => (!f.type || s.Type === f.type)
      && (!f.cueType || (s.Type === "TECHNICAL_CUE" && s.TechnicalCueSegment.Type === f.cueType))
      && this.confidence(s) >= f.minConfidence);
  }

  render() {
    this.video = el("video", { "data-testid": "player", controls: true, preload: "auto", src: this.playback.Url,
      "aria-label": `video ${this.info.key}` });
    this.video.addEventListener("timeupdate", () => this.onTime());
    this.shotLane = el("div", { class: "lane", role: "group", "aria-label": "shots timeline" });
    this.cueLane = el("div", { class: "lane", role: "group", "aria-label": "technical cues timeline" });
    this.playheads = [el("div", { class: "playhead" }), el("div", { class: "playhead" })];
    const cueTypes = [...new Set(this.segments.filter((s) => s.Type === "TECHNICAL_CUE").map((s) => s.TechnicalCueSegment.Type))];
    const legend = el("ul", { class: "legend", "aria-label": "cue colours" },
      ...cueTypes.map((t) => el("li", {}, el("span", { style: `background:${CUE_COLOURS[t] || "#888"}` }), t)));
    const timeline = el("section", { class: "timeline", "aria-label": "timeline" },
      el("div", { class: "lane-label", id: "shots-label" }, "Shots"), this.shotLane,
      el("div", { class: "lane-label" }, "Technical cues"), this.cueLane, legend);
    this.grid = el("div", { class: "grid", role: "list", "aria-label": "shots", tabindex: "0" });
    this.gridInner = el("div", { class: "grid-inner" });
    this.grid.append(this.gridInner);
    this.grid.addEventListener("scroll", () => this.drawGrid());
    const thumbNote = this.thumbNote = el("p", { class: "muted", role: "status" }, this.thumbs.Status === "SUCCEEDED" ? ""
      : `Thumbnails: ${this.thumbs.Status}${this.thumbs.StatusMessage ? ` — ${this.thumbs.StatusMessage}` : ""}`);
    const nav = el("div", { class: "nav" },
      el("button", { type: "button", onclick: () => this.step(-1), "aria-keyshortcuts": "p" }, "◀ Previous shot (p)"),
      el("button", { type: "button", onclick: () => this.step(1), "aria-keyshortcuts": "n" }, "Next shot (n) ▶"),
      this.counter = el("span", { class: "muted", "aria-live": "polite" }));
    const side = el("aside", { class: "panel filters", "aria-label": "filters and exports" },
      el("h2", {}, "Filters"),
      el("label", {}, "Type ", this.select("type", [["", "All"], ["SHOT", "Shots"], ["TECHNICAL_CUE", "Technical cues"]])),
      el("label", {}, "Cue type ", this.select("cueType", [["", "All"], ...Object.keys(CUE_COLOURS).map((t) => [t, t])])),
      el("label", {}, "Minimum confidence ", this.confidenceOut = el("output", {}, "0"),
        el("input", { type: "range", min: 0, max: 100, step: 1, value: 0, "aria-label": "minimum confidence",
          oninput: (e) => { this.filter.minConfidence = Number(e.target.value); this.confidenceOut.textContent = e.target.value; this.redraw(); } })),
      el("h2", {}, "Export"),
      el("div", { class: "exports" }, ...["json", "csv", "edl", "vtt"].map((fmt) =>
        el("button", { type: "button", "data-testid": `export-${fmt}`, onclick: () => this.exportAs(fmt),
          "aria-label": `download ${fmt.toUpperCase()} of the filtered segments` }, fmt.toUpperCase()))),
      el("p", { class: "muted" }, `${this.segments.length} segments · ${this.rate} fps`));
    this.keyHandler = (e) => {
      if (e.target.closest && e.target.closest("input, select, textarea")) return;
      if (e.key === "n") { this.step(1); e.preventDefault(); }
      if (e.key === "p") { this.step(-1); e.preventDefault(); }
    };
    document.addEventListener("keydown", this.keyHandler);
    this.resizeHandler = () => this.layout();
    window.addEventListener("resize", this.resizeHandler);
    return el("div", {}, el("div", { class: "video-layout" }, el("div", {}, this.video, nav, timeline), side),
      el("h2", {}, "Shots"), thumbNote, this.grid);
  }

  select(name, options) {
    return el("select", { "aria-label": name === "type" ? "segment type" : "cue type",
      onchange: (e) => { this.filter[name] = e.target.value; this.redraw(); } },
    ...options.map(([v, label]) => el("option", { value: v }, label)));
  }

  dispose() {
    this.disposed = true;
    clearTimeout(this.thumbTimer);
    document.removeEventListener("keydown", this.keyHandler);
    window.removeEventListener("resize", this.resizeHandler);
  }

  layout() { this.redraw(); this.refreshThumbnails(); }

  // The thumbnail step runs after the job succeeds: ask again until it has finished either way.
  refreshThumbnails() {
    if (this.thumbs.Status !== "PENDING" || this.disposed) return;
    this.thumbTimer = setTimeout(async () => {
      try {
        this.thumbs = await getJson(`/videos/${this.videoId}/thumbnails`);
        this.thumbByIndex = new Map((this.thumbs.Thumbnails || []).map((t) => [t.Index, t]));
        this.thumbNote.textContent = this.thumbs.Status === "SUCCEEDED" ? ""
          : `Thumbnails: ${this.thumbs.Status}${this.thumbs.StatusMessage ? ` — ${this.thumbs.StatusMessage}` : ""}`;
        this.drawGrid(true);
      } catch (_) { /* try again */ }
      this.refreshThumbnails();
    }, POLL_MS);
  }

  redraw() {
    const shown = this.visible();
    this.shots = shown.filter((s) => s.Type === "SHOT");
    const cues = shown.filter((s) => s.Type === "TECHNICAL_CUE");
    const pct = (ms) => `${(100 * ms) / this.durationMs}%`;
    this.shotLane.replaceChildren(...this.shots.map((s, i) => el("button", {
      type: "button", class: "shot", tabindex: "-1", "data-testid": "shot", "data-start-ms": s.StartTimestampMillis,
      "data-index": s.ShotSegment.Index, style: `left:${pct(s.StartTimestampMillis)};width:${pct(s.DurationMillis)}`,
      "aria-label": `shot ${s.ShotSegment.Index} at ${s.StartTimecodeSMPTE}`,
      onclick: () => this.seek(s), onmouseenter: (e) => this.hover(e, s, i), onmouseleave: () => this.hover(null),
    })), this.playheads[0]);
    this.cueLane.replaceChildren(...cues.map((s) => el("button", {
      type: "button", class: "cue", tabindex: "-1", "data-testid": "cue", "data-start-ms": s.StartTimestampMillis,
      "data-cue-type": s.TechnicalCueSegment.Type,
      style: `left:${pct(s.StartTimestampMillis)};width:${pct(s.DurationMillis)};background:${CUE_COLOURS[s.TechnicalCueSegment.Type] || "#888"}`,
      "aria-label": `${s.TechnicalCueSegment.Type} at ${s.StartTimecodeSMPTE}`, title: `${s.TechnicalCueSegment.Type} ${s.StartTimecodeSMPTE}`,
      onclick: () => this.seek(s),
    })), this.playheads[1]);
    this.counter.textContent = `${this.shots.length} shots shown`;
    this.grid.scrollTop = 0;
    this.drawGrid(true);
  }

  drawGrid(force = false) {
    const phone = window.innerWidth <= 720;
    const w = phone ? CARD_W_PHONE : CARD_W, h = phone ? CARD_H_PHONE : CARD_H;
    const columns = Math.max(1, Math.floor((this.grid.clientWidth || 800) / w));
    const rows = Math.ceil(this.shots.length / columns);
    this.gridInner.style.height = `${rows * h}px`;
    const first = Math.max(0, Math.floor(this.grid.scrollTop / h) - 2);
    const last = Math.min(rows, Math.ceil((this.grid.scrollTop + (this.grid.clientHeight || 500)) / h) + 2);
    const key = `${first}:${last}:${columns}:${this.shots.length}:${this.current}`;
    if (!force && key === this.gridKey) return;
    this.gridKey = key;
    const cards = [];
    for (let r = first; r < last; r++) {
      for (let c = 0; c < columns; c++) {
        const i = r * columns + c;
        if (i >= this.shots.length) break;
        cards.push(this.card(this.shots[i], i, c * w, r * h));
      }
    }
    this.gridInner.replaceChildren(...cards);
  }

  card(s, i, x, y) {
    const thumb = this.thumbByIndex.get(s.ShotSegment.Index);
    const picture = thumb ? el("img", { src: thumb.Url, alt: `shot ${s.ShotSegment.Index}`, "data-testid": "thumbnail",
      loading: "lazy", width: 320, height: 180 }) : el("div", { class: "noimg", "aria-hidden": "true" });
    return el("button", { type: "button", role: "listitem", class: `card${i === this.current ? " current" : ""}`,
      style: `left:${x}px;top:${y}px`, "data-testid": "shot-card", "data-start-ms": s.StartTimestampMillis,
      "aria-label": `shot ${s.ShotSegment.Index}, starts ${s.StartTimecodeSMPTE}, ${(s.DurationMillis / 1000).toFixed(2)} s, confidence ${this.confidence(s).toFixed(1)}`,
      onclick: () => this.seek(s) },
    picture,
    el("div", { class: "meta" }, el("strong", {}, `#${s.ShotSegment.Index}`), el("span", {}, s.StartTimecodeSMPTE)),
    el("div", { class: "meta" }, el("span", {}, `${(s.DurationMillis / 1000).toFixed(2)} s`),
      el("span", {}, `${this.confidence(s).toFixed(1)} %`)));
  }

  hover(e, s, i) {
    const tip = $("#tooltip");
    if (!e) { tip.hidden = true; return; }
    const thumb = this.thumbByIndex.get(s.ShotSegment.Index);
    const sheetUrl = thumb && this.thumbs.Sprites[thumb.Sheet];
    const picture = sheetUrl ? el("div", { class: "sprite", style: `background-image:url("${sheetUrl}");`
      + `background-position:-${(thumb.Slot % this.thumbs.SheetColumns) * this.thumbs.TileWidth}px -${Math.floor(thumb.Slot / this.thumbs.SheetColumns) * this.thumbs.TileHeight}px;`
      + `width:${this.thumbs.TileWidth}px;height:${this.thumbs.TileHeight}px` }) : null;
    tip.replaceChildren(...[picture, el("div", {}, `Shot ${s.ShotSegment.Index} · ${s.StartTimecodeSMPTE}`)].filter(Boolean));
    tip.hidden = false;
    const box = e.target.getBoundingClientRect();
    tip.style.left = `${Math.min(window.innerWidth - 180, Math.max(4, box.left))}px`;
    tip.style.top = `${Math.max(4, box.top - 120)}px`;
  }

  seek(s) {
    // A quarter frame past the start: the shot's first frame is on screen, never the one before it.
    this.video.currentTime = s.StartTimestampMillis / 1000 + 0.25 / this.rate;
    this.onTime();
  }

  step(delta) {
    if (!this.shots.length) return;
    const now = this.video.currentTime * 1000;
    let i = this.shots.findIndex((s) => s.EndTimestampMillis > now);
    if (i < 0) i = this.shots.length - 1;
    const next = Math.min(this.shots.length - 1, Math.max(0, (delta > 0 ? i + 1 : (this.shots[i].StartTimestampMillis < now - 250 / this.rate ? i : i - 1))));
    this.seek(this.shots[next]);
    this.scrollGridTo(next);
  }

  scrollGridTo(i) {
    const phone = window.innerWidth <= 720;
    const w = phone ? CARD_W_PHONE : CARD_W, h = phone ? CARD_H_PHONE : CARD_H;
    const columns = Math.max(1, Math.floor((this.grid.clientWidth || 800) / w));
    const top = Math.floor(i / columns) * h;
    if (top < this.grid.scrollTop || top > this.grid.scrollTop + this.grid.clientHeight - h) this.grid.scrollTop = top;
    this.drawGrid(true);
  }

  onTime() {
    const ms = this.video.currentTime * 1000;
    for (const p of this.playheads) p.style.left = `${(100 * ms) / this.durationMs}%`;
    const i = this.shots ? this.shots.findIndex((s) => s.StartTimestampMillis <= ms && ms < s.EndTimestampMillis + 1) : -1;
    if (i !== this.current) {
      const blocks = this.shotLane.querySelectorAll(".shot");
      if (blocks[this.current]) blocks[this.current].classList.remove("current");
      if (blocks[i]) blocks[i].classList.add("current");
      this.current = i;
      this.drawGrid(true);
    }
  }

  async exportAs(fmt) {
    const q = new URLSearchParams({ format: fmt });
    if (this.filter.type) q.set("type", this.filter.type);
    if (this.filter.cueType) q.set("cueType", this.filter.cueType);
    if (this.filter.minConfidence) q.set("minConfidence", String(this.filter.minConfidence));
    try {
      const response = await api(`/videos/${this.videoId}/segments?${q}`);
      const blob = await response.blob();
      const name = (response.headers.get("Content-Disposition") || "").match(/filename="([^"]+)"/);
      const link = el("a", { href: URL.createObjectURL(blob), download: name ? name[1] : `segments.${fmt}` });
      document.body.append(link);
      link.click();
      setTimeout(() => { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
    } catch (err) {
      this.counter.textContent = `Export failed: ${err.message}`;
    }
  }
}

// ---- start -----------------------------------------------------------------------------------------------
async function start() {
  try { config = { ...config, ...(await (await fetch("viewer/config.json")).json()) }; } catch (_) { /* local defaults */ }
  if (config.auth) {
    const code = new URLSearchParams(location.search).get("code");
    if (code) await auth.finish(code);
    if (!auth.token()) { await auth.begin(); return; }
    $("#auth").replaceChildren(el("button", { type: "button", onclick: () => auth.signOut() }, "Sign out"));
  }
  window.addEventListener("hashchange", route);
  route();
}
start();
