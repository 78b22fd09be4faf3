/**
 * OpenAI leaves the stop sequence out of the answer; the model packages keep it in. This cuts the
 * text at the first stop string and, while streaming, holds back the tail that could still become
 * one (at most the longest stop string minus one character), so no piece of a stop string is sent.
 */
export class StopTrimmer {
  private text = '';
  private emitted = 0;
  private stopped = false;
  private readonly hold: number;

  constructor(private readonly stops: readonly string[]) {
    this.hold = Math.max(0, ...stops.map((s) => s.length - 1));
  }

  /** Adds generated text; returns what can be sent now. */
  push(piece: string): string {
    if (this.stopped) return '';
    this.text += piece;
    const at = this.firstStop();
    if (at >= 0) {
      this.stopped = true;
      return this.take(at);
    }
    return this.take(Math.max(this.emitted, this.text.length - this.hold));
  }

  /** Generation ended: returns the rest that may be sent (up to a stop string, if one is there). */
  finish(): string {
    if (this.stopped) return '';
    const at = this.firstStop();
    this.stopped = true;
    return this.take(at >= 0 ? at : this.text.length);
  }

  /** The whole answer without the stop string and what follows it. */
  static trim(text: string, stops: readonly string[]): string {
    const trimmer = new StopTrimmer(stops);
    return trimmer.push(text) + trimmer.finish();
  }

  private firstStop(): number {
    let first = -1;
    for (const stop of this.stops) {
      const at = this.text.indexOf(stop, Math.max(0, this.emitted - stop.length + 1));
      if (at >= 0 && (first < 0 || at < first)) first = at;
    }
    return first;
  }

  private take(end: number): string {
    const out = this.text.slice(this.emitted, end);
    this.emitted = Math.max(this.emitted, end);
    return out;
  }
}
