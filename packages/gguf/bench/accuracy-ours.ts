/**
 * Child process of accuracy.ts: one of our variants (Gemma3ForCausalLM loaded as the pipeline loads it:
 * AutoModel with dtype / quantization / modules / prefill) over the shared token ids; its logits at every
 * position compared with the fp32 reference file (or, in `reference` mode, written to it).
 *
 * Modes (which graph computes each position's logits):
 * - `reference`: one forward over all T tokens with logits at every position (fp32 only): writes the file.
 * - `forward`: the same on this variant: every position on the main (decode) graph, T rows at once.
 * - `decode`: token by token, one main-graph step per position (what generation runs after the prompt).
 * - `generate`: a user's generation: a prompt of P tokens with logits of the last only (with an int8
 *   prefill graph, positions 0..P-2 run on it and only write the cache; position P-1 runs on the main
 *   graph), then tokens P..T-1 one main-graph step each, attending to the prefill graph's keys/values.
 *   Covers positions P-1..T-1.
 */
import { loadavg } from 'node:os';
import { AutoModel, type AutoModelOptions } from '../../pipeline/src/index.js';
import type { Gemma3ForCausalLM } from '../../text-model/src/index.js';
import { AgreementAccumulator, type AgreementStats, ReferenceLogits } from './accuracy-metrics.js';

export type OursMode = 'reference' | 'forward' | 'decode' | 'generate';

export interface OursJob {
  readonly model: string;
  readonly cacheDir: string;
  readonly threads: number;
  /** [S][T] token ids, BOS first. */
  readonly ids: readonly (readonly number[])[];
  readonly referencePath: string;
  readonly options: Pick<AutoModelOptions, 'dtype' | 'quantization' | 'modules' | 'prefill'>;
  readonly modes: readonly OursMode[];
  /** Prompt length of `generate`. */
  readonly promptLength: number;
}

export interface OursModeResult {
  readonly mode: OursMode;
  /** Which graph computed the logits compared. */
  readonly graph: string;
  readonly firstPosition: number;
  readonly stats: AgreementStats | null;
  /** The same over positions promptLength - 1 .. T - 1 only (those `generate` covers), to compare with it. */
  readonly tail: AgreementStats | null;
  readonly seconds: number;
}

export interface OursResult {
  readonly options: OursJob['options'];
  readonly hasPrefillGraph: boolean;
  readonly load: { cacheHit: boolean; buildMs: number; prefillBuildMs: number | null; loadMs: number };
  readonly modes: OursModeResult[];
  readonly loadavg: number[];
}

/** The [V] logits of row `row` of a [1, K, V] output (a view, no copy). */
function row(data: Float32Array, row: number, vocab: number): Float32Array {
  return data.subarray(row * vocab, (row + 1) * vocab);
}

async function runMode(
  model: Gemma3ForCausalLM,
  job: OursJob,
  mode: OursMode,
  reference: ReferenceLogits,
  hasPrefillGraph: boolean,
): Promise<OursModeResult> {
  const V = model.vocabSize;
  const T = reference.sequenceLength;
  const all = new AgreementAccumulator(V);
  const tail = new AgreementAccumulator(V);
  const acc = {
    add(t: number, reference: Float32Array, variant: Float32Array) {
      all.add(reference, variant, 'logits');
      if (t >= job.promptLength - 1) tail.add(reference, variant, 'logits');
    },
  };
  const ref = new Float32Array(V);
  const started = performance.now();
  let firstPosition = 0;
  let graph: string;
  for (let s = 0; s < job.ids.length; s++) {
    const ids = job.ids[s] as readonly number[];
    if (mode === 'reference' || mode === 'forward') {
      graph = 'main graph, all T positions in one run';
      const { logits } = await model.forward({ inputIds: [[...ids]], logits: 'all' });
      const data = logits.data as Float32Array; // [1, T, V]
      if (mode === 'reference') {
        reference.write(s, 0, data);
        continue;
      }
      for (let t = 0; t < T; t++) acc.add(t, reference.read(s, t, ref), row(data, t, V));
    } else if (mode === 'decode') {
      graph = 'main graph, one token per run';
      let cache: Awaited<ReturnType<Gemma3ForCausalLM['forward']>>['pastKeyValues'] | undefined;
      for (let t = 0; t < T; t++) {
        const out = await model.forward({
          inputIds: [[ids[t] as number]],
          ...(cache === undefined ? {} : { pastKeyValues: cache }),
          logits: 'last',
        });
        cache = out.pastKeyValues;
        acc.add(t, reference.read(s, t, ref), row(out.logits.data as Float32Array, 0, V));
      }
    } else {
      const P = job.promptLength;
      firstPosition = P - 1;
      graph = hasPrefillGraph
        ? `prompt of ${P}: positions 0..${P - 2} on the int8 prefill graph (cache only), ${P - 1} on the main graph; then one main-graph step per token`
        : `prompt of ${P} on the main graph (logits of the last); then one main-graph step per token`;
      const first = await model.forward({ inputIds: [ids.slice(0, P)], logits: 'last' });
      acc.add(P - 1, reference.read(s, P - 1, ref), row(first.logits.data as Float32Array, 0, V));
      const cache = first.pastKeyValues;
      for (let t = P; t < T; t++) {
        const out = await model.forward({
          inputIds: [[ids[t] as number]],
          pastKeyValues: cache,
          logits: 'last',
        });
        acc.add(t, reference.read(s, t, ref), row(out.logits.data as Float32Array, 0, V));
      }
    }
  }
  return {
    mode,
    graph: graph!,
    firstPosition,
    stats: mode === 'reference' ? null : all.stats(),
    tail: mode === 'reference' ? null : tail.stats(),
    seconds: (performance.now() - started) / 1000,
  };
}

export async function measureOurs(job: OursJob): Promise<OursResult> {
  const T = (job.ids[0] as readonly number[]).length;
  const loadStart = performance.now();
  const model = (await AutoModel.fromFolder(job.model, {
    ...job.options,
    cacheDir: job.cacheDir,
    session: { intraOpThreads: job.threads },
    kind: 'text',
  })) as Gemma3ForCausalLM;
  const loadMs = performance.now() - loadStart;
  // The pipeline adds an int8 prefill graph to MatMulNBits builds unless prefill: 'same'.
  const hasPrefillGraph = model.loaded.prefill !== undefined;
  const modes: OursModeResult[] = [];
  try {
    for (const mode of job.modes) {
      const reference =
        mode === 'reference'
          ? ReferenceLogits.create(job.referencePath, T, model.vocabSize)
          : ReferenceLogits.open(job.referencePath, T, model.vocabSize);
      try {
        modes.push(await runMode(model, job, mode, reference, hasPrefillGraph));
      } finally {
        reference.close();
      }
      console.error(`  ${mode}: ${JSON.stringify(modes.at(-1)?.stats ?? null)}`);
    }
  } finally {
    await model.dispose();
  }
  return {
    options: job.options,
    hasPrefillGraph,
    load: {
      cacheHit: model.loaded.cacheHit,
      buildMs: model.loaded.buildMs,
      prefillBuildMs: model.loaded.prefill?.buildMs ?? null,
      loadMs,
    },
    modes,
    loadavg: loadavg(),
  };
}
