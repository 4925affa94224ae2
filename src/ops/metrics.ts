/**
 * Prometheus metrics in the text exposition format. Deliberately tiny: counters, gauges read at
 * scrape time, and histograms, each with fixed label names.
 */

type Labels = Readonly<Record<string, string>>;

interface Metric {
  render(): string;
}

function labelText(labels: Labels): string {
  const parts = Object.entries(labels).map(
    ([k, v]) => `${k}="${v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`,
  );
  return parts.length ? `{${parts.join(",")}}` : "";
}

/** A cheap identity for a label set (the label names are fixed per call site); rendered text is made once. */
function seriesKey(labels: Labels): string {
  let key = "";
  for (const name in labels) key += `${name}\u0001${labels[name]}\u0002`;
  return key;
}

export class Counter implements Metric {
  private readonly values = new Map<string, { text: string; value: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  inc(labels: Labels = {}, by = 1): void {
    const key = seriesKey(labels);
    const entry = this.values.get(key);
    if (entry) entry.value += by;
    else this.values.set(key, { text: labelText(labels), value: by });
  }

  render(): string {
    let out = `# HELP ${this.name} ${this.help}\n# TYPE ${this.name} counter\n`;
    for (const { text, value } of this.values.values()) out += `${this.name}${text} ${value}\n`;
    return out;
  }
}

export class Gauge implements Metric {
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly read: () => number | ReadonlyArray<readonly [Labels, number]>,
  ) {}

  render(): string {
    let out = `# HELP ${this.name} ${this.help}\n# TYPE ${this.name} gauge\n`;
    const value = this.read();
    if (typeof value === "number") return `${out}${this.name} ${value}\n`;
    for (const [labels, v] of value) out += `${this.name}${labelText(labels)} ${v}\n`;
    return out;
  }
}

export class Histogram implements Metric {
  private readonly series = new Map<
    string,
    { counts: number[]; sum: number; count: number; labels: Labels }
  >();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly buckets: readonly number[],
  ) {}

  observe(labels: Labels, value: number): void {
    const key = seriesKey(labels);
    let entry = this.series.get(key);
    if (!entry) {
      entry = { counts: this.buckets.map(() => 0), sum: 0, count: 0, labels };
      this.series.set(key, entry);
    }
    for (let i = 0; i < this.buckets.length; i++) if (value <= this.buckets[i]!) entry.counts[i]!++;
    entry.sum += value;
    entry.count++;
  }

  render(): string {
    let out = `# HELP ${this.name} ${this.help}\n# TYPE ${this.name} histogram\n`;
    for (const { counts, sum, count, labels } of this.series.values()) {
      this.buckets.forEach((le, i) => {
        out += `${this.name}_bucket${labelText({ ...labels, le: String(le) })} ${counts[i]}\n`;
      });
      out += `${this.name}_bucket${labelText({ ...labels, le: "+Inf" })} ${count}\n`;
      out += `${this.name}_sum${labelText(labels)} ${sum}\n${this.name}_count${labelText(labels)} ${count}\n`;
    }
    return out;
  }
}

export class MetricsRegistry {
  private readonly metrics: Metric[] = [];

  counter(name: string, help: string): Counter {
    return this.add(new Counter(name, help));
  }

  gauge(name: string, help: string, read: () => number | ReadonlyArray<readonly [Labels, number]>): Gauge {
    return this.add(new Gauge(name, help, read));
  }

  histogram(name: string, help: string, buckets: readonly number[]): Histogram {
    return this.add(new Histogram(name, help, buckets));
  }

  render(): string {
    return this.metrics.map((m) => m.render()).join("");
  }

  private add<M extends Metric>(metric: M): M {
    this.metrics.push(metric);
    return metric;
  }
}
