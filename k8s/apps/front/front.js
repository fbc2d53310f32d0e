// Front page: live proxy pool panel (polls /bucket/pool, which bucket fetches from the proxy's
// admin API server-side), the add-department form and a button that sends a few reads.
"use strict";

const POLL_MS = 2000;
let previous = {}; // backend name -> queries_routed at the last poll, for the "last 2 s" column

function el(tag, attrs, text) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

function fmtLag(lag) {
  return lag === null || lag === undefined ? "\u2013" : lag.toFixed(1) + " s";
}

function renderPool(pool) {
  const backends = pool.backends || [];
  const max = Math.max(1, ...backends.map((b) => b.queries_routed || 0));
  let reads = 0, primary = 0;
  const rows = backends.map((b) => {
    const n = b.queries_routed || 0;
    if (b.role === "primary") primary += n; else reads += n;
    const delta = b.name in previous ? n - previous[b.name] : 0;
    previous[b.name] = n;
    const tr = el("tr", { class: "backend", "data-name": b.name, "data-role": b.role,
                          "data-state": b.state, "data-queries": String(n) });
    const stateCell = el("td");
    stateCell.appendChild(el("span", { class: "state " + b.state }, b.state));
    tr.append(el("td", {}, b.name + (b.name === pool.primary ? " \u2605" : "")),
              el("td", {}, b.role),
              stateCell,
              el("td", { class: "num" }, fmtLag(b.lag_seconds)),
              el("td", { class: "num queries" }, String(n)));
    const bar = el("div", { class: "bar " + b.role });
    bar.style.width = (100 * n / max).toFixed(1) + "%";
    const barCell = el("td");
    barCell.appendChild(bar);
    tr.append(barCell, el("td", { class: "num" }, delta > 0 ? "+" + delta : "0"));
    return tr;
  });
  document.getElementById("pool-rows").replaceChildren(...rows);
  const totals = document.getElementById("pool-totals");
  totals.replaceChildren(
    el("strong", { id: "total-replica" }, String(reads)), " statements on replicas (reads), ",
    el("strong", { id: "total-primary" }, String(primary)), " on the primary (writes, transactions" +
      (pool.reads_fall_back_to_primary ? ", and reads: no replica is usable" : "") + ").");
  document.getElementById("pool").dataset.ready = "1";
}

async function poll() {
  const status = document.getElementById("pool-status");
  try {
    const resp = await fetch("/bucket/pool", { cache: "no-store" });
    const body = await resp.json();
    if (!resp.ok) throw new Error(body.error || "HTTP " + resp.status);
    renderPool(body);
    status.className = "muted";
    status.textContent = "updated " + new Date().toLocaleTimeString();
  } catch (e) {
    status.className = "error";
    status.textContent = "cannot read the pool: " + e.message;
  }
}

async function addDepartment(event) {
  event.preventDefault();
  const input = document.getElementById("dept-name");
  const out = document.getElementById("dept-result");
  try {
    const resp = await fetch("/bucket/depts", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ dept_name: input.value }),
    });
    const body = await resp.json();
    if (!resp.ok) {
      const detail = typeof body.detail === "string" ? body.detail : JSON.stringify(body.detail);
      throw new Error(detail || "HTTP " + resp.status);
    }
    const s = body.served_by;
    out.className = "";
    out.textContent = `Added ${body.dept_no} \u201c${body.dept_name}\u201d: written on server_id ` +
      `${s.server_id} (port ${s.port}, ${s.hostname}).`;
    input.value = "";
    poll();
  } catch (e) {
    out.className = "error";
    out.textContent = "Not added: " + e.message;
  }
}

async function sendReads() {
  const out = document.getElementById("reads-result");
  const seen = {};
  for (let i = 0; i < 20; i++) {
    try {
      const body = await (await fetch("/bucket/depts", { cache: "no-store" })).json();
      const id = body.served_by.server_id;
      seen[id] = (seen[id] || 0) + 1;
    } catch (e) {
      seen.error = (seen.error || 0) + 1;
    }
  }
  out.textContent = "served by " + Object.entries(seen)
    .map(([id, n]) => `server_id ${id}: ${n}`).join(", ");
  poll();
}

document.getElementById("dept-form").addEventListener("submit", addDepartment);
document.getElementById("send-reads").addEventListener("click", sendReads);
poll();
setInterval(poll, POLL_MS);
