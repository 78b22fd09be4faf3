export {
  checkpointDir,
  type GoldenCase,
  type GoldenManifest,
  loadManifest,
  maxAbsDiff,
  maxAbsDiffMasked,
  REPO_ROOT,
  readGolden,
} from './golden.js';
export { gradientPng, gradientPngDataUri } from './png.js';
export { type RunNodeOptions, type RunResult, runTsFile } from './run-node.js';
export { createTinyModels, type TinyModels } from './tiny-models.js';
