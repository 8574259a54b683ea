/**
 * The default of every input that has one. action.yml declares the same values
 * and the CLI's help shows these; a unit test checks that all three agree.
 */
export const INPUT_DEFAULTS = {
  publish: 'false',
  'version-type': 'minor',
  metadata: 'create',
  'missing-secrets': 'fail',
  dependencies: 'warn',
  'build-timeout': '600',
  'dry-run': 'false',
  mode: 'promote',
  'create-owner': 'false',
  'commit-message': 'Promote {algorithm} {source-version} from {source-cluster}',
  'collections-prune': 'false',
  concurrency: '4',
  'max-attempts': '5',
  'retry-delay': '1',
  'request-timeout': '30'
} as const satisfies Readonly<Record<string, string>>

export type DefaultedInput = keyof typeof INPUT_DEFAULTS

/** The declared default of an input, or '' when it has none. */
export function defaultOf(input: string): string {
  return Object.hasOwn(INPUT_DEFAULTS, input) ? INPUT_DEFAULTS[input as DefaultedInput] : ''
}
