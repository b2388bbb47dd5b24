// The conversation's message list: one <li> per message (kept across renders, so a row changes state in place),
// consecutive messages of one user grouped, day separators, the empty state and the "new messages" button.

import { el, hue, initial, setText, ui } from "./dom.js";
import { isOwn, state } from "./state.js";

const GROUP_WINDOW_MS = 5 * 60_000; // consecutive messages of one user within this window are grouped

const elementOf = new WeakMap(); // message/item -> <li>
const separators = new Map(); // day key -> <li>
let renderedRoom = null;
let actions = { retry() {}, discard() {} };

/** The Retry and Discard buttons of a failed message call these. */
export function setMessageActions(value) {
  actions = value;
}

export function renderMessages(room) {
  const list = ui.messages;
  const roomChanged = renderedRoom !== room;
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 48;
  if (roomChanged) {
    list.replaceChildren();
    separators.clear();
    renderedRoom = room;
  }

  const rows = room ? buildRows(room) : [];
  const before = list.children.length;
  let added = 0;
  for (let i = 0; i < rows.length; i++) {
    const node = rows[i];
    if (!node.isConnected) added += 1;
    if (list.children[i] !== node) list.insertBefore(node, list.children[i] ?? null);
  }
  while (list.children.length > rows.length) list.lastElementChild.remove();

  renderEmpty(room, rows.length);

  if (roomChanged || state.view.stickToBottom || atBottom) {
    list.scrollTop = list.scrollHeight;
    state.view.stickToBottom = false;
    ui.jump.hidden = true;
  } else if (added > 0 && before > 0) {
    ui.jump.hidden = false;
  }
}

function renderEmpty(room, rowCount) {
  ui.empty.hidden = room !== null && rowCount > 0;
  if (!ui.empty.hidden) {
    const title = el("strong");
    const line = el("span");
    title.textContent = !room ? "No room selected" : room.joined ? `Welcome to #${room.name}` : `#${room.name}`;
    line.textContent = !room ? "Join a room to start chatting." : room.joined ? "No messages yet. Say hello!" : "Loading the conversation…";
    ui.empty.replaceChildren(title, line);
  }
}

function dayKey(date) {
  return `${date.getFullYear()}-${date.getMonth() + 1}-${date.getDate()}`;
}

function dayLabel(date) {
  const today = new Date();
  const yesterday = new Date(today.getFullYear(), today.getMonth(), today.getDate() - 1);
  if (dayKey(date) === dayKey(today)) return "Today";
  if (dayKey(date) === dayKey(yesterday)) return "Yesterday";
  return date.toLocaleDateString(undefined, { weekday: "long", day: "numeric", month: "long", year: "numeric" });
}

function messageDate(item) {
  const parsed = item.sentAt ? new Date(item.sentAt) : item.createdAt;
  return parsed && !Number.isNaN(parsed.getTime()) ? parsed : new Date();
}

function buildRows(room) {
  const rows = [];
  let previous = null;
  let previousDay = null;
  for (const item of room.messages.concat(room.outbox)) {
    const date = messageDate(item);
    const key = dayKey(date);
    if (key !== previousDay) {
      rows.push(separatorFor(key, date));
      previousDay = key;
      previous = null;
    }
    const grouped = previous !== null && previous.user === item.user && previous.state !== "error"
      && date - messageDate(previous) < GROUP_WINDOW_MS;
    rows.push(messageElement(item, grouped));
    previous = item;
  }
  return rows;
}

function separatorFor(key, date) {
  let node = separators.get(key);
  if (!node) {
    node = el("li", "day-separator", { role: "separator" });
    node.append(el("span"));
    separators.set(key, node);
  }
  setText(node.firstChild, dayLabel(date));
  return node;
}

const pad = (n) => String(n).padStart(2, "0");

function messageElement(item, grouped) {
  let node = elementOf.get(item);
  if (!node) {
    node = createMessageElement(item);
    elementOf.set(item, node);
  }
  node.dataset.id = item.id ?? "";
  node.dataset.state = item.state;
  node.dataset.user = item.user;
  node.classList.toggle("own", isOwn(item));
  node.classList.toggle("grouped", grouped);

  const parts = node._parts;
  setText(parts.author, item.user);
  setText(parts.avatar, initial(item.user));
  parts.avatar.style.setProperty("--hue", String(hue(item.user)));
  parts.author.style.setProperty("--hue", String(hue(item.user)));
  setText(parts.text, item.text);

  const date = messageDate(item);
  setText(parts.time, `${pad(date.getHours())}:${pad(date.getMinutes())}`);
  parts.time.setAttribute("datetime", date.toISOString());
  parts.time.title = date.toLocaleString(undefined, {
    weekday: "long", year: "numeric", month: "long", day: "numeric",
    hour: "2-digit", minute: "2-digit", second: "2-digit", timeZoneName: "short",
  });
  setText(parts.tick, item.state === "pending" ? "Sending…" : "");

  // The error line (with its Retry) exists only while the message failed.
  if (item.state === "error") {
    parts.problem ??= createProblemElement(item);
    if (!parts.problem.isConnected) parts.body.append(parts.problem);
    const { code, message } = item.error ?? { code: "error", message: "" };
    setText(parts.problem.firstChild, code === "unavailable"
      ? "Not confirmed: the server could not confirm this message in time. It may still arrive; Retry never posts it twice."
      : `Not sent (${code})${message ? `: ${message}` : ""}`);
  } else {
    parts.problem?.remove();
  }
  return node;
}

function createMessageElement() {
  const node = el("li", "message", { "data-testid": "message" });
  const avatar = el("div", "avatar", { "aria-hidden": "true" });
  const body = el("div", "message-body");
  const author = el("span", "author", { "data-testid": "message-user" });
  const bubble = el("div", "bubble", { "data-testid": "message-bubble" });
  const text = el("span", "message-text", { "data-testid": "message-text" });
  const meta = el("span", "message-meta");
  const tick = el("span", "tick");
  const time = el("time", "message-time", { "data-testid": "message-time" });
  meta.append(tick, time);
  bubble.append(text, meta);
  body.append(author, bubble);
  node.append(avatar, body);
  node._parts = { avatar, author, body, text, time, tick, problem: null };
  return node;
}

function createProblemElement(item) {
  const problem = el("div", "message-problem", { "data-testid": "message-error", role: "alert" });
  const reason = el("span", "reason");
  const retryButton = el("button", "link-button", { type: "button", "data-testid": "retry-button" });
  retryButton.textContent = "Retry";
  retryButton.addEventListener("click", () => actions.retry(item));
  const discardButton = el("button", "link-button subtle", { type: "button", "data-testid": "discard-button" });
  discardButton.textContent = "Discard";
  discardButton.addEventListener("click", () => actions.discard(item));
  problem.append(reason, retryButton, discardButton);
  return problem;
}
