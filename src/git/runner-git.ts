import { Limiter } from '../util/concurrency.js'
import { gitEnvironment, type GitCredential } from './git-auth.js'
import { inheritedEnvironment } from './git-command.js'
import { checkInstalledGit } from './git-version.js'
import { gitHasOwnNetworkSettings, readRunnerNetworkConfig, type ConfigEntry } from './runner-config.js'

/**
 * The runner's side of every git process of one run: the environment the
 * front end was handed (git sees only an allowlisted part of it), the
 * runner's own git network settings and the git version check, each read once
 * per run. Made by the run from what the front end hands it, so no module
 * below the front ends reads the process's environment.
 */
export class RunnerGit {
  private network?: Promise<ConfigEntry[]>
  private version?: Promise<void>
  private readonly processes: Limiter

  /**
   * `maxProcesses`: git processes of the run alive at once (its `concurrency`), however much work
   * runs ahead of its stage — fetches started early wait their turn instead of piling up.
   */
  constructor(
    private readonly environment: Readonly<NodeJS.ProcessEnv>,
    maxProcesses = Number.POSITIVE_INFINITY
  ) {
    this.processes = new Limiter(maxProcesses)
  }

  /** Runs one git process of the run when its turn comes (see maxProcesses). */
  spawn<T>(run: () => Promise<T>): Promise<T> {
    return this.processes.run(run)
  }

  /** The variables any git process may inherit (see inheritedEnvironment). */
  inherited(): NodeJS.ProcessEnv {
    return inheritedEnvironment(this.environment)
  }

  /** Read once per run: the configuration does not change while we run. */
  networkConfig(): Promise<ConfigEntry[]> {
    return (this.network ??= readRunnerNetworkConfig(this.environment))
  }

  /** Fails early, with advice, on a git that is missing or too old; runs git once per run. */
  assertVersion(): Promise<void> {
    return (this.version ??= checkInstalledGit(this.inherited()))
  }

  /** What a git process that reaches `credential`'s cluster runs with: the key, the runner's CA and network settings. */
  async remoteEnvironment(credential?: GitCredential): Promise<NodeJS.ProcessEnv> {
    return gitEnvironment(credential, this.environment, await this.networkConfig())
  }

  /** Whether git reaches servers differently from the tool's own transport (then git lists refs itself). */
  async hasOwnNetworkSettings(): Promise<boolean> {
    return gitHasOwnNetworkSettings(this.environment, await this.networkConfig())
  }
}
