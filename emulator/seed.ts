/**
 * A seed file for `npm run emulator -- --seed FILE`: the users, organizations, keys, algorithms and data
 * collections a cluster starts with, so that a person can try a promotion, a migration (`mode: accounts`,
 * admin keys) or a data copy by hand. JSON:
 *
 *   {
 *     "users": ["alice", { "name": "bob", "email": "bob@example.com" }],
 *     "organizations": [{ "name": "data_science", "members": ["alice"] }],
 *     "keys": [{ "owner": "alice" }, { "owner": "alice", "admin": true, "key": "fixedAdminKey123" }],
 *     "algorithms": [{ "owner": "data_science", "name": "hello", "files": { "src/hello.py": "..." }, "publish": "minor" }],
 *     "collections": [{ "owner": "data_science", "name": "models", "files": { "weights.json": "{}" } }]
 *   }
 *
 * An algorithm with a published history gives "versions" instead of "files": each entry is one commit (its
 * whole tree) on top of the previous one, built and published with its bump, e.g.
 * `{ "files": {...}, "publish": "minor", "visibility": "private", "sample_input": "42", "release_notes": "..." }`.
 */
import type { HistoryVersion } from './history.js'
import type { EmulatedCluster } from './index.js'

export interface SeedUser {
  readonly name: string
  readonly email?: string
  readonly fullname?: string
}

export interface Seed {
  readonly users?: ReadonlyArray<string | SeedUser>
  readonly organizations?: ReadonlyArray<{ readonly name: string; readonly members?: readonly string[] }>
  readonly keys?: ReadonlyArray<{ readonly owner: string; readonly admin?: boolean; readonly key?: string }>
  readonly algorithms?: ReadonlyArray<{
    readonly owner: string
    readonly name: string
    /** The tree of the one commit; without `versions`, required. */
    readonly files?: Readonly<Record<string, string>>
    readonly publish?: 'major' | 'minor' | 'revision'
    /** A published history, oldest first; instead of `files`/`publish`. */
    readonly versions?: readonly HistoryVersion[]
  }>
  readonly collections?: ReadonlyArray<{ readonly owner: string; readonly name: string; readonly files?: Readonly<Record<string, string>> }>
}

/** A key the seed made, for the emulator to print: `alice (admin): simA1b2…`. */
export interface SeededKey {
  readonly owner: string
  readonly admin: boolean
  readonly key: string
}

const SECTIONS = ['users', 'organizations', 'keys', 'algorithms', 'collections']

/** The seed file's JSON, checked enough to name what is wrong (`keys[1]: "owner" is missing`). */
export function parseSeed(text: string, file: string): Seed {
  let seed: unknown
  try {
    seed = JSON.parse(text)
  } catch (error) {
    throw new Error(`${file} is not JSON: ${(error as Error).message}`)
  }
  if (typeof seed !== 'object' || seed === null || Array.isArray(seed)) throw new Error(`${file} must hold a JSON object`)
  const unknown = Object.keys(seed).filter(key => !SECTIONS.includes(key))
  if (unknown.length > 0) throw new Error(`${file} has unknown sections ${unknown.join(', ')}: use ${SECTIONS.join(', ')}`)
  for (const section of SECTIONS) {
    const entries = (seed as Record<string, unknown>)[section]
    if (entries !== undefined && !Array.isArray(entries)) throw new Error(`${file}: "${section}" must be a list`)
  }
  requireField(seed as Seed, 'organizations', 'name', file)
  requireField(seed as Seed, 'keys', 'owner', file)
  requireField(seed as Seed, 'algorithms', 'owner', file)
  requireField(seed as Seed, 'algorithms', 'name', file)
  requireAlgorithmTrees(seed as Seed, file)
  requireField(seed as Seed, 'collections', 'owner', file)
  requireField(seed as Seed, 'collections', 'name', file)
  return seed as Seed
}

function requireField(seed: Seed, section: keyof Seed, field: string, file: string): void {
  for (const [index, entry] of ((seed[section] ?? []) as unknown[]).entries()) {
    if (typeof entry !== 'object' || entry === null || !(field in entry)) {
      throw new Error(`${file}: ${section}[${index}]: "${field}" is missing`)
    }
  }
}

/** Each algorithm has `files` or a list of `versions` (not both), and each version its `files` and `publish`. */
function requireAlgorithmTrees(seed: Seed, file: string): void {
  for (const [index, algorithm] of (seed.algorithms ?? []).entries()) {
    const where = `${file}: algorithms[${index}]`
    if (algorithm.versions === undefined) {
      if (!('files' in algorithm)) throw new Error(`${where}: "files" is missing (or give "versions")`)
      continue
    }
    if (!Array.isArray(algorithm.versions)) throw new Error(`${where}: "versions" must be a list`)
    if ('files' in algorithm || 'publish' in algorithm) throw new Error(`${where}: give "versions" or "files"/"publish", not both`)
    for (const [at, version] of algorithm.versions.entries()) {
      for (const field of ['files', 'publish']) {
        if (typeof version !== 'object' || version === null || !(field in version))
          throw new Error(`${where}.versions[${at}]: "${field}" is missing`)
      }
    }
  }
}

/** Applies a seed in dependency order: accounts, keys, algorithms (built, published if asked), collections. */
export async function applySeed(cluster: EmulatedCluster, seed: Seed): Promise<SeededKey[]> {
  for (const user of seed.users ?? []) {
    if (typeof user === 'string') cluster.addUser(user)
    else cluster.addUser(user.name, { ...(user.email ? { email: user.email } : {}), ...(user.fullname ? { fullname: user.fullname } : {}) })
  }
  for (const org of seed.organizations ?? []) cluster.addOrg(org.name, [...(org.members ?? [])])
  const keys = (seed.keys ?? []).map(({ owner, admin = false, key }) => ({ owner, admin, key: cluster.addKey(owner, { admin, key }) }))
  for (const algorithm of seed.algorithms ?? []) await applyAlgorithm(cluster, algorithm)
  for (const collection of seed.collections ?? []) {
    cluster.data.createCollection(collection.owner, collection.name)
    for (const [file, body] of Object.entries(collection.files ?? {}))
      await cluster.data.putFile(collection.owner, collection.name, file, body)
  }
  return keys
}

async function applyAlgorithm(cluster: EmulatedCluster, algorithm: NonNullable<Seed['algorithms']>[number]): Promise<void> {
  const { owner, name } = algorithm
  cluster.createAlgorithm(owner, name)
  if (algorithm.versions) {
    await cluster.publishHistory(owner, name, algorithm.versions)
    return
  }
  const commit = await cluster.commit(owner, name, { ...algorithm.files })
  if (!algorithm.publish) return
  await cluster.waitForBuild(owner, name, commit)
  await cluster.publish(owner, name, algorithm.publish)
}
