import { Gemma3LayoutError } from './errors/gemma3-layout-error.js';
import { TensorNotFoundError } from './errors/tensor-not-found-error.js';
import type { Checkpoint, CheckpointTensorInfo } from './open-checkpoint.js';
import type { RawTensor } from './tensor-info.js';

/**
 * The three tensor-name layouts of Gemma 3 checkpoints:
 * - `released-multimodal`: the 4B/12B/27B files as released (`language_model.model.*`,
 *   `language_model.lm_head.weight`, `vision_tower.vision_model.*`, `multi_modal_projector.*`);
 * - `current-multimodal`: as transformers >= 4.52 saves `Gemma3ForConditionalGeneration`
 *   (`model.language_model.*`, `lm_head.weight`, `model.vision_tower.vision_model.*`,
 *   `model.multi_modal_projector.*`); transformers renames the released names to these on load
 *   (conversion_mapping.py, "llava" renamings, which gemma3 uses);
 * - `text-only`: `Gemma3ForCausalLM`, e.g. the 1B (`model.*`, `lm_head.weight`).
 *
 * transformers 5.x's own `save_pretrained` writes the released prefixes but the vision tower without
 * `vision_model.` (`vision_tower.embeddings.*`: SiglipVisionModel lost that submodule); so in both
 * multimodal layouts the vision prefix with `vision_model.` is used when present, else the one without.
 */
export type Gemma3WeightLayout = 'released-multimodal' | 'current-multimodal' | 'text-only';

/** The full-name prefixes of each part in one checkpoint. */
export interface Gemma3Prefixes {
  text: string;
  /** Candidate names of a separate LM head, first found wins. */
  lmHead: readonly string[];
  vision: string | undefined;
  projector: string | undefined;
}

const LAYOUT_PREFIXES: Record<
  Gemma3WeightLayout,
  { text: string; lmHead: string[]; vision: string[]; projector?: string }
> = {
  'released-multimodal': {
    text: 'language_model.model.',
    lmHead: ['language_model.lm_head.weight', 'lm_head.weight'],
    vision: ['vision_tower.vision_model.', 'vision_tower.'],
    projector: 'multi_modal_projector.',
  },
  'current-multimodal': {
    text: 'model.language_model.',
    lmHead: ['lm_head.weight', 'language_model.lm_head.weight'],
    vision: ['model.vision_tower.vision_model.', 'model.vision_tower.'],
    projector: 'model.multi_modal_projector.',
  },
  'text-only': { text: 'model.', lmHead: ['lm_head.weight'], vision: [] },
};

function prefixesOf(layout: Gemma3WeightLayout, names: readonly string[]): Gemma3Prefixes {
  const { text, lmHead, vision, projector } = LAYOUT_PREFIXES[layout];
  const visionPrefix = vision.find((p) => names.some((n) => n.startsWith(p)));
  return {
    text,
    lmHead,
    vision: visionPrefix,
    projector: visionPrefix === undefined ? undefined : projector,
  };
}

/** Which layout `names` follow; throws `Gemma3LayoutError` for none or a mix. */
export function detectGemma3Layout(names: readonly string[], file: string): Gemma3WeightLayout {
  const current = names.some((n) => n.startsWith('model.language_model.'));
  const released = names.some((n) => n.startsWith('language_model.model.'));
  if (current && released) {
    throw new Gemma3LayoutError(
      file,
      'tensor names mix the released (language_model.model.) and current (model.language_model.) layouts',
    );
  }
  if (current) return 'current-multimodal';
  if (released) return 'released-multimodal';
  if (names.some((n) => n.startsWith('model.'))) return 'text-only';
  throw new Gemma3LayoutError(
    file,
    'no tensor name starts with model.language_model., language_model.model. or model.: not a Gemma 3 checkpoint',
  );
}

/** One tensor of the checkpoint, under its full name. */
export interface WeightRef {
  /** Full name in the checkpoint. */
  readonly name: string;
  info(): Promise<CheckpointTensorInfo>;
  read(): Promise<RawTensor>;
  readFloat32(): Promise<Float32Array>;
}

export interface LmHeadRef extends WeightRef {
  /** True when there is no separate LM head and this is the token embedding (`embed_tokens.weight`). */
  readonly tied: boolean;
}

/** A Gemma 3 checkpoint seen through names relative to each part, whatever its layout. */
export interface Gemma3Weights {
  readonly checkpoint: Checkpoint;
  readonly layout: Gemma3WeightLayout;
  /** The prefixes found for each part (`vision`/`projector` undefined without a vision tower). */
  readonly prefixes: Gemma3Prefixes;
  /** Whether the checkpoint holds a vision tower (and projector). */
  readonly hasVision: boolean;
  /** Decoder tensor, e.g. `embed_tokens.weight`, `layers.3.self_attn.q_proj.weight`, `norm.weight`. */
  text(name: string): WeightRef;
  /** SigLIP tensor relative to the vision model, e.g. `embeddings.patch_embedding.weight`, `post_layernorm.weight`. */
  vision(name: string): WeightRef;
  /** Projector tensor, e.g. `mm_input_projection_weight`, `mm_soft_emb_norm.weight`. */
  projector(name: string): WeightRef;
  /** `lm_head.weight` when present, else the tied token embedding. */
  lmHead(): LmHeadRef;
  hasText(name: string): boolean;
  /** Names relative to each part, in checkpoint order. */
  textNames(): string[];
  visionNames(): string[];
  projectorNames(): string[];
  /** Tensors that belong to no part and are not the LM head (worth an error when loading). */
  unmappedNames(): string[];
}

function reference(checkpoint: Checkpoint, name: string): WeightRef {
  if (!checkpoint.has(name)) throw new TensorNotFoundError(checkpoint.folder, name);
  return {
    name,
    info: () => checkpoint.info(name),
    read: () => checkpoint.read(name),
    readFloat32: () => checkpoint.readFloat32(name),
  };
}

function relativeNames(
  names: readonly string[],
  prefix: string | undefined,
  exclude: readonly string[],
): string[] {
  if (prefix === undefined) return [];
  return names
    .filter((n) => n.startsWith(prefix) && !exclude.some((e) => n.startsWith(e)))
    .map((n) => n.slice(prefix.length));
}

/** The normalized view of a Gemma 3 checkpoint (see `Gemma3WeightLayout`). */
export function gemma3Weights(checkpoint: Checkpoint): Gemma3Weights {
  const names = checkpoint.names();
  const layout = detectGemma3Layout(names, checkpoint.folder);
  const prefixes = prefixesOf(layout, names);
  // In the text-only layout `model.` would also match the multimodal prefixes; they are not used there.
  const otherParts = [prefixes.vision, prefixes.projector].filter((p): p is string => p !== undefined);
  const hasVision = prefixes.vision !== undefined;

  const part = (prefix: string | undefined, label: string, name: string): WeightRef => {
    if (prefix === undefined) {
      throw new Gemma3LayoutError(
        checkpoint.folder,
        `a ${layout} checkpoint has no ${label} (asked for "${name}")`,
      );
    }
    return reference(checkpoint, prefix + name);
  };

  return {
    checkpoint,
    layout,
    prefixes,
    hasVision,
    text: (name) => part(prefixes.text, 'decoder', name),
    vision: (name) => part(prefixes.vision, 'vision tower', name),
    projector: (name) => part(prefixes.projector, 'multimodal projector', name),
    lmHead() {
      const head = prefixes.lmHead.find((n) => checkpoint.has(n));
      if (head !== undefined) return { ...reference(checkpoint, head), tied: false };
      return { ...reference(checkpoint, `${prefixes.text}embed_tokens.weight`), tied: true };
    },
    hasText: (name) => checkpoint.has(prefixes.text + name),
    textNames: () => relativeNames(names, prefixes.text, otherParts),
    visionNames: () => relativeNames(names, prefixes.vision, []),
    projectorNames: () => relativeNames(names, prefixes.projector, []),
    unmappedNames: () =>
      names.filter(
        (n) =>
          !n.startsWith(prefixes.text) &&
          !otherParts.some((p) => n.startsWith(p)) &&
          !prefixes.lmHead.includes(n),
      ),
  };
}
