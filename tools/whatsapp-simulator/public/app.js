// The WhatsApp simulator page. Plain browser JavaScript, no build step.
// State comes from GET /api/state, then live changes from the event stream GET /api/events (SSE).
// Everything the bridge or a customer wrote is inserted with textContent, never as HTML.
"use strict";

const REACTIONS = ["👍", "❤️", "😂", "😮", "🙏"];
const TICKS = {
  sending: { mark: "🕓", label: "sending" },
  accepted: { mark: "🕓", label: "accepted by WhatsApp" },
  sent: { mark: "✓", label: "sent" },
  delivered: { mark: "✓✓", label: "delivered" },
  read: { mark: "✓✓", label: "read" },
  failed: { mark: "⚠", label: "not delivered" },
};

// `current` is the open customer chat, `group` the open group (groups.js draws those); at most one is set.
const state = { business: null, customers: new Map(), groups: new Map(), messages: new Map(), current: null, group: null, typingUntil: new Map() };
const $ = (id) => document.getElementById(id);

function el(tag, props = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "dataset") Object.assign(node.dataset, value);
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

// WhatsApp markup (*bold*, _italic_, ~strike~, ```mono```) turned into elements, safely.
function formatted(text) {
  const out = document.createDocumentFragment();
  const pattern = /```([\s\S]+?)```|\*([^*\n]+)\*|_([^_\n]+)_|~([^~\n]+)~/g;
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    out.append(text.slice(last, match.index));
    const [, mono, bold, italic, strike] = match;
    if (mono !== undefined) out.append(el("code", { text: mono }));
    else if (bold !== undefined) out.append(el("strong", { text: bold }));
    else if (italic !== undefined) out.append(el("em", { text: italic }));
    else out.append(el("s", { text: strike }));
    last = match.index + match[0].length;
  }
  out.append(text.slice(last));
  return out;
}

const time = (ms) => new Date(ms).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
const who = (c) => (c.phone ? `+${c.phone}` : `@${c.username}`);

function showProblem(message) {
  const p = $("problem");
  p.textContent = message;
  p.hidden = !message;
  if (message)
    setTimeout(() => {
      if (p.textContent === message) p.hidden = true;
    }, 6000);
}

async function api(method, path, body) {
  const response = await fetch(path, { method, headers: { "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
  const value = response.status === 204 ? {} : await response.json();
  if (!response.ok) throw new Error(value.error || `HTTP ${response.status}`);
  return value;
}

// ---------- rendering ----------

function renderHeader() {
  if (state.business) {
    $("business-name").textContent = state.business.name;
    $("business-number").textContent = `(+${state.business.displayPhoneNumber})`;
  }
  window.groupsUi.renderHeader();
  if (state.group) return;
  const customer = state.customers.get(state.current);
  $("chat-title").textContent = customer ? customer.name : "Pick a customer, or add one";
  $("chat-subtitle").textContent = customer ? `${who(customer)} · BSUID ${customer.userId}` : "";
  $("text").disabled = !customer;
  $("send").disabled = !customer;
  const until = customer ? state.typingUntil.get(customer.id) || 0 : 0;
  $("typing").hidden = until < Date.now();
}

function renderCustomers() {
  const list = $("customers");
  list.replaceChildren();
  for (const customer of state.customers.values()) {
    const lastMessage = [...state.messages.values()].filter((m) => m.customerId === customer.id && !m.groupId && m.type !== "reaction").pop();
    const item = el(
      "li",
      {
        class: customer.id === state.current ? "customer selected" : "customer",
        dataset: { customerId: customer.id },
        tabindex: "0",
        role: "button",
        onclick: () => select(customer.id),
        onkeydown: (e) => {
          if (e.key === "Enter") select(customer.id);
        },
      },
      [
        el("div", { class: "customer-name", text: customer.name }),
        el("div", { class: "customer-id", text: who(customer) }),
        lastMessage ? el("div", { class: "customer-last", text: summary(lastMessage) }) : null,
      ],
    );
    list.append(item);
  }
}

function summary(m) {
  const prefix = m.direction === "out" ? "Business: " : "";
  if (m.type === "location") return `${prefix}📍 ${m.location.name || "Location"}`;
  if (m.type === "image") return `${prefix}🖼️ ${m.text || "Photo"}`;
  if (m.type === "document") return `${prefix}📄 ${m.filename || "Document"}`;
  return prefix + (m.text || `[${m.type}]`);
}

function bubbleBody(m) {
  const parts = [];
  if (m.replyTo) {
    const quoted = state.messages.get(m.replyTo);
    parts.push(el("div", { class: "quote", text: quoted ? summary(quoted) : "a message" }));
  }
  if (m.type === "image" && m.mediaId) parts.push(el("img", { class: "photo", src: `/api/media/${encodeURIComponent(m.mediaId)}`, alt: m.text || "image" }));
  if (m.type === "document") {
    const name = m.filename || "document";
    parts.push(
      m.mediaId
        ? el("a", { class: "document", href: `/api/media/${encodeURIComponent(m.mediaId)}`, download: name, text: `📄 ${name}` })
        : el("div", { class: "document", text: `📄 ${name}` }),
    );
  }
  if (m.link) parts.push(el("div", { class: "link", text: `${m.type}: ${m.link}` }));
  if (m.type === "location" && m.location) {
    const { latitude, longitude, name, address } = m.location;
    parts.push(
      el("div", { class: "location" }, [
        el("div", { class: "location-pin", text: "📍" }),
        el("div", {}, [
          el("strong", { text: name || "Location" }),
          el("div", { text: address || "" }),
          el("div", { class: "coords", text: `${latitude}, ${longitude}` }),
        ]),
      ]),
    );
  }
  if (m.text && m.type !== "location") parts.push(el("div", { class: "text" }, [formatted(m.text)]));
  return parts;
}

function reactionBar(m) {
  if (m.direction !== "out") return null;
  const picker = el("div", { class: "reaction-picker", hidden: "" }, [
    ...REACTIONS.map((emoji) =>
      el("button", { type: "button", class: "reaction-choice", "aria-label": `React ${emoji}`, text: emoji, onclick: () => react(m, emoji) }),
    ),
    m.reactions.customer
      ? el("button", { type: "button", class: "reaction-choice", "aria-label": "Remove reaction", text: "✕", onclick: () => react(m, "") })
      : null,
  ]);
  const toggle = el("button", {
    type: "button",
    class: "react",
    "aria-label": "React to this message",
    title: "React",
    text: "☺",
    onclick: () => {
      picker.hidden = !picker.hidden;
    },
  });
  return el("div", { class: "reaction-tools" }, [toggle, picker]);
}

function renderMessages() {
  const box = $("messages");
  const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
  box.replaceChildren();
  if (state.group) return window.groupsUi.renderMessages(box);
  if (!state.current) {
    box.append(el("div", { class: "empty", text: "Pick a customer on the left, or add one, then write to the business." }));
    return;
  }
  const messages = [...state.messages.values()]
    .filter((m) => m.customerId === state.current && !m.groupId && m.type !== "reaction")
    .sort((a, b) => a.at - b.at);
  if (messages.length === 0) box.append(el("div", { class: "empty", text: "No messages yet. Say hello!" }));
  for (const m of messages) {
    const tick = TICKS[m.status] || { mark: "", label: m.status };
    const reactions = [m.reactions.customer, m.reactions.business].filter(Boolean).join(" ");
    box.append(
      el("div", { class: `msg ${m.direction === "in" ? "mine" : "theirs"}`, dataset: { id: m.id, status: m.status, direction: m.direction, type: m.type } }, [
        el("div", { class: "bubble" }, [
          m.direction === "out" ? el("div", { class: "sender", text: state.business ? state.business.name : "Business" }) : null,
          ...bubbleBody(m),
          el("div", { class: "meta" }, [
            el("span", { class: "time", text: time(m.at) }),
            el("span", {
              class: `ticks ticks-${m.status}`,
              title: m.error ? `${tick.label}: ${m.error}` : tick.label,
              "aria-label": tick.label,
              text: tick.mark,
            }),
          ]),
          reactions ? el("div", { class: "reactions", text: reactions }) : null,
        ]),
        reactionBar(m),
      ]),
    );
  }
  if (atBottom || messages.length < 8) box.scrollTop = box.scrollHeight;
}

function render() {
  renderHeader();
  renderCustomers();
  window.groupsUi.renderList();
  renderMessages();
  readIfVisible();
}

// The customer "reads" business messages when their chat is open and the page is visible.
let readPending = false;
function readIfVisible() {
  if (state.group) return window.groupsUi.readIfVisible();
  if (!state.current || document.visibilityState !== "visible" || readPending) return;
  const unread = [...state.messages.values()].some((m) => m.customerId === state.current && !m.groupId && m.direction === "out" && m.status === "delivered");
  if (!unread) return;
  readPending = true;
  api("POST", `/api/customers/${encodeURIComponent(state.current)}/read`)
    .catch((err) => showProblem(`Could not mark as read: ${err.message}`))
    .finally(() => {
      readPending = false;
    });
}

// ---------- actions ----------

function select(customerId) {
  state.current = customerId;
  state.group = null;
  render();
  $("text").focus();
}

async function sendMessage(body) {
  if (state.group) return window.groupsUi.send(body);
  try {
    await api("POST", `/api/customers/${encodeURIComponent(state.current)}/messages`, body);
  } catch (err) {
    showProblem(err.message);
  }
}

function react(message, emoji) {
  sendMessage({ type: "reaction", messageId: message.id, emoji });
}

function readFileAsBase64(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ""));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

async function sendFile(type, input) {
  const file = input.files[0];
  input.value = "";
  if (!file || !(state.current || state.group)) return;
  const caption = $("text").value.trim();
  $("text").value = "";
  const dataBase64 = await readFileAsBase64(file);
  await sendMessage({ type, filename: file.name, mimeType: file.type || "application/octet-stream", dataBase64, caption });
}

$("composer").addEventListener("submit", (event) => {
  event.preventDefault();
  const text = $("text").value.trim();
  if (!text || !(state.current || state.group)) return;
  $("text").value = "";
  sendMessage({ type: "text", text });
});

$("new-customer").addEventListener("submit", async (event) => {
  event.preventDefault();
  try {
    const customer = await api("POST", "/api/customers", { name: $("new-name").value, phone: $("new-phone").value, username: $("new-username").value });
    state.customers.set(customer.id, customer);
    event.target.reset();
    select(customer.id);
  } catch (err) {
    showProblem(err.message);
  }
});

$("attach-image").addEventListener("click", () => (state.current || state.group) && $("image-file").click());
$("attach-document").addEventListener("click", () => (state.current || state.group) && $("document-file").click());
$("image-file").addEventListener("change", () => sendFile("image", $("image-file")));
$("document-file").addEventListener("change", () => sendFile("document", $("document-file")));
$("share-location").addEventListener("click", () => {
  if (state.current) $("location-form").hidden = !$("location-form").hidden;
});
$("loc-cancel").addEventListener("click", () => {
  $("location-form").hidden = true;
});
$("location-form").addEventListener("submit", (event) => {
  event.preventDefault();
  $("location-form").hidden = true;
  sendMessage({
    type: "location",
    latitude: Number($("loc-lat").value),
    longitude: Number($("loc-long").value),
    name: $("loc-name").value,
    address: $("loc-address").value,
  });
});
document.addEventListener("visibilitychange", readIfVisible);

// ---------- live updates ----------

function apply(event) {
  if (event.kind === "customer") state.customers.set(event.customer.id, event.customer);
  else if (event.kind === "group") state.groups.set(event.group.id, event.group);
  else if (event.kind === "message") state.messages.set(event.message.id, event.message);
  else if (event.kind === "typing") {
    state.typingUntil.set(event.customerId, event.until);
    setTimeout(renderHeader, Math.max(0, event.until - Date.now()) + 50);
  }
}

async function loadState() {
  const snapshot = await api("GET", "/api/state");
  state.business = snapshot.business;
  state.customers = new Map(snapshot.customers.map((c) => [c.id, c]));
  state.messages = new Map(snapshot.messages.map((m) => [m.id, m]));
  state.groups = new Map((snapshot.groups || []).map((g) => [g.id, g]));
  if (state.group && !state.groups.has(state.group)) state.group = null;
  if (!state.group && (!state.current || !state.customers.has(state.current))) state.current = snapshot.customers.length > 0 ? snapshot.customers[0].id : null;
  $("bridge-state").textContent = snapshot.bridgeConnected ? "" : "No bridge connected yet: messages wait and are retried.";
  render();
}

function listen() {
  const events = new EventSource("/api/events");
  // After a reconnect, reload everything: changes may have been missed meanwhile.
  events.addEventListener("open", () => loadState().catch((err) => showProblem(err.message)));
  events.addEventListener("message", (e) => {
    apply(JSON.parse(e.data));
    render();
  });
}

listen();
