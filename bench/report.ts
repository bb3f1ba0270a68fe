/** Turns the benchmark results into goal rows and a markdown table. */
import type { BenchResults } from './run'
import { edgeGoalRows } from './edge-bench'

/** One line of the report: a measure, its value, the goal and whether it was met. */
export interface GoalRow {
  section: string
  measure: string
  value: string
  goal: string
  /** null = informational, no goal. */
  met: boolean | null
}

const ms = (v: number) => `${v.toFixed(2)} ms`
const us = (v: number) => `${v.toFixed(1)} µs`
const pct = (v: number) => `${(v * 100).toFixed(1)} %`

/** The goal rows of every section that ran. */
export function goalRows(r: BenchResults): GoalRow[] {
  const rows: GoalRow[] = []
  const add = (
    section: string,
    measure: string,
    value: string,
    goal: string,
    met: boolean | null,
  ) => rows.push({ section, measure, value, goal, met })
  const d = r.decision
  if (d) {
    add(
      '1 decision',
      `seed fleet (${d.seed.candidates} candidates): median / p99`,
      `${us(d.seed.median)} / ${us(d.seed.p99)}`,
      '—',
      null,
    )
    add(
      '1 decision',
      `large fleet (${d.large.servers}×${d.large.modelsPerServer} = ${d.large.candidates}): median / p99`,
      `${us(d.large.median)} / ${us(d.large.p99)}`,
      'p99 < 100 µs',
      d.large.p99 < 100,
    )
    add(
      '1 decision',
      'classification alone: median / p99',
      `${us(d.classify.median)} / ${us(d.classify.p99)}`,
      '< 50 µs (p99)',
      d.classify.p99 < 50,
    )
  }
  const p = r.proxy
  if (p) {
    const u = p.unpaced
    add(
      '2 proxy',
      'first token: direct / bare Node relay / serve auto / serve named',
      `${ms(u.direct.ttftMs)} / ${ms(u.pipe.ttftMs)} / ${ms(u.auto.ttftMs)} / ${ms(u.named.ttftMs)}`,
      '—',
      null,
    )
    add(
      '2 proxy',
      'added first-token time, auto',
      ms(u.addedTtftMs.auto),
      '< 1 ms',
      u.addedTtftMs.auto < 1,
    )
    add(
      '2 proxy',
      'added first-token time, named',
      ms(u.addedTtftMs.named),
      '< 1 ms',
      u.addedTtftMs.named < 1,
    )
    add(
      '2 proxy',
      'added first-token time, bare Node relay (floor)',
      ms(u.addedTtftMs.pipe),
      '—',
      null,
    )
    add(
      '2 proxy',
      `throughput at ${p.paced.tokensPerSecond} tok/s, auto / named (of direct)`,
      `${pct(p.paced.throughputRatio.auto)} / ${pct(p.paced.throughputRatio.named)}`,
      '≥ 95 %',
      Math.min(p.paced.throughputRatio.auto, p.paced.throughputRatio.named) >= 0.95,
    )
    add(
      '2 proxy',
      'relay ceiling, unpaced (chunks/s of direct): relay / auto / named',
      `${pct(u.capacityRatio.pipe)} / ${pct(u.capacityRatio.auto)} / ${pct(u.capacityRatio.named)}`,
      '—',
      null,
    )
  }
  const f = r.failover
  if (f) {
    add('3 failover', 'healthy first token (complex → primary)', ms(f.healthyTtftMs), '—', null)
    add(
      '3 failover',
      '(a) refused: first request, added',
      ms(f.refused.firstAddedMs),
      '< 100 ms',
      f.refused.firstAddedMs < 100,
    )
    add(
      '3 failover',
      '(a) refused: later requests, added',
      ms(f.refused.laterAddedMs),
      '< 100 ms',
      f.refused.laterAddedMs < 100,
    )
    add(
      '3 failover',
      `(b) hung: first request (timeout ${f.timeoutMs} ms)`,
      ms(f.hung.firstTtftMs),
      `≤ ${f.timeoutMs + 100} ms`,
      f.hung.firstTtftMs <= f.timeoutMs + 100,
    )
    add(
      '3 failover',
      '(b) hung: later requests, added',
      ms(f.hung.laterAddedMs),
      '< 100 ms',
      f.hung.laterAddedMs < 100,
    )
  }
  const q = r.silence
  if (q) {
    add(
      '7 silence',
      `(a) frozen primary, default timeouts: first token (by ${q.frozen.answeredBy})`,
      ms(q.frozen.ttftMs),
      '< 3000 ms',
      q.frozen.ttftMs < 3000,
    )
    // The goal: the predicted load time + 5 s (whatever the configured margin).
    const wedgeGoal = q.wedged.predictedLoadMs + 5000
    add(
      '7 silence',
      `(b) wedged runner, cold coder (predicted load ${ms(q.wedged.predictedLoadMs)}): first token (by ${q.wedged.answeredBy})`,
      ms(q.wedged.ttftMs),
      `≤ predicted load + 5000 ms = ${ms(wedgeGoal)} (margin ${q.wedged.marginMs} ms)`,
      q.wedged.ttftMs <= wedgeGoal,
    )
    add(
      '7 silence',
      `(c) ${ms(q.longLoad.loadMs)} load, cold_first_token_ms ${q.longLoad.coldFirstTokenMs}: first token (by ${q.longLoad.answeredBy}); loads, next by ${q.longLoad.nextAnsweredBy}`,
      `${ms(q.longLoad.ttftMs)}; ${q.longLoad.loads} load`,
      '1 load (not aborted), next answer on the GPU box',
      q.longLoad.loads === 1 && q.longLoad.nextAnsweredBy.endsWith('@remote'),
    )
  }
  const disc = r.discovery
  if (disc) {
    add(
      '4 discovery',
      `${disc.servers} servers (${disc.refusing} refusing, ${disc.hung} hung): median / max`,
      `${ms(disc.medianMs)} / ${ms(disc.maxMs)}`,
      `≤ ${disc.probeTimeoutMs + 200} ms`,
      disc.maxMs <= disc.probeTimeoutMs + 200,
    )
  }
  const res = r.resources
  if (res) {
    add(
      '5 resources',
      'start-up: listening / first routed answer',
      `${ms(res.listeningMs)} / ${ms(res.firstAnswerMs)}`,
      '—',
      null,
    )
    add(
      '5 resources',
      `RSS after start / after ${res.samples.at(-1)?.requests ?? 0} requests (max)`,
      `${res.rssAfterStartMb} MB / ${res.rssAfterAllMb} MB (${res.maxRssMb} MB)`,
      '< 150 MB',
      res.maxRssMb < 150,
    )
    add(
      '5 resources',
      'runtime alone (Node, nothing of ours)',
      `${res.runtimeBaselineRssMb} MB`,
      '—',
      null,
    )
    add(
      '5 resources',
      'RSS trend per 100 requests: all / second half',
      `${res.slopeMbPer100} MB / ${res.slopeSecondHalfMbPer100} MB`,
      '—',
      null,
    )
    add(
      '5 resources',
      'live heap after GC: start → end, trend per 100 (second half)',
      `${res.samples[0]?.heapMb ?? 0} → ${res.samples.at(-1)?.heapMb ?? 0} MB, ${res.heapSlopeSecondHalfMbPer100} MB`,
      'no growth (< 0.1 MB per 100)',
      res.heapSlopeSecondHalfMbPer100 < 0.1,
    )
  }
  const c = r.concurrency
  if (c) {
    add(
      '6 concurrency',
      `${c.concurrency} at once × ${c.rounds}: errors`,
      String(c.errors),
      '0',
      c.errors === 0,
    )
    add(
      '6 concurrency',
      'in-flight counts back to zero',
      c.inFlightBackToZero ? 'yes' : 'no',
      'yes',
      c.inFlightBackToZero,
    )
    add(
      '6 concurrency',
      'total time direct / serve: median, p99',
      `${ms(c.direct.medianMs)} / ${ms(c.proxied.medianMs)}, ${ms(c.direct.p99Ms)} / ${ms(c.proxied.p99Ms)}`,
      '—',
      null,
    )
    add(
      '6 concurrency',
      'added latency: median / p99',
      `${ms(c.addedMedianMs)} / ${ms(c.addedP99Ms)}`,
      '—',
      null,
    )
  }
  if (r.edge) rows.push(...edgeGoalRows(r.edge))
  return rows
}

/** The rows as a markdown table. */
export function markdownTable(rows: readonly GoalRow[]): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|')
  const lines = ['| # | Measure | Value | Goal | Met |', '|---|---|---|---|---|']
  for (const row of rows) {
    const met = row.met === null ? '' : row.met ? 'yes' : '**no**'
    lines.push(
      `| ${row.section} | ${cell(row.measure)} | ${cell(row.value)} | ${row.goal} | ${met} |`,
    )
  }
  return lines.join('\n')
}
