import type { Logger } from './log.js'

/**
 * A logger for work that runs ahead of its log group: keeps its lines, in
 * order, until released, then passes them on and lets later lines through.
 */
export class HeldLog implements Logger {
  private held: Array<() => void> | undefined = []

  constructor(private readonly logger: Logger) {}

  info(message: string): void {
    this.hold(() => this.logger.info(message))
  }

  warning(message: string): void {
    this.hold(() => this.logger.warning(message))
  }

  error(message: string): void {
    this.hold(() => this.logger.error(message))
  }

  debug(message: string): void {
    this.hold(() => this.logger.debug(message))
  }

  group<T>(title: string, body: () => Promise<T>): Promise<T> {
    return this.logger.group(title, body)
  }

  release(): void {
    const lines = this.held ?? []
    this.held = undefined
    for (const line of lines) line()
  }

  private hold(line: () => void): void {
    if (this.held) this.held.push(line)
    else line()
  }
}
