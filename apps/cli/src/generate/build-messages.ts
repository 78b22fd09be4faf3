import type { PipelineContentItem, PipelineMessage } from '@gemma3/pipeline';

/** `[system?, user: images..., text]`: the seed's message shape for one question. */
export function questionMessages(
  prompt: string,
  images: readonly string[],
  system?: string,
): PipelineMessage[] {
  const content: PipelineContentItem[] = [
    ...images.map((image) => imageItem(image)),
    { type: 'text', text: prompt },
  ];
  return [...(system === undefined ? [] : [{ role: 'system', content: system }]), { role: 'user', content }];
}

/** An image argument as a content item: URLs and data URIs under `url`, files under `path`. */
export function imageItem(image: string): PipelineContentItem {
  return /^(https?:|data:)/i.test(image) ? { type: 'image', url: image } : { type: 'image', path: image };
}
