import type { Command } from '../command.js';
import { benchCommand } from './bench.js';
import { chatCommand } from './chat.js';
import { convertCommand } from './convert.js';
import { createRandomCommand } from './create-random.js';
import { demoCommand } from './demo.js';
import { maskCommand } from './mask.js';
import { runCommand } from './run.js';
import { serveCommand } from './serve.js';

/** Every `gemma3` subcommand, in the order `gemma3 --help` lists them. */
export const COMMANDS: readonly Command[] = [
  runCommand,
  chatCommand,
  serveCommand,
  demoCommand,
  convertCommand,
  benchCommand,
  maskCommand,
  createRandomCommand,
];
