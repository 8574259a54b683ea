/**
 * The engine logs through this interface so that the GitHub Action (with
 * @actions/core) and the command-line tool can present progress their own way.
 */
export interface Logger {
  info(message: string): void
  warning(message: string): void
  /**
   * A promotion failed. Said once, when it happens: the front end decides how (the action keeps it a
   * log line and annotates each failure once at the end; the command-line tool prints `error: …`).
   */
  error(message: string): void
  debug(message: string): void
  /** Groups the lines logged while `body` runs (a log group on GitHub). */
  group<T>(title: string, body: () => Promise<T>): Promise<T>
}

/** Progress of one promotion (an algorithm going to one destination), for live displays. */
export type PromotionPhase = 'resolving' | 'creating' | 'fetching' | 'pushing' | 'building' | 'testing' | 'publishing' | 'done' | 'failed'

export interface ProgressListener {
  /** `destination` is always the destination's label, also while the source is being resolved. */
  (event: { readonly algorithm: string; readonly destination: string; readonly phase: PromotionPhase }): void
}

export const silentLogger: Logger = {
  info: () => {},
  warning: () => {},
  error: () => {},
  debug: () => {},
  group: (_title, body) => body()
}

/** A logger that scrubs every line (and group title) with `redact` before passing it on. */
export function redactingLogger(logger: Logger, redact: (text: string) => string): Logger {
  return {
    info: message => logger.info(redact(message)),
    warning: message => logger.warning(redact(message)),
    error: message => logger.error(redact(message)),
    debug: message => logger.debug(redact(message)),
    group: (title, body) => logger.group(redact(title), body)
  }
}
