// `npm run emulator`: runs one emulated cluster for local development until
// interrupted. It prints the generated API key once, because this is a local
// throwaway tool and the key is needed to use the cluster at all.
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { type ClusterVariants, type EmulatedCluster, specContractCheck, startCluster } from './index.js'
import { applySeed, parseSeed, type Seed } from './seed.js'

interface CliOptions {
  port: number
  name: string
  user: string
  buildDelayMs: number
  root?: string
  partialClone: boolean
  latencyMs: number
  variants: ClusterVariants
  contract: boolean
  seed?: string
}

const USAGE = `Usage: npm run emulator -- [--port N] [--name NAME] [--user USER] [--build-delay-ms MS] [--root DIR]
                            [--partial-clone] [--latency-ms MS] [--contract] [--variant NAME=VALUE]... [--seed FILE]
  --contract   check every API exchange against the official spec (../shared/reference/); Ctrl+C lists what did not conform
  --variant    answer otherwise than the spec, as a real cluster may: ownerAlgorithmList=paged, algorithmErrorStatus=400,
               sharedEnvironmentSpecifications=true, missingAccountStatus=409 (see emulator/README.md)
  --seed FILE  users, organizations, keys (admin keys too), algorithms and data collections to start with;
               see emulator/README.md for its JSON
Environment: EMULATOR_PARTIAL_CLONE=1 (same as --partial-clone), EMULATOR_LATENCY_MS=MS (same as --latency-ms).`

function parseOptions(argv: string[], env: NodeJS.ProcessEnv): CliOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string', default: '0' },
      name: { type: 'string', default: 'dev' },
      user: { type: 'string', default: 'demo' },
      'build-delay-ms': { type: 'string', default: '200' },
      root: { type: 'string' },
      'partial-clone': { type: 'boolean', default: false },
      'latency-ms': { type: 'string' },
      contract: { type: 'boolean', default: false },
      variant: { type: 'string', multiple: true, default: [] },
      seed: { type: 'string' },
      help: { type: 'boolean', default: false }
    }
  })
  if (values.help) {
    console.log(USAGE)
    process.exit(0)
  }
  return {
    port: nonNegativeInteger('--port', values.port),
    name: values.name,
    user: values.user,
    buildDelayMs: nonNegativeInteger('--build-delay-ms', values['build-delay-ms']),
    root: values.root,
    partialClone: values['partial-clone'] || flagFromEnvironment('EMULATOR_PARTIAL_CLONE', env.EMULATOR_PARTIAL_CLONE),
    latencyMs: nonNegativeInteger('--latency-ms', values['latency-ms'] ?? (env.EMULATOR_LATENCY_MS || '0')),
    variants: parseVariants(values.variant),
    contract: values.contract,
    seed: values.seed
  }
}

const VARIANT_VALUES: Record<keyof ClusterVariants, Record<string, unknown>> = {
  ownerAlgorithmList: { array: 'array', paged: 'paged' },
  algorithmErrorStatus: { '200': 200, '400': 400 },
  sharedEnvironmentSpecifications: { true: true, false: false },
  missingAccountStatus: { '404': 404, '409': 409 }
}

function parseVariants(entries: string[]): ClusterVariants {
  const variants: Record<string, unknown> = {}
  for (const entry of entries) {
    const [name, value] = entry.split('=', 2)
    const allowed = VARIANT_VALUES[name as keyof ClusterVariants] as Record<string, unknown> | undefined
    if (!allowed || value === undefined || !(value in allowed)) {
      throw new Error(
        `--variant ${entry}: use one of ${Object.entries(VARIANT_VALUES)
          .flatMap(([n, v]) => Object.keys(v).map(k => `${n}=${k}`))
          .join(', ')}`
      )
    }
    variants[name] = allowed[value]
  }
  return variants as ClusterVariants
}

function flagFromEnvironment(name: string, value: string | undefined): boolean {
  if (value === undefined || value === '' || value === '0' || value === 'false') return false
  if (value === '1' || value === 'true') return true
  throw new Error(`${name} must be 1, true, 0 or false, got ${value}`)
}

function nonNegativeInteger(flag: string, value: string): number {
  const parsed = Number(value)
  if (!Number.isInteger(parsed) || parsed < 0) throw new Error(`${flag} must be a non-negative integer, got ${value}`)
  return parsed
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2), process.env)
  // Read before the cluster starts, so a broken seed file stops nothing half-made.
  const seed: Seed | undefined = options.seed ? parseSeed(await readFile(options.seed, 'utf8'), options.seed) : undefined
  const contract = options.contract ? await specContractCheck(fileURLToPath(new URL('..', import.meta.url))) : undefined
  const started = startCluster({
    name: options.name,
    port: options.port,
    buildDelayMs: options.buildDelayMs,
    root: options.root,
    partialClone: options.partialClone,
    latencyMs: options.latencyMs,
    variants: options.variants,
    contract
  })
  stopOnSignals(started, contract !== undefined)
  const cluster = await started
  cluster.addUser(options.user)
  const key = cluster.addKey(options.user)
  console.log(`Algorithmia cluster emulator "${cluster.name}" listening on ${cluster.url}`)
  console.log(`  API:  ${cluster.url}/v1`)
  console.log(`  Git:  ${cluster.url}/git/<owner>/<algorithm>.git`)
  console.log(`  Partial clone: ${options.partialClone ? 'on' : 'off'}; added latency: ${options.latencyMs} ms`)
  const variants = Object.entries(options.variants).map(([name, value]) => `${name}=${String(value)}`)
  console.log(`  Variants: ${variants.length ? variants.join(', ') : 'none (the spec)'}; contract check: ${contract ? 'on' : 'off'}`)
  console.log(`  User: ${options.user}`)
  console.log(`  Key:  ${key}`)
  for (const seeded of seed ? await applySeed(cluster, seed) : []) {
    console.log(`  Key:  ${seeded.key} (${seeded.owner}${seeded.admin ? ', admin' : ''}, from the seed file)`)
  }
  console.log('Press Ctrl+C to stop.')
}

/**
 * Stops the cluster, removing its temporary folder, on SIGINT or SIGTERM. Listening from before the
 * cluster starts: a signal sent as soon as "Press Ctrl+C" is read, or during startup, would otherwise
 * end the process with its default action and leave the folder behind. `on`, not `once`: a second
 * signal (Ctrl+C pressed twice) waits for the same stop(). With the contract check, what did not
 * conform is listed first.
 */
function stopOnSignals(started: Promise<EmulatedCluster>, contract: boolean): void {
  let stopping: Promise<void> | undefined
  const shutdown = (): void => {
    stopping ??= started.then(cluster => {
      if (contract) reportContract(cluster)
      return cluster.stop()
    })
    stopping.then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error)
        process.exit(1)
      }
    )
  }
  process.on('SIGINT', shutdown)
  process.on('SIGTERM', shutdown)
}

function reportContract(cluster: EmulatedCluster): void {
  const violations = [...new Set(cluster.contractViolations)]
  console.log(`Contract check: ${violations.length} exchange(s) did not conform to the spec${violations.length ? ':' : '.'}`)
  for (const violation of violations) console.log(`  ${violation}`)
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error)
  console.error(USAGE)
  process.exit(1)
})
