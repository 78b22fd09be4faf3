// Images for the next message: picked with the file input, dropped on the page or pasted, kept as
// data: URIs (what the API takes, and what localStorage can hold).

/** Longest side kept: Gemma 3's vision tower sees 896 x 896, so more only fills storage. */
const MAX_SIDE = 1536;
/** Files up to this size that need no resizing are sent as they are. */
const KEEP_BYTES = 1_500_000;

/** The image files among a DataTransfer's or a file input's items. */
export function imageFiles(files) {
  return [...(files ?? [])].filter((f) => f.type.startsWith('image/'));
}

/** A file as a data: URI, re-encoded as JPEG when it is large (longest side at most MAX_SIDE). */
export async function imageDataUrl(file) {
  const bitmap = await createImageBitmap(file).catch(() => null);
  if (!bitmap) throw new Error(`${file.name || 'the file'} is not an image this browser can read`);
  const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
  if (scale === 1 && file.size <= KEEP_BYTES) {
    bitmap.close();
    return readAsDataUrl(file);
  }
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, Math.round(bitmap.width * scale));
  canvas.height = Math.max(1, Math.round(bitmap.height * scale));
  const context = canvas.getContext('2d');
  context.fillStyle = '#fff'; // transparent areas become white, not black, in a JPEG
  context.fillRect(0, 0, canvas.width, canvas.height);
  context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  return canvas.toDataURL('image/jpeg', 0.9);
}

function readAsDataUrl(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result);
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

/**
 * Wires the page's ways of adding images: the file input, dropping anywhere on the window (an
 * overlay shows while dragging) and pasting into the page. Calls `add(files)` with image files.
 */
export function wireImageInputs({ input, overlay, add }) {
  input.addEventListener('change', () => {
    add(imageFiles(input.files));
    input.value = '';
  });
  let depth = 0;
  const hasFiles = (event) => [...(event.dataTransfer?.types ?? [])].includes('Files');
  window.addEventListener('dragenter', (event) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    depth++;
    overlay.hidden = false;
  });
  window.addEventListener('dragover', (event) => {
    if (hasFiles(event)) event.preventDefault();
  });
  window.addEventListener('dragleave', () => {
    depth = Math.max(0, depth - 1);
    if (depth === 0) overlay.hidden = true;
  });
  window.addEventListener('drop', (event) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    depth = 0;
    overlay.hidden = true;
    add(imageFiles(event.dataTransfer.files));
  });
  document.addEventListener('paste', (event) => {
    const files = imageFiles(event.clipboardData?.files);
    if (files.length === 0) return;
    event.preventDefault();
    add(files);
  });
}
