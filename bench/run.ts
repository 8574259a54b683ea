/**
 * `npm run bench [-- --rounds N] [-- --quick] [-- --scale 50,500,5000] [-- --latency-ms 40] [-- --only git,latency,scale,history] [-- --collections]`
 *
 * Promotes a heavy algorithm between two emulated clusters with the seed
 * script's steps, the git floor and the action, side by side and alternating
 * within each round, on both kinds of git server (without and with partial
 * clone); then again with a network round trip added to every request; then a
 * scheduled sync at the size of an organisation. Prints medians, ratios and a
 * PASS/FAIL line per target. Everything lives in a temp directory removed at the end.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { SOURCE_OWNER, startClusterPair, type PairOptions } from '../__tests__/helpers/clusters.js'
import {
  action,
  addDestinationOwner,
  coldStart,
  gitFloor,
  gitFloorChange,
  seedScript,
  type BenchContext,
  type Measurement
} from './contenders.js'
import {
  HEAVY,
  Prng,
  QUICK_HEAVY,
  QUICK_SMALL,
  SMALL,
  codeLines,
  generateAlgorithm,
  smallAlgorithmFiles,
  type RepoFacts,
  type RepoProfile
} from './fixtures.js'
import { RssSampler, median, secondsSince } from './measure.js'
import { collectionsBench } from './collections.js'

const CONTENDERS = {
  seed: '(1) seed script: full clones, cp, commit, push',
  first: '(2) action: first promotion',
  floor: '(3) git floor: depth-1 clone, push to empty',
  noop: '(4) action: re-promote, nothing changed',
  oneFile: '(5) action: re-promote, one file changed',
  floorChange: "(5') floor procedure on the same change",
  firstSmall: '(2) action: first promotion, SMALL repo',
  floorSmall: '(3) git floor, SMALL repo'
} as const
type ContenderId = keyof typeof CONTENDERS

const SERVER_KINDS = [
  { title: 'git server WITHOUT partial clone (the emulator default)', partialClone: false },
  { title: 'git server WITH partial clone', partialClone: true }
] as const

const SCALE_CHANGED = 10
const COLD_START_RUNS = 20
const HEAVY_NAME = 'heavy'
const SMALL_NAME = 'small'

interface Options {
  readonly rounds: number
  readonly quick: boolean
  readonly scale: readonly number[]
  readonly latencyMs: number
  /** Only the data collections bench (long: it moves about 3 GB). */
  readonly collections: boolean
  /** The parts to run (default: all): git (both kinds of git server), latency, scale, history. */
  readonly only: ReadonlySet<Part>
}

const PARTS = ['git', 'latency', 'scale', 'history'] as const
type Part = (typeof PARTS)[number]

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      rounds: { type: 'string' },
      quick: { type: 'boolean', default: false },
      scale: { type: 'string' },
      'latency-ms': { type: 'string' },
      collections: { type: 'boolean', default: false },
      only: { type: 'string' }
    }
  })
  const only = (values.only ?? PARTS.join(',')).split(',').map(part => part.trim())
  const unknown = only.filter(part => !(PARTS as readonly string[]).includes(part))
  if (unknown.length > 0) throw new Error(`--only takes ${PARTS.join(', ')} (comma-separated), not ${unknown.join(', ')}`)
  const rounds = Number(values.rounds ?? 3)
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds must be a positive integer, not ${values.rounds}`)
  const scale = (values.scale ?? (values.quick ? '20,50' : '50,500,5000')).split(',').map(Number)
  if (scale.some(n => !Number.isInteger(n) || n < SCALE_CHANGED))
    throw new Error(`--scale takes algorithm counts of at least ${SCALE_CHANGED}, such as 50,500,5000`)
  const latencyMs = Number(values['latency-ms'] ?? 40)
  if (!Number.isInteger(latencyMs) || latencyMs < 0) throw new Error(`--latency-ms must be a non-negative integer`)
  return {
    rounds,
    quick: values.quick ?? false,
    scale: [...scale].sort((a, b) => a - b),
    latencyMs,
    collections: values.collections ?? false,
    only: new Set(only as Part[])
  }
}

interface Bench {
  readonly options: Options
  readonly workDir: string
  readonly home: string
  readonly sampler: RssSampler
  readonly profiles: { readonly heavy: RepoProfile; readonly small: RepoProfile }
}

async function main(): Promise<void> {
  const options = parseOptions()
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'algorithmia-promote-bench-'))
  const home = path.join(workDir, 'home')
  await mkdir(home)
  const sampler = RssSampler.start()
  const profiles = options.quick ? { heavy: QUICK_HEAVY, small: QUICK_SMALL } : { heavy: HEAVY, small: SMALL }
  const bench: Bench = { options, workDir, home, sampler, profiles }
  const load = [os.loadavg()[0]]
  try {
    if (options.collections) {
      const passed = await withPair(bench, {}, ctx => collectionsBench(ctx, options.rounds))
      if (!passed) process.exitCode = 1
      return
    }
    // Each part is printed as soon as it is measured: a part that fails later loses nothing before it.
    printHeader(options, load[0])
    if (options.only.has('git')) await runGitParts(bench)
    if (options.only.has('latency'))
      console.log(await withPair(bench, { latencyMs: options.latencyMs }, ctx => runLatency(ctx, profiles.heavy, options)))
    if (options.only.has('scale')) console.log(await withPair(bench, {}, ctx => runScale(ctx, options.scale)))
    if (options.only.has('history')) console.log(await withPair(bench, {}, ctx => runHistory(ctx, options.rounds)))
    console.log(`load average (1 min) at the end ${os.loadavg()[0].toFixed(2)}`)
  } finally {
    await sampler.close()
    await rm(workDir, { recursive: true, force: true })
  }
}

/** Runs `work` against a fresh pair of emulated clusters of one kind, stopped afterwards. */
async function withPair<T>(bench: Bench, pairOptions: PairOptions, work: (ctx: BenchContext) => Promise<T>): Promise<T> {
  const pair = await startClusterPair({ buildDelayMs: 50, ...pairOptions })
  const ctx: BenchContext = { pair, sampler: bench.sampler, workDir: path.join(bench.workDir, 'scratch'), home: bench.home }
  try {
    return await work(ctx)
  } finally {
    await pair.stop()
  }
}

async function generateFixtures(
  ctx: BenchContext,
  profiles: { heavy: RepoProfile; small: RepoProfile }
): Promise<Record<'heavy' | 'small', RepoFacts>> {
  const start = performance.now()
  const heavy = await generateAlgorithm(ctx.pair.dev, SOURCE_OWNER, HEAVY_NAME, profiles.heavy, 1, ctx.home)
  const small = await generateAlgorithm(ctx.pair.dev, SOURCE_OWNER, SMALL_NAME, profiles.small, 2, ctx.home)
  log(
    `Generated the source repositories in ${secondsSince(start).toFixed(1)} s: ${describe(HEAVY_NAME, heavy)}; ${describe(SMALL_NAME, small)}`
  )
  return { heavy, small }
}

/**
 * Each round runs every contender once. Independent contenders rotate their
 * order from round to round, so drifting machine noise (page cache, CPU
 * frequency, other tenants) hits them equally.
 */
async function runRounds(ctx: BenchContext, rounds: number): Promise<Record<ContenderId, Measurement[]>> {
  const samples = Object.fromEntries(Object.keys(CONTENDERS).map(id => [id, []])) as unknown as Record<ContenderId, Measurement[]>
  const record = (id: ContenderId, measurement: Measurement): void => {
    samples[id].push(measurement)
    logMeasurement(CONTENDERS[id], measurement)
  }
  // Untimed warm-up of each heavy contender: the source's whole pack gets into the page cache
  // (the seed reads all history), so round 1 does not pay for it alone.
  log('Warm-up (not timed)')
  await seedScript(ctx, HEAVY_NAME, addDestinationOwner(ctx, 'warmup_seed'))
  await action(ctx, [HEAVY_NAME], addDestinationOwner(ctx, 'warmup_action'), { created: 1 })
  await gitFloor(ctx, HEAVY_NAME, addDestinationOwner(ctx, 'warmup_floor'))
  const rng = new Prng(4)
  for (let round = 1; round <= rounds; round++) {
    log(`Round ${round} of ${rounds}`)
    const firstOwner = addDestinationOwner(ctx, `action_r${round}`)
    const floorOwner = addDestinationOwner(ctx, `floor_r${round}`)
    const heavyContenders: Array<[ContenderId, () => Promise<Measurement>]> = [
      ['seed', () => seedScript(ctx, HEAVY_NAME, addDestinationOwner(ctx, `seed_r${round}`))],
      ['first', () => action(ctx, [HEAVY_NAME], firstOwner, { created: 1 })],
      ['floor', () => gitFloor(ctx, HEAVY_NAME, floorOwner)]
    ]
    for (const [id, run] of rotate(heavyContenders, round - 1)) record(id, await run())
    record('noop', await action(ctx, [HEAVY_NAME], firstOwner, { unchanged: 1 }))
    await ctx.pair.dev.commit(
      SOURCE_OWNER,
      HEAVY_NAME,
      { 'src/pkg_0/mod_0/file_0.py': codeLines(rng, 3000) },
      { replace: false, message: `One-file change ${round}` }
    )
    // Both start from the same source tree (the one before the change) and carry the same change.
    const changeContenders: Array<[ContenderId, () => Promise<Measurement>]> = [
      ['oneFile', () => action(ctx, [HEAVY_NAME], firstOwner, { updated: 1 })],
      ['floorChange', () => gitFloorChange(ctx, HEAVY_NAME, floorOwner)]
    ]
    for (const [id, run] of rotate(changeContenders, round - 1)) record(id, await run())
    record('firstSmall', await action(ctx, [SMALL_NAME], addDestinationOwner(ctx, `small_r${round}`), { created: 1 }))
    record('floorSmall', await gitFloor(ctx, SMALL_NAME, addDestinationOwner(ctx, `floor_small_r${round}`)))
  }
  return samples
}

/** First promotion against the floor, and an unchanged re-run, with `latencyMs` added to every request. */
async function runLatency(ctx: BenchContext, profile: RepoProfile, options: Options): Promise<string> {
  log(`Latency run: ${options.latencyMs} ms added to every API and git request`)
  const facts = await generateAlgorithm(ctx.pair.dev, SOURCE_OWNER, HEAVY_NAME, profile, 1, ctx.home)
  const first: Measurement[] = []
  const floor: Measurement[] = []
  const noop: Measurement[] = []
  await action(ctx, [HEAVY_NAME], addDestinationOwner(ctx, 'latency_warmup'), { created: 1 })
  for (let round = 1; round <= options.rounds; round++) {
    const firstOwner = addDestinationOwner(ctx, `latency_action_r${round}`)
    const contenders: Array<[Measurement[], string, () => Promise<Measurement>]> = [
      [first, CONTENDERS.first, () => action(ctx, [HEAVY_NAME], firstOwner, { created: 1 })],
      [floor, CONTENDERS.floor, () => gitFloor(ctx, HEAVY_NAME, addDestinationOwner(ctx, `latency_floor_r${round}`))]
    ]
    for (const [list, name, run] of rotate(contenders, round - 1)) {
      list.push(await run())
      logMeasurement(name, list.at(-1)!)
    }
    noop.push(await action(ctx, [HEAVY_NAME], firstOwner, { unchanged: 1 }))
    logMeasurement(CONTENDERS.noop, noop.at(-1)!)
  }
  const s = { first: summarize(first), floor: summarize(floor), noop: summarize(noop) }
  const ratio = s.first.seconds / s.floor.seconds
  const requests = Math.max(...noop.map(m => m.requests))
  const lines = [
    '',
    `== Latency: ${options.latencyMs} ms round trip added to every API and git request (and to each new connection); git server without partial clone; ${describe(HEAVY_NAME, facts)}`,
    table(
      ['contender', 'median s', '× (3)', 'HTTP requests', 'fetched', 'pushed'],
      [
        [CONTENDERS.first, s.first, ratio.toFixed(3)],
        [CONTENDERS.floor, s.floor, '1.000'],
        [CONTENDERS.noop, s.noop, (s.noop.seconds / s.floor.seconds).toFixed(3)]
      ].map(([name, row, times]) => {
        const summary = row as Summary
        return [
          name as string,
          summary.seconds.toFixed(3),
          times as string,
          String(summary.requests),
          size(summary.bytesFetched),
          size(summary.bytesPushed)
        ]
      })
    ),
    verdict(`(2) first promotion ≤ 1.25 × (3) git floor, both under ${options.latencyMs} ms`, ratio <= 1.25, `${ratio.toFixed(3)} ×`),
    verdict(
      '(4) unchanged re-run ≤ 6 HTTP requests per algorithm and destination (emulators’ request logs, largest over the rounds)',
      requests <= 6,
      `${requests} requests`
    )
  ]
  return lines.join('\n')
}

/**
 * A scheduled sync at the size of an organisation: N small algorithms, all
 * promoted once before the clock starts, SCALE_CHANGED of them changed, one
 * destination. The counts grow in one source and destination, so each step
 * only promotes the algorithms it adds.
 */
/**
 * For each count: the source grows to that many algorithms (not timed); the
 * first promotion of all of them into an empty owner is measured, then a
 * scheduled sync with SCALE_CHANGED of them changed. Memory is the process
 * tree's (RSS summed, and proportional beside it) and the most processes alive at once.
 */
async function runScale(ctx: BenchContext, counts: readonly number[]): Promise<string> {
  const rng = new Prng(3)
  const names: string[] = []
  const rows: string[][] = []
  const verdicts: string[] = []
  for (const count of counts) {
    await growSource(ctx, rng, names, count)
    const owner = addDestinationOwner(ctx, `scale_${count}`)
    const first = await action(ctx, names, owner, { created: count })
    logMeasurement(`first promotion of ${count}`, first)
    await changeSome(ctx, rng, names, count)
    const sync = await action(ctx, names, owner, { unchanged: count - SCALE_CHANGED, updated: SCALE_CHANGED })
    logMeasurement(`scheduled sync of ${count}, ${SCALE_CHANGED} changed`, sync)
    rows.push(scaleRow(count, 'first promotion', first), scaleRow(count, `sync, ${SCALE_CHANGED} changed`, sync))
    verdicts.push(...scaleVerdicts(count, first, sync))
  }
  return [
    '',
    `== Scale: a first promotion into an empty owner, then a scheduled sync with ${SCALE_CHANGED} algorithms changed; one destination, git server without partial clone, default concurrency`,
    table(
      [
        'algorithms',
        'run',
        'wall s',
        'ms per algorithm',
        'peak RSS MB (tree)',
        'peak PSS MB (tree)',
        'max 1 proc MB',
        'processes at once',
        'HTTP requests',
        'per algorithm',
        'fetched',
        'pushed'
      ],
      rows
    ),
    ...verdicts
  ].join('\n')
}

async function growSource(ctx: BenchContext, rng: Prng, names: string[], count: number): Promise<void> {
  const start = performance.now()
  const before = names.length
  while (names.length < count) {
    const name = `sync_${String(names.length).padStart(4, '0')}`
    await ctx.pair.seed(name, smallAlgorithmFiles(rng, name))
    names.push(name)
  }
  log(`Scale: ${count} algorithms at the source (${count - before} added in ${secondsSince(start).toFixed(1)} s, not timed)`)
}

async function changeSome(ctx: BenchContext, rng: Prng, names: readonly string[], count: number): Promise<void> {
  for (let k = 0; k < SCALE_CHANGED; k++) {
    const name = names[Math.floor((k * count) / SCALE_CHANGED)]
    await ctx.pair.dev.commit(SOURCE_OWNER, name, { 'src/helpers.py': codeLines(rng, 800) }, { replace: false, message: `Change ${count}` })
  }
}

function scaleRow(count: number, run: string, m: Measurement): string[] {
  return [
    String(count),
    run,
    m.seconds.toFixed(2),
    ((m.seconds / count) * 1000).toFixed(1),
    mb(m.peakRssKb * 1024),
    mb(m.peakPssKb * 1024),
    mb(m.largestProcessKb * 1024),
    String(m.peakProcesses),
    String(m.requests),
    (m.requests / count).toFixed(2),
    size(m.bytesFetched),
    size(m.bytesPushed)
  ]
}

function scaleVerdicts(count: number, first: Measurement, sync: Measurement): string[] {
  if (count < 500) return []
  const memory = (name: string, m: Measurement): string =>
    verdict(
      `${count} algorithms, ${name}: peak memory of the process tree < 250 MB`,
      m.peakRssKb < 250 * 1024,
      `${mb(m.peakRssKb * 1024)} MB`
    )
  const verdicts = [memory('first promotion', first), memory('sync', sync)]
  if (count === 500)
    verdicts.push(verdict('500 algorithms, 10 changed: wall time < 45 s', sync.seconds < 45, `${sync.seconds.toFixed(2)} s`))
  return verdicts
}

const HISTORY_VERSIONS = 20
const BUMPS = ['revision', 'revision', 'minor', 'revision', 'major'] as const

/**
 * (7) A source with HISTORY_VERSIONS published versions (small trees, one file
 * changing a bump at a time) replayed into an empty owner with
 * `source-versions: all`, beside the baseline measured in the same run: the
 * same-sized algorithm promoted and published once. Every build waits the
 * emulator's build delay (50 ms), so the replay's floor is that times the
 * number of versions plus one push and one publish each.
 */
async function runHistory(ctx: BenchContext, rounds: number): Promise<string> {
  const rng = new Prng(7)
  const base = smallAlgorithmFiles(rng, 'history')
  ctx.pair.dev.createAlgorithm(SOURCE_OWNER, 'history')
  await ctx.pair.dev.publishHistory(
    SOURCE_OWNER,
    'history',
    Array.from({ length: HISTORY_VERSIONS }, (_, index) => ({
      files: { ...base, 'src/changes.py': codeLines(rng, 400 + index) },
      publish: index === 0 ? ('minor' as const) : BUMPS[index % BUMPS.length]
    }))
  )
  await ctx.pair.seed('single', base, { publish: 'minor' })
  const once: Measurement[] = []
  const replay: Measurement[] = []
  const again: Measurement[] = []
  for (let round = 1; round <= rounds; round++) {
    once.push(await action(ctx, ['single'], addDestinationOwner(ctx, `once_r${round}`), { created: 1 }, { publish: true }))
    const owner = addDestinationOwner(ctx, `history_r${round}`)
    const inputs = { publish: true, 'source-versions': 'all' }
    replay.push(await action(ctx, ['history'], owner, { created: 1 }, inputs))
    again.push(await action(ctx, ['history'], owner, { unchanged: 1 }, inputs))
    logMeasurement(`history round ${round}: one version / ${HISTORY_VERSIONS} versions / re-run`, replay.at(-1)!)
  }
  return historyReport(summarize(once), summarize(replay), summarize(again))
}

function historyReport(once: Summary, replay: Summary, again: Summary): string {
  const perVersion = replay.seconds / HISTORY_VERSIONS
  const row = (name: string, m: Summary, versions: number): string[] => [
    name,
    m.seconds.toFixed(3),
    (m.seconds / versions).toFixed(3),
    (m.seconds / versions / once.seconds).toFixed(2),
    String(m.requests),
    (m.requests / versions).toFixed(1),
    size(m.bytesFetched / versions),
    size(m.bytesPushed / versions)
  ]
  return [
    '',
    `== History: ${HISTORY_VERSIONS} published versions replayed into an empty owner (source-versions: all, publish: true); builds take the emulator's 50 ms`,
    table(
      ['run', 'median s', 's per version', '× one promotion', 'HTTP requests', 'per version', 'fetched per version', 'pushed per version'],
      [
        row('one version, promoted and published', once, 1),
        row(`${HISTORY_VERSIONS} versions replayed`, replay, HISTORY_VERSIONS),
        row('re-run (nothing missing)', again, HISTORY_VERSIONS)
      ]
    ),
    `build delay alone: ${((HISTORY_VERSIONS * 50) / 1000).toFixed(2)} s of the replay's ${replay.seconds.toFixed(2)} s`,
    verdict(
      'a replayed version costs less than a promotion of its own',
      perVersion < once.seconds,
      `${perVersion.toFixed(3)} s vs ${once.seconds.toFixed(3)} s`
    )
  ].join('\n')
}

interface Summary {
  readonly seconds: number
  readonly bytesFetched: number
  readonly bytesPushed: number
  /** Largest over the rounds: the peak is what a runner must have. */
  readonly peakRssKb: number
  readonly largestProcessKb: number
  readonly requests: number
}

function summarize(measurements: readonly Measurement[]): Summary {
  return {
    seconds: median(measurements.map(m => m.seconds)),
    bytesFetched: median(measurements.map(m => m.bytesFetched)),
    bytesPushed: median(measurements.map(m => m.bytesPushed)),
    peakRssKb: Math.max(...measurements.map(m => m.peakRssKb)),
    largestProcessKb: Math.max(...measurements.map(m => m.largestProcessKb)),
    requests: Math.max(...measurements.map(m => m.requests))
  }
}

/** Both kinds of git server, each with its rounds, and the bundle's cold start. */
async function runGitParts(bench: Bench): Promise<void> {
  let cold: number[] = []
  for (const kind of SERVER_KINDS) {
    await withPair(bench, { partialClone: kind.partialClone }, async ctx => {
      const facts = await generateFixtures(ctx, bench.profiles)
      if (cold.length === 0) {
        log(`Cold start: ${COLD_START_RUNS} runs of node dist/index.js with no inputs`)
        cold = await coldStart(ctx, COLD_START_RUNS)
      }
      console.log(kindReport(kind.title, facts, await runRounds(ctx, bench.options.rounds)))
    })
  }
  console.log(
    `bundle cold start (node dist/index.js to exit on missing inputs): ${(median(cold) * 1000).toFixed(0)} ms, median of ${cold.length}`
  )
  console.log(`${median(cold) < 0.15 ? 'PASS' : 'FAIL'}  bundle cold start < 150 ms`)
}

function printHeader(options: Options, startLoad: number): void {
  console.log('')
  console.log(
    `algorithmia-promote benchmark — ${options.rounds} round(s)${options.quick ? ', --quick' : ''}, ${os.cpus().length} CPUs, node ${process.version}`
  )
  // Other work on the machine skews wall times; the 1-minute load average says how busy it was.
  console.log(
    `load average (1 min) at the start ${startLoad.toFixed(2)}${startLoad > os.cpus().length ? ' — the machine is busy: expect noise; compare the ratios, measured side by side' : ''}`
  )
  console.log(
    'Seconds are medians over the rounds; bytes are medians of git traffic seen by the emulators (fetched: upload-pack responses; pushed: receive-pack request bodies);'
  )
  console.log(
    "peak RSS is the largest, over the rounds, of the contender's process tree (node + git children, or bash + git children), summed, sampled from /proc every 10 ms; requests are the emulators' request logs."
  )
}

function kindReport(title: string, facts: Record<'heavy' | 'small', RepoFacts>, samples: Record<ContenderId, Measurement[]>): string {
  const s = Object.fromEntries(Object.entries(samples).map(([id, list]) => [id, summarize(list)])) as Record<ContenderId, Summary>
  const seed = s.seed.seconds
  const floor = s.floor.seconds
  const header = ['contender', 'median s', '× (1)', '× (3)', "× (5')", 'fetched', 'pushed', 'requests', 'peak RSS MB', 'max 1 proc MB']
  const rows = (Object.keys(CONTENDERS) as ContenderId[]).map(id => {
    const row = s[id]
    const small = id === 'firstSmall' || id === 'floorSmall'
    return [
      CONTENDERS[id],
      row.seconds.toFixed(3),
      small ? '' : (row.seconds / seed).toFixed(3),
      small ? '' : (row.seconds / floor).toFixed(3),
      id === 'oneFile' || id === 'floorChange' ? (row.seconds / s.floorChange.seconds).toFixed(3) : '',
      size(row.bytesFetched),
      size(row.bytesPushed),
      String(row.requests),
      mb(row.peakRssKb * 1024),
      mb(row.largestProcessKb * 1024)
    ]
  })
  const memoryRatio = s.first.peakRssKb / s.firstSmall.peakRssKb
  return [
    '',
    `== ${title}`,
    `heavy: ${describe(HEAVY_NAME, facts.heavy)}`,
    `small: ${describe(SMALL_NAME, facts.small)}`,
    table(header, rows),
    verdict('(2) first promotion ≤ 1.15 × (3) git floor', s.first.seconds <= 1.15 * floor, `${(s.first.seconds / floor).toFixed(3)} ×`),
    verdict('(4) nothing changed ≤ 0.05 × (1) seed', s.noop.seconds <= 0.05 * seed, `${(s.noop.seconds / seed).toFixed(3)} ×`),
    verdict('(4) nothing changed: under 50 kB fetched, no tree moved', s.noop.bytesFetched < 50 * 1024, size(s.noop.bytesFetched)),
    verdict(
      "(5) one file changed ≤ 1.1 × (5') the floor procedure on the same change",
      s.oneFile.seconds <= 1.1 * s.floorChange.seconds,
      `${(s.oneFile.seconds / s.floorChange.seconds).toFixed(3)} ×, pushed ${size(s.oneFile.bytesPushed)} vs ${size(s.floorChange.bytesPushed)}`
    ),
    verdict(
      'action peak RSS does not grow with repo size (heavy ≤ 1.25 × small, first promotion)',
      memoryRatio <= 1.25,
      `${mb(s.first.peakRssKb * 1024)} MB vs ${mb(s.firstSmall.peakRssKb * 1024)} MB = ${memoryRatio.toFixed(2)} × for ${(facts.heavy.treeBytes / facts.small.treeBytes).toFixed(0)} × the tree`
    )
  ].join('\n')
}

function verdict(name: string, pass: boolean, detail: string): string {
  return `${pass ? 'PASS' : 'FAIL'}  ${name.padEnd(92)} ${detail}`
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map(row => row[i].length)))
  const line = (cells: string[]): string => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ')
  return [line(header), widths.map(width => '-'.repeat(width)).join('  '), ...rows.map(line)].join('\n')
}

function rotate<T>(items: readonly T[], by: number): T[] {
  const shift = by % items.length
  return [...items.slice(shift), ...items.slice(0, shift)]
}

function describe(name: string, facts: RepoFacts): string {
  return `${name}: ${facts.commits} commits, ${facts.files} files, ${mb(facts.treeBytes)} MB at head, ${mb(facts.storeBytes)} MB of history on the server (head ${facts.head.slice(0, 12)})`
}

function logMeasurement(name: string, m: Measurement): void {
  log(
    `  ${name.padEnd(50)} ${m.seconds.toFixed(2).padStart(7)} s  fetched ${size(m.bytesFetched).padStart(8)}  pushed ${size(m.bytesPushed).padStart(8)}  ${String(m.requests).padStart(5)} requests  peak RSS ${mb(m.peakRssKb * 1024)} MB`
  )
}

/** MB with one decimal, or kB below 1 MB so that small transfers do not read as zero. */
function size(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${mb(bytes)} MB` : `${(bytes / 1024).toFixed(1)} kB`
}

function mb(bytes: number): string {
  return (bytes / (1024 * 1024)).toFixed(1)
}

function log(message: string): void {
  console.error(`[bench] ${message}`)
}

main().catch(error => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error)
  process.exitCode = 1
})
