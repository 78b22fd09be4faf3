// The PNG writer is shared by the workspace's tests (@gemma3/test-utils).
export { gradientPng, gradientPngDataUri } from '@gemma3/test-utils';
