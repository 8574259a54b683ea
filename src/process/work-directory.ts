import { rmSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import path from 'node:path'
import { stopRunningGit } from '../git/git-command.js'

const PREFIX = 'algorithmia-promote-'

/** Makes the run's own folder for temporary repositories inside `parent` (RUNNER_TEMP, or the system's). */
export async function createWorkDirectory(parent: string): Promise<string> {
  return mkdtemp(path.join(path.resolve(parent), PREFIX))
}

/** Cleanup never replaces the run's results with its own error; it says what was left behind instead. */
export async function removeWorkDirectory(workDir: string, warn: (message: string) => void): Promise<void> {
  try {
    await rm(workDir, { recursive: true, force: true, maxRetries: 3, retryDelay: 100 })
  } catch (error) {
    warn(
      `could not remove the temporary repositories in ${workDir} (${(error as Error).message}); they hold no credentials, but delete them if the runner is reused.`
    )
  }
}

/**
 * A cancelled job (SIGTERM) or Ctrl-C (SIGINT) must not leave repositories
 * behind: remove them synchronously, then let the signal end the process as
 * usual. Returns a function that stops listening.
 */
export function removeOnSignal(workDir: string): () => void {
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM']
  const stop = (): void => {
    for (const name of signals) process.removeListener(name, handler)
  }
  const handler = (signal: NodeJS.Signals): void => {
    // A git process still writing into the folder would race its removal.
    stopRunningGit()
    rmSync(workDir, { recursive: true, force: true })
    stop()
    process.kill(process.pid, signal)
  }
  for (const name of signals) process.once(name, handler)
  return stop
}

/**
 * Runs `body` with a fresh work directory that is removed afterwards, also
 * when the run fails or the process is interrupted.
 */
export async function withWorkDirectory<T>(
  parent: string,
  warn: (message: string) => void,
  body: (workDir: string) => Promise<T>,
  onCreated: (workDir: string) => void = () => {}
): Promise<T> {
  const workDir = await createWorkDirectory(parent)
  onCreated(workDir)
  const stopListening = removeOnSignal(workDir)
  try {
    return await body(workDir)
  } finally {
    await removeWorkDirectory(workDir, warn)
    stopListening()
  }
}
