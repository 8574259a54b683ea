import { InputError } from '../../src/core/input-error.js'

/**
 * Valid action inputs for a promotion from "dev" to "prod" (owner `team` on
 * both), for unit tests of input parsing; each test adds `algorithms` and what
 * it varies.
 */
export const VALID_PROMOTION_INPUTS: Readonly<Record<string, string>> = {
  'source-cluster': 'dev.algo.example.com',
  'source-api-key': 'simSOURCEKEY',
  'source-api-key-owner': 'alice',
  'source-algo-owner': 'team',
  'dest-cluster': 'prod.algo.example.com',
  'dest-api-key': 'simDESTKEY',
  'dest-api-key-owner': 'deployer',
  'dest-algo-owner': 'team'
}

/** Canary admin keys: '/', '+' and '=' make every encoding of them differ. */
export const DEV_ADMIN_KEY = 'simCANARY/devadmin+k='
export const PROD_ADMIN_KEY = 'simCANARY/prodadmin+k='

/** Action inputs of `mode: accounts` from the cluster at `devUrl` to the one at `prodUrl`, with the canary admin keys. */
export function accountsInputs(devUrl: string, prodUrl: string, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    mode: 'accounts',
    'source-api-url': devUrl,
    'source-git-url': devUrl,
    'source-admin-api-key': DEV_ADMIN_KEY,
    'dest-api-url': prodUrl,
    'dest-git-url': prodUrl,
    'dest-admin-api-key': PROD_ADMIN_KEY,
    'retry-delay': '0.05',
    ...overrides
  }
}

/** The problems an InputError lists, as `input: message` lines; [] when `parse` succeeds. */
export function inputProblems(parse: () => unknown): string[] {
  try {
    parse()
  } catch (error) {
    if (error instanceof InputError) return error.problems.map(p => `${p.input}: ${p.message}`)
    throw error
  }
  return []
}
