// Draws the state into the page: status and identity, the rooms, the room's header, members and typing line, and the
// title. Renders are batched into one per microtask, so a burst of frames costs one pass over the DOM.

import { el, hue, initial, setText, ui } from "./dom.js";
import { renderMessages } from "./messages.js";
import { onChange, selectedRoom, sortedMembers, state, typingUsers } from "./state.js";

const STATUS_LABELS = { connected: "Connected", connecting: "Connecting…", disconnected: "Disconnected" };

let scheduled = false;
let shownSelection = null;
let actions = { selectRoom() {}, leaveRoom() {} };

/** What the room list's buttons call. */
export function setRoomActions(value) {
  actions = value;
}

export function scheduleRender() {
  if (scheduled) return;
  scheduled = true;
  queueMicrotask(() => {
    scheduled = false;
    render();
  });
}

onChange(scheduleRender);

export function render() {
  const room = selectedRoom();
  renderStatus();
  renderIdentity();
  renderRooms();
  renderHeader(room);
  renderMessages(room);
  renderMembers(room);
  setText(ui.typing, typingLine(room ? typingUsers(room) : []));
  const unread = [...state.rooms.values()].reduce((sum, r) => sum + r.unread, 0) + state.view.unseenWhileHidden;
  document.title = unread > 0 ? `(${unread}) Chat` : "Chat";
}

/** "alice is typing…", "alice and bob are typing…", "several people are typing…", or "". */
export function typingLine(users) {
  if (users.length === 0) return "";
  if (users.length === 1) return `${users[0]} is typing…`;
  if (users.length === 2) return `${users[0]} and ${users[1]} are typing…`;
  return "several people are typing…";
}

function renderStatus() {
  const { status, label, title } = state.connection;
  const fallback = status === "disconnected" && state.identity.signIn ? "Signed out" : STATUS_LABELS[status];
  ui.status.dataset.state = status;
  setText(ui.statusLabel, label ?? fallback);
  ui.status.title = title ?? fallback;
  setText(ui.node, state.node ?? "–");
}

function renderIdentity() {
  const { token, signIn } = state.identity;
  const tokenMode = token !== null || signIn !== null;
  const status = state.connection.status;

  // In token mode the name comes from the token: the name field gives way to the sign-in field when one is wanted.
  ui.nameForm.hidden = tokenMode;
  ui.tokenForm.hidden = !(signIn || (tokenMode && status === "disconnected"));
  setText(ui.tokenNote, signIn?.message ?? "");
  ui.tokenNote.hidden = !signIn;
  ui.tokenForm.dataset.reason = signIn?.reason ?? "";
  ui.anonymous.hidden = signIn?.reason !== "needed";

  ui.whoami.replaceChildren();
  if (status === "connected" && state.user) {
    const name = el("strong", "", { "data-testid": "user-name" });
    name.textContent = state.user;
    ui.whoami.append("Signed in as ", name);
  } else if (status === "connecting") {
    ui.whoami.textContent = token ? "Signing in…" : state.desiredUser ? `Connecting as ${state.desiredUser}…` : "Connecting as a guest…";
  } else {
    ui.whoami.textContent = tokenMode ? "Not signed in" : "Not connected";
  }
  ui.disconnect.hidden = status === "disconnected" || token !== null;
  ui.signOut.hidden = token === null;
}

function renderRooms() {
  const seen = new Set();
  let index = 0;
  for (const room of state.rooms.values()) {
    let item = ui.roomList.querySelector(`:scope > [data-room="${CSS.escape(room.name)}"]`);
    if (!item) item = createRoomItem(room.name);
    seen.add(item);
    const selected = room.name === state.selected;
    item.classList.toggle("selected", selected);
    item.classList.toggle("joining", !room.joined);
    item.querySelector(".room-select").setAttribute("aria-current", selected ? "true" : "false");
    const badge = item.querySelector(".badge");
    badge.hidden = room.unread === 0;
    setText(badge, room.unread > 99 ? "99+" : String(room.unread));
    badge.setAttribute("aria-label", `${room.unread} unread`);
    if (ui.roomList.children[index] !== item) ui.roomList.insertBefore(item, ui.roomList.children[index] ?? null);
    index += 1;
  }
  for (const child of [...ui.roomList.children]) if (!seen.has(child)) child.remove();

  // On a phone the rooms are a strip of chips: keep the newly selected one in view.
  if (state.selected !== shownSelection) {
    shownSelection = state.selected;
    if (state.selected && matchMedia("(max-width: 720px)").matches) {
      ui.roomList.querySelector(`[data-room="${CSS.escape(state.selected)}"]`)?.scrollIntoView({ inline: "nearest", block: "nearest" });
    }
  }
}

function createRoomItem(name) {
  const item = el("li", "room-item", { "data-testid": "room-item", "data-room": name });
  const select = el("button", "room-select", { type: "button", title: `#${name}` });
  const hash = el("span", "hash", { "aria-hidden": "true" });
  hash.textContent = "#";
  const label = el("span", "room-name");
  label.textContent = name;
  const badge = el("span", "badge", { "data-testid": "unread-count" });
  badge.hidden = true;
  select.append(hash, label, badge);
  select.addEventListener("click", () => actions.selectRoom(name));
  const leave = el("button", "room-leave", { type: "button", "data-testid": "leave-button", "aria-label": `Leave ${name}`, title: `Leave #${name}` });
  leave.textContent = "×";
  leave.addEventListener("click", (event) => {
    event.stopPropagation();
    actions.leaveRoom(name);
  });
  item.append(select, leave);
  return item;
}

function renderHeader(room) {
  ui.composer.classList.toggle("disabled", !room);
  ui.input.disabled = !room;
  ui.send.disabled = !room;
  ui.input.placeholder = room ? `Message #${room.name}` : "Join a room to chat";
  setText(ui.roomTitle, room ? room.name : "No room");
  ui.historyNote.hidden = !room?.historyIncomplete;
  if (!room) {
    setText(ui.roomSubtitle, "");
    return;
  }
  const count = room.messages.length;
  setText(ui.roomSubtitle, !room.joined
    ? (state.connection.status === "connected" ? "joining…" : "offline: messages wait until you are back")
    : count === 0 ? "no messages yet" : `${count} message${count === 1 ? "" : "s"}`);
}

function renderMembers(room) {
  const names = room ? sortedMembers(room) : [];
  const list = ui.memberList;
  list.classList.toggle("stale", !room?.joined); // offline: the last list we had, until the rejoin tells the truth
  setText(ui.memberCount, String(names.length));
  setText(ui.roomHere, room?.joined ? `${names.length} here` : "");
  ui.roomHere.title = names.join(", ");

  const existing = new Map([...list.children].map((child) => [child.dataset.user, child]));
  names.forEach((name, index) => {
    const item = existing.get(name) ?? createMember(name);
    existing.delete(name);
    setText(item.lastChild, state.ownNames.has(name) ? "you" : "");
    if (list.children[index] !== item) list.insertBefore(item, list.children[index] ?? null);
  });
  for (const gone of existing.values()) gone.remove();
}

function createMember(name) {
  const item = el("li", "member", { "data-testid": "member", "data-user": name });
  const avatar = el("span", "member-avatar", { "aria-hidden": "true" });
  avatar.textContent = initial(name);
  avatar.style.setProperty("--hue", String(hue(name)));
  const label = el("span", "member-name");
  label.textContent = name;
  item.append(avatar, label, el("span", "member-you", { "data-testid": "member-you" }));
  return item;
}
