/**
 * readFloat32 throughput on a ~500 MB BF16 tensor (250M elements) written to os.tmpdir() and deleted
 * afterwards. Reports GB/s of stored bytes (bf16) and of float32 produced; the file was just written,
 * so it is normally in the page cache: this measures read syscalls + conversion, not the disk. CPU
 * time is printed too: on a shared machine wall time mostly measures the other jobs.
 * Run: pnpm --filter @gemma3/weights bench
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSafetensorsWriter, openSafetensors } from '../src/index.js';

const ELEMENTS = 250 * 1024 * 1024; // 250 Mi bf16 values = 500 MiB
const CHUNK = 16 * 1024 * 1024;
const RUNS = 5;

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'weights-bench-'));
  const path = join(dir, 'bench.safetensors');
  try {
    const writer = await createSafetensorsWriter(path, [{ name: 'w', dtype: 'BF16', shape: [ELEMENTS] }]);
    const chunk = new Uint16Array(CHUNK);
    for (let i = 0; i < CHUNK; i++) chunk[i] = (0x3c00 + ((i * 2654435761) >>> 20)) & 0xffff; // finite values
    for (let done = 0; done < ELEMENTS; done += CHUNK) {
      await writer.write('w', chunk.subarray(0, Math.min(CHUNK, ELEMENTS - done)));
    }
    await writer.close();

    const file = await openSafetensors(path);
    const bytes = file.info('w').byteLength;
    const seconds: number[] = [];
    const cpuSeconds: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const start = process.hrtime.bigint();
      const cpuStart = process.cpuUsage();
      const values = await file.readFloat32('w');
      const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
      const cpu = process.cpuUsage(cpuStart);
      if (values.length !== ELEMENTS) throw new Error('wrong length');
      seconds.push(elapsed);
      cpuSeconds.push((cpu.user + cpu.system) / 1e6);
    }
    const rawStart = process.hrtime.bigint();
    await file.read('w');
    const rawSeconds = Number(process.hrtime.bigint() - rawStart) / 1e9;
    await file.close();

    seconds.sort((a, b) => a - b);
    cpuSeconds.sort((a, b) => a - b);
    const cpuMedian = cpuSeconds[Math.floor(RUNS / 2)]!;
    const median = seconds[Math.floor(RUNS / 2)]!;
    const best = seconds[0]!;
    const gb = (n: number) => (n / 1e9).toFixed(2);
    console.log(`machine: ${cpus().length} cores (${cpus()[0]?.model}), node ${process.version}`);
    console.log(`tensor: ${ELEMENTS} bf16 values, ${gb(bytes)} GB stored, ${gb(bytes * 2)} GB as float32`);
    console.log(`readFloat32 (${RUNS} runs): median ${median.toFixed(3)} s, best ${best.toFixed(3)} s`);
    console.log(`  = ${gb(bytes / median)} GB/s of bf16 read (median), ${gb(bytes / best)} GB/s (best)`);
    console.log(`  = ${gb((bytes * 2) / median)} GB/s of float32 produced (median)`);
    console.log(
      `CPU time (process, all threads) median ${cpuMedian.toFixed(3)} s = ${gb(bytes / cpuMedian)} GB of bf16 per CPU-second`,
    );
    console.log(
      `load average at the end: ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
    );
    console.log(`read() raw bytes only: ${rawSeconds.toFixed(3)} s = ${gb(bytes / rawSeconds)} GB/s`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
