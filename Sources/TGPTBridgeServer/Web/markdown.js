// Markdown to DOM nodes. Text from the model only ever becomes text nodes (textContent) and
// attribute values checked here (link targets): never HTML, so no answer can inject markup.

const FENCE = /^( {0,3})(`{3,}|~{3,})[ \t]*([^\s`]*)[^`]*$/;
const HEADING = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/;
const RULE = /^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$/;
const QUOTE = /^ {0,3}> ?(.*)$/;
const ITEM = /^( {0,3})([-*+]|\d{1,9}[.)])(?:([ \t]+)(.*))?$/;
const DELIMITER_ROW = /^ {0,3}\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$/;

const isBlank = (line) => /^[ \t]*$/.test(line);
const indentOf = (line) => line.match(/^ */)[0].length;

function isTableStart(lines, i) {
  return i + 1 < lines.length && lines[i].includes('|') && lines[i + 1].includes('|') &&
    DELIMITER_ROW.test(lines[i + 1]);
}

/** Whether line i opens a block that ends a paragraph before it. */
function interrupts(lines, i) {
  const line = lines[i];
  if (FENCE.test(line) || HEADING.test(line) || RULE.test(line) || QUOTE.test(line)) return true;
  const item = ITEM.exec(line);
  if (item && item[4] && (/^[-*+]$/.test(item[2]) || /^1[.)]$/.test(item[2]))) return true;
  return isTableStart(lines, i);
}

function splitRow(line) {
  let row = line.trim();
  if (row.startsWith('|')) row = row.slice(1);
  if (row.endsWith('|') && !row.endsWith('\\|')) row = row.slice(0, -1);
  const cells = [];
  let cell = '';
  for (let i = 0; i < row.length; i++) {
    if (row[i] === '\\' && row[i + 1] === '|') { cell += '|'; i++; continue; }
    if (row[i] === '|') { cells.push(cell.trim()); cell = ''; continue; }
    cell += row[i];
  }
  cells.push(cell.trim());
  return cells;
}

function alignment(cell) {
  const left = cell.startsWith(':');
  const right = cell.endsWith(':');
  return left && right ? 'center' : right ? 'right' : left ? 'left' : '';
}

/** The blocks of `lines`: {type, …} objects, nested for quotes and list items. */
export function parseBlocks(lines) {
  const blocks = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    let m;
    if (isBlank(line)) {
      i++;
    } else if ((m = FENCE.exec(line))) {
      const [, indent, fence, lang] = m;
      const body = [];
      let closed = false;
      for (i++; i < lines.length; i++) {
        const close = lines[i].trim();
        if (indentOf(lines[i]) < 4 && close.startsWith(fence[0].repeat(fence.length)) &&
          /^[`~]+$/.test(close) && close[0] === fence[0]) { closed = true; i++; break; }
        body.push(lines[i].slice(Math.min(indent.length, indentOf(lines[i]))));
      }
      blocks.push({ type: 'code', lang, text: body.join('\n'), closed });
    } else if ((m = HEADING.exec(line))) {
      blocks.push({ type: 'heading', level: m[1].length, text: m[2] || '' });
      i++;
    } else if (RULE.test(line)) {
      blocks.push({ type: 'rule' });
      i++;
    } else if (QUOTE.test(line)) {
      const inner = [];
      while (i < lines.length && !isBlank(lines[i])) {
        const quoted = QUOTE.exec(lines[i]);
        if (quoted) inner.push(quoted[1]);
        else if (interrupts(lines, i)) break;
        else inner.push(lines[i]);
        i++;
      }
      blocks.push({ type: 'quote', children: parseBlocks(inner) });
    } else if (isTableStart(lines, i) && splitRow(line).length === splitRow(lines[i + 1]).length) {
      const header = splitRow(line);
      const aligns = splitRow(lines[i + 1]).map(alignment);
      const rows = [];
      for (i += 2; i < lines.length && !isBlank(lines[i]) && lines[i].includes('|'); i++) rows.push(splitRow(lines[i]));
      blocks.push({ type: 'table', header, aligns, rows });
    } else if (ITEM.test(line)) {
      i = parseList(lines, i, blocks);
    } else {
      const text = [line.trim()];
      for (i++; i < lines.length && !isBlank(lines[i]) && !interrupts(lines, i); i++) text.push(lines[i].trim());
      blocks.push({ type: 'paragraph', text: text.join('\n') });
    }
  }
  return blocks;
}

/** A list from line i on, pushed to `blocks`; the index of the first line after it. */
function parseList(lines, i, blocks) {
  const first = ITEM.exec(lines[i]);
  const ordered = /\d/.test(first[2]);
  const kind = (marker) => (/\d/.test(marker) ? 'n' + marker.slice(-1) : marker);
  const list = { type: 'list', ordered, start: ordered ? parseInt(first[2], 10) : 1, items: [], loose: false };
  while (i < lines.length) {
    const m = ITEM.exec(lines[i]);
    if (!m || kind(m[2]) !== kind(first[2]) || RULE.test(lines[i])) break;
    const spaces = m[3] ? m[3].length : 1;
    const offset = m[1].length + m[2].length + (spaces > 4 || !m[4] ? 1 : spaces);
    const item = [m[4] || ''];
    let blankBefore = false;
    for (i++; i < lines.length; i++) {
      const line = lines[i];
      if (isBlank(line)) {
        blankBefore = true;
        item.push('');
        continue;
      }
      if (indentOf(line) >= offset) {
        item.push(line.slice(offset));
      } else if (!blankBefore && !interrupts(lines, i) && !ITEM.test(line)) {
        item.push(line.trim()); // a lazy continuation of the item's paragraph
      } else {
        break;
      }
      if (blankBefore) list.loose = true;
      blankBefore = false;
    }
    while (item.length && isBlank(item[item.length - 1])) item.pop();
    list.items.push(parseBlocks(item));
    if (blankBefore && i < lines.length && ITEM.test(lines[i]) && kind(ITEM.exec(lines[i])[2]) === kind(first[2])) {
      list.loose = true;
    } else if (blankBefore) {
      break;
    }
  }
  blocks.push(list);
  return i;
}

const INLINE = new RegExp([
  String.raw`\\(?<escaped>[!-\/:-@\[-\x60{-~])`,
  String.raw`(?<ticks>\x60+)(?<code>[^\x60]|[^\x60][\s\S]*?[^\x60])\k<ticks>(?!\x60)`,
  String.raw`\*\*(?=\S)(?<strong>[\s\S]*?\S)\*\*`,
  String.raw`(?<![\w])__(?=\S)(?<strong2>[\s\S]*?\S)__(?!\w)`,
  String.raw`~~(?=\S)(?<strike>[\s\S]*?\S)~~`,
  String.raw`\*(?=[^\s*])(?<em>[\s\S]*?[^\s*])\*(?!\*)`,
  String.raw`(?<![\w])_(?=[^\s_])(?<em2>[\s\S]*?[^\s_])_(?!\w)`,
  String.raw`(?<image>!?)\[(?<label>[^\]\n]*)\]\(\s*<?(?<href>[^\s)<>]+)>?(?:\s+"[^"\n]*")?\s*\)`,
  String.raw`<(?<auto>(?:https?:\/\/|mailto:)[^\s<>]+)>`,
  String.raw`(?<bare>https?:\/\/[^\s<>()]*[^\s<>().,;:!?'"*_~\]])`,
  String.raw`(?<newline>\n)`,
].join('|'), 'g');

/** The address a link may go to: http(s) and mailto only, else null. */
export function safeHref(raw) {
  try {
    const url = new URL(raw, document.baseURI);
    if (['http:', 'https:', 'mailto:'].includes(url.protocol)) return url.href;
  } catch {
    // not a URL: shown as text
  }
  return null;
}

function link(href, children) {
  const target = safeHref(href);
  if (!target) return null;
  const a = document.createElement('a');
  a.href = target;
  a.rel = 'noopener noreferrer nofollow';
  a.target = '_blank';
  a.append(...children);
  return a;
}

function element(tag, children) {
  const node = document.createElement(tag);
  node.append(...children);
  return node;
}

/** The nodes of inline Markdown: emphasis, code, links, line breaks. */
export function inline(text) {
  const nodes = [];
  let last = 0;
  let plain = '';
  const flush = () => {
    if (plain) nodes.push(document.createTextNode(plain));
    plain = '';
  };
  for (const m of text.matchAll(INLINE)) {
    plain += text.slice(last, m.index);
    last = m.index + m[0].length;
    const g = m.groups;
    if (g.escaped !== undefined) { plain += g.escaped; continue; }
    let node = null;
    if (g.code !== undefined) {
      const code = g.code.replace(/\n/g, ' ');
      node = element('code', [code.length > 2 && code.startsWith(' ') && code.endsWith(' ') ? code.slice(1, -1) : code]);
    } else if (g.strong !== undefined || g.strong2 !== undefined) {
      node = element('strong', inline(g.strong ?? g.strong2));
    } else if (g.strike !== undefined) {
      node = element('del', inline(g.strike));
    } else if (g.em !== undefined || g.em2 !== undefined) {
      node = element('em', inline(g.em ?? g.em2));
    } else if (g.href !== undefined) {
      // Images are not loaded (the page's policy would refuse them anyway): a link to them.
      const label = g.image ? [(g.label || 'image') + ' (image)'] : inline(g.label);
      node = link(g.href, label.length ? label : [g.href]);
    } else if (g.auto !== undefined || g.bare !== undefined) {
      node = link(g.auto ?? g.bare, [g.auto ?? g.bare]);
    } else if (g.newline !== undefined) {
      node = document.createElement('br');
    }
    if (node) {
      flush();
      nodes.push(node);
    } else {
      plain += m[0];
    }
  }
  plain += text.slice(last);
  flush();
  return nodes;
}

/** A fenced code block: its language, the code, and a copy button. */
function codeBlock(block) {
  const figure = document.createElement('div');
  figure.className = 'code-block';
  const head = document.createElement('div');
  head.className = 'code-head';
  const lang = document.createElement('span');
  lang.textContent = block.lang || 'text';
  const copy = document.createElement('button');
  copy.type = 'button';
  copy.className = 'copy';
  copy.textContent = 'Copy';
  copy.setAttribute('aria-label', 'Copy the code');
  copy.dataset.copy = 'code';
  head.append(lang, copy);
  const pre = document.createElement('pre');
  pre.tabIndex = 0;
  const code = document.createElement('code');
  code.textContent = block.text;
  pre.append(code);
  figure.append(head, pre);
  return figure;
}

function table(block) {
  const wrap = document.createElement('div');
  wrap.className = 'table-wrap';
  wrap.tabIndex = 0;
  const t = document.createElement('table');
  const row = (cells, tag) => {
    const tr = document.createElement('tr');
    block.header.forEach((_, index) => {
      const cell = element(tag, inline(cells[index] ?? ''));
      if (block.aligns[index]) cell.className = 'align-' + block.aligns[index];
      tr.append(cell);
    });
    return tr;
  };
  const head = document.createElement('thead');
  head.append(row(block.header, 'th'));
  const body = document.createElement('tbody');
  for (const cells of block.rows) body.append(row(cells, 'td'));
  t.append(head, body);
  wrap.append(t);
  return wrap;
}

function list(block) {
  const node = document.createElement(block.ordered ? 'ol' : 'ul');
  if (block.ordered && block.start !== 1) node.start = block.start;
  for (const blocks of block.items) {
    const li = document.createElement('li');
    let rest = blocks;
    const task = blocks[0]?.type === 'paragraph' && /^\[([ xX])\] /.exec(blocks[0].text);
    if (task) {
      li.className = 'task';
      const box = document.createElement('span');
      box.className = 'checkbox';
      box.textContent = task[1] === ' ' ? '☐ ' : '☑ ';
      li.append(box);
      rest = [{ type: 'paragraph', text: blocks[0].text.slice(4) }, ...blocks.slice(1)];
    }
    if (!block.loose && rest[0]?.type === 'paragraph') {
      li.append(...inline(rest[0].text));
      rest = rest.slice(1);
    }
    li.append(render(rest));
    node.append(li);
  }
  return node;
}

function blockNode(block) {
  switch (block.type) {
    case 'heading': return element('h' + block.level, inline(block.text));
    case 'paragraph': return element('p', inline(block.text));
    case 'code': return codeBlock(block);
    case 'rule': return document.createElement('hr');
    case 'quote': return element('blockquote', [render(block.children)]);
    case 'table': return table(block);
    case 'list': return list(block);
  }
  return document.createTextNode('');
}

/** A fragment of the nodes of `blocks`. */
export function render(blocks) {
  const fragment = document.createDocumentFragment();
  for (const block of blocks) fragment.append(blockNode(block));
  return fragment;
}

/** Markdown text as a fragment of DOM nodes. */
export function renderMarkdown(text) {
  return render(parseBlocks(text.split(/\r?\n/)));
}

/**
 * Where the text from `from` on can be cut so that what comes before it never changes as more
 * text arrives: before a line that starts a new top-level block (after a blank line, not
 * indented, not a list item that could continue a list) or after a closed unindented code
 * fence. `from` itself when there is no such place yet.
 */
export function settledEnd(text, from) {
  let end = from;
  let fence = null;
  let blank = false;
  let afterFence = false;
  let start = from;
  for (let newline = text.indexOf('\n', start); newline !== -1; newline = text.indexOf('\n', start)) {
    const line = text.slice(start, newline).replace(/\r$/, '');
    if (fence) {
      const close = line.trim();
      if (indentOf(line) < 4 && close[0] === fence[0] && /^[`~]+$/.test(close) && close.length >= fence.length) {
        fence = null;
        afterFence = true;
      }
    } else if (isBlank(line)) {
      blank = true;
    } else {
      // After a closed fence anything starts a new block; after a blank line, an indented
      // line or a list item may still belong to the list before it.
      if (afterFence || (blank && !/^[ \t]/.test(line) && !ITEM.test(line))) end = start;
      const opens = /^(`{3,}|~{3,})/.exec(line);
      if (opens) fence = opens[1];
      blank = false;
      afterFence = false;
    }
    start = newline + 1;
  }
  // The line still arriving: after a blank line its first character can tell already that it
  // starts a block of its own (not a space, nor what may begin a list item).
  const arriving = text.slice(start);
  if (!fence && arriving && (afterFence || (blank && /^[^ \t\r*+\-0-9]/.test(arriving)))) end = start;
  return end;
}
