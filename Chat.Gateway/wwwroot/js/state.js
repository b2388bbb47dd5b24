// Everything the page knows, in one object, and the operations on a room's data. No DOM, no socket.
//
// A room's confirmed messages are kept sorted by id (UUIDv7, lowercase: string order is time order) and unique by
// id; messages typed here live in the room's outbox until their ack gives them an id.

export const TYPING_SHOWN_MS = 3_000; // PROTOCOL.md: "about 3 s after the last one"

export const state = {
  /** The name asked for ("" = a guest name chosen by the server). */
  desiredUser: "",
  /** The name from `welcome`. */
  user: null,
  node: null,
  /** Every name this page has been connected as: their messages are "mine". */
  ownNames: new Set(),
  connection: { status: "disconnected", label: null, title: null }, // connected | connecting | disconnected
  identity: {
    /** The access token in use (token mode), or null (anonymous). */
    token: null,
    /** Why the sign-in field is shown: null, or { reason: "needed" | "refused" | "expired" | "signed-out", message }. */
    signIn: null,
    /** Upgrades refused in a row by a gateway that answers HTTP (a browser sees no status; see identity.js). */
    refusals: 0,
    /** An anonymous connection was welcomed on this page: the gateway is in anonymous mode. */
    anonymousWorked: false,
  },
  /** name -> Room, in sidebar order. */
  rooms: new Map(),
  selected: null,
  view: { stickToBottom: true, unseenWhileHidden: 0 },
};

let listener = () => {};

/** The one subscriber (the renderer) hears of every change. */
export function onChange(fn) {
  listener = fn;
}

export function changed() {
  listener();
}

/** @returns a room as the client tracks it. */
export function newRoom(name) {
  return {
    name,
    /** Confirmed messages, sorted by id. */
    messages: [],
    byId: new Map(),
    /** Messages typed here that have no id yet (pending, or failed), in the order they were typed. */
    outbox: [],
    /** Live messages of our own name that came while a send of ours was unanswered: the ack tells which is which. */
    heldOwn: new Map(),
    unread: 0,
    joined: false,
    everJoined: false,
    historyIncomplete: false,
    /** The ref of the `join` on its way, so an error naming it is known to be this room's. */
    joinRef: null,
    members: new Set(),
    /** user -> the time their typing stops being shown. */
    typing: new Map(),
    /** When this page last said it was typing here. */
    typingSentAt: 0,
  };
}

export function selectedRoom() {
  return state.rooms.get(state.selected) ?? null;
}

export function isOwn(message) {
  return message.mine === true || state.ownNames.has(message.user);
}

/** Adds a confirmed message unless its id is known. @returns the stored message, or null for a duplicate. */
export function addMessage(room, frame) {
  if (typeof frame.id !== "string") return null;
  const id = frame.id.toLowerCase();
  if (room.byId.has(id)) return null;
  // One of ours the server could not confirm in time arrived after all (live or in history): it was sent.
  const unconfirmed = room.outbox.find((x) => x.unconfirmedId === id);
  if (unconfirmed) {
    promote(room, unconfirmed, id, frame.sentAt);
    return unconfirmed;
  }
  const message = { id, room: room.name, user: String(frame.user ?? ""), text: String(frame.text ?? ""), sentAt: frame.sentAt, state: "sent" };
  insertSorted(room, message);
  return message;
}

/** Turns an outbox item into the confirmed message `id`, in place, so its row changes state instead of being replaced. */
export function promote(room, item, id, sentAt) {
  removeFromOutbox(room, item);
  Object.assign(item, { id, sentAt, state: "sent", error: null });
  insertSorted(room, item);
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

export function removeFromOutbox(room, item) {
  const index = room.outbox.indexOf(item);
  if (index >= 0) room.outbox.splice(index, 1);
}

/** Whether a send of this room waits for its answer on the current connection. */
export function hasSendInFlight(room) {
  return room.outbox.some((x) => x.state === "pending" && x.ref !== null);
}

/** Shows the held live messages of our name once no send waits for its answer: they were another tab's. */
export function releaseHeld(room) {
  if (room.heldOwn.size === 0 || hasSendInFlight(room)) return;
  const held = [...room.heldOwn.values()];
  room.heldOwn.clear();
  for (const frame of held) addMessage(room, frame);
}

/**
 * Messages whose connection closed before their ack may have been published anyway, and no id ever reached us.
 * After the rejoin the history tells: one of ours with the same text, sent since, means it went through.
 */
export function settleLostMessages(room) {
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

/** Members sorted as the server sorts them (ordinal), so every page lists them alike. */
export function sortedMembers(room) {
  return [...room.members].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

// ------------------------------------------------------------------------------------------------ typing

let typingTimer = null;

export function noteTyping(room, user) {
  room.typing.set(user, Date.now() + TYPING_SHOWN_MS);
  scheduleTypingExpiry();
}

export function stopTyping(room, user) {
  room.typing.delete(user);
}

/** Who is shown typing in `room` now, sorted. */
export function typingUsers(room) {
  const now = Date.now();
  return [...room.typing].filter(([, until]) => until > now).map(([user]) => user).sort();
}

/** One timer for the soonest expiry of any room: when it fires, expired entries go and the page re-renders. */
function scheduleTypingExpiry() {
  clearTimeout(typingTimer);
  let soonest = Infinity;
  for (const room of state.rooms.values()) for (const until of room.typing.values()) soonest = Math.min(soonest, until);
  if (soonest === Infinity) return;
  typingTimer = setTimeout(() => {
    const now = Date.now();
    for (const room of state.rooms.values()) for (const [user, until] of room.typing) if (until <= now) room.typing.delete(user);
    scheduleTypingExpiry();
    changed();
  }, Math.max(0, soonest - Date.now()));
}
