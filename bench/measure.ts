/** Timing, memory sampling, medians, and a small process runner. */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { Worker } from 'node:worker_threads'
import type { SamplerReport, SamplerRequest } from './rss-sampler.js'

export const sleep = (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

/** Seconds since `start` (a performance.now() value). */
export function secondsSince(start: number): number {
  return (performance.now() - start) / 1000
}

/**
 * Peak memory of a contender's processes, sampled from /proc every 10 ms by a
 * worker thread (see rss-sampler.ts). One contender at a time.
 */
export class RssSampler {
  private constructor(private readonly worker: Worker) {}

  static start(): RssSampler {
    // Workers do not inherit tsx's loader: register it before importing the TypeScript worker.
    const url = new URL('./rss-sampler.ts', import.meta.url).href
    const bootstrap = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(url)}) })`
    return new RssSampler(new Worker(bootstrap, { eval: true, workerData: { benchPid: process.pid } }))
  }

  /** Samples the tree under the bench's child whose command line contains `marker` while `work` runs. */
  async during<T>(marker: string, work: () => Promise<T>): Promise<{ value: T; memory: SamplerReport }> {
    this.worker.postMessage({ type: 'start', marker } satisfies SamplerRequest)
    try {
      const value = await work()
      return { value, memory: await this.stop() }
    } catch (error) {
      await this.stop()
      throw error
    }
  }

  private async stop(): Promise<SamplerReport> {
    const report = once(this.worker, 'message') as Promise<[SamplerReport]>
    this.worker.postMessage({ type: 'stop' } satisfies SamplerRequest)
    return (await report)[0]
  }

  close(): Promise<number> {
    return this.worker.terminate()
  }
}

export interface CommandResult {
  readonly exitCode: number
  readonly stdout: string
  readonly stderr: string
}

/** Runs a program with an argument array (never a shell string); fails on a non-zero exit unless `allowFailure`. */
export async function runCommand(
  command: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; allowFailure?: boolean } = {}
): Promise<CommandResult> {
  const child = spawn(command, args, { env: options.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] })
  const stdout: Buffer[] = []
  const stderr: Buffer[] = []
  child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk))
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk))
  const [code] = (await once(child, 'close')) as [number | null]
  const result = { exitCode: code ?? 1, stdout: Buffer.concat(stdout).toString(), stderr: Buffer.concat(stderr).toString() }
  if (result.exitCode !== 0 && !options.allowFailure) {
    throw new Error(`${command} ${args.join(' ')} exited ${result.exitCode}:\n${result.stderr}${result.stdout}`)
  }
  return result
}
