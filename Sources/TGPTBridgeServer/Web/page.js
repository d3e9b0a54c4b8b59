// Small pieces of the page: storage, session ids, copying code, naming and dating sessions.

/** The browser's storage, or nothing where it is refused (a private window). */
export const storage = {
  get(key) {
    try { return localStorage.getItem(key); } catch { return null; }
  },
  set(key, value) {
    try {
      if (value === null) localStorage.removeItem(key);
      else localStorage.setItem(key, value);
    } catch {
      // refused: kept for this page only
    }
  },
};

/** A session id no one can guess: 128 random bits. */
export function newSessionID() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return 'web-' + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Copies the code of a code block's copy button, and says so on the button. */
export async function copyCode(button) {
  const code = button.closest('.code-block')?.querySelector('code')?.textContent ?? '';
  let copied = false;
  try {
    await navigator.clipboard.writeText(code);
    copied = true;
  } catch {
    // No clipboard API (plain http on another host): a selection and the old command.
    const scratch = document.createElement('textarea');
    scratch.value = code;
    scratch.setAttribute('readonly', '');
    scratch.className = 'offscreen';
    document.body.append(scratch);
    scratch.select();
    try { copied = document.execCommand('copy'); } catch { copied = false; }
    scratch.remove();
  }
  button.textContent = copied ? 'Copied' : 'Copy failed';
  button.dataset.copied = String(copied);
  setTimeout(() => {
    button.textContent = 'Copy';
    delete button.dataset.copied;
  }, 1500);
}

/** What a session is called in the list: its title, else its id. */
export function sessionLabel(session) {
  return session.title || session.id;
}

/** A short time for a session's last use (milliseconds since 1970). */
export function when(milliseconds, now = Date.now()) {
  if (!milliseconds) return '';
  const minutes = Math.floor((now - milliseconds) / 60000);
  if (minutes < 1) return 'now';
  if (minutes < 60) return minutes + ' min';
  if (minutes < 24 * 60) return Math.floor(minutes / 60) + ' h';
  const date = new Date(milliseconds);
  const sameYear = date.getFullYear() === new Date(now).getFullYear();
  return date.toLocaleDateString(undefined, sameYear ? { month: 'short', day: 'numeric' } : { dateStyle: 'medium' });
}
