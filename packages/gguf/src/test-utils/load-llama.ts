import { getLlama, type Llama } from 'node-llama-cpp';

/**
 * The prebuilt llama.cpp binary of node-llama-cpp (CPU only, never built or downloaded), or the reason
 * it cannot load on this machine (then the llama.cpp tests skip with that message).
 */
export async function loadLlama(): Promise<{ llama: Llama } | { reason: string }> {
  try {
    const llama = await getLlama({
      gpu: false,
      build: 'never',
      progressLogs: false,
      logLevel: 'error' as never,
    });
    return { llama };
  } catch (error) {
    return { reason: `node-llama-cpp prebuilt binary did not load: ${(error as Error).message}` };
  }
}
