// The browser client of Chat. Plain ES module, no framework, no build step.
// The wire contract is PROTOCOL.md: one JSON object per WebSocket text frame on /ws.
//
// Invariants worth knowing before changing this file:
// - Message data is only ever written with textContent / createTextNode, never innerHTML.
// - A room's confirmed messages are kept sorted by id (UUIDv7, lowercase: string order is time order)
//   and de-duplicated by id; messages being sent live in the room's outbox until their ack.
// - Every close of the socket reconnects (backoff with jitter) unless the user pressed Disconnect;
//   on reconnect every room is joined again with `since` = the newest id we have, and the history merged.

const USER_PATTERN = /^[A-Za-z0-9_.-]{1,32}$/;
const ROOM_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;
const MAX_TEXT = 4000;
const DEFAULT_ROOM = "lobby";
const PING_INTERVAL_MS = 25_000;
const STALE_AFTER_MS = 2 * PING_INTERVAL_MS + 15_000; // nothing heard (not even a pong) for this long: the socket is dead
const BACKOFF_MIN_MS = 500;
const BACKOFF_MAX_MS = 10_000;
const STABLE_AFTER_MS = 5_000; // a connection that lived this long resets the backoff
const GROUP_WINDOW_MS = 5 * 60_000; // consecutive messages of one user within this window are grouped

const storage = {
  get(key, fallback) {
    try {
      const value = localStorage.getItem(`chat.${key}`);
      return value === null ? fallback : JSON.parse(value);
    } catch {
      return fallback;
    }
  },
  set(key, value) {
    try {
      localStorage.setItem(`chat.${key}`, JSON.stringify(value));
    } catch {
      // private mode or quota: the page still works, it just forgets
    }
  },
};

// ---------------------------------------------------------------------------------------------------------
// State

const state = {
  /** The name asked for ("" = a guest name chosen by the server). */
  desiredUser: "",
  /** The name from `welcome`. */
  user: null,
  node: null,
  /** Every name this page has been connected as: their messages are "mine". */
  ownNames: new Set(),
  status: "disconnected", // connected | connecting | disconnected
  /** name -> Room, in sidebar order. */
  rooms: new Map(),
  selected: null,
};

/** @returns a room as the client tracks it. */
function newRoom(name) {
  return {
    name,
    /** Confirmed messages, sorted by id. */
    messages: [],
    byId: new Map(),
    /** Messages typed here that have no id yet (pending, or failed), in the order they were typed. */
    outbox: [],
    unread: 0,
    joined: false,
    everJoined: false,
    historyIncomplete: false,
  };
}

// ---------------------------------------------------------------------------------------------------------
// DOM

const $ = (selector) => document.querySelector(selector);
const ui = {
  status: $("[data-testid=connection-status]"),
  statusLabel: $(".status-label"),
  node: $("[data-testid=node]"),
  whoami: $(".whoami-text"),
  disconnect: $("#disconnect-button"),
  nameForm: $("#name-form"),
  nameInput: $("#name-input"),
  nameError: $("#name-error"),
  roomList: $("#room-list"),
  joinForm: $("#join-form"),
  roomInput: $("#room-input"),
  roomError: $("#room-error"),
  roomTitle: $("#room-title"),
  roomSubtitle: $("#room-subtitle"),
  historyNote: $("#history-incomplete"),
  messages: $("#messages"),
  empty: $("#empty-state"),
  jump: $("#jump-button"),
  composer: $("#composer"),
  input: $("#message-input"),
  counter: $("#counter"),
  send: $("#send-button"),
  toasts: $("#toasts"),
};

function el(tag, className, attributes = {}) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  return node;
}

function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
}

// ---------------------------------------------------------------------------------------------------------
// Connection

let socket = null;
let socketOpenedAt = 0;
let lastHeardAt = 0;
let attempt = 0;
let reconnectTimer = null;
let pingTimer = null;
let userDisconnected = false;
let refCounter = 0;
/** ref -> outbox item awaiting its ack. */
const inFlight = new Map();
/** Rooms whose `join` is not answered yet, in the order sent (the server answers in order). */
const joinsAwaitingAnswer = [];

function socketIsOpen() {
  return socket !== null && socket.readyState === WebSocket.OPEN;
}

function socketUrl(user) {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const query = user ? `?user=${encodeURIComponent(user)}` : "";
  return `${scheme}://${location.host}/ws${query}`;
}

/** Opens a new connection as `user` ("" for a guest), replacing the current one. */
function connect(user = state.desiredUser) {
  state.desiredUser = user;
  userDisconnected = false;
  clearTimeout(reconnectTimer);
  reconnectTimer = null;
  if (socket) abandonSocket(1000, "reconnecting");

  let ws;
  try {
    ws = new WebSocket(socketUrl(user));
  } catch (error) {
    showNameError(`Cannot connect: ${error.message}`);
    setStatus("disconnected");
    return;
  }

  socket = ws;
  socketOpenedAt = 0;
  setStatus("connecting");

  ws.onopen = () => {
    if (ws !== socket) return;
    socketOpenedAt = lastHeardAt = Date.now();
    hideNameError();
    setStatus("connected");
    startPing();
    joinsAwaitingAnswer.length = 0;
    for (const room of state.rooms.values()) sendJoin(room);
  };
  ws.onmessage = (event) => {
    if (ws !== socket) return;
    lastHeardAt = Date.now();
    if (typeof event.data !== "string") return;
    let frame;
    try {
      frame = JSON.parse(event.data);
    } catch {
      return;
    }
    handleFrame(frame);
  };
  ws.onerror = () => {
    // A close event always follows; that is where we act.
  };
  ws.onclose = (event) => {
    if (ws !== socket) return;
    socketClosed(event.code, event.reason);
  };
}

/** Detaches the current socket so that its close does not count, and closes it. */
function abandonSocket(code, reason) {
  const old = socket;
  socket = null;
  old.onopen = old.onmessage = old.onerror = old.onclose = null;
  try {
    old.close(code, reason);
  } catch {
    // already closing
  }
  connectionLost();
}

function socketClosed(code, reason) {
  const wasOpen = socketOpenedAt > 0;
  const lived = wasOpen ? Date.now() - socketOpenedAt : 0;
  socket = null;
  connectionLost();

  if (userDisconnected) {
    setStatus("disconnected");
    return;
  }

  if (!wasOpen && state.user === null && state.desiredUser) {
    // The browser does not tell why an upgrade failed (a 400 for a bad name looks like any network error).
    showNameError(`Could not connect as “${state.desiredUser}”. The server refused the connection or cannot be reached; retrying…`);
  }

  if (lived >= STABLE_AFTER_MS) attempt = 0;
  scheduleReconnect(code, reason);
}

function scheduleReconnect(code, reason) {
  const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** attempt);
  const delay = Math.round(ceiling / 2 + Math.random() * (ceiling / 2)); // "equal jitter"
  attempt += 1;
  const why = code === 1001 ? "server restarting" : code === 1013 ? "fell behind" : "connection lost";
  setStatus("connecting", `Reconnecting (${why})…`, `Next attempt in ${(delay / 1000).toFixed(1)} s (close code ${code}${reason ? `: ${reason}` : ""})`);
  clearTimeout(reconnectTimer);
  reconnectTimer = setTimeout(() => {
    reconnectTimer = null;
    connect(state.desiredUser);
  }, delay);
}

/** Bookkeeping when a socket is gone, whatever the reason. */
function connectionLost() {
  stopPing();
  joinsAwaitingAnswer.length = 0;
  for (const room of state.rooms.values()) room.joined = false;
  for (const item of inFlight.values()) {
    if (item.state !== "pending") continue;
    // We cannot know whether the server published it: say so, and check the history after the rejoin.
    item.state = "error";
    item.lost = true;
    item.error = { code: "connection_lost", message: "the connection closed before the server confirmed this message" };
  }
  inFlight.clear();
  scheduleRender();
}

function disconnect() {
  userDisconnected = true;
  clearTimeout(reconnectTimer);
  reconnectTimer = null;
  if (socket) abandonSocket(1000, "bye");
  state.node = null;
  setStatus("disconnected");
}

function startPing() {
  stopPing();
  pingTimer = setInterval(() => {
    if (!socketIsOpen()) return;
    if (Date.now() - lastHeardAt > STALE_AFTER_MS) {
      // Half-open TCP: the browser may not notice for minutes. Drop it and reconnect.
      abandonSocket(4000, "no pong");
      scheduleReconnect(4000, "no answer to ping");
      return;
    }
    sendFrame({ type: "ping" });
  }, PING_INTERVAL_MS);
}

function stopPing() {
  clearInterval(pingTimer);
  pingTimer = null;
}

function sendFrame(frame) {
  if (!socketIsOpen()) return false;
  socket.send(JSON.stringify(frame));
  return true;
}

function sendJoin(room) {
  const frame = { type: "join", room: room.name };
  const newest = room.messages.at(-1);
  if (newest) frame.since = newest.id;
  if (sendFrame(frame)) joinsAwaitingAnswer.push(room.name);
}

// ---------------------------------------------------------------------------------------------------------
// Frames from the server

function handleFrame(frame) {
  switch (frame.type) {
    case "welcome":
      state.user = String(frame.user);
      state.node = frame.node ?? null;
      state.ownNames.add(state.user);
      break;
    case "joined":
      onJoined(frame);
      break;
    case "left": {
      const room = state.rooms.get(frame.room);
      if (room) room.joined = false;
      break;
    }
    case "ack":
      onAck(frame);
      break;
    case "message":
      onMessage(frame);
      break;
    case "error":
      onError(frame);
      break;
    case "pong":
    default:
      return;
  }
  scheduleRender();
}

function onJoined(frame) {
  removeFirst(joinsAwaitingAnswer, frame.room);
  const room = state.rooms.get(frame.room);
  if (!room) return; // left while the join was on its way; the leave follows it on the wire
  const history = Array.isArray(frame.history) ? frame.history : [];
  const countUnread = room.everJoined && room.name !== state.selected;
  for (const message of history) {
    const added = addMessage(room, message);
    if (added && countUnread && !isOwn(added)) room.unread += 1;
  }
  room.historyIncomplete = frame.historyComplete === false;
  room.joined = true;
  room.everJoined = true;
  settleLostMessages(room);
  for (const item of room.outbox) {
    if (item.state === "pending" && item.ref === null) transmit(item);
  }
}

function onAck(frame) {
  const item = inFlight.get(frame.ref);
  if (!item || typeof frame.id !== "string") return;
  inFlight.delete(frame.ref);
  const room = state.rooms.get(item.room);
  if (!room) return;
  const id = frame.id.toLowerCase();

  if (item.state === "sent" && item.id === id) return; // the live message came first and was adopted

  removeFromOutbox(room, item);
  if (room.byId.has(id)) return; // already shown (live frame or history)
  if (item.state === "sent") {
    // The live message we adopted was another tab's identical text: ours is a message of its own.
    const added = addMessage(room, { id, room: item.room, user: item.user, text: item.text, sentAt: frame.sentAt });
    if (added) added.mine = true;
    return;
  }
  // Promote the pending item itself, so its element turns from pending into sent in place.
  item.id = id;
  item.sentAt = frame.sentAt;
  item.state = "sent";
  item.error = null;
  insertSorted(room, item);
}

function onMessage(frame) {
  const room = state.rooms.get(frame.room);
  if (!room || typeof frame.id !== "string") return;
  const id = frame.id.toLowerCase();
  if (room.byId.has(id)) return;

  // Our own message may arrive live before its ack: adopt it into the pending item so it never shows twice.
  if (state.ownNames.has(frame.user)) {
    const item = room.outbox.find((x) => x.state === "pending" && x.ref !== null && x.text === frame.text);
    if (item) {
      removeFromOutbox(room, item);
      Object.assign(item, { id, user: frame.user, sentAt: frame.sentAt, state: "sent", error: null });
      insertSorted(room, item);
      return;
    }
  }

  const added = addMessage(room, frame);
  if (added && !isOwn(added)) {
    if (room.name !== state.selected) room.unread += 1;
    else if (document.hidden) unseenWhileHidden += 1;
  }
}

function onError(frame) {
  const item = frame.ref ? inFlight.get(frame.ref) : undefined;
  if (item) {
    inFlight.delete(frame.ref);
    const error = { code: String(frame.code ?? "error"), message: String(frame.message ?? "") };
    // Not confirmed in time is not "not sent": the server names the id it may still arrive under (README).
    const unconfirmedId = frame.code === "unavailable" && typeof frame.id === "string" ? frame.id.toLowerCase() : null;
    if (item.state === "sent") {
      // We had adopted a live message with the same text as ours: it was someone else's (another tab
      // of the same user). It stays; our own send failed and gets an entry of its own.
      const room = state.rooms.get(item.room);
      room?.outbox.push({ ...item, id: "", sentAt: null, createdAt: new Date(), state: "error", ref: null, error, lost: false, mine: true, unconfirmedId });
      return;
    }
    item.state = "error";
    item.error = error;
    item.unconfirmedId = unconfirmedId ?? item.unconfirmedId;
    return;
  }

  if (!frame.ref && ["invalid_room", "too_many_rooms", "invalid_since"].includes(frame.code) && joinsAwaitingAnswer.length > 0) {
    const name = joinsAwaitingAnswer.shift();
    const room = state.rooms.get(name);
    if (room && frame.code === "invalid_since") {
      // Should not happen (ids come from the server); recover by joining without since.
      room.messages.length = 0;
      room.byId.clear();
      sendJoin(room);
      return;
    }
    if (room) {
      leaveRoom(name, { tellServer: false });
      showRoomError(`Could not join “${name}”: ${frame.message || frame.code}`);
    }
    return;
  }

  toast(`${frame.code ?? "error"}: ${frame.message ?? ""}`);
}

// ---------------------------------------------------------------------------------------------------------
// Messages

function isOwn(message) {
  return message.mine === true || state.ownNames.has(message.user);
}

/** Adds a confirmed message unless its id is known. @returns the stored message, or null for a duplicate. */
function addMessage(room, frame) {
  if (typeof frame.id !== "string") return null;
  const id = frame.id.toLowerCase();
  if (room.byId.has(id)) return null;
  // One of ours the server could not confirm in time arrived after all (live or in history): it was sent.
  const unconfirmed = room.outbox.find((x) => x.unconfirmedId === id);
  if (unconfirmed) {
    removeFromOutbox(room, unconfirmed);
    Object.assign(unconfirmed, { id, sentAt: frame.sentAt, state: "sent", error: null });
    insertSorted(room, unconfirmed);
    return unconfirmed;
  }
  const message = {
    id,
    room: room.name,
    user: String(frame.user ?? ""),
    text: String(frame.text ?? ""),
    sentAt: frame.sentAt,
    state: "sent",
  };
  insertSorted(room, message);
  return message;
}

function insertSorted(room, message) {
  const list = room.messages;
  room.byId.set(message.id, message);
  // Almost every message is the newest: check the end first, then binary search.
  if (list.length === 0 || list[list.length - 1].id < message.id) {
    list.push(message);
    return;
  }
  let low = 0;
  let high = list.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (list[middle].id < message.id) low = middle + 1;
    else high = middle;
  }
  list.splice(low, 0, message);
}

function removeFromOutbox(room, item) {
  const index = room.outbox.indexOf(item);
  if (index >= 0) room.outbox.splice(index, 1);
}

function removeFirst(list, value) {
  const index = list.indexOf(value);
  if (index >= 0) list.splice(index, 1);
}

/**
 * Messages whose connection closed before their ack may have been published anyway. After the rejoin,
 * the history tells: one of ours with the same text, sent since, means it went through.
 */
function settleLostMessages(room) {
  const claimed = new Set();
  for (const item of [...room.outbox]) {
    if (!item.lost) continue;
    const since = item.createdAt.getTime() - 60_000;
    const match = room.messages.find((m) => !claimed.has(m.id) && state.ownNames.has(m.user)
      && m.text === item.text && Date.parse(m.sentAt) >= since);
    if (match) {
      claimed.add(match.id);
      removeFromOutbox(room, item);
    }
  }
}

/** Sends an outbox item now if the room is joined; otherwise it waits (pending) for the join. */
function transmit(item) {
  const room = state.rooms.get(item.room);
  if (!room || !room.joined || !socketIsOpen()) return;
  item.ref = `c${++refCounter}`;
  inFlight.set(item.ref, item);
  const frame = { type: "send", room: item.room, text: item.text, ref: item.ref };
  // A retry of a message the server could not confirm goes out under its id: it is posted once either way.
  if (item.unconfirmedId) frame.retryOf = item.unconfirmedId;
  sendFrame(frame);
}

function sendText(text) {
  const room = state.rooms.get(state.selected);
  if (!room) return;
  const item = {
    id: "",
    room: room.name,
    user: state.user ?? (state.desiredUser || "you"),
    mine: true,
    text,
    sentAt: null,
    createdAt: new Date(),
    state: "pending",
    ref: null,
    error: null,
    lost: false,
    /** The id an `unavailable` answer gave it: it may still arrive under that id, and a retry goes out under it. */
    unconfirmedId: null,
  };
  room.outbox.push(item);
  transmit(item);
  stickToBottom = true;
  scheduleRender();
}

function retry(item) {
  if (item.state !== "error") return;
  item.state = "pending";
  item.error = null;
  item.lost = false;
  item.ref = null;
  item.createdAt = new Date();
  const room = state.rooms.get(item.room);
  if (room) {
    // A retried message goes to the end of the outbox, after what was typed since.
    removeFromOutbox(room, item);
    room.outbox.push(item);
  }
  transmit(item);
  scheduleRender();
}

function discard(item) {
  const room = state.rooms.get(item.room);
  if (room) removeFromOutbox(room, item);
  scheduleRender();
}

// ---------------------------------------------------------------------------------------------------------
// Rooms

function persistRooms() {
  storage.set("rooms", [...state.rooms.keys()]);
}

function joinRoom(name, { select = true } = {}) {
  if (!ROOM_PATTERN.test(name)) return false;
  let room = state.rooms.get(name);
  if (!room) {
    room = newRoom(name);
    state.rooms.set(name, room);
    persistRooms();
    sendJoin(room);
  }
  if (select || !state.selected) selectRoom(name);
  scheduleRender();
  return true;
}

function leaveRoom(name, { tellServer = true } = {}) {
  const room = state.rooms.get(name);
  if (!room) return;
  if (tellServer) sendFrame({ type: "leave", room: name });
  for (const [ref, item] of inFlight) if (item.room === name) inFlight.delete(ref);
  const names = [...state.rooms.keys()];
  const index = names.indexOf(name);
  state.rooms.delete(name);
  persistRooms();
  if (state.selected === name) {
    const next = names[index + 1] ?? names[index - 1] ?? null;
    state.selected = null;
    if (next && next !== name) selectRoom(next);
    else storage.set("selected", null);
  }
  scheduleRender();
}

function selectRoom(name) {
  if (!state.rooms.has(name)) return joinRoom(name, { select: true });
  const changed = state.selected !== name;
  state.selected = name;
  state.rooms.get(name).unread = 0;
  storage.set("selected", name);
  if (changed) {
    renderedRoom = null;
    stickToBottom = true;
  }
  scheduleRender();
  if (matchMedia("(max-width: 720px)").matches) {
    ui.roomList.querySelector(`[data-room="${CSS.escape(name)}"]`)?.scrollIntoView({ inline: "nearest", block: "nearest" });
  }
  return true;
}

// ---------------------------------------------------------------------------------------------------------
// Rendering

let renderScheduled = false;
let renderedRoom = null;
let stickToBottom = true;
let unseenWhileHidden = 0;
const elementOf = new WeakMap(); // message/item -> <li>
const separators = new Map(); // day key -> <li>

function scheduleRender() {
  if (renderScheduled) return;
  renderScheduled = true;
  queueMicrotask(() => {
    renderScheduled = false;
    render();
  });
}

function render() {
  renderStatus();
  renderRooms();
  renderConversation();
  const unread = [...state.rooms.values()].reduce((sum, room) => sum + room.unread, 0) + unseenWhileHidden;
  document.title = unread > 0 ? `(${unread}) Chat` : "Chat";
}

let statusDetail = { label: null, title: null };

function setStatus(status, label = null, title = null) {
  state.status = status;
  statusDetail = { label, title };
  if (status === "disconnected") state.node = null;
  scheduleRender();
}

function renderStatus() {
  const labels = { connected: "Connected", connecting: "Connecting…", disconnected: "Disconnected" };
  ui.status.dataset.state = state.status;
  setText(ui.statusLabel, statusDetail.label ?? labels[state.status]);
  ui.status.title = statusDetail.title ?? labels[state.status];
  setText(ui.node, state.node ?? "–");

  ui.whoami.replaceChildren();
  if (state.status === "connected" && state.user) {
    const name = el("strong", "", { "data-testid": "user-name" });
    name.textContent = state.user;
    ui.whoami.append("Signed in as ", name);
  } else if (state.status === "connecting") {
    ui.whoami.textContent = state.desiredUser ? `Connecting as ${state.desiredUser}…` : "Connecting as a guest…";
  } else {
    ui.whoami.textContent = "Not connected";
  }
  ui.disconnect.hidden = state.status === "disconnected";
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
  select.addEventListener("click", () => selectRoom(name));
  const leave = el("button", "room-leave", { type: "button", "data-testid": "leave-button", "aria-label": `Leave ${name}`, title: `Leave #${name}` });
  leave.textContent = "×";
  leave.addEventListener("click", (event) => {
    event.stopPropagation();
    leaveRoom(name);
  });
  item.append(select, leave);
  return item;
}

function renderConversation() {
  const room = state.rooms.get(state.selected) ?? null;
  ui.composer.classList.toggle("disabled", !room);
  ui.input.disabled = !room;
  ui.send.disabled = !room;
  ui.input.placeholder = room ? `Message #${room.name}` : "Join a room to chat";
  setText(ui.roomTitle, room ? room.name : "No room");
  ui.historyNote.hidden = !room?.historyIncomplete;

  if (room) {
    const count = room.messages.length;
    setText(ui.roomSubtitle, !room.joined
      ? (state.status === "connected" ? "joining…" : "offline: messages wait until you are back")
      : count === 0 ? "no messages yet" : `${count} message${count === 1 ? "" : "s"}`);
  } else {
    setText(ui.roomSubtitle, "");
  }

  const list = ui.messages;
  const roomChanged = renderedRoom !== (room?.name ?? null);
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 48;
  if (roomChanged) {
    list.replaceChildren();
    separators.clear();
    renderedRoom = room?.name ?? null;
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

  ui.empty.hidden = !room || rows.length > 0;
  if (room && rows.length === 0) {
    ui.empty.replaceChildren();
    const title = el("strong");
    title.textContent = room.joined ? `Welcome to #${room.name}` : `#${room.name}`;
    const line = el("span");
    line.textContent = room.joined ? "No messages yet. Say hello!" : "Loading the conversation…";
    ui.empty.append(title, line);
  } else if (!room) {
    ui.empty.hidden = false;
    ui.empty.replaceChildren();
    const title = el("strong");
    title.textContent = "No room selected";
    const line = el("span");
    line.textContent = "Join a room to start chatting.";
    ui.empty.append(title, line);
  }

  if (roomChanged || stickToBottom || atBottom) {
    list.scrollTop = list.scrollHeight;
    stickToBottom = false;
    ui.jump.hidden = true;
  } else if (added > 0 && before > 0) {
    ui.jump.hidden = false;
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
  const items = room.messages.concat(room.outbox);
  let previous = null;
  let previousDay = null;
  for (const item of items) {
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
    const label = el("span");
    node.append(label);
    separators.set(key, node);
  }
  setText(node.firstChild, dayLabel(date));
  return node;
}

function pad(n) {
  return String(n).padStart(2, "0");
}

function hue(name) {
  let hash = 0;
  for (const char of name) hash = (hash * 31 + char.codePointAt(0)) >>> 0;
  return hash % 360;
}

function messageElement(item, grouped) {
  let node = elementOf.get(item);
  if (!node) {
    node = createMessageElement(item);
    elementOf.set(item, node);
  }
  const own = isOwn(item);
  node.dataset.id = item.id ?? "";
  node.dataset.state = item.state;
  node.dataset.user = item.user;
  node.classList.toggle("own", own);
  node.classList.toggle("grouped", grouped);

  const parts = node._parts;
  setText(parts.author, item.user);
  setText(parts.avatar, (item.user.replace(/^guest-/, "")[0] ?? "?").toUpperCase());
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

function createMessageElement(item) {
  const node = el("li", "message", { "data-testid": "message" });
  const avatar = el("div", "avatar", { "aria-hidden": "true" });
  const body = el("div", "message-body");
  const author = el("span", "author", { "data-testid": "message-user" });
  const bubble = el("div", "bubble");
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
  retryButton.addEventListener("click", () => retry(item));
  const discardButton = el("button", "link-button subtle", { type: "button", "data-testid": "discard-button" });
  discardButton.textContent = "Discard";
  discardButton.addEventListener("click", () => discard(item));
  problem.append(reason, retryButton, discardButton);
  return problem;
}

// ---------------------------------------------------------------------------------------------------------
// Notices

function showNameError(message) {
  ui.nameError.textContent = message;
  ui.nameError.hidden = false;
  ui.nameInput.setAttribute("aria-invalid", "true");
}

function hideNameError() {
  ui.nameError.hidden = true;
  ui.nameError.textContent = "";
  ui.nameInput.removeAttribute("aria-invalid");
}

function showRoomError(message) {
  ui.roomError.textContent = message;
  ui.roomError.hidden = false;
  ui.roomInput.setAttribute("aria-invalid", "true");
}

function hideRoomError() {
  ui.roomError.hidden = true;
  ui.roomError.textContent = "";
  ui.roomInput.removeAttribute("aria-invalid");
}

function toast(message) {
  const node = el("div", "toast", { role: "status" });
  node.textContent = message;
  ui.toasts.append(node);
  setTimeout(() => node.classList.add("leaving"), 4500);
  setTimeout(() => node.remove(), 5000);
}

// ---------------------------------------------------------------------------------------------------------
// Input

function userNameProblem(name) {
  if (name === "") return null;
  if (name.length > 32) return "A name is at most 32 characters.";
  if (!USER_PATTERN.test(name)) return "A name may only use letters, digits and _ . - (no spaces).";
  return null;
}

function roomNameProblem(name) {
  if (name === "") return "Type a room name.";
  if (name.length > 64) return "A room name is at most 64 characters.";
  if (!ROOM_PATTERN.test(name)) return "A room name may only use letters, digits and _ . - (no spaces).";
  return null;
}

ui.nameForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const name = ui.nameInput.value.trim();
  const problem = userNameProblem(name);
  if (problem) {
    showNameError(problem);
    ui.nameInput.focus();
    return;
  }
  hideNameError();
  storage.set("name", name);
  state.user = null;
  attempt = 0;
  connect(name);
});

ui.nameInput.addEventListener("input", () => {
  if (!ui.nameError.hidden && !userNameProblem(ui.nameInput.value.trim())) hideNameError();
});

ui.disconnect.addEventListener("click", () => disconnect());

ui.joinForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const name = ui.roomInput.value.trim();
  const problem = roomNameProblem(name);
  if (problem) {
    showRoomError(problem);
    ui.roomInput.focus();
    return;
  }
  hideRoomError();
  joinRoom(name, { select: true });
  ui.roomInput.value = "";
  ui.input.focus();
});

ui.roomInput.addEventListener("input", () => {
  if (!ui.roomError.hidden) hideRoomError();
});

function resizeInput() {
  ui.input.style.height = "auto";
  ui.input.style.height = `${Math.min(ui.input.scrollHeight, 180)}px`;
  const left = MAX_TEXT - ui.input.value.length;
  ui.counter.hidden = left > 400;
  ui.counter.textContent = String(left);
  ui.counter.classList.toggle("over", left < 0);
}

ui.input.addEventListener("input", resizeInput);

ui.input.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
    event.preventDefault();
    ui.composer.requestSubmit();
  }
});

ui.composer.addEventListener("submit", (event) => {
  event.preventDefault();
  const text = ui.input.value;
  if (text.trim() === "") return;
  if (text.length > MAX_TEXT) {
    toast(`A message is at most ${MAX_TEXT} characters (this one has ${text.length}).`);
    return;
  }
  sendText(text);
  ui.input.value = "";
  resizeInput();
  ui.input.focus();
});

ui.messages.addEventListener("scroll", () => {
  const list = ui.messages;
  if (list.scrollHeight - list.scrollTop - list.clientHeight < 48) ui.jump.hidden = true;
}, { passive: true });

ui.jump.addEventListener("click", () => {
  ui.messages.scrollTo({ top: ui.messages.scrollHeight, behavior: "smooth" });
  ui.jump.hidden = true;
});

document.addEventListener("visibilitychange", () => {
  if (!document.hidden) {
    unseenWhileHidden = 0;
    scheduleRender();
  }
});

window.addEventListener("online", () => {
  // The network is back: do not wait out the backoff.
  if (!userDisconnected && socket === null) {
    attempt = 0;
    connect(state.desiredUser);
  }
});

// ---------------------------------------------------------------------------------------------------------
// Start

/** A small surface for people and browser tests. */
window.chat = {
  get socket() { return socket; },
  get user() { return state.user; },
  get node() { return state.node; },
  get status() { return state.status; },
  get selectedRoom() { return state.selected; },
  get rooms() { return [...state.rooms.keys()]; },
  selectRoom,
  joinRoom: (name) => joinRoom(name, { select: true }),
  leaveRoom: (name) => leaveRoom(name),
  send: (text) => sendText(text),
  connect: (user = "") => { attempt = 0; connect(user); },
  disconnect,
  messages: (room = state.selected) => (state.rooms.get(room)?.messages ?? []).map(({ id, user, text, sentAt }) => ({ id, user, text, sentAt })),
};

function start() {
  const params = new URLSearchParams(location.search);
  const urlUser = params.get("user");
  const urlRoom = params.get("room");

  // First visit: lobby. Later: the rooms the user kept (possibly none, if they left them all).
  const saved = storage.get("rooms", null);
  let rooms = Array.isArray(saved) ? saved.filter((name) => typeof name === "string" && ROOM_PATTERN.test(name)) : [];
  if (!Array.isArray(saved) || (rooms.length === 0 && saved.length > 0)) rooms = [DEFAULT_ROOM];
  for (const name of rooms) state.rooms.set(name, newRoom(name));

  let selected = storage.get("selected", null);
  if (urlRoom !== null) {
    if (ROOM_PATTERN.test(urlRoom)) {
      if (!state.rooms.has(urlRoom)) state.rooms.set(urlRoom, newRoom(urlRoom));
      selected = urlRoom;
    } else {
      showRoomError(`“${urlRoom}” is not a valid room name: ${roomNameProblem(urlRoom)}`);
    }
  }
  state.selected = state.rooms.has(selected) ? selected : (state.rooms.keys().next().value ?? null);
  persistRooms();

  const name = urlUser !== null ? urlUser.trim() : String(storage.get("name", "") ?? "");
  ui.nameInput.value = name;
  resizeInput();
  render();

  const problem = urlUser !== null && urlUser.trim() === "" ? "A name cannot be empty." : userNameProblem(name);
  if (problem) {
    showNameError(problem);
    setStatus("disconnected");
    return;
  }
  connect(name);
}

start();
