// What the page remembers. localStorage (name, rooms) outlives the tab; sessionStorage (the access token) does not,
// so a token is never left behind in a browser profile. Private mode or a full quota only make the page forget.

function area(open) {
  return {
    get(key, fallback) {
      try {
        const value = open().getItem(`chat.${key}`);
        return value === null ? fallback : JSON.parse(value);
      } catch {
        return fallback;
      }
    },
    set(key, value) {
      try {
        open().setItem(`chat.${key}`, JSON.stringify(value));
      } catch {
        // the page still works, it just forgets
      }
    },
    remove(key) {
      try {
        open().removeItem(`chat.${key}`);
      } catch {
        // nothing to forget
      }
    },
  };
}

export const saved = area(() => localStorage);
export const tabStorage = area(() => sessionStorage);
