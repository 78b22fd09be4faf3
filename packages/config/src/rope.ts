import { Fields } from './fields.js';

export type LayerType = 'sliding_attention' | 'full_attention';
export const LAYER_TYPES: readonly LayerType[] = ['sliding_attention', 'full_attention'];

/** RoPE of one layer type, as transformers >= 5 writes it. Only the types Gemma 3 uses are accepted. */
export type RopeParameters =
  | { readonly rope_type: 'default'; readonly rope_theta: number }
  | { readonly rope_type: 'linear'; readonly rope_theta: number; readonly factor: number };

export type RopeParametersByLayerType = { readonly [K in LayerType]: RopeParameters };

/** Reference defaults (`Gemma3TextConfig.default_theta`): global (full) 1e6, local (sliding) 1e4. */
export const DEFAULT_ROPE_THETA = { full_attention: 1_000_000, sliding_attention: 10_000 } as const;

const MAX_THETA = 1e12;
const MAX_FACTOR = 1024;

/**
 * Builds `rope_parameters` from either format, as transformers 5.18
 * (`Gemma3TextConfig.convert_rope_params_to_dict` + `standardize_rope_params`) does:
 * start from `rope_parameters` (or default/default); merge the released `rope_scaling` into
 * full_attention only (null = none); fill missing thetas from `rope_theta` (full) and
 * `rope_local_base_freq` (sliding), else 1e6 / 1e4; a missing `rope_type` (or legacy `type`) is 'default'.
 */
export function parseRopeParameters(fields: Fields): RopeParametersByLayerType {
  const given = fields.object('rope_parameters');
  const scaling = fields.object('rope_scaling');
  const globalTheta = fields.number('rope_theta', DEFAULT_ROPE_THETA.full_attention, 0, MAX_THETA, true);
  const localTheta = fields.number(
    'rope_local_base_freq',
    DEFAULT_ROPE_THETA.sliding_attention,
    0,
    MAX_THETA,
    true,
  );
  return {
    sliding_attention: parseOne(
      given?.object('sliding_attention'),
      undefined,
      localTheta,
      fields,
      'sliding_attention',
    ),
    full_attention: parseOne(given?.object('full_attention'), scaling, globalTheta, fields, 'full_attention'),
  };
}

function parseOne(
  params: Fields | undefined,
  scaling: Fields | undefined,
  fallbackTheta: number,
  parent: Fields,
  layerType: LayerType,
): RopeParameters {
  const merged = { ...(params?.json ?? {}), ...(scaling?.json ?? {}) };
  const where = params ?? scaling;
  const prefix = where ? where.prefix : parent.path(`rope_parameters.${layerType}`);
  const fields = new Fields(merged, parent.file, prefix);
  const legacyType = fields.has('type') ? fields.string('type', undefined) : 'default';
  const ropeType = fields.has('rope_type') ? fields.string('rope_type', undefined) : legacyType;
  const rope_theta = fields.number('rope_theta', fallbackTheta, 0, MAX_THETA, true);
  if (ropeType === 'default') return { rope_type: 'default', rope_theta };
  if (ropeType === 'linear') {
    if (!fields.has('factor')) fields.fail('factor', 'is required for linear rope scaling');
    return { rope_type: 'linear', rope_theta, factor: fields.number('factor', 1, 0, MAX_FACTOR, true) };
  }
  return fields.fail(
    'rope_type',
    `unsupported rope type ${JSON.stringify(ropeType)} (Gemma 3 uses default or linear)`,
  );
}

/**
 * `layer_types` from either format: the file's list (transformers >= 5), else derived from
 * `sliding_window_pattern` (default 6): layer i is full attention when (i + 1) % pattern == 0.
 */
export function parseLayerTypes(fields: Fields, numLayers: number, maxPattern: number): LayerType[] {
  const raw = fields.raw('layer_types');
  if (raw !== undefined && raw !== null) {
    if (!Array.isArray(raw)) fields.fail('layer_types', 'must be a list of layer types');
    if (raw.length !== numLayers) {
      fields.fail('layer_types', `has ${raw.length} entries but num_hidden_layers is ${numLayers}`);
    }
    return raw.map((type, i) => {
      if (!LAYER_TYPES.includes(type as LayerType)) {
        fields.fail(
          `layer_types[${i}]`,
          `must be one of ${LAYER_TYPES.join(', ')}, got ${JSON.stringify(type)}`,
        );
      }
      return type as LayerType;
    });
  }
  const pattern = fields.int('sliding_window_pattern', 6, 1, maxPattern);
  return Array.from({ length: numLayers }, (_, i) =>
    (i + 1) % pattern === 0 ? 'full_attention' : 'sliding_attention',
  );
}
