// The golden-fixture readers are shared by the model tests (@gemma3/test-utils).
export {
  checkpointDir,
  type GoldenCase,
  type GoldenManifest,
  loadManifest,
  maxAbsDiff,
  maxAbsDiffMasked,
  REPO_ROOT,
  readGolden,
} from '@gemma3/test-utils';
