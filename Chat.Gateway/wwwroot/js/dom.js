// The page's fixed elements, how new ones are made, and the small notices (field errors, toasts).
// Message data is only ever written with textContent / createTextNode, never innerHTML.

const $ = (selector) => document.querySelector(selector);

export const ui = {
  status: $("[data-testid=connection-status]"),
  statusLabel: $(".status-label"),
  node: $("[data-testid=node]"),
  whoami: $(".whoami-text"),
  disconnect: $("#disconnect-button"),
  signOut: $("#sign-out-button"),
  nameForm: $("#name-form"),
  nameInput: $("#name-input"),
  nameError: $("#name-error"),
  tokenForm: $("#token-form"),
  tokenInput: $("#token-input"),
  tokenNote: $("#token-note"),
  anonymous: $("#anonymous-button"),
  roomList: $("#room-list"),
  joinForm: $("#join-form"),
  roomInput: $("#room-input"),
  roomError: $("#room-error"),
  roomTitle: $("#room-title"),
  roomSubtitle: $("#room-subtitle"),
  roomHere: $("#room-here"),
  historyNote: $("#history-incomplete"),
  messages: $("#messages"),
  empty: $("#empty-state"),
  jump: $("#jump-button"),
  typing: $("#typing"),
  memberCount: $("#member-count"),
  memberList: $("#member-list"),
  composer: $("#composer"),
  input: $("#message-input"),
  counter: $("#counter"),
  send: $("#send-button"),
  toasts: $("#toasts"),
};

export function el(tag, className, attributes = {}) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  return node;
}

/** Writes text only when it changed, so unchanged nodes cause no layout or mutation records. */
export function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
}

/** A stable hue per name, for avatars and author names. */
export function hue(name) {
  let hash = 0;
  for (const char of name) hash = (hash * 31 + char.codePointAt(0)) >>> 0;
  return hash % 360;
}

export function initial(name) {
  return (name.replace(/^guest-/, "")[0] ?? "?").toUpperCase();
}

function showFieldError(node, input, message) {
  node.textContent = message;
  node.hidden = false;
  input.setAttribute("aria-invalid", "true");
}

function hideFieldError(node, input) {
  node.hidden = true;
  node.textContent = "";
  input.removeAttribute("aria-invalid");
}

export const showNameError = (message) => showFieldError(ui.nameError, ui.nameInput, message);
export const hideNameError = () => hideFieldError(ui.nameError, ui.nameInput);
export const showRoomError = (message) => showFieldError(ui.roomError, ui.roomInput, message);
export const hideRoomError = () => hideFieldError(ui.roomError, ui.roomInput);

export function toast(message) {
  const node = el("div", "toast", { role: "status" });
  node.textContent = message;
  ui.toasts.append(node);
  setTimeout(() => node.classList.add("leaving"), 4500);
  setTimeout(() => node.remove(), 5000);
}
