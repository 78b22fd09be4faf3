import { TOOL_CALL_OPEN } from '@gemma3/pipeline';

/**
 * Streamed text of an answer that may be a tool call: text that could still become the call's
 * opening fence is held back; once it cannot, everything held and after is passed on as content.
 * A call is never streamed as content: its tool_calls delta is sent when it is complete.
 */
export class ToolCallStreamFilter {
  private held = '';
  private passing = false;

  /** Text to send now for `piece`. */
  push(piece: string): string {
    if (this.passing) return piece;
    this.held += piece;
    const n = Math.min(this.held.length, TOOL_CALL_OPEN.length);
    if (this.held.slice(0, n) === TOOL_CALL_OPEN.slice(0, n)) return '';
    this.passing = true;
    const out = this.held;
    this.held = '';
    return out;
  }

  /** At the end, no call: what is still held (a beginning of the fence that went no further). */
  finish(): string {
    const out = this.held;
    this.held = '';
    return out;
  }
}
