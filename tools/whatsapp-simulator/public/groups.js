// Groups in the WhatsApp simulator page: the business's WhatsApp groups, played by the customers.
// Loaded after app.js and uses its helpers (state, $, el, api, summary, bubbleBody, time, TICKS,
// showProblem, render). Everything written by people is inserted with textContent, never as HTML.
"use strict";

window.groupsUi = (() => {
  const current = () => (state.group ? state.groups.get(state.group) : undefined);
  const memberName = (id) => (state.customers.get(id) || { name: "someone" }).name;
  const groupPath = (suffix = "") => `/api/groups/${encodeURIComponent(state.group)}${suffix}`;

  function open(groupId) {
    state.group = groupId;
    state.current = null;
    render();
    $("text").focus();
  }

  function renderList() {
    const list = $("groups");
    list.replaceChildren();
    for (const g of state.groups.values()) {
      if (g.deleted) continue;
      const last = [...state.messages.values()].filter((m) => m.groupId === g.id && m.type !== "reaction").pop();
      const lastLine = last ? (last.direction === "in" ? `${memberName(last.customerId)}: ` : "") + summary(last) : null;
      list.append(
        el(
          "li",
          {
            class: g.id === state.group ? "customer selected" : "customer",
            dataset: { groupId: g.id },
            tabindex: "0",
            role: "button",
            onclick: () => open(g.id),
            onkeydown: (e) => {
              if (e.key === "Enter") open(g.id);
            },
          },
          [
            el("div", { class: "customer-name", text: `👥 ${g.subject}` }),
            el("div", { class: "customer-id", text: `${g.members.length} member${g.members.length === 1 ? "" : "s"}` }),
            lastLine ? el("div", { class: "customer-last", text: lastLine }) : null,
          ],
        ),
      );
    }
  }

  function renderHeader() {
    const g = current();
    $("group-bar").hidden = !g;
    if (!g) return;
    $("chat-title").textContent = `👥 ${g.subject}`;
    $("chat-subtitle").textContent = `${g.members.map(memberName).join(", ") || "No members yet"} · invite link ${g.inviteLink}`;
    $("typing").hidden = true;
    const author = $("group-author");
    const chosen = author.value;
    author.replaceChildren(...g.members.map((id) => el("option", { value: id, text: memberName(id) })));
    if (g.members.includes(chosen)) author.value = chosen;
    $("text").disabled = g.members.length === 0;
    $("send").disabled = g.members.length === 0;
    $("group-members").replaceChildren(
      ...g.members.map((id) =>
        el("li", { class: "member" }, [
          el("span", { text: memberName(id) }),
          el("button", { type: "button", class: "secondary", text: "leaves", "aria-label": `${memberName(id)} leaves the group`, onclick: () => leave(id) }),
        ]),
      ),
    );
    const outside = [...state.customers.values()].filter((c) => !g.members.includes(c.id));
    $("group-add-existing").replaceChildren(
      el("option", { value: "", text: "a customer…" }),
      ...outside.map((c) => el("option", { value: c.id, text: c.name })),
    );
    if (document.activeElement !== $("group-subject")) $("group-subject").value = g.subject;
  }

  /** Who has what: a business message's ticks per member, for the tooltip. */
  function receiptsLine(m) {
    if (!m.receipts) return "";
    return Object.entries(m.receipts)
      .map(([id, status]) => `${memberName(id)}: ${(TICKS[status] || { label: status }).label}`)
      .join(", ");
  }

  function renderMessages(box) {
    const g = current();
    const messages = [...state.messages.values()].filter((m) => m.groupId === g.id && m.type !== "reaction").sort((a, b) => a.at - b.at);
    if (messages.length === 0)
      box.append(
        el("div", {
          class: "empty",
          text:
            g.members.length > 0 ? "No messages yet: write as one of the members." : "Let customers join through the invite link, then write as one of them.",
        }),
      );
    for (const m of messages) {
      const tick = TICKS[m.status] || { mark: "", label: m.status };
      const detail = receiptsLine(m) || tick.label;
      box.append(
        el("div", { class: `msg ${m.direction === "in" ? "mine" : "theirs"}`, dataset: { id: m.id, status: m.status, direction: m.direction, type: m.type } }, [
          el("div", { class: "bubble" }, [
            el("div", { class: "sender", text: m.direction === "out" ? (state.business ? state.business.name : "Business") : memberName(m.customerId) }),
            ...bubbleBody(m),
            el("div", { class: "meta" }, [
              el("span", { class: "time", text: time(m.at) }),
              el("span", { class: `ticks ticks-${m.status}`, title: m.error ? `${tick.label}: ${m.error}` : detail, "aria-label": detail, text: tick.mark }),
            ]),
          ]),
        ]),
      );
    }
    box.scrollTop = box.scrollHeight;
  }

  // The member chosen in "Write as" is the one looking at the group: they read what was delivered to them.
  let readPending = false;
  function readIfVisible() {
    const memberId = $("group-author").value;
    if (!memberId || document.visibilityState !== "visible" || readPending) return;
    const unread = [...state.messages.values()].some(
      (m) => m.groupId === state.group && m.direction === "out" && m.receipts && m.receipts[memberId] === "delivered",
    );
    if (!unread) return;
    readPending = true;
    api("POST", groupPath("/read"), { memberId })
      .catch((err) => showProblem(`Could not mark as read: ${err.message}`))
      .finally(() => {
        readPending = false;
      });
  }

  async function send(body) {
    try {
      await api("POST", groupPath("/messages"), { ...body, authorId: $("group-author").value });
    } catch (err) {
      showProblem(err.message);
    }
  }

  async function leave(memberId) {
    try {
      await api("DELETE", groupPath(`/members/${encodeURIComponent(memberId)}`));
    } catch (err) {
      showProblem(err.message);
    }
  }

  $("new-group").addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const group = await api("POST", "/api/groups", { subject: $("new-group-subject").value });
      state.groups.set(group.id, group);
      event.target.reset();
      open(group.id);
    } catch (err) {
      showProblem(err.message);
    }
  });

  $("group-add-member").addEventListener("submit", async (event) => {
    event.preventDefault();
    const existing = $("group-add-existing").value;
    const body = existing
      ? { customerId: existing }
      : { name: $("group-member-name").value, phone: $("group-member-phone").value, username: $("group-member-username").value };
    try {
      await api("POST", groupPath("/members"), body);
      event.target.reset();
    } catch (err) {
      showProblem(err.message);
    }
  });

  $("group-rename").addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await api("POST", groupPath("/subject"), { subject: $("group-subject").value });
      $("group-subject").blur();
    } catch (err) {
      showProblem(err.message);
    }
  });

  $("group-author").addEventListener("change", () => readIfVisible());

  return { renderList, renderHeader, renderMessages, readIfVisible, send };
})();
