import { createLogUpdate } from 'log-update'
import pc from 'picocolors'
import type { PromotionResult } from '../promotion/result.js'
import type { Logger, ProgressListener, PromotionPhase } from '../util/log.js'
import type { SecretRegistry } from '../util/secrets.js'
import { withoutTerminalControls } from '../util/remote-text.js'
import { inCommandLineTerms } from './wording.js'

type Colors = ReturnType<typeof pc.createColors>

/** A Logger that also shows each promotion's phase, then its outcome. */
export interface ProgressDisplay extends Logger {
  readonly onProgress: ProgressListener
  /** Shows every promotion's outcome and stops redrawing. */
  finish(results: readonly PromotionResult[]): void
}

export interface DisplayOptions {
  readonly secrets: SecretRegistry
  readonly verbose: boolean
  /** Every promotion of the run, so the display can list them before the first event. */
  readonly targets: ReadonlyArray<{ readonly algorithm: string; readonly destination: string }>
}

/**
 * Terminal wording of the engine's phases. Keyed by string, and read with a
 * fallback, so a phase the engine adds later shows as itself.
 */
const PHASE_TEXT: Readonly<Record<PromotionPhase | 'waiting', string>> & Readonly<Record<string, string>> = {
  waiting: 'waiting',
  resolving: 'resolving source',
  creating: 'preparing destination',
  fetching: 'fetching',
  pushing: 'pushing',
  building: 'building',
  testing: 'smoke testing',
  publishing: 'publishing',
  done: 'done',
  failed: 'failed'
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏']
const FRAME_MS = 100

/** Colors only where a person reads them, and never against NO_COLOR. */
export function colorsFor(stream: NodeJS.WriteStream): Colors {
  return pc.createColors(stream.isTTY === true && !('NO_COLOR' in process.env) && process.env.TERM !== 'dumb')
}

/**
 * Plain log lines, for stderr off a terminal: info as is, warnings marked,
 * debug only with --verbose. Every line is redacted before it leaves.
 */
export class LineLogger implements Logger {
  protected readonly colors: Colors

  constructor(
    protected readonly stream: NodeJS.WriteStream,
    protected readonly options: Pick<DisplayOptions, 'secrets' | 'verbose'>
  ) {
    this.colors = colorsFor(stream)
  }

  info(message: string): void {
    this.line(withoutTerminalControls(message))
  }

  warning(message: string): void {
    this.line(this.colors.yellow(`warning: ${withoutTerminalControls(inCommandLineTerms(message))}`))
  }

  error(message: string): void {
    this.line(this.colors.red(`error: ${withoutTerminalControls(inCommandLineTerms(message))}`))
  }

  debug(message: string): void {
    if (this.options.verbose) this.line(this.colors.dim(withoutTerminalControls(message)))
  }

  async group<T>(title: string, body: () => Promise<T>): Promise<T> {
    this.line(this.colors.bold(`== ${title}`))
    return body()
  }

  protected line(text: string): void {
    this.stream.write(`${this.options.secrets.redact(text)}\n`)
  }
}

/** Progress as one line per phase change: for a terminal run whose stderr is redirected to a file. */
export class LineProgress extends LineLogger implements ProgressDisplay {
  readonly onProgress: ProgressListener = event => {
    this.line(`${event.algorithm} → ${event.destination}: ${phaseText(event.phase)}`)
  }

  finish(results: readonly PromotionResult[]): void {
    for (const result of results) this.line(`${result.algorithm} → ${result.destination}: ${outcomeText(result)}`)
  }
}

interface Row {
  readonly algorithm: string
  readonly destination: string
  phase: string
  result?: PromotionResult
}

/**
 * A block of lines, one per promotion, redrawn in place (log-update) with a
 * spinner, while log lines scroll above it. Promotions run side by side, so
 * a redrawn block reads better than interleaved lines.
 */
export class LiveProgress implements ProgressDisplay {
  private readonly colors: Colors
  private readonly rows: Row[]
  private readonly draw: ReturnType<typeof createLogUpdate>
  private readonly timer: NodeJS.Timeout
  private frame = 0

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly options: DisplayOptions
  ) {
    this.colors = colorsFor(stream)
    this.rows = options.targets.map(target => ({ ...target, phase: 'waiting' }))
    this.draw = createLogUpdate(stream)
    // The spinner shows the run is alive during long builds; unref so it never holds the process open.
    this.timer = setInterval(() => this.tick(), FRAME_MS).unref()
    this.render()
  }

  readonly onProgress: ProgressListener = event => {
    const row = this.rows.find(row => row.algorithm === event.algorithm && row.destination === event.destination)
    if (row) row.phase = event.phase
    this.render()
  }

  info(message: string): void {
    this.above(withoutTerminalControls(message))
  }

  error(message: string): void {
    this.above(this.colors.red(`error: ${withoutTerminalControls(inCommandLineTerms(message))}`))
  }

  warning(message: string): void {
    this.above(this.colors.yellow(`warning: ${withoutTerminalControls(inCommandLineTerms(message))}`))
  }

  debug(message: string): void {
    if (this.options.verbose) this.above(this.colors.dim(withoutTerminalControls(message)))
  }

  async group<T>(title: string, body: () => Promise<T>): Promise<T> {
    this.above(this.colors.bold(`▸ ${title}`))
    return body()
  }

  finish(results: readonly PromotionResult[]): void {
    clearInterval(this.timer)
    for (const row of this.rows)
      row.result = results.find(result => result.algorithm === row.algorithm && result.destination === row.destination)
    // No results: the run stopped with an error, which says more than a block of stalled rows.
    if (results.length === 0) this.draw.clear()
    else this.render()
    this.draw.done()
  }

  /** Writes a log line where the block was, then draws the block again below it. */
  private above(text: string): void {
    this.draw.clear()
    this.stream.write(`${this.options.secrets.redact(text)}\n`)
    this.render()
  }

  private tick(): void {
    this.frame = (this.frame + 1) % SPINNER.length
    this.render()
  }

  private render(): void {
    const algorithmWidth = Math.max(...this.rows.map(row => row.algorithm.length))
    const destinationWidth = Math.max(...this.rows.map(row => row.destination.length))
    const { shown, hidden } = this.visibleRows()
    const lines = shown.map(
      row => `  ${this.mark(row)} ${row.algorithm.padEnd(algorithmWidth)} → ${row.destination.padEnd(destinationWidth)}  ${this.state(row)}`
    )
    if (hidden.length > 0) lines.push(this.colors.dim(`  … ${hidden.length} more: ${countPhases(hidden)}`))
    this.draw(this.options.secrets.redact(lines.join('\n')))
  }

  /**
   * A block taller than the terminal cannot be redrawn (log-update cuts its
   * top), so with many promotions only those under way or failed are listed.
   */
  private visibleRows(): { shown: Row[]; hidden: Row[] } {
    const room = Math.max(3, (this.stream.rows || 24) - 2)
    if (this.rows.length <= room) return { shown: this.rows, hidden: [] }
    const notable = (row: Row): boolean =>
      (row.result?.status ?? row.phase) === 'failed' || (!row.result && row.phase !== 'waiting' && row.phase !== 'done')
    const shown = this.rows.filter(notable).slice(0, room - 1)
    return { shown, hidden: this.rows.filter(row => !shown.includes(row)) }
  }

  private mark(row: Row): string {
    const status = row.result?.status ?? row.phase
    if (status === 'failed') return this.colors.red('✖')
    if (row.result || status === 'done') return this.colors.green('✔')
    return status === 'waiting' ? this.colors.dim('·') : this.colors.cyan(SPINNER[this.frame])
  }

  private state(row: Row): string {
    const text = row.result ? outcomeText(row.result) : phaseText(row.phase)
    if ((row.result?.status ?? row.phase) === 'failed') return this.colors.red(text)
    return row.phase === 'waiting' && !row.result ? this.colors.dim(text) : text
  }
}

function phaseText(phase: string): string {
  return PHASE_TEXT[phase] ?? phase
}

/** "3 done, 12 waiting" */
function countPhases(rows: readonly Row[]): string {
  const counts = new Map<string, number>()
  for (const row of rows) {
    const label = row.result ? row.result.status : phaseText(row.phase)
    counts.set(label, (counts.get(label) ?? 0) + 1)
  }
  return [...counts].map(([label, count]) => `${count} ${label}`).join(', ')
}

/** "updated 0.2.0", "failed (sync code)" */
function outcomeText(result: PromotionResult): string {
  const version = result.destVersion ? ` ${result.destVersion}` : ''
  return result.status === 'failed' ? `failed (${result.failedStep ?? 'unknown step'})` : `${result.status}${version}`
}
