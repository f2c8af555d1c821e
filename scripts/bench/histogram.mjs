/**
 * Latency histogram with ~1 % resolution: bucket i holds values v (microseconds) with
 * round(ln(1 + v) * SCALE) === i. Recording is one log and one array increment, no allocation.
 */
const SCALE = 100;
const BUCKETS = Math.ceil(Math.log(1 + 60e6) * SCALE) + 1; // up to 60 s

export class Histogram {
  counts = new Uint32Array(BUCKETS);
  total = 0;
  sum = 0;
  max = 0;

  /** Records one latency given in milliseconds (performance.now() differences). */
  recordMs(ms) {
    const us = ms * 1000;
    const v = us > 0 ? us : 0;
    let i = Math.round(Math.log1p(v) * SCALE);
    if (i >= BUCKETS) i = BUCKETS - 1;
    this.counts[i]++;
    this.total++;
    this.sum += v;
    if (v > this.max) this.max = v;
  }

  /** Records `n` samples of the same latency. */
  recordManyMs(ms, n) {
    const v = ms > 0 ? ms * 1000 : 0;
    let i = Math.round(Math.log1p(v) * SCALE);
    if (i >= BUCKETS) i = BUCKETS - 1;
    this.counts[i] += n;
    this.total += n;
    this.sum += v * n;
    if (v > this.max) this.max = v;
  }

  reset() {
    this.counts.fill(0);
    this.total = 0;
    this.sum = 0;
    this.max = 0;
  }

  /** The value (µs) below which a fraction `q` of the samples lie; null when empty. */
  quantileUs(q) {
    if (this.total === 0) return null;
    const rank = Math.max(1, Math.ceil(q * this.total));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i];
      if (seen >= rank) return Math.expm1(i / SCALE);
    }
    return this.max;
  }

  /** Plain summary for IPC/JSON. */
  summary() {
    return {
      samples: this.total,
      p50Us: round1(this.quantileUs(0.5)),
      p90Us: round1(this.quantileUs(0.9)),
      p99Us: round1(this.quantileUs(0.99)),
      meanUs: this.total === 0 ? null : round1(this.sum / this.total),
      maxUs: this.total === 0 ? null : round1(this.max),
    };
  }
}

function round1(v) {
  return v === null ? null : Math.round(v * 10) / 10;
}
