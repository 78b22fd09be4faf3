export interface DuplicateKey {
  key: string;
  /** 1 for a key of the top-level object, 2 for a key inside one of its values, and so on. */
  depth: number;
  /** The key whose value holds the duplicate (undefined at the top level). */
  parentKey: string | undefined;
}

interface ObjectFrame {
  keys: Set<string>;
  expectingKey: boolean;
  lastKey: string | undefined;
  parentKey: string | undefined;
}

/**
 * Finds the first object key that appears twice in the same object of a JSON text (which
 * `JSON.parse` silently resolves by keeping the last). The text must already be known to be valid
 * JSON; this is a single pass that only tracks strings, braces, brackets and commas. When given,
 * `topLevelKeys` receives the top-level keys in text order (`Object.keys` puts integer-like keys first).
 */
export function findDuplicateKey(text: string, topLevelKeys?: string[]): DuplicateKey | undefined {
  const stack: (ObjectFrame | null)[] = []; // null marks an array
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      let j = i + 1;
      while (text.charCodeAt(j) !== 0x22) j += text.charCodeAt(j) === 0x5c /* \ */ ? 2 : 1;
      const frame = stack[stack.length - 1];
      if (frame?.expectingKey) {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        if (frame.keys.has(key)) return { key, depth: stack.length, parentKey: frame.parentKey };
        frame.keys.add(key);
        if (stack.length === 1) topLevelKeys?.push(key);
        frame.lastKey = key;
        frame.expectingKey = false;
      }
      i = j + 1;
      continue;
    }
    if (c === 0x7b /* { */) {
      const parent = stack[stack.length - 1];
      stack.push({ keys: new Set(), expectingKey: true, lastKey: undefined, parentKey: parent?.lastKey });
    } else if (c === 0x5b /* [ */) {
      stack.push(null);
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop();
    } else if (c === 0x2c /* , */) {
      const frame = stack[stack.length - 1];
      if (frame) frame.expectingKey = true;
    }
    i += 1;
  }
  return undefined;
}
