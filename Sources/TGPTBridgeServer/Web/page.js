// Small pieces of the page: copying code, naming and dating sessions.

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
