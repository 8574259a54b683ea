import { read } from 'read'
import type { InputProblem } from '../core/input-error.js'

/** The inputs that hold keys: never flags, always the environment or a prompt. */
export const KEY_INPUTS = ['source-api-key', 'dest-api-key'] as const
export type KeyInput = (typeof KEY_INPUTS)[number]

/** Our own names first, then those of the widely shared migration script, so teams can keep the variables they already export. */
const KEY_VARIABLES: Record<KeyInput, readonly [string, string]> = {
  'source-api-key': ['SOURCE_API_KEY', 'SOURCE_ACCOUNT_API_KEY'],
  'dest-api-key': ['DEST_API_KEY', 'DEST_ACCOUNT_API_KEY']
}

export type Keys = Partial<Record<KeyInput, string>>

/** Admin keys, for `--mode accounts` and `--create-owner`: only ever from the environment, never asked for. */
export const ADMIN_KEY_VARIABLES = {
  'source-admin-api-key': 'SOURCE_ADMIN_API_KEY',
  'dest-admin-api-key': 'DEST_ADMIN_API_KEY'
} as const

export type AdminKeyInput = keyof typeof ADMIN_KEY_VARIABLES

export function adminKeysFromEnvironment(env: NodeJS.ProcessEnv): Partial<Record<AdminKeyInput, string>> {
  const keys: Partial<Record<AdminKeyInput, string>> = {}
  for (const [input, variable] of Object.entries(ADMIN_KEY_VARIABLES) as [AdminKeyInput, string][]) {
    const value = env[variable]?.trim()
    if (value) keys[input] = value
  }
  return keys
}

export function isAdminKeyInput(name: string): name is AdminKeyInput {
  return Object.hasOwn(ADMIN_KEY_VARIABLES, name)
}

export function keyVariablesOf(input: KeyInput): readonly [string, string] {
  return KEY_VARIABLES[input]
}

export function isKeyInput(name: string): name is KeyInput {
  return (KEY_INPUTS as readonly string[]).includes(name)
}

/** The keys set in the environment; an empty variable counts as unset, so the next name is tried. */
export function keysFromEnvironment(env: NodeJS.ProcessEnv): Keys {
  const keys: Keys = {}
  for (const input of KEY_INPUTS) {
    const value = KEY_VARIABLES[input].map(name => env[name]?.trim()).find(Boolean)
    if (value) keys[input] = value
  }
  return keys
}

/** A prompt needs someone to type (stdin) and somewhere to ask that is not the results (stderr). */
export function canPrompt(): boolean {
  return process.stdin.isTTY === true && process.stderr.isTTY === true
}

/** Asks for a key without echoing it; the question goes to stderr so stdout keeps only results. '' when none was typed. */
export async function promptForKey(question: string): Promise<string> {
  try {
    return (await read({ prompt: question, silent: true, replace: '', output: process.stderr })).trim()
  } catch {
    // Ctrl-C or Ctrl-D at the prompt.
    process.stderr.write('\n')
    return ''
  }
}

/**
 * Rewords parseConfig's problem with a key (phrased for the action's
 * secrets) for the command line, where keys are environment variables.
 */
export function keyProblem(input: KeyInput, message: string, keys: Keys): InputProblem {
  const [primary, alternative] = KEY_VARIABLES[input]
  if (keys[input]) return { input: primary, message }
  return { input: primary, message: `is not set: set ${primary} (or ${alternative}) to the key, or run on a terminal to be asked for it` }
}
