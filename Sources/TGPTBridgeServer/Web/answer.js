// One answer as it streams: the settled part is rendered once, only the rest again.

import { parseBlocks, render, settledEnd } from './markdown.js';

export class AnswerView {
  /** Renders into `body` (a `.markdown` element); `onRender` after each repaint. */
  constructor(body, onRender = () => {}) {
    this.body = body;
    this.onRender = onRender;
    this.text = '';
    this.settled = 0;
    this.tail = document.createElement('div');
    this.tail.className = 'tail';
    this.body.append(this.tail);
    this.pending = false;
    this.finished = false;
    // Characters rendered so far, all repaints together: a measure of the work, which stays a
    // small multiple of the answer's length however many chunks it comes in.
    this.work = 0;
  }

  /** Adds a chunk; the view repaints at the next frame (many chunks, one repaint). */
  append(content) {
    if (this.finished || !content) return;
    this.text += content;
    if (this.pending) return;
    this.pending = true;
    // A hidden page gets no animation frames: a timer then, so the text is there on return.
    const later = (callback) => (document.hidden ? setTimeout(callback, 250) : requestAnimationFrame(callback));
    later(() => {
      this.pending = false;
      if (!this.finished) this.paint(false);
    });
  }

  /** The answer is over: everything is rendered as final. */
  finish() {
    if (this.finished) return;
    this.finished = true;
    this.paint(true);
  }

  paint(final) {
    // What is settled is rendered once, appended before the tail; only the tail (an open
    // paragraph, list or code block) is rendered again. A long answer costs its length once,
    // plus its last block at every frame.
    const end = final ? this.text.length : settledEnd(this.text, this.settled);
    if (end > this.settled) {
      this.body.insertBefore(render(parseBlocks(lines(this.text.slice(this.settled, end)))), this.tail);
      this.work += end - this.settled;
      this.settled = end;
    }
    this.tail.replaceChildren(render(parseBlocks(lines(this.text.slice(this.settled)))));
    this.work += this.text.length - this.settled;
    this.onRender();
  }
}

function lines(text) {
  return text.split(/\r?\n/);
}
