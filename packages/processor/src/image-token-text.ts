/** The special token strings the expansion is written with (from the tokenizer). */
export interface ImageTokenStrings {
  /** `<start_of_image>`: the marker in prompts, and the first token of each expanded image. */
  readonly boi: string;
  /** `<end_of_image>`. */
  readonly eoi: string;
  /** `<image_soft_token>`: the placeholder the vision features replace. */
  readonly image: string;
}

/**
 * The text one image becomes, as the reference `Gemma3Processor` builds it: `full_image_sequence` =
 * `\n\n<start_of_image>` + imageSeqLength x `<image_soft_token>` + `<end_of_image>\n\n`; with pan &
 * scan crops, "Here is the original image {full} and here are some crops to help you see better "
 * followed by one `full` per crop, joined by single spaces.
 */
export function imageReplacementText(
  tokens: ImageTokenStrings,
  imageSeqLength: number,
  numCrops: number,
): string {
  const full = `\n\n${tokens.boi}${tokens.image.repeat(imageSeqLength)}${tokens.eoi}\n\n`;
  if (numCrops === 0) return full;
  return `Here is the original image ${full} and here are some crops to help you see better ${Array(numCrops).fill(full).join(' ')}`;
}

/** Occurrences of `marker` in `text`, left to right, not overlapping. */
export function countMarkers(text: string, marker: string): number {
  let count = 0;
  for (let at = text.indexOf(marker); at !== -1; at = text.indexOf(marker, at + marker.length)) count++;
  return count;
}

/** Replaces the i-th marker with `replacements[i]` (one pass, so markers inside replacements stay). */
export function expandImageMarkers(text: string, marker: string, replacements: readonly string[]): string {
  const parts = text.split(marker);
  let out = parts[0]!;
  for (let i = 1; i < parts.length; i++) out += replacements[i - 1]! + parts[i]!;
  return out;
}
