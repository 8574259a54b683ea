/**
 * Worker thread that samples /proc for the resident memory of one contender's
 * process tree. It runs beside the emulator's event loop (which serves every
 * git byte of the benchmark) instead of on it, so sampling does not slow the
 * server down.
 *
 * A contender's tree is found from its root: a direct child of the bench
 * process whose command line contains a marker (the action's `dist/index.js`,
 * a contender script's file name). Its descendants are found through each
 * process's parent id. The sample is the sum of VmRSS (the `rss` field of
 * /proc/<pid>/stat) over the tree; the peak is the largest sample. Beside it,
 * the proportional set size (Pss of /proc/<pid>/smaps_rollup: shared pages
 * counted once across the tree, not once per process, so git processes that
 * share their libraries are not counted many times over) and the number of
 * processes alive at once.
 */
import { readFileSync, readdirSync } from 'node:fs'
import { parentPort, workerData } from 'node:worker_threads'

export type SamplerRequest = { readonly type: 'start'; readonly marker: string } | { readonly type: 'stop' }
export interface SamplerReport {
  readonly peakRssKb: number
  /** The largest VmHWM of any one process of the tree seen while it lived. */
  readonly largestProcessKb: number
  /** The largest sum of Pss over the tree. */
  readonly peakPssKb: number
  /** The most processes of the tree alive at one sample. */
  readonly peakProcesses: number
  readonly samples: number
}

const PAGE_KB = 4 // x86_64 Linux pages
const INTERVAL_MS = 10
const benchPid = (workerData as { benchPid: number }).benchPid

let marker: string | undefined
let peakRssKb = 0
let largestProcessKb = 0
let peakPssKb = 0
let peakProcesses = 0
let samples = 0
let timer: NodeJS.Timeout | undefined
const roots = new Set<number>()

parentPort!.on('message', (message: SamplerRequest) => {
  if (message.type === 'start') {
    marker = message.marker
    peakRssKb = largestProcessKb = peakPssKb = peakProcesses = samples = 0
    roots.clear()
    sample()
    timer = setInterval(sample, INTERVAL_MS)
  } else {
    clearInterval(timer)
    sample()
    marker = undefined
    parentPort!.postMessage({ peakRssKb, largestProcessKb, peakPssKb, peakProcesses, samples } satisfies SamplerReport)
  }
})

function sample(): void {
  if (!marker) return
  const children = new Map<number, number[]>()
  const rssKb = new Map<number, number>()
  for (const name of readdirSync('/proc')) {
    if (name.charCodeAt(0) > 57) continue // not a pid
    const pid = Number(name)
    if (!Number.isInteger(pid)) continue
    const stat = readProc(`/proc/${pid}/stat`)
    if (!stat) continue
    // The command name (field 2) may hold spaces and parentheses; the rest follows the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const ppid = Number(fields[1])
    rssKb.set(pid, Number(fields[21]) * PAGE_KB)
    children.set(ppid, [...(children.get(ppid) ?? []), pid])
  }
  let total = 0
  let pss = 0
  const tree = descendants((children.get(benchPid) ?? []).filter(isRoot), children)
  for (const pid of tree) {
    total += rssKb.get(pid) ?? 0
    pss += proportionalKb(pid)
    largestProcessKb = Math.max(largestProcessKb, highWaterMarkKb(pid))
  }
  samples++
  peakRssKb = Math.max(peakRssKb, total)
  peakPssKb = Math.max(peakPssKb, pss)
  peakProcesses = Math.max(peakProcesses, tree.length)
}

function descendants(tops: number[], children: Map<number, number[]>): number[] {
  const found: number[] = []
  const queue = [...tops]
  while (queue.length > 0) {
    const pid = queue.pop()!
    found.push(pid)
    queue.push(...(children.get(pid) ?? []))
  }
  return found
}

/**
 * Only matches are cached: between fork and exec a new child still shows the
 * bench's own command line, so a miss must be read again at the next sample.
 */
function isRoot(pid: number): boolean {
  if (roots.has(pid)) return true
  const line = (readProc(`/proc/${pid}/cmdline`) ?? '').replaceAll('\0', ' ')
  if (!line.includes(marker!)) return false
  roots.add(pid)
  return true
}

function highWaterMarkKb(pid: number): number {
  const match = /^VmHWM:\s+(\d+) kB$/m.exec(readProc(`/proc/${pid}/status`) ?? '')
  return match ? Number(match[1]) : 0
}

function proportionalKb(pid: number): number {
  const match = /^Pss:\s+(\d+) kB$/m.exec(readProc(`/proc/${pid}/smaps_rollup`) ?? '')
  return match ? Number(match[1]) : 0
}

/** A process can exit between listing /proc and reading it. */
function readProc(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8')
  } catch {
    return undefined
  }
}
