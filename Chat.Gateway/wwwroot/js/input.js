// What a person does: the name and sign-in fields, joining and switching rooms, the composer (Enter sends,
// Shift+Enter breaks the line, typing tells the room), the "new messages" button, and coming back to the tab.

import { hideNameError, hideRoomError, showNameError, showRoomError, toast, ui } from "./dom.js";
import { MAX_TEXT, roomNameProblem, userNameProblem } from "./rules.js";
import { changed, state } from "./state.js";
import { saved } from "./storage.js";

export function resizeInput() {
  ui.input.style.height = "auto";
  ui.input.style.height = `${Math.min(ui.input.scrollHeight, 180)}px`;
  const left = MAX_TEXT - ui.input.value.length;
  ui.counter.hidden = left > 400;
  ui.counter.textContent = String(left);
  ui.counter.classList.toggle("over", left < 0);
}

/** Wires the page's controls to the session (rooms, messages), the identity (sign-in) and the connection. */
export function bindInput({ session, identity, connection, connectAs }) {
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
    saved.set("name", name);
    state.user = null;
    connectAs(name);
  });

  ui.nameInput.addEventListener("input", () => {
    if (!ui.nameError.hidden && !userNameProblem(ui.nameInput.value.trim())) hideNameError();
  });

  ui.tokenForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const token = ui.tokenInput.value.trim();
    if (token === "") {
      ui.tokenInput.focus();
      return;
    }
    ui.tokenInput.value = "";
    identity.signIn(token);
  });

  ui.anonymous.addEventListener("click", () => identity.connectAnonymously());
  ui.signOut.addEventListener("click", () => identity.signOut());
  ui.disconnect.addEventListener("click", () => connection.stop());

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
    session.joinRoom(name, { select: true });
    ui.roomInput.value = "";
    ui.input.focus();
  });

  ui.roomInput.addEventListener("input", () => {
    if (!ui.roomError.hidden) hideRoomError();
  });

  ui.input.addEventListener("input", () => {
    resizeInput();
    if (ui.input.value.trim() !== "") session.typing();
  });

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
    session.sendText(text);
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
      state.view.unseenWhileHidden = 0;
      changed();
    }
  });

  window.addEventListener("online", () => {
    // The network is back: do not wait out the backoff.
    if (!connection.stopped && connection.socket === null) {
      connection.resetBackoff();
      connection.connect();
    }
  });
}
