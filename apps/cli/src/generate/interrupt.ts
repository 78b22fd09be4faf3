/** Exit code after Ctrl-C (128 + SIGINT), as shells report it. */
export const EXIT_INTERRUPTED = 130;

/**
 * While `during` runs, Ctrl-C (SIGINT) aborts the returned signal instead of killing the process, so
 * the partial answer and the timings still come out. A second Ctrl-C is left to Node (exits).
 */
export async function withInterrupt<T>(
  during: (signal: AbortSignal) => Promise<T>,
): Promise<{ value: T; interrupted: boolean }> {
  const controller = new AbortController();
  const onSigint = () => {
    controller.abort();
    process.removeListener('SIGINT', onSigint);
  };
  process.on('SIGINT', onSigint);
  try {
    const value = await during(controller.signal);
    return { value, interrupted: controller.signal.aborted };
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}
