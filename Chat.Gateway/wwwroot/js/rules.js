// The names and limits of PROTOCOL.md that the page checks itself, so a person reads the reason before the server
// would refuse (a browser never sees why an upgrade was refused).

export const USER_PATTERN = /^[A-Za-z0-9_.-]{1,32}$/;
export const ROOM_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;
export const MAX_TEXT = 4000;
export const DEFAULT_ROOM = "lobby";

/** @returns why `name` cannot be a user name, or null ("" is fine: the server picks a guest name). */
export function userNameProblem(name) {
  if (name === "") return null;
  if (name.length > 32) return "A name is at most 32 characters.";
  if (!USER_PATTERN.test(name)) return "A name may only use letters, digits and _ . - (no spaces).";
  return null;
}

/** @returns why `name` cannot be a room name, or null. */
export function roomNameProblem(name) {
  if (name === "") return "Type a room name.";
  if (name.length > 64) return "A room name is at most 64 characters.";
  if (!ROOM_PATTERN.test(name)) return "A room name may only use letters, digits and _ . - (no spaces).";
  return null;
}
