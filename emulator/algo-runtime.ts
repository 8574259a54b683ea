// What calling an algorithm answers, worked out from its code: the emulator
// runs no user code, but reads the one shape every template starts with, the
// body of `apply(input)` in `src/<name>.py`. A tree whose apply() raises is
// how a test makes an algorithm that builds but fails when called; one that
// returns `"text" + input["field"]` reads a field of a JSON object input; one
// that returns `client.algo("owner/name/1.*").pipe(input).result` calls
// another algorithm of the same cluster, through `call`.
import { createHash } from 'node:crypto'

export type CallOutcome = { ok: true; result: unknown } | { ok: false; message: string; stacktrace: string }

/** Calls `owner/name[/version]` (as the algorithm's code wrote it) on behalf of the running algorithm. */
export type AlgorithmCaller = (address: string, input: unknown) => Promise<CallOutcome>

/** `return <client>.algo("…").pipe(input).result`, with the client made in place or at module level. */
const PIPE = /^return\s+(Algorithmia\.client\(\s*\)|client)\.algo\(\s*(["'])([^"']*)\2\s*\)\.pipe\(\s*input\s*\)\.result$/
const MODULE_CLIENT = /^client\s*=\s*Algorithmia\.client\(\s*\)\s*$/m
/** The Python client raises this for an error answer; it goes up through each caller unchanged. */
const CLIENT_EXCEPTION = 'AlgorithmException'

export async function callAlgorithmCode(
  name: string,
  files: Record<string, Buffer>,
  input: unknown,
  call: AlgorithmCaller
): Promise<CallOutcome> {
  const entry = `src/${name}.py`
  const source = files[entry]?.toString('utf8')
  if (source === undefined) return failure(`ModuleNotFoundError: No module named 'src.${name}'`, entry)
  const statement = firstStatementOfApply(source)
  if (statement === undefined) return failure(`AttributeError: module 'src.${name}' has no attribute 'apply'`, entry)
  const piped = PIPE.exec(statement)
  if (piped) return pipe(piped[1] === 'client' && !MODULE_CLIENT.test(source), piped[3], input, entry, call)
  return answerOf(statement, files, input, entry)
}

/** What a statement that calls no other algorithm answers. */
function answerOf(statement: string, files: Record<string, Buffer>, input: unknown, entry: string): CallOutcome {
  const raised = /^raise\s+([A-Za-z_][A-Za-z0-9_]*)\(\s*(["'])(.*)\2\s*\)$/.exec(statement)
  if (raised) return failure(`${raised[1]}: ${raised[3]}`, entry)
  if (/^return\s+input$/.test(statement)) return { ok: true, result: input }
  const greeting = /^return\s+(["'])(.*)\1\s*\+\s*input(?:\[\s*(["'])(\w+)\3\s*\])?$/.exec(statement)
  if (greeting) {
    const field = greeting[4]
    const value = field === undefined ? { ok: true as const, value: input } : fieldOf(input, field, entry)
    if (!value.ok) return value
    if (typeof value.value !== 'string') {
      return failure(`TypeError: can only concatenate str (not "${pythonTypeOf(value.value)}") to str`, entry)
    }
    return { ok: true, result: greeting[2] + value.value }
  }
  // Any other code: an answer that depends only on the tree and the input.
  return { ok: true, result: { input, code: treeDigest(files) } }
}

/** The answer of the algorithm called; an error answer is the caller's own failure, as the client raises it. */
async function pipe(clientUndefined: boolean, address: string, input: unknown, entry: string, call: AlgorithmCaller): Promise<CallOutcome> {
  if (clientUndefined) return failure("NameError: name 'client' is not defined", entry)
  const outcome = await call(address, input)
  if (outcome.ok) return outcome
  if (outcome.message.startsWith(`${CLIENT_EXCEPTION}: `)) return { ok: false, message: outcome.message, stacktrace: outcome.stacktrace }
  return failure(`${CLIENT_EXCEPTION}: ${outcome.message}`, entry)
}

/** `input["field"]` as Python reads it: a dict's entry, or the error any other value raises. */
function fieldOf(input: unknown, field: string, entry: string): { ok: true; value: unknown } | (CallOutcome & { ok: false }) {
  if (typeof input === 'string') return failure('TypeError: string indices must be integers', entry)
  if (Buffer.isBuffer(input)) return failure('TypeError: byte indices must be integers or slices, not str', entry)
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    const kind = Array.isArray(input)
      ? 'list indices must be integers or slices, not str'
      : `'${pythonTypeOf(input)}' object is not subscriptable`
    return failure(`TypeError: ${kind}`, entry)
  }
  if (!(field in input)) return failure(`KeyError: '${field}'`, entry)
  return { ok: true, value: (input as Record<string, unknown>)[field] }
}

/** The first statement inside `def apply(input):`, or undefined without one. */
function firstStatementOfApply(source: string): string | undefined {
  const lines = source.split('\n')
  const start = lines.findIndex(line => /^def\s+apply\s*\(\s*input\s*\)\s*:/.test(line))
  if (start < 0) return undefined
  for (const line of lines.slice(start + 1)) {
    const text = line.trim()
    if (text === '' || text.startsWith('#')) continue
    return /^\s/.test(line) ? text : undefined
  }
  return undefined
}

function treeDigest(files: Record<string, Buffer>): string {
  const hash = createHash('sha256')
  for (const path of Object.keys(files).sort()) hash.update(path).update('\0').update(files[path]).update('\0')
  return hash.digest('hex').slice(0, 12)
}

function pythonTypeOf(value: unknown): string {
  if (value === null) return 'NoneType'
  if (Buffer.isBuffer(value)) return 'bytes'
  if (Array.isArray(value)) return 'list'
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float'
  if (typeof value === 'boolean') return 'bool'
  return 'dict'
}

function failure(message: string, entry: string): CallOutcome & { ok: false } {
  return { ok: false, message, stacktrace: `Traceback (most recent call last):\n  File "${entry}", in apply\n${message}` }
}
