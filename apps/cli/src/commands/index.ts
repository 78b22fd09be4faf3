import type { Command } from '../command.js';
import { createRandomCommand } from './create-random.js';

/** Every `gemma3` subcommand, in the order `gemma3 --help` lists them. */
export const COMMANDS: readonly Command[] = [createRandomCommand];
