// The PNG writer is shared by the workspace's tests (@gemma3/test-utils).
export { gradientPng } from '@gemma3/test-utils';
