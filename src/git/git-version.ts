import os from 'node:os'
import { MINIMUM_GIT, runGit } from './git-command.js'

export interface GitVersion {
  readonly major: number
  readonly minor: number
}

/** Why the minimum is what it is, for the message of a too-old git. */
const NEEDED_FOR = 'ls-tree --format came in 2.36, GIT_CONFIG_GLOBAL in 2.32, GIT_CONFIG_COUNT in 2.31'
const REQUIREMENT = `algorithmia-promote needs git ${MINIMUM_GIT.major}.${MINIMUM_GIT.minor} or newer (${NEEDED_FOR})`

/** Reads `git version` output: "git version 2.39.5", "2.45.1.windows.1", "2.39.3 (Apple Git-146)". */
export function parseGitVersion(output: string): GitVersion | undefined {
  const match = /git version (\d+)\.(\d+)/.exec(output)
  return match ? { major: Number(match[1]), minor: Number(match[2]) } : undefined
}

/**
 * Throws if `git version` printed a version older than the minimum. An
 * unreadable answer passes: a repackaged git may print it differently, and a
 * missing feature still fails loudly in the command that needs it.
 */
export function checkGitVersion(output: string): void {
  const version = parseGitVersion(output)
  if (!version) return
  const { major, minor } = version
  if (major < MINIMUM_GIT.major || (major === MINIMUM_GIT.major && minor < MINIMUM_GIT.minor)) {
    throw new Error(`git ${major}.${minor} is too old: ${REQUIREMENT}; install a newer git`)
  }
}

/**
 * Fails early, with advice, on a git that is missing or too old, instead of
 * later with a usage error from the middle of a promotion (RunnerGit runs it once a run).
 */
export async function checkInstalledGit(inherited: NodeJS.ProcessEnv): Promise<void> {
  let result
  try {
    result = await runGit({ args: ['version'], cwd: os.tmpdir(), inherited })
  } catch (error) {
    const cause = (error as Error).cause
    const detail = cause instanceof Error ? cause.message : (error as Error).message
    throw new Error(`git is not installed or cannot be run (${detail}): ${REQUIREMENT}; install git and make sure it is on PATH`)
  }
  checkGitVersion(result.stdout)
}
