// Worker thread entry (see worker-pool.ts): runs each posted QuantizeTask and answers when done.
import { parentPort } from 'node:worker_threads';
import { collectGarbage } from './collect-garbage.js';
import { type QuantizeTask, runQuantizeTask } from './quantize-task.js';

const port = parentPort;
if (port === null) throw new Error('quantize-worker must run in a worker thread');
port.on('message', (task: QuantizeTask | { collect: true }) => {
  if ('collect' in task) {
    collectGarbage(); // drops the shared buffers of finished tasks (see collect-garbage.ts)
    return;
  }
  try {
    runQuantizeTask(task);
    port.postMessage({ ok: true });
  } catch (error) {
    port.postMessage({ ok: false, message: error instanceof Error ? error.message : String(error) });
  }
});
