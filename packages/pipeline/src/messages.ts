import type { ChatMessage } from '@gemma3/tokenizer';
import { InvalidPipelineInputError } from './errors/invalid-pipeline-input-error.js';
import type { PipelineImage } from './load-image.js';

/** An image item of a chat message: the image under `url`, `path`, `image` or `base64` (one of them). */
export type ImageContentItem = {
  type: 'image';
  url?: string;
  path?: string;
  image?: PipelineImage;
  /** Base64 payload or a full data: URI. */
  base64?: string;
};

export type TextContentItem = {
  type: 'text';
  text: string;
};

export type PipelineContentItem = TextContentItem | ImageContentItem;

/** The seed's message format: `{ role, content }` with a string or a list of text and image items. */
export interface PipelineMessage {
  role: string;
  content: string | readonly PipelineContentItem[];
}

/** Where an image came from in a conversation, and the value to load. */
export interface FoundImage {
  field: string;
  value: PipelineImage;
}

const IMAGE_KEYS = ['image', 'url', 'path', 'base64'] as const;

/**
 * Checks a conversation's shape and collects its images in order. Returns the messages with each
 * image item reduced to `{ type: 'image' }` plus the images (what the chat template and the
 * processor want). Throws InvalidPipelineInputError naming the message and item at fault.
 */
export function splitConversation(messages: unknown): { messages: ChatMessage[]; images: FoundImage[] } {
  if (!Array.isArray(messages) || messages.length === 0) {
    throw new InvalidPipelineInputError('messages', 'expected a non-empty array of { role, content }');
  }
  const images: FoundImage[] = [];
  const out = messages.map((message: unknown, m): ChatMessage => {
    const where = `messages[${m}]`;
    if (typeof message !== 'object' || message === null) {
      throw new InvalidPipelineInputError(where, 'expected { role, content }');
    }
    const { role, content } = message as { role?: unknown; content?: unknown };
    if (typeof role !== 'string' || role === '') {
      throw new InvalidPipelineInputError(`${where}.role`, 'expected a non-empty string');
    }
    if (typeof content === 'string') return { role, content };
    if (!Array.isArray(content)) {
      throw new InvalidPipelineInputError(`${where}.content`, 'expected a string or an array of items');
    }
    const items = content.map((item: unknown, k) => {
      const at = `${where}.content[${k}]`;
      const type = typeof item === 'object' && item !== null ? (item as { type?: unknown }).type : undefined;
      if (type === 'text') {
        const text = (item as { text?: unknown }).text;
        if (typeof text !== 'string') throw new InvalidPipelineInputError(`${at}.text`, 'expected a string');
        return { type: 'text' as const, text };
      }
      if (type === 'image') {
        const record = item as Record<string, unknown>;
        const keys = IMAGE_KEYS.filter((key) => record[key] !== undefined);
        if (keys.length !== 1) {
          throw new InvalidPipelineInputError(
            at,
            keys.length === 0
              ? 'image item needs one of url, path, image or base64'
              : `image item has ${keys.join(' and ')}: give exactly one`,
          );
        }
        const key = keys[0]!;
        let value = record[key] as PipelineImage;
        if (key === 'base64') {
          if (typeof value !== 'string')
            throw new InvalidPipelineInputError(`${at}.base64`, 'expected a string');
          if (!value.startsWith('data:')) value = `data:image/*;base64,${value}`;
        }
        images.push({ field: `${at}.${key}`, value });
        return { type: 'image' as const };
      }
      throw new InvalidPipelineInputError(
        `${at}.type`,
        `expected "text" or "image", got ${JSON.stringify(type)}`,
      );
    });
    return { role, content: items };
  });
  return { messages: out, images };
}

/** True for a conversation (array), false for a plain prompt string; anything else is an error. */
export function isConversation(input: unknown): input is readonly PipelineMessage[] {
  if (typeof input === 'string') return false;
  if (Array.isArray(input)) return true;
  throw new InvalidPipelineInputError('input', 'expected a prompt string or an array of chat messages');
}
