// Timing helpers for the benchmark: repeat a piece of work, keep every sample, and compare
// figures only as ratios against a baseline measured in the same run.

export interface Samples {
  p50: number
  p95: number
  mean: number
  count: number
}

export function summarize(milliseconds: number[]): Samples {
  const sorted = [...milliseconds].sort((a, b) => a - b)
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN
  return {
    p50: at(0.5),
    p95: at(0.95),
    mean: sorted.reduce((sum, x) => sum + x, 0) / sorted.length,
    count: sorted.length,
  }
}

/** Runs `body` `warmup` times unmeasured, then `count` times measured. */
export async function sample(count: number, body: () => Promise<unknown>, warmup = 3): Promise<Samples> {
  for (let i = 0; i < warmup; i++) await body()
  const times: number[] = []
  for (let i = 0; i < count; i++) {
    const started = performance.now()
    await body()
    times.push(performance.now() - started)
  }
  return summarize(times)
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
): Figure {
  return { section, name, value, unit, baseline, baselineName, ratio: value / baseline, note }
}

export function printFigures(figures: Figure[]): void {
  const rows = figures.map((f) => [
    f.section,
    f.name,
    `${round(f.value)} ${f.unit}`,
    `${f.baselineName}: ${round(f.baseline)} ${f.unit}`,
    ratioText(f.ratio),
    f.note ?? '',
  ])
  const header = ['section', 'figure', 'value', 'baseline (same run)', 'ratio', 'note']
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => width(r[i] ?? ''))))
  const line = (cells: string[]) => cells.map((c, i) => c + ' '.repeat(widths[i]! - width(c))).join('  ')
  console.log(line(header))
  console.log(widths.map((w) => '-'.repeat(w)).join('  '))
  for (const row of rows) console.log(line(row))
}

/** "2.15x"; "1/3751x" for a tiny ratio; "-" where the baseline is zero (a count that must be 0). */
function ratioText(ratio: number): string {
  if (!Number.isFinite(ratio)) return '-'
  return ratio > 0 && ratio < 0.01 ? `1/${(1 / ratio).toFixed(0)}x` : `${round(ratio)}x`
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
