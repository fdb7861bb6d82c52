// hocvuso — the household visit log keeps working without a network.
//
// Each visit gets an id made here (a UUID). Visits wait in this browser's
// IndexedDB and are sent in batches to /api/community/visits/sync when the
// network is there: at once, on the "online" event and on a timer that backs
// off after each failure. The server stores each id once, so sending again
// after a lost answer is safe. Without JavaScript the form posts as usual.

const DB_NAME = "hocvuso-visits";
const STORE = "queue";
const BATCH = 100;
const TICK_MS = 15000;
const MAX_BACKOFF_MS = 5 * 60 * 1000;
const KEEP_SENT_MS = 24 * 60 * 60 * 1000;

const form = document.getElementById("visit-form");
const queueBox = document.getElementById("queue");
const list = document.getElementById("queue-list");
let syncing = false;

function uuid4() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function openDb() {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: "id" });
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function tx(mode, work) {
  const db = await openDb();
  return new Promise((resolve, reject) => {
    const t = db.transaction(STORE, mode);
    const store = t.objectStore(STORE);
    const out = work(store);
    t.oncomplete = () => { db.close(); resolve(out && out.result !== undefined ? out.result : out); };
    t.onerror = () => { db.close(); reject(t.error); };
  });
}

const all = () => tx("readonly", (s) => s.getAll());
const put = (rec) => tx("readwrite", (s) => s.put(rec));
const drop = (id) => tx("readwrite", (s) => s.delete(id));

function label(state) {
  return form.dataset[`msg${state[0].toUpperCase()}${state.slice(1)}`] || state;
}

async function render() {
  const items = (await all()).sort((a, b) => b.visited_at.localeCompare(a.visited_at));
  queueBox.hidden = items.length === 0;
  list.replaceChildren(
    ...items.map((v) => {
      const li = document.createElement("li");
      li.className = `visit-${v.state}`;
      li.dataset.id = v.id;
      li.dataset.state = v.state;
      const d = new Date(v.visited_at);
      const two = (n) => String(n).padStart(2, "0");
      const when = `${two(d.getDate())}/${two(d.getMonth() + 1)} ${two(d.getHours())}:${two(d.getMinutes())}`;
      const title = document.createElement("strong");
      title.textContent = `${v.hamlet} · ${v.people_helped} ${form.dataset.msgPeople}`;
      const state = document.createElement("span");
      state.className = "state";
      state.textContent = label(v.state);
      const meta = document.createElement("p");
      meta.className = "meta";
      meta.textContent = v.error ? `${when} — ${v.error}` : when;
      li.append(title, " ", state, meta);
      if (v.state === "failed") {
        const del = document.createElement("button");
        del.type = "button";
        del.className = "secondary";
        del.textContent = "✕";
        del.setAttribute("aria-label", form.dataset.msgFailed);
        del.addEventListener("click", async () => { await drop(v.id); render(); });
        li.append(del);
      }
      return li;
    }),
  );
}

function readForm() {
  const data = new FormData(form);
  return {
    id: data.get("id"),
    team: data.get("team"),
    visited_at: new Date().toISOString(),
    hamlet: String(data.get("hamlet") || "").trim(),
    people_helped: parseInt(String(data.get("people_helped") || "0"), 10) || 0,
    activities: data.getAll("activities").map(String),
    followup_what: String(data.get("followup_what") || "").trim(),
    followup_due: data.get("followup_due") || null,
    note: String(data.get("note") || "").trim(),
  };
}

function addHamlet(name) {
  const box = document.getElementById("hamlets");
  if (!box || [...box.options].some((o) => o.value === name)) return;
  const opt = document.createElement("option");
  opt.value = name;
  box.prepend(opt);
}

function showNote(text) {
  let box = document.getElementById("visit-note");
  if (!box) {
    box = document.createElement("p");
    box.id = "visit-note";
    box.setAttribute("role", "status");
    box.className = "messages";
    form.before(box);
  }
  box.textContent = text;
}

async function onSubmit(event) {
  const photo = form.querySelector("input[type=file]");
  const hasPhoto = photo && photo.files && photo.files.length > 0;
  if (hasPhoto && navigator.onLine) return; // the plain POST carries the photo
  event.preventDefault();
  const visit = readForm();
  if (!visit.hamlet) {
    showNote(form.dataset.msgNeedHamlet);
    form.querySelector("[name=hamlet]").focus();
    return;
  }
  if (visit.people_helped < 1 || visit.people_helped > 50) {
    showNote(form.dataset.msgNeedPeople);
    form.querySelector("[name=people_helped]").focus();
    return;
  }
  await put({ ...visit, state: "waiting", attempts: 0, next_try: 0, error: "" });
  addHamlet(visit.hamlet);
  const team = visit.team;
  form.reset();
  form.querySelector("input[name=id]").value = uuid4();
  const teamField = form.querySelector("[name=team]");
  if (teamField) teamField.value = team;
  showNote(hasPhoto ? form.dataset.msgPhotoOffline : form.dataset.msgSaved);
  await render();
  sync();
}

function backoff(attempts) {
  return Math.min(MAX_BACKOFF_MS, 5000 * 2 ** Math.min(attempts, 10));
}

async function sync() {
  if (syncing) return;
  syncing = true;
  try {
    const now = Date.now();
    let items = await all();
    for (const v of items) {
      if (v.state === "sent" && now - (v.sent_at || 0) > KEEP_SENT_MS) await drop(v.id);
    }
    items = items.filter((v) => (v.state === "waiting" || v.state === "sending") && v.next_try <= now);
    while (items.length) {
      const batch = items.splice(0, BATCH);
      for (const v of batch) await put({ ...v, state: "sending" });
      await render();
      const ok = await sendBatch(batch);
      if (!ok) break;
    }
  } finally {
    syncing = false;
    await render();
  }
}

async function sendBatch(batch) {
  const token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  let response;
  try {
    response = await fetch(form.dataset.syncUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token },
      body: JSON.stringify({
        visits: batch.map(({ state, attempts, next_try, error, sent_at, ...v }) => v),
      }),
    });
  } catch (err) {
    await retryLater(batch, "");
    return false;
  }
  if (!response.ok) {
    let detail = "";
    try { detail = (await response.json()).detail || ""; } catch (e) { detail = ""; }
    await retryLater(batch, detail);
    return false;
  }
  const body = await response.json();
  const byId = new Map(body.results.map((r) => [r.id, r]));
  for (const v of batch) {
    const r = byId.get(v.id);
    if (!r) {
      await put({ ...v, state: "waiting", next_try: Date.now() + backoff(v.attempts) });
    } else if (r.status === "created" || r.status === "duplicate") {
      await put({ ...v, state: "sent", error: "", sent_at: Date.now() });
    } else if (r.http_status >= 500 || r.http_status === 429) {
      await put({ ...v, state: "waiting", attempts: v.attempts + 1, error: r.detail,
        next_try: Date.now() + backoff(v.attempts) });
    } else {
      await put({ ...v, state: "failed", error: r.detail });
    }
  }
  return true;
}

async function retryLater(batch, detail) {
  for (const v of batch) {
    await put({ ...v, state: "waiting", attempts: v.attempts + 1, error: detail,
      next_try: Date.now() + backoff(v.attempts) });
  }
}

if (form && list && window.indexedDB) {
  form.addEventListener("submit", onSubmit);
  window.addEventListener("online", () => {
    all().then(async (items) => {
      for (const v of items) if (v.state === "waiting") await put({ ...v, next_try: 0 });
      sync();
    });
  });
  setInterval(() => { if (navigator.onLine) sync(); }, TICK_MS);
  render().then(sync);
}
