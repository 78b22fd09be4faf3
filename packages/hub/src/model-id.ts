import { InvalidModelIdError } from './errors/invalid-model-id-error.js';
import { InvalidRevisionError } from './errors/invalid-revision-error.js';
import { UnsafeFileNameError } from './errors/unsafe-file-name-error.js';

/** One part of `org/name`: the Hub's rule (word characters, `-`, `.`; starts and ends with a word character). */
const ID_PART = /^[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,94}[A-Za-z0-9_])?$/;
const COMMIT_HASH = /^[0-9a-f]{40}$/;
const REVISION_CHARS = /^[A-Za-z0-9_.\-/]+$/;

export interface ModelId {
  org: string;
  name: string;
  /** `org/name`. */
  id: string;
}

/**
 * Checks a model id strictly, because it becomes a folder name (`models--org--name`) and a URL path.
 * Throws InvalidModelIdError naming the problem; returns the two parts.
 */
export function parseModelId(modelId: string): ModelId {
  const fail = (reason: string): never => {
    throw new InvalidModelIdError(modelId, reason);
  };
  const parts = modelId.split('/');
  if (parts.length !== 2) fail('expected exactly one "/" between organisation and name');
  const [org, name] = parts as [string, string];
  if (modelId.includes('..')) fail('".." is not allowed');
  if (modelId.includes('--')) fail('"--" is not allowed (it separates parts of cache folder names)');
  for (const [label, part] of [
    ['organisation', org],
    ['name', name],
  ] as const) {
    if (part.length === 0) fail(`the ${label} is empty`);
    if (part.length > 96) fail(`the ${label} is longer than 96 characters`);
    if (!ID_PART.test(part)) {
      fail(
        `the ${label} ${JSON.stringify(part)} may only hold letters, digits, "_", "-" and "." and must start and end with a letter, digit or "_"`,
      );
    }
  }
  if (name.endsWith('.git')) fail('the name may not end with ".git"');
  return { org, name, id: modelId };
}

/** True for `org/name` ids that parseModelId accepts. */
export function isValidModelId(modelId: string): boolean {
  try {
    parseModelId(modelId);
    return true;
  } catch {
    return false;
  }
}

/** A full 40-hex git commit hash (used directly as a snapshot folder). */
export function isCommitHash(revision: string): boolean {
  return COMMIT_HASH.test(revision);
}

/** Branch, tag, `refs/pr/N` or commit; it names a file under `refs/`, so no `..`, no absolute paths. */
export function assertValidRevision(revision: string): void {
  const fail = (reason: string): never => {
    throw new InvalidRevisionError(revision, reason);
  };
  if (revision.length === 0) fail('it is empty');
  if (revision.length > 256) fail('it is longer than 256 characters');
  if (!REVISION_CHARS.test(revision)) fail('only letters, digits, "_", "-", "." and "/" are allowed');
  for (const segment of revision.split('/')) {
    if (segment === '' || segment === '.' || segment === '..') {
      fail('empty, "." and ".." path segments are not allowed');
    }
  }
}

/** A repository file path (`a/b.json`) that stays inside the snapshot folder once joined to it. */
export function assertSafeRepoFilePath(modelId: string, file: string): void {
  const fail = (reason: string): never => {
    throw new UnsafeFileNameError(modelId, file, reason);
  };
  if (file.length === 0) fail('it is empty');
  if (file.includes('\\')) fail('backslashes are not allowed');
  if (file.includes('\0')) fail('NUL characters are not allowed');
  if (file.startsWith('/') || /^[A-Za-z]:/.test(file)) fail('absolute paths are not allowed');
  for (const segment of file.split('/')) {
    if (segment === '' || segment === '.' || segment === '..') {
      fail('empty, "." and ".." path segments are not allowed');
    }
  }
}
