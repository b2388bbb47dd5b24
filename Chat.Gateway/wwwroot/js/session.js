// The chat protocol over the connection (PROTOCOL.md): what each server frame does to the state, and the frames the
// page's actions send. Answers are matched by ref (a send's ack or error, a join's error), own messages by the ack's id.

import { showRoomError, toast } from "./dom.js";
import { ROOM_PATTERN } from "./rules.js";
import {
  addMessage, changed, hasSendInFlight, isOwn, newRoom, noteTyping, promote, releaseHeld, removeFromOutbox,
  selectedRoom, settleLostMessages, state, stopTyping,
} from "./state.js";
import { saved } from "./storage.js";

const TYPING_EVERY_MS = 2_000; // PROTOCOL.md: a client says it is typing at most every 2 s

/** @param connection the Connection; @param welcomed called with the user name of each `welcome`. */
export function createSession({ connection, welcomed }) {
  // ------------------------------------------------------------------------------------------ server frames

  function handle(frame) {
    switch (frame.type) {
      case "welcome":
        state.user = String(frame.user);
        state.node = frame.node ?? null;
        state.ownNames.add(state.user);
        welcomed(state.user);
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
      case "presence":
        onPresence(frame);
        break;
      case "typing":
        onTyping(frame);
        break;
      default:
        return; // pong, and frames of later versions
    }
    changed();
  }

  function onJoined(frame) {
    const room = state.rooms.get(frame.room);
    if (!room) return; // left while the join was on its way; the leave follows it on the wire
    connection.answer(room.joinRef);
    room.joinRef = null;
    const history = Array.isArray(frame.history) ? frame.history : [];
    const countUnread = room.everJoined && room.name !== state.selected;
    for (const message of history) {
      const added = addMessage(room, message);
      if (added && countUnread && !isOwn(added)) room.unread += 1;
    }
    // After every (re)join the server's list is the truth; presence frames keep it current from here.
    if (Array.isArray(frame.members)) room.members = new Set(frame.members.map(String));
    room.historyIncomplete = frame.historyComplete === false;
    room.joined = true;
    room.everJoined = true;
    settleLostMessages(room);
    for (const item of room.outbox) {
      if (item.state === "pending" && item.ref === null) transmit(item);
    }
  }

  function onAck(frame) {
    const context = connection.answer(frame.ref);
    if (context?.kind !== "send" || typeof frame.id !== "string") return;
    const item = context.item;
    const room = state.rooms.get(item.room);
    if (!room) return;
    const id = frame.id.toLowerCase();
    room.heldOwn.delete(id); // its live copy came first: the row typed here becomes it
    if (room.byId.has(id)) removeFromOutbox(room, item); // already shown (history of a rejoin)
    else promote(room, item, id, frame.sentAt);
    releaseHeld(room);
  }

  function onMessage(frame) {
    const room = state.rooms.get(frame.room);
    if (!room || typeof frame.id !== "string") return;
    stopTyping(room, frame.user);
    const id = frame.id.toLowerCase();
    if (room.byId.has(id)) return;
    // A live message of our name may be our send before its ack, or another tab's: only the ack's id tells.
    if (state.ownNames.has(frame.user) && hasSendInFlight(room)) {
      room.heldOwn.set(id, frame);
      return;
    }
    const added = addMessage(room, frame);
    if (added && !isOwn(added)) {
      if (room.name !== state.selected) room.unread += 1;
      else if (document.hidden) state.view.unseenWhileHidden += 1;
    }
  }

  function onError(frame) {
    const context = connection.answer(frame.ref);
    const error = { code: String(frame.code ?? "error"), message: String(frame.message ?? "") };
    if (context?.kind === "send") return sendFailed(context.item, frame, error);
    if (context?.kind === "join") return joinFailed(context.room, frame.ref, error);
    // Answers to a typing frame (best effort), or to a send or join whose room is gone: nothing to show.
    if (typeof frame.ref === "string" && /^[cjt]\d+$/.test(frame.ref)) return;
    toast(`${frame.code ?? "error"}: ${frame.message ?? ""}`);
  }

  function sendFailed(item, frame, error) {
    // Not confirmed in time is not "not sent": the server names the id it may still arrive under (README).
    const unconfirmedId = frame.code === "unavailable" && typeof frame.id === "string" ? frame.id.toLowerCase() : null;
    item.state = "error";
    item.error = error;
    item.unconfirmedId = unconfirmedId ?? item.unconfirmedId;
    const room = state.rooms.get(item.room);
    if (room) releaseHeld(room);
  }

  function joinFailed(name, ref, error) {
    const room = state.rooms.get(name);
    if (!room || room.joinRef !== ref) return; // an earlier join of a room left and joined again
    room.joinRef = null;
    if (error.code === "invalid_since") {
      // Should not happen (ids come from the server); recover by joining without since.
      room.messages.length = 0;
      room.byId.clear();
      sendJoin(room);
      return;
    }
    leaveRoom(name, { tellServer: false });
    showRoomError(`Could not join “${name}”: ${error.message || error.code}`);
  }

  function onPresence(frame) {
    const room = state.rooms.get(frame.room);
    if (!room || typeof frame.user !== "string") return;
    if (frame.status === "joined") room.members.add(frame.user);
    if (frame.status === "left") {
      room.members.delete(frame.user);
      stopTyping(room, frame.user);
    }
  }

  function onTyping(frame) {
    const room = state.rooms.get(frame.room);
    // Our own name typing is another tab of ours: not news to the person at this one.
    if (!room || typeof frame.user !== "string" || state.ownNames.has(frame.user)) return;
    noteTyping(room, frame.user);
  }

  /** The socket is open: join every room again, with `since` where we have messages, so nothing is missed. */
  function opened() {
    for (const room of state.rooms.values()) sendJoin(room);
  }

  /** The socket is gone with these frames unanswered. */
  function lost(unanswered) {
    for (const context of unanswered) {
      if (context.kind !== "send" || context.item.state !== "pending") continue;
      // We cannot know whether the server published it: say so, and check the history after the rejoin.
      Object.assign(context.item, {
        state: "error",
        lost: true,
        error: { code: "connection_lost", message: "the connection closed before the server confirmed this message" },
      });
    }
    for (const room of state.rooms.values()) {
      room.joined = false;
      room.joinRef = null;
      room.typing.clear();
      releaseHeld(room);
    }
    changed();
  }

  // ------------------------------------------------------------------------------------------ actions

  function sendJoin(room) {
    const frame = { type: "join", room: room.name };
    const newest = room.messages.at(-1);
    if (newest) frame.since = newest.id;
    room.joinRef = connection.request(frame, { kind: "join", room: room.name }, "j");
  }

  /** Sends an outbox item now if the room is joined; otherwise it waits (pending) for the join. */
  function transmit(item) {
    const room = state.rooms.get(item.room);
    if (!room || !room.joined || !connection.isOpen) return;
    const frame = { type: "send", room: item.room, text: item.text };
    // A retry of a message the server could not confirm goes out under its id: it is posted once either way.
    if (item.unconfirmedId) frame.retryOf = item.unconfirmedId;
    item.ref = connection.request(frame, { kind: "send", item });
  }

  function sendText(text) {
    const room = selectedRoom();
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
    state.view.stickToBottom = true;
    changed();
  }

  function retry(item) {
    if (item.state !== "error") return;
    Object.assign(item, { state: "pending", error: null, lost: false, ref: null, createdAt: new Date() });
    const room = state.rooms.get(item.room);
    if (room) {
      // A retried message goes to the end of the outbox, after what was typed since.
      removeFromOutbox(room, item);
      room.outbox.push(item);
    }
    transmit(item);
    changed();
  }

  function discard(item) {
    const room = state.rooms.get(item.room);
    if (room) removeFromOutbox(room, item);
    changed();
  }

  /** Says "typing" in the selected room, at most every 2 s. */
  function typing() {
    const room = selectedRoom();
    if (!room?.joined) return;
    const now = Date.now();
    if (now - room.typingSentAt < TYPING_EVERY_MS) return;
    room.typingSentAt = now;
    // Its own ref, never kept: an error answering it (a race with a leave) is dropped by onError.
    connection.send({ type: "typing", room: room.name, ref: connection.nextRef("t") });
  }

  function persistRooms() {
    saved.set("rooms", [...state.rooms.keys()]);
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
    changed();
    return true;
  }

  function leaveRoom(name, { tellServer = true } = {}) {
    const room = state.rooms.get(name);
    if (!room) return;
    if (tellServer) connection.send({ type: "leave", room: name, ref: connection.nextRef("l") });
    connection.answer(room.joinRef);
    const names = [...state.rooms.keys()];
    const index = names.indexOf(name);
    state.rooms.delete(name);
    persistRooms();
    if (state.selected === name) {
      const next = names[index + 1] ?? names[index - 1] ?? null;
      state.selected = null;
      if (next && next !== name) selectRoom(next);
      else saved.set("selected", null);
    }
    changed();
  }

  function selectRoom(name) {
    if (!state.rooms.has(name)) return joinRoom(name, { select: true });
    if (state.selected !== name) state.view.stickToBottom = true;
    state.selected = name;
    state.rooms.get(name).unread = 0;
    saved.set("selected", name);
    changed();
    return true;
  }

  return { handle, opened, lost, sendText, retry, discard, typing, joinRoom, leaveRoom, selectRoom, persistRooms };
}
