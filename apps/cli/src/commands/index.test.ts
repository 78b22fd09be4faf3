import { describe, expect, test } from 'vitest';
import { COMMANDS } from './index.js';

describe('COMMANDS (loaded when chosen)', () => {
  test.each(COMMANDS.map((entry) => [entry.name, entry] as const))(
    '%s: the listed name and summary are those of the module it loads',
    async (_, entry) => {
      const command = await entry.load();
      expect(command.name).toBe(entry.name);
      expect(command.summary).toBe(entry.summary);
    },
  );

  test('names are unique', () => {
    const names = COMMANDS.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
  });
});
