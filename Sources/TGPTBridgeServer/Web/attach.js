// Attachments: files chosen, pasted or dropped, read into data: URLs and made small enough to
// send. What the server accepts (docs/PROTOCOL.md, "Input: attachments"): PNG, JPEG, GIF and
// WebP images up to 5 MiB, UTF-8 text up to 1 MiB, 20 a message.

export const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'];
export const MAX_ATTACHMENTS = 20;
/** The longest side a model is sent: Anthropic's recommended maximum; larger only costs time. */
export const MAX_SIDE = 1568;
const MAX_IMAGE_BYTES = 5 * 1024 * 1024;
const MAX_TEXT_BYTES = 1024 * 1024;
// A PNG or GIF redrawn smaller stays a PNG (sharp text, transparency) while it is this small.
const SMALL_PNG_BYTES = 1024 * 1024;
const TEXT_NAMES = /\.(txt|md|markdown|json|jsonl|ndjson|csv|tsv|log|xml|yaml|yml|toml|ini|conf|html?|css|js|mjs|ts|tsx|jsx|py|rb|go|rs|swift|c|h|cc|cpp|hpp|java|kt|sh|sql|diff|patch)$/i;

/** A refusal, said to the person as it is. */
export class Refusal extends Error {}

/** Bytes as people read them: 900 B, 64 KB, 2.1 MB (powers of 1024, as the limits are). */
export function formatSize(bytes) {
  if (bytes < 1024) return bytes + ' B';
  if (bytes < 1024 * 1024) return Math.round(bytes / 1024) + ' KB';
  return (bytes / (1024 * 1024)).toFixed(1).replace(/\.0$/, '') + ' MB';
}

/**
 * `file` as an attachment: `{name, url, kind: 'image' | 'text', size, bytes, resized}`, `url` a
 * data: URL, `size` its content's bytes, `bytes` what it adds to a message (base64 is 4/3 of the
 * content). Throws a Refusal that says why not.
 */
export async function prepare(file) {
  if (IMAGE_TYPES.includes(file.type)) return prepareImage(file);
  if (file.type.startsWith('text/') || file.type === 'application/json' || TEXT_NAMES.test(file.name)) {
    return prepareText(file);
  }
  throw new Refusal(file.name + ': not an image (PNG, JPEG, GIF, WebP) or a text file');
}

async function prepareText(file) {
  if (file.size > MAX_TEXT_BYTES) {
    throw new Refusal(file.name + ' is ' + formatSize(file.size) + '; a text file may be 1 MB at most');
  }
  const bytes = new Uint8Array(await file.arrayBuffer());
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new Refusal(file.name + ': not UTF-8 text');
  }
  const url = await dataURL(new Blob([bytes], { type: 'text/plain' }));
  return { name: file.name, url, kind: 'text', size: file.size, bytes: url.length, resized: false };
}

async function prepareImage(file) {
  let bitmap;
  try {
    // Phone photos are often stored sideways with an EXIF orientation: drawn upright.
    bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
  } catch {
    throw new Refusal(file.name + ': the image cannot be read');
  }
  try {
    const longest = Math.max(bitmap.width, bitmap.height);
    // Small enough already: sent as it is, byte for byte (an animated GIF stays animated).
    if (longest <= MAX_SIDE && file.size <= MAX_IMAGE_BYTES) {
      const url = await dataURL(file);
      return { name: file.name, url, kind: 'image', size: file.size, bytes: url.length, resized: false };
    }
    const scale = Math.min(1, MAX_SIDE / longest);
    const width = Math.max(1, Math.round(bitmap.width * scale));
    const height = Math.max(1, Math.round(bitmap.height * scale));
    const canvas = document.createElement('canvas');
    canvas.width = width;
    canvas.height = height;
    const context = canvas.getContext('2d');
    context.imageSmoothingQuality = 'high';
    let blob = null;
    if (file.type === 'image/png' || file.type === 'image/gif') {
      context.drawImage(bitmap, 0, 0, width, height);
      blob = await encode(canvas, 'image/png');
      if (blob && blob.size > SMALL_PNG_BYTES) blob = null;
    }
    if (!blob) {
      // JPEG has no transparency: what was transparent becomes white, not black.
      context.fillStyle = '#ffffff';
      context.fillRect(0, 0, width, height);
      context.drawImage(bitmap, 0, 0, width, height);
      blob = await encode(canvas, 'image/jpeg', 0.85);
    }
    if (!blob) throw new Refusal(file.name + ': the image cannot be resized in this browser');
    if (blob.size > MAX_IMAGE_BYTES) {
      throw new Refusal(file.name + ' is ' + formatSize(blob.size) + ' after resizing; an image may be 5 MB at most');
    }
    const name = blob.type === 'image/jpeg' && !/\.jpe?g$/i.test(file.name) ? file.name.replace(/(\.[^.]*)?$/, '.jpg') : file.name;
    const url = await dataURL(blob);
    return { name, url, kind: 'image', size: blob.size, bytes: url.length, resized: true };
  } finally {
    bitmap.close();
  }
}

function encode(canvas, type, quality) {
  return new Promise((resolve) => canvas.toBlob(resolve, type, quality));
}

function dataURL(blob) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result);
    reader.onerror = () => reject(new Refusal('the file cannot be read'));
    reader.readAsDataURL(blob);
  });
}

/** The bytes of a message line as the server counts them (UTF-8 of its JSON). */
export function lineBytes(object) {
  return new TextEncoder().encode(JSON.stringify(object)).length;
}

/**
 * Why `line` (with `attachments`) would be refused by a server taking `limit` bytes a message,
 * or null when it fits (or the limit is unknown).
 */
export function overLimit(line, attachments, limit) {
  if (!limit || !attachments.length) return null;
  const size = lineBytes(line);
  if (size <= limit) return null;
  const resized = attachments.some((a) => a.resized) ? ' after resizing' : '';
  const what = attachments.length === 1
    ? (attachments[0].kind === 'image' ? 'The photo' : 'The file') + ' is ' + formatSize(attachments[0].bytes)
    : 'The attachments come to ' + formatSize(size);
  return what + resized + '; this server accepts ' + formatSize(limit) +
    ' messages — ask its operator to raise --max-message-bytes';
}

/** The chip of an attachment in the composer, with its remove button. Names are text only. */
export function chip(attachment, index) {
  const item = document.createElement('li');
  item.className = 'chip';
  item.dataset.kind = attachment.kind;
  item.append(preview(attachment, 'chip-thumb'));
  const label = document.createElement('span');
  label.className = 'chip-label';
  const name = document.createElement('span');
  name.className = 'chip-name';
  name.textContent = attachment.name;
  const size = document.createElement('span');
  size.className = 'chip-size';
  size.textContent = formatSize(attachment.size) + (attachment.resized ? ' · resized' : '');
  label.append(name, size);
  const remove = document.createElement('button');
  remove.type = 'button';
  remove.className = 'icon-button chip-remove';
  remove.dataset.index = String(index);
  remove.setAttribute('aria-label', 'Remove ' + attachment.name);
  remove.append(icon('M7 7l10 10M17 7L7 17'));
  item.append(label, remove);
  return item;
}

/**
 * What a sent (or stored) attachment shows in the user's bubble: the image itself when it is a
 * data: URL of an image, else a chip with its name (an http(s) image is not loaded: the page's
 * policy allows only its own and data: images).
 */
export function shown(attachment) {
  const name = attachment.name || (attachment.url?.startsWith('data:') ? 'attachment' : attachment.url) || 'attachment';
  if (typeof attachment.url === 'string' && /^data:image\/(png|jpeg|gif|webp)[;,]/.test(attachment.url)) {
    const image = document.createElement('img');
    image.className = 'sent-image';
    image.src = attachment.url;
    image.alt = name;
    image.title = name;
    return image;
  }
  const file = document.createElement('span');
  file.className = 'sent-file';
  file.textContent = name;
  return file;
}

function preview(attachment, className) {
  if (attachment.kind === 'image') {
    const image = document.createElement('img');
    image.className = className;
    image.src = attachment.url;
    image.alt = '';
    return image;
  }
  const box = document.createElement('span');
  box.className = className + ' chip-file';
  box.append(icon('M6 3h8l4 4v14H6zM14 3v4h4'));
  return box;
}

function icon(path) {
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  const line = document.createElementNS('http://www.w3.org/2000/svg', 'path');
  line.setAttribute('d', path);
  svg.append(line);
  return svg;
}
