// Timing helpers for the benchmark: repeat a piece of work, keep every sample, and compare
// figures only as ratios against a baseline measured in the same run, each ratio with the
// interval that its repetitions support (a ratio of millisecond figures read from too few
// repetitions swings from run to run; the interval shows how far).

export interface Samples {
  p50: number
  p95: number
  mean: number
  count: number
  /** Every measurement, in the order taken. */
  values: number[]
}

/** The q-quantile of ascending `sorted` (the sample at that rank, no interpolation). */
export function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN
}

export function summarize(values: number[]): Samples {
  const sorted = [...values].sort((a, b) => a - b)
  return {
    p50: quantile(sorted, 0.5),
    p95: quantile(sorted, 0.95),
    mean: sorted.reduce((sum, x) => sum + x, 0) / sorted.length,
    count: sorted.length,
    values,
  }
}

async function timed(body: () => Promise<unknown>): Promise<number> {
  const started = performance.now()
  await body()
  return performance.now() - started
}

/** Runs `body` `warmup` times unmeasured, then `count` times measured. */
export async function sample(count: number, body: () => Promise<unknown>, warmup = 3): Promise<Samples> {
  for (let i = 0; i < warmup; i++) await body()
  const times: number[] = []
  for (let i = 0; i < count; i++) times.push(await timed(body))
  return summarize(times)
}

/**
 * Measures two pieces of work alternately, `count` times each, swapping which goes first every
 * round, so that both see the same moments of a noisy machine.
 */
export async function samplePair(
  count: number,
  first: () => Promise<unknown>,
  second: () => Promise<unknown>,
  warmup = 3,
): Promise<[Samples, Samples]> {
  const times: [number[], number[]] = [[], []]
  for (let i = 0; i < warmup + count; i++) {
    for (const which of i % 2 === 0 ? [0, 1] : [1, 0]) {
      const time = await timed(which === 0 ? first : second)
      if (i >= warmup) times[which]!.push(time)
    }
  }
  return [summarize(times[0]), summarize(times[1])]
}

export interface Interval {
  low: number
  high: number
}

/** A small seeded generator (mulberry32): the same samples give the same interval in every run. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function resample<T>(values: readonly T[], random: () => number): T[] {
  return values.map(() => values[Math.floor(random() * values.length)]!)
}

/** The middle 95% of a statistic recomputed on 2,000 resamplings, seeded: the same samples give the same interval. */
function bootstrap(seed: number, statistic: (random: () => number) => number): Interval {
  const random = seededRandom(seed)
  const values = Array.from({ length: 2000 }, () => statistic(random)).sort((a, b) => a - b)
  return { low: quantile(values, 0.025), high: quantile(values, 0.975) }
}

/**
 * The 95% bootstrap interval of a ratio between two sets of measurements: both sets are
 * resampled with replacement, the ratio recomputed each time, and the middle 95% kept.
 */
export function bootstrapRatio<A, B>(value: readonly A[], baseline: readonly B[], ratio: (value: A[], baseline: B[]) => number): Interval {
  return bootstrap(value.length * 7919 + baseline.length, (random) => ratio(resample(value, random), resample(baseline, random)))
}

/**
 * The same interval for measurements taken in pairs (round i of the value beside round i of the
 * baseline, at the same moment of a shared machine): the rounds are resampled together, so that a
 * slow spell slows both sides of the ratio rather than widening its interval.
 */
export function bootstrapPairedRatio<A, B>(value: readonly A[], baseline: readonly B[], ratio: (value: A[], baseline: B[]) => number): Interval {
  if (value.length !== baseline.length) throw new Error(`paired measurements of unequal counts: ${value.length} and ${baseline.length}`)
  const rounds = value.map((_, i) => i)
  return bootstrap(value.length * 7919, (random) => {
    const picked = resample(rounds, random)
    return ratio(picked.map((r) => value[r]!), picked.map((r) => baseline[r]!))
  })
}

/** The interval of the ratio of a quantile (0.5: the median) of two sets of times. */
export function quantileRatioInterval(value: Samples, baseline: Samples, q: number): Interval {
  const at = (values: number[]) => quantile(values.sort((a, b) => a - b), q)
  return bootstrapRatio(value.values, baseline.values, (v, b) => at(v) / at(b))
}

export interface Figure {
  section: string
  name: string
  value: number
  unit: string
  baseline: number
  baselineName: string
  /** value / baseline, or baseline / value when higher is better ("x faster"). */
  ratio: number
  /** The 95% bootstrap interval of the ratio over the repetitions; absent for exact figures (sizes, counts). */
  ratioInterval?: Interval
  note?: string
}

export function ratioFigure(
  section: string,
  name: string,
  value: number,
  unit: string,
  baselineName: string,
  baseline: number,
  note?: string,
  ratioInterval?: Interval,
): Figure {
  return { section, name, value, unit, baseline, baselineName, ratio: value / baseline, ratioInterval, note }
}

export function printFigures(figures: Figure[]): void {
  const rows = figures.map((f) => [
    f.section,
    f.name,
    `${round(f.value)} ${f.unit}`,
    `${f.baselineName}: ${round(f.baseline)} ${f.unit}`,
    ratioText(f.ratio),
    intervalText(f.ratioInterval),
    f.note ?? '',
  ])
  const header = ['section', 'figure', 'value', 'baseline (same run)', 'ratio', '95% interval', 'note']
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => width(r[i] ?? ''))))
  const line = (cells: string[]) => cells.map((c, i) => c + ' '.repeat(widths[i]! - width(c))).join('  ')
  console.log(line(header))
  console.log(widths.map((w) => '-'.repeat(w)).join('  '))
  for (const row of rows) console.log(line(row))
}

/** "2.15x"; "1/3751x" for a tiny ratio; "∞" over a zero baseline; "-" for 0/0 (a count that must be 0). */
function ratioText(ratio: number): string {
  if (ratio === Infinity) return '∞'
  if (!Number.isFinite(ratio)) return '-'
  return ratio > 0 && ratio < 0.01 ? `1/${(1 / ratio).toFixed(0)}x` : `${round(ratio)}x`
}

/** "2.01x–2.30x"; empty when there is none or no repetition had a defined ratio (0 over 0). */
function intervalText(interval: Interval | undefined): string {
  if (!interval || (Number.isNaN(interval.low) && Number.isNaN(interval.high))) return ''
  return `${ratioText(interval.low)}–${ratioText(interval.high)}`
}

function round(x: number): string {
  if (!Number.isFinite(x)) return String(x)
  const abs = Math.abs(x)
  return abs >= 100 ? x.toFixed(0) : abs >= 10 ? x.toFixed(1) : abs >= 1 ? x.toFixed(2) : x.toFixed(3)
}

/** Display width: CJK characters take two columns in a terminal. */
function width(text: string): number {
  let columns = 0
  for (const char of text) columns += /[\u3000-\u9fff\uff00-\uffef]/.test(char) ? 2 : 1
  return columns
}
