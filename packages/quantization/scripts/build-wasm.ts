// Compiles src/parallel/wasm/quantize-kernels.wat into src/parallel/wasm/quantize-kernels-wasm.ts (the
// module's bytes as base64: the package ships no binary file and needs no compiler to install).
// `pnpm --filter @gemma3/quantization build:wasm` after editing the .wat; a test fails while stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileKernels, embeddedModuleSource } from './compile-kernels.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), '../src/parallel/wasm');
const target = join(dir, 'quantize-kernels-wasm.ts');
const bytes = await compileKernels(readFileSync(join(dir, 'quantize-kernels.wat'), 'utf8'));
writeFileSync(target, embeddedModuleSource(bytes));
console.log(`${target}: ${bytes.length} bytes of wasm`);
