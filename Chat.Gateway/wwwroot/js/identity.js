// Who the page connects as. Anonymous mode (the gateway's default): ?user=NAME. Token mode: ?access_token=JWT, taken
// from the URL fragment an identity provider's redirect writes (#access_token=…) or from the sign-in field, and kept
// in sessionStorage for this tab only.
//
// The gateway does not say which mode it runs, and a browser cannot read why an upgrade failed (a 401 looks like a
// network error), so the page decides by behaviour: an upgrade that fails before it opens, while a gateway answers
// plain HTTP, was refused. Two refusals in a row (one may be a replica shutting down) mean: this token is refused, or,
// without a token and before any anonymous welcome, this gateway wants one. Either way the page asks for a token
// instead of retrying forever. A close with 1008 means the token expired: the page asks for a new one.

import { changed, state } from "./state.js";
import { tabStorage } from "./storage.js";

const TOKEN_KEY = "accessToken";
const REFUSALS_BEFORE_SIGN_IN = 2;
const PROBE_TIMEOUT_MS = 5_000;

const MESSAGES = {
  needed: "This server asks you to sign in: paste an access token.",
  refused: "The server refused this access token: it is not valid, has expired, or is meant for another server. Sign in again.",
  expired: "Your access token has expired. Sign in again to carry on; your rooms catch up.",
  "signed-out": "Signed out. Paste an access token to sign in again.",
};

/** Takes a token from `#access_token=…` and removes it from the address bar (and so from history and bookmarks). */
function takeFragmentToken() {
  const fragment = new URLSearchParams(location.hash.replace(/^#/, ""));
  const token = fragment.get("access_token");
  if (token === null) return null;
  history.replaceState(history.state, "", location.pathname + location.search);
  return token.trim() || null;
}

/** The token's `exp` in ms since the epoch, read without verifying anything (the gateway does that); null if unreadable. */
function tokenExpiresAt(token) {
  try {
    const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    const claims = JSON.parse(atob(part.padEnd(Math.ceil(part.length / 4) * 4, "=")));
    return typeof claims.exp === "number" ? claims.exp * 1000 : null;
  } catch {
    return null;
  }
}

/** Whether a gateway answers plain HTTP on /ws (it refuses anything but an upgrade, with 400): then it is reachable. */
async function gatewayAnswers() {
  try {
    const response = await fetch("/ws", { cache: "no-store", signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
    return response.status < 500;
  } catch {
    return false;
  }
}

/**
 * @param connection the Connection, whose closes this decides on.
 * @param nameProblem shows a line under the name field (anonymous mode).
 */
export function createIdentity({ connection, nameProblem }) {
  const identity = state.identity;

  /** Reads the token of this tab: a new one from the fragment first. */
  function start() {
    const fromFragment = takeFragmentToken();
    if (fromFragment) tabStorage.set(TOKEN_KEY, fromFragment);
    const stored = tabStorage.get(TOKEN_KEY, null);
    identity.token = fromFragment ?? (typeof stored === "string" && stored ? stored : null);
  }

  function socketUrl() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const query = identity.token
      ? `?access_token=${encodeURIComponent(identity.token)}`
      : state.desiredUser ? `?user=${encodeURIComponent(state.desiredUser)}` : "";
    return `${scheme}://${location.host}/ws${query}`;
  }

  /** Connects as the token, or anonymously. The gateway judges the token: this browser's clock may be wrong. */
  function connect() {
    connection.connect();
  }

  function tokenHasExpired() {
    const expiresAt = identity.token ? tokenExpiresAt(identity.token) : null;
    return expiresAt !== null && expiresAt <= Date.now();
  }

  function signIn(token) {
    tabStorage.set(TOKEN_KEY, token);
    identity.token = token;
    identity.signIn = null;
    identity.refusals = 0;
    state.user = null;
    connection.resetBackoff();
    connect();
    changed();
  }

  function signOut() {
    forget();
    askToSignIn("signed-out");
  }

  /** Leaves the sign-in for an anonymous attempt (a gateway that refused for another reason, such as its capacity). */
  function connectAnonymously() {
    forget();
    identity.signIn = null;
    identity.refusals = 0;
    connection.resetBackoff();
    connection.connect();
    changed();
  }

  function welcomed() {
    identity.refusals = 0;
    if (!identity.token) identity.anonymousWorked = true;
  }

  /** An unwanted close: reconnect, or ask for a token. */
  function closed({ code, reason, wasOpen }) {
    if ((code === 1008 && identity.token) || (!wasOpen && tokenHasExpired())) {
      // PROTOCOL.md: 1008, the token expired; or an upgrade failed with a token past its exp. The same token
      // would be refused: ask for a new one; the rooms recover with since once signed in again.
      forget();
      askToSignIn("expired");
      return;
    }
    if (wasOpen || (!identity.token && identity.anonymousWorked)) {
      retry(code, reason, wasOpen);
      return;
    }
    const generation = connection.generation;
    gatewayAnswers().then((answers) => {
      if (connection.generation !== generation || connection.stopped) return; // the person acted meanwhile
      identity.refusals = answers ? identity.refusals + 1 : 0;
      if (identity.refusals < REFUSALS_BEFORE_SIGN_IN) {
        retry(code, reason, wasOpen);
      } else if (identity.token) {
        forget();
        askToSignIn("refused");
      } else {
        askToSignIn("needed");
      }
    });
  }

  function retry(code, reason, wasOpen) {
    if (!wasOpen && !identity.token && state.user === null && state.desiredUser) {
      // The browser does not tell why an upgrade failed (a 400 for a bad name looks like any network error).
      nameProblem(`Could not connect as “${state.desiredUser}”. The server refused the connection or cannot be reached; retrying…`);
    }
    connection.reconnectLater(code, reason);
  }

  function askToSignIn(reason) {
    identity.signIn = { reason, message: MESSAGES[reason] };
    identity.refusals = 0;
    connection.stop(1000, "sign-in");
    changed();
  }

  function forget() {
    tabStorage.remove(TOKEN_KEY);
    identity.token = null;
  }

  return { start, socketUrl, connect, signIn, signOut, connectAnonymously, welcomed, closed };
}
