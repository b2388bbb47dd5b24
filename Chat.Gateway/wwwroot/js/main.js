// The browser client of Chat: native ES modules, no framework, no build step. The wire contract is PROTOCOL.md.
// This module wires the parts together and starts the page:
//   connection.js  the socket: reconnects, pings, refs      session.js   frames in and out; rooms and messages
//   identity.js    an anonymous name or an access token     state.js     everything the page knows
//   render.js, messages.js  the DOM                         input.js     what a person does

import { Connection } from "./connection.js";
import { hideNameError, showNameError, showRoomError, ui } from "./dom.js";
import { createIdentity } from "./identity.js";
import { bindInput, resizeInput } from "./input.js";
import { setMessageActions } from "./messages.js";
import { render, setRoomActions } from "./render.js";
import { DEFAULT_ROOM, ROOM_PATTERN, roomNameProblem, userNameProblem } from "./rules.js";
import { createSession } from "./session.js";
import { changed, newRoom, state, typingUsers, sortedMembers } from "./state.js";
import { saved } from "./storage.js";

const connection = new Connection({
  url: () => identity.socketUrl(),
  opened: () => {
    hideNameError();
    session.opened();
  },
  frame: (frame) => session.handle(frame),
  lost: (unanswered) => session.lost(unanswered),
  closed: (close) => identity.closed(close),
  status: (status, label = null, title = null) => {
    state.connection = { status, label, title };
    if (status === "disconnected") state.node = null;
    changed();
  },
  unopenable: (error) => showNameError(`Cannot connect: ${error.message}`),
});
const identity = createIdentity({ connection, nameProblem: showNameError });
const session = createSession({ connection, welcomed: () => identity.welcomed() });

/** Connects as `user` ("" for a guest name; ignored by a gateway in token mode, which names the token's user). */
function connectAs(user) {
  state.desiredUser = user;
  connection.resetBackoff();
  identity.connect();
}

setMessageActions({ retry: session.retry, discard: session.discard });
setRoomActions({ selectRoom: session.selectRoom, leaveRoom: session.leaveRoom });
bindInput({ session, identity, connection, connectAs });

/** A small surface for people and browser tests. */
window.chat = {
  get socket() { return connection.socket; },
  get user() { return state.user; },
  get node() { return state.node; },
  get status() { return state.connection.status; },
  get selectedRoom() { return state.selected; },
  get rooms() { return [...state.rooms.keys()]; },
  get reconnectPending() { return connection.reconnectPending; },
  selectRoom: (name) => session.selectRoom(name),
  joinRoom: (name) => session.joinRoom(name, { select: true }),
  leaveRoom: (name) => session.leaveRoom(name),
  send: (text) => session.sendText(text),
  connect: (user = "") => connectAs(user),
  disconnect: () => connection.stop(),
  messages: (room = state.selected) => (state.rooms.get(room)?.messages ?? []).map(({ id, user, text, sentAt }) => ({ id, user, text, sentAt })),
  members: (room = state.selected) => (state.rooms.has(room) ? sortedMembers(state.rooms.get(room)) : []),
  typing: (room = state.selected) => (state.rooms.has(room) ? typingUsers(state.rooms.get(room)) : []),
};

function start() {
  identity.start();
  const params = new URLSearchParams(location.search);
  const urlUser = params.get("user");
  const urlRoom = params.get("room");

  // First visit: lobby. Later: the rooms the user kept (possibly none, if they left them all).
  const kept = saved.get("rooms", null);
  let rooms = Array.isArray(kept) ? kept.filter((name) => typeof name === "string" && ROOM_PATTERN.test(name)) : [];
  if (!Array.isArray(kept) || (rooms.length === 0 && kept.length > 0)) rooms = [DEFAULT_ROOM];
  for (const name of rooms) state.rooms.set(name, newRoom(name));

  let selected = saved.get("selected", null);
  if (urlRoom !== null) {
    if (ROOM_PATTERN.test(urlRoom)) {
      if (!state.rooms.has(urlRoom)) state.rooms.set(urlRoom, newRoom(urlRoom));
      selected = urlRoom;
    } else {
      showRoomError(`“${urlRoom}” is not a valid room name: ${roomNameProblem(urlRoom)}`);
    }
  }
  state.selected = state.rooms.has(selected) ? selected : (state.rooms.keys().next().value ?? null);
  session.persistRooms();

  const name = urlUser !== null ? urlUser.trim() : String(saved.get("name", "") ?? "");
  ui.nameInput.value = name;
  resizeInput();
  render();

  // With a token the name is the token's; without one it must pass the rules before the server sees it.
  const problem = state.identity.token ? null
    : urlUser !== null && urlUser.trim() === "" ? "A name cannot be empty." : userNameProblem(name);
  if (problem) {
    showNameError(problem);
    return;
  }
  connectAs(name);
}

start();
