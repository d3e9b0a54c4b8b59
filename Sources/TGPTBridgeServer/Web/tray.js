// The attachments waiting above the message box: read from files, shown as chips, measured
// against the server's message limit, and handed over with the next message.

import { MAX_ATTACHMENTS, Refusal, chip, overLimit, prepare } from './attach.js';

export class Tray {
  /** `chips` the list of chips, `status` the line above them, `message` the message box. */
  constructor({ chips, status, message }) {
    this.chips = chips;
    this.status = status;
    this.message = message;
    this.items = [];
    this.preparing = 0;
    // The server's --max-message-bytes, once config.json has said it.
    this.limit = null;
    chips.addEventListener('click', (event) => {
      const button = event.target.closest('button.chip-remove');
      if (!button) return;
      this.items.splice(Number(button.dataset.index), 1);
      this.show();
      this.say(this.tooLarge(this.line({ message: message.value, id: 'm0' })));
      message.focus();
    });
  }

  /** A line above the message box (null: none); `kind` info or error. */
  say(text, kind = 'error') {
    this.status.textContent = text || '';
    this.status.dataset.kind = kind;
    this.status.hidden = !text;
  }

  show() {
    this.chips.replaceChildren(...this.items.map(chip));
    this.chips.hidden = this.items.length === 0;
  }

  /** Reads `files` into attachments, saying what was refused and what will not fit. */
  async add(files) {
    const room = MAX_ATTACHMENTS - this.items.length - this.preparing;
    const taken = [...files].slice(0, Math.max(0, room));
    const problems = files.length > taken.length ? ['A message takes ' + MAX_ATTACHMENTS + ' attachments at most'] : [];
    this.preparing += taken.length;
    if (taken.length) this.say('Reading ' + taken.length + (taken.length === 1 ? ' file…' : ' files…'), 'info');
    for (const file of taken) {
      try {
        this.items.push(await prepare(file));
      } catch (error) {
        problems.push(error instanceof Refusal ? error.message : file.name + ': ' + error);
      } finally {
        this.preparing -= 1;
      }
      this.show();
    }
    // Said now rather than at Send: what will not fit the server's limit.
    const tooLarge = this.tooLarge(this.line({ message: this.message.value, id: 'm0' }));
    if (tooLarge) problems.push(tooLarge);
    if (!this.preparing) this.say(problems.join('. ') || null);
  }

  /** `line` with the attachments as the protocol has them (`{name, url}`), when there are any. */
  line(line) {
    if (this.items.length) line.attachments = this.items.map(({ name, url }) => ({ name, url }));
    return line;
  }

  /** Why the server would refuse `line`, or null. */
  tooLarge(line) {
    return overLimit(line, this.items, this.limit);
  }

  /** Empties the tray: its attachments went with a message. */
  clear() {
    this.items = [];
    this.show();
    this.say(null);
  }

  /** What `config.json` says of this server: the largest message it takes. */
  async loadLimit(form) {
    try {
      const response = await fetch('config.json', { cache: 'no-store' });
      const config = await response.json();
      if (Number.isInteger(config.max_message_bytes)) {
        this.limit = config.max_message_bytes;
        form.dataset.maxMessageBytes = String(config.max_message_bytes);
      }
    } catch {
      // An older server: the check is left to it, and its refusal ends the turn.
    }
  }
}
