// The console's script: polls the live parts of a page and sends the few writes.
// Plain JavaScript, no build step; every write carries the X-Qiniu-Emulator header.
"use strict";

const WRITE_HEADERS = { "X-Qiniu-Emulator": "1" };
const POLL_MS = 1500;

function say(output, text, ok) {
  if (!output) return;
  output.textContent = text;
  output.className = ok === false ? "error" : "";
}

async function answer(response) {
  const text = await response.text();
  let body = null;
  try { body = JSON.parse(text); } catch (e) { body = { error: text }; }
  if (!response.ok) throw new Error((body && body.error) || response.statusText);
  return body;
}

// -- live regions: <... data-poll="url?fragment=1"> ---------------------------------
function startPolling(region) {
  let last = null;
  let timer = null;
  const refresh = async () => {
    if (document.visibilityState === "hidden") return;
    try {
      const response = await fetch(region.dataset.poll, { cache: "no-store" });
      if (!response.ok) return;
      const html = await response.text();
      if (html !== last) {
        last = html;
        const open = Array.from(region.querySelectorAll("details[open]")).map((d) => d.id).filter(Boolean);
        region.innerHTML = html;
        open.forEach((id) => { const d = document.getElementById(id); if (d) d.open = true; });
      }
      if (region.querySelector('[data-finished="1"]')) {
        clearInterval(timer);
        region.dataset.pollDone = "1";
      }
    } catch (e) { /* the emulator restarting: try again at the next tick */ }
  };
  region.refresh = refresh;
  if (region.dataset.pollDone !== "1") timer = setInterval(refresh, POLL_MS);
}

// -- clicks: delete, resend, copy, release, remove ---------------------------------
document.addEventListener("click", async (event) => {
  const target = event.target.closest("[data-delete], [data-resend], [data-copy], [data-release], [data-remove-rule]");
  if (!target) return;
  const output = target.parentElement.querySelector("output");
  if (target.dataset.release !== undefined || target.dataset.removeRule !== undefined) {
    const releasing = target.dataset.release !== undefined;
    target.disabled = true;
    try {
      await answer(await fetch(releasing ? target.dataset.release : target.dataset.removeRule,
                               { method: releasing ? "POST" : "DELETE", headers: WRITE_HEADERS }));
      const region = target.closest("[data-poll]");
      if (region) await region.refresh();
    } catch (e) {
      say(output, (releasing ? "Not released: " : "Not removed: ") + e.message, false);
      target.disabled = false;
    }
  } else if (target.dataset.delete !== undefined) {
    if (!confirm("Delete this object?")) return;
    try {
      await answer(await fetch(target.dataset.delete, { method: "DELETE", headers: WRITE_HEADERS }));
      location.href = target.dataset.then;
    } catch (e) { say(output, "Not deleted: " + e.message, false); }
  } else if (target.dataset.resend !== undefined) {
    target.disabled = true;
    say(output, "Sending…");
    try {
      const body = await answer(await fetch(target.dataset.resend, { method: "POST", headers: WRITE_HEADERS }));
      const last = body.attempts[body.attempts.length - 1];
      say(output, last.error ? "Failed: " + last.error : "Delivered: HTTP " + last.status, !last.error);
      const region = target.closest("[data-poll]");
      if (region) { delete region.dataset.pollDone; await region.refresh(); }
    } catch (e) { say(output, "Not sent: " + e.message, false); }
    target.disabled = false;
  } else {
    const text = target.parentElement.querySelector("pre").textContent;
    try { await navigator.clipboard.writeText(text); target.textContent = "Copied"; }
    catch (e) {
      const range = document.createRange();
      range.selectNodeContents(target.parentElement.querySelector("pre"));
      getSelection().removeAllRanges(); getSelection().addRange(range);
      target.textContent = document.execCommand("copy") ? "Copied" : "Selected: press Ctrl+C";
    }
  }
});

// -- upload: <form data-upload="url" data-object="object page url"> ------------------
function setUpUpload(form) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const output = form.querySelector("output");
    const file = form.elements.file.files[0];
    let key = form.elements.key.value;
    if (!key || key.endsWith("/")) key += file.name;
    const data = new FormData();
    data.append("file", file);
    data.append("key", key);
    say(output, "Uploading…");
    try {
      const body = await answer(await fetch(form.dataset.upload, { method: "POST", body: data, headers: WRITE_HEADERS }));
      location.href = form.dataset.object + "?" + new URLSearchParams({ bucket: body.bucket, key: body.key });
    } catch (e) { say(output, "Not uploaded: " + e.message, false); }
  });
}

// -- new bucket: <form data-new-bucket="url"> -------------------------------------------
function setUpNewBucket(form) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const output = form.querySelector("output");
    try {
      const body = new FormData(form);
      await answer(await fetch(form.dataset.newBucket, { method: "POST", body, headers: WRITE_HEADERS }));
      location.reload();
    } catch (e) { say(output, "Not created: " + e.message, false); }
  });
}

// -- playground ----------------------------------------------------------------------
function setUpPlayground(form) {
  const verdict = document.getElementById("verdict");
  const decoded = document.getElementById("decoded");
  const result = document.getElementById("result");
  const runStatus = document.getElementById("run-status");
  let pending = null;
  let checked = 0;

  const check = async () => {
    const number = ++checked;
    const fops = form.elements.fops.value.trim();
    if (!fops) { verdict.textContent = ""; decoded.innerHTML = ""; return; }
    const params = new URLSearchParams({ fops, bucket: form.elements.bucket.value, key: form.elements.key.value });
    const body = await answer(await fetch(form.dataset.check + "?" + params));
    if (number !== checked) return;  // an older answer arriving late
    decoded.innerHTML = "";
    if (!body.ok) {
      verdict.textContent = "✗ " + body.error;
      verdict.className = "verdict bad";
      return;
    }
    verdict.textContent = "✓ pfop would accept this";
    verdict.className = "verdict ok";
    body.commands.forEach((command) => {
      const li = document.createElement("li");
      const parts = command.ops.map((op) => op.text);
      if (command.saveas) parts.push("saveas " + command.saveas.bucket + ":" + (command.saveas.key ?? "(default key)"));
      li.textContent = parts.join(" → ");
      decoded.appendChild(li);
    });
  };
  const later = () => { clearTimeout(pending); pending = setTimeout(() => check().catch(() => {}), 250); };
  form.elements.fops.addEventListener("input", later);
  form.elements.key.addEventListener("change", later);

  const suggest = async () => {
    const params = new URLSearchParams({ bucket: form.elements.bucket.value, prefix: form.elements.key.value, limit: "20" });
    try {
      const body = await answer(await fetch(form.dataset.objects + "?" + params));
      const list = document.getElementById("keys");
      list.innerHTML = "";
      body.items.forEach((item) => { const o = document.createElement("option"); o.value = item.key; list.appendChild(o); });
    } catch (e) { /* no suggestions */ }
  };
  form.elements.key.addEventListener("input", suggest);
  form.elements.bucket.addEventListener("change", () => { suggest(); later(); });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = { bucket: form.elements.bucket.value, key: form.elements.key.value, fops: form.elements.fops.value.trim() };
    say(runStatus, "Submitting…");
    try {
      const job = await answer(await fetch(form.dataset.run, {
        method: "POST", headers: { ...WRITE_HEADERS, "Content-Type": "application/json" }, body: JSON.stringify(body) }));
      const url = form.dataset.job.replace("JOB_ID", job.persistentId);
      runStatus.innerHTML = "";
      const link = document.createElement("a");
      link.href = url; link.textContent = job.persistentId;
      runStatus.append("Job ", link);
      result.innerHTML = "";
      const region = document.createElement("div");
      region.dataset.poll = url + "?fragment=1";
      result.appendChild(region);
      startPolling(region);
      region.refresh();
    } catch (e) { say(runStatus, "Not run: " + e.message, false); }
  });
  if (form.elements.fops.value) later();
  if (form.elements.key.value === "") suggest();
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-poll]").forEach(startPolling);
  document.querySelectorAll("form[data-upload]").forEach(setUpUpload);
  document.querySelectorAll("form[data-new-bucket]").forEach(setUpNewBucket);
  const playground = document.getElementById("playground");
  if (playground) setUpPlayground(playground);
});
