import { WeightsError } from './weights-error.js';

/** A weights file that cannot be opened or read: missing, a folder, no permission (the cause says). */
export class WeightsFileError extends WeightsError {
  constructor(file: string, reason: string, cause?: unknown) {
    super({ code: 'weights/file-unreadable', file, cause, message: reason });
  }
}
