import type { PipelineTask } from '@gemma3/pipeline';

/**
 * The pipeline's tasks (@gemma3/pipeline's PIPELINE_TASKS), copied so that `run` checks --task and
 * prints its help without importing the pipeline; pipeline-facts.test.ts checks the copy.
 */
export const TASKS: readonly PipelineTask[] = ['text-generation', 'image-text-to-text'];
