import { CAUSAL, IMAGE_BIDIRECTIONAL } from './attention-mask.js';

export interface GridStyle {
  causal: string;
  image: string;
  masked: string;
}

export const UNICODE_STYLE: GridStyle = { causal: '■', image: '▣', masked: '⬚' };
export const ASCII_STYLE: GridStyle = { causal: '#', image: '+', masked: '.' };

const LABEL_WIDTH = 16;

/** A token as a row label: escapes, `<img>` for image soft tokens, cut to a fixed width. */
export function tokenLabel(token: string, isImage: boolean): string {
  if (isImage) return '<img>';
  const shown = token.replace(/▁/g, ' ').replace(/\n/g, '\\n').replace(/\t/g, '\\t');
  return shown.length > LABEL_WIDTH - 2 ? `${shown.slice(0, LABEL_WIDTH - 3)}…` : shown;
}

/**
 * The mask as text: one row per query token (`index label cells`), a ruler of key indices on top
 * (every 10th column numbered), one cell character per key.
 */
export function renderGrid(
  mask: Uint8Array,
  labels: readonly string[],
  style: GridStyle = UNICODE_STYLE,
): string {
  const t = labels.length;
  const indexWidth = String(Math.max(0, t - 1)).length;
  const prefix = indexWidth + 1 + LABEL_WIDTH + 1;
  let ruler = '';
  for (let k = 0; k < t; k += 10) ruler = ruler.padEnd(k) + String(k);
  const lines = [`${' '.repeat(prefix)}${ruler}`];
  for (let q = 0; q < t; q++) {
    let cells = '';
    for (let k = 0; k < t; k++) {
      const v = mask[q * t + k];
      cells += v === CAUSAL ? style.causal : v === IMAGE_BIDIRECTIONAL ? style.image : style.masked;
    }
    lines.push(`${String(q).padStart(indexWidth)} ${labels[q]!.padEnd(LABEL_WIDTH)} ${cells}`);
  }
  return `${lines.join('\n')}\n`;
}
