/** Label values of one series, e.g. { route: '/v1/chat/completions', status: '200' }. */
type Labels = Record<string, string>;

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

function labelText(labels: Labels): string {
  const entries = Object.entries(labels);
  if (entries.length === 0) return '';
  const quote = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
  return `{${entries.map(([k, v]) => `${k}="${quote(v)}"`).join(',')}}`;
}

class Counter {
  private readonly series = new Map<string, number>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}
  inc(labels: Labels = {}, by = 1): void {
    const key = labelText(labels);
    this.series.set(key, (this.series.get(key) ?? 0) + by);
  }
  get(labels: Labels = {}): number {
    return this.series.get(labelText(labels)) ?? 0;
  }
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    if (this.series.size === 0) lines.push(`${this.name} 0`);
    for (const [key, value] of this.series) lines.push(`${this.name}${key} ${value}`);
    return lines.join('\n');
  }
}

class Histogram {
  private readonly series = new Map<
    string,
    { labels: Labels; counts: number[]; sum: number; count: number }
  >();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly buckets: readonly number[] = LATENCY_BUCKETS,
  ) {}
  observe(value: number, labels: Labels = {}): void {
    const key = labelText(labels);
    let s = this.series.get(key);
    if (!s) {
      s = { labels, counts: this.buckets.map(() => 0), sum: 0, count: 0 };
      this.series.set(key, s);
    }
    this.buckets.forEach((bound, i) => {
      if (value <= bound) s.counts[i]!++;
    });
    s.sum += value;
    s.count++;
  }
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const s of this.series.values()) {
      this.buckets.forEach((bound, i) => {
        lines.push(`${this.name}_bucket${labelText({ ...s.labels, le: String(bound) })} ${s.counts[i]}`);
      });
      lines.push(`${this.name}_bucket${labelText({ ...s.labels, le: '+Inf' })} ${s.count}`);
      lines.push(`${this.name}_sum${labelText(s.labels)} ${s.sum}`);
      lines.push(`${this.name}_count${labelText(s.labels)} ${s.count}`);
    }
    return lines.join('\n');
  }
}

/** The server's metrics, rendered in the Prometheus text format (version 0.0.4) by /metrics. */
export class ServerMetrics {
  readonly requests = new Counter(
    'gemma3_http_requests_total',
    'HTTP requests answered, by route and status.',
  );
  readonly promptTokens = new Counter(
    'gemma3_prompt_tokens_total',
    'Prompt tokens processed (images included).',
  );
  readonly completionTokens = new Counter('gemma3_completion_tokens_total', 'Tokens generated.');
  readonly rejections = new Counter(
    'gemma3_rejected_requests_total',
    'Requests refused before generating, by reason (queue_full, shutting_down, model_loading, ...).',
  );
  readonly cancellations = new Counter(
    'gemma3_cancelled_generations_total',
    'Generations stopped because the client went away or the server shut down.',
  );
  readonly generations = new Counter('gemma3_generations_total', 'Finished generations, by finish_reason.');
  readonly requestSeconds = new Histogram(
    'gemma3_request_duration_seconds',
    'Time from request to the end of the response, by route.',
  );
  readonly queueSeconds = new Histogram('gemma3_queue_wait_seconds', 'Time a generation waited for a slot.');
  readonly firstTokenSeconds = new Histogram(
    'gemma3_time_to_first_token_seconds',
    'Time from getting a slot to the first text.',
  );
  readonly generationSeconds = new Histogram(
    'gemma3_generation_duration_seconds',
    'Time a generation held its slot.',
  );

  constructor(
    private readonly gauges: () => { queued: number; running: number; ready: number },
    /** The backend's `cacheStats()`, when it has one. */
    private readonly cacheStats: () => Record<string, number> | undefined = () => undefined,
  ) {}

  render(): string {
    const g = this.gauges();
    const gauge = (name: string, help: string, value: number) =>
      `# HELP ${name} ${help}\n# TYPE ${name} gauge\n${name} ${value}`;
    return `${[
      this.requests.render(),
      this.promptTokens.render(),
      this.completionTokens.render(),
      this.rejections.render(),
      this.cancellations.render(),
      this.generations.render(),
      gauge('gemma3_queue_depth', 'Requests waiting for a generation slot.', g.queued),
      gauge('gemma3_active_generations', 'Generations running now.', g.running),
      gauge('gemma3_model_ready', '1 when the model is loaded and serving.', g.ready),
      ...renderCacheStats(this.cacheStats() ?? {}),
      this.requestSeconds.render(),
      this.queueSeconds.render(),
      this.firstTokenSeconds.render(),
      this.generationSeconds.render(),
    ].join('\n')}\n`;
  }
}

/**
 * `{ image_cache_hits_total: 3, image_cache_bytes: 1024 }` as `gemma3_image_cache_hits_total` (a counter:
 * the key ends in `_total`) and `gemma3_image_cache_bytes` (a gauge). Keys that are not metric names
 * and values that are not finite are left out.
 */
export function renderCacheStats(stats: Record<string, number>): string[] {
  return Object.entries(stats)
    .filter(([key, value]) => /^[a-z][a-z0-9_]*$/.test(key) && Number.isFinite(value))
    .map(([key, value]) => {
      const name = `gemma3_${key}`;
      const counter = key.endsWith('_total');
      const what = (counter ? key.slice(0, -'_total'.length) : key).replace(/_/g, ' ');
      return `# HELP ${name} ${what} (from the model backend).\n# TYPE ${name} ${counter ? 'counter' : 'gauge'}\n${name} ${value}`;
    });
}
