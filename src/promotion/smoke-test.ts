import type { CallAnswer } from '../cluster/runtime-api.js'
import type { ClusterSession } from '../cluster/session.js'
import type { SmokeTest, SmokeTestCase } from '../core/config.js'
import { PromotionError } from './failure.js'

const SHOWN_CHARS = 200

export interface SmokeTestRun {
  readonly test: SmokeTest
  readonly source: ClusterSession
  readonly destination: ClusterSession
  readonly algorithm: string
  readonly sourceCommit: string
  /** The destination build to call: the commit that was pushed and built. */
  readonly destinationCommit: string
  /** The source version's sample input, for `sample-input`. */
  readonly sampleInput: unknown
}

/**
 * Calls the destination build once per case before anything is published.
 * A case with `expected` must answer exactly that; without it, any answer that
 * is not an error passes. `sample-input` compares the destination build's answer
 * with the source version's answer to the same sample input.
 */
export async function runSmokeTest(run: SmokeTestRun): Promise<number> {
  const cases = await casesOf(run)
  for (const testCase of cases) {
    const answer = await callBuild(run.destination, run.algorithm, run.destinationCommit, testCase.input)
    const expected = testCase.expectSource
      ? await callBuild(run.source, run.algorithm, run.sourceCommit, testCase.input)
      : testCase.expected
    const problem = mismatch(answer, expected, testCase.expectSource === true)
    if (problem) throw new PromotionError(failureMessage(run, testCase.input, answer, expected, problem))
  }
  return cases.length
}

interface ResolvedCase extends SmokeTestCase {
  readonly expectSource?: boolean
}

async function casesOf(run: SmokeTestRun): Promise<ResolvedCase[]> {
  if (run.test.kind === 'cases') return [...run.test.cases]
  if (run.sampleInput === undefined) {
    throw new PromotionError(
      `smoke-test is 'sample-input', but the promoted source commit has no sample input (it is not a published version with one). Give the cases as JSON instead, for example '[{"input": "Jane"}]'. Nothing was published.`
    )
  }
  return [{ input: sampleInputValue(run.sampleInput), expectSource: true }]
}

/**
 * A version's `sample_input` is text that the algorithm console parses as
 * JSON (the spec's own example is "42"): the call gets the value it denotes,
 * or the text itself when it is not JSON. The source and the destination get
 * the same value.
 */
export function sampleInputValue(sample: unknown): unknown {
  if (typeof sample !== 'string') return sample
  try {
    return JSON.parse(sample) as unknown
  } catch {
    return sample
  }
}

function callBuild(session: ClusterSession, algorithm: string, commit: string, input: unknown): Promise<CallAnswer> {
  return session.runtime.call(session.account.algoOwner, algorithm, commit, input)
}

type Expectation = CallAnswer | unknown

function mismatch(answer: CallAnswer, expected: Expectation, fromSource: boolean): string | undefined {
  if (!answer.ok) return 'the destination build answered an error'
  if (fromSource) {
    const source = expected as CallAnswer
    if (!source.ok) return 'the source version answered an error'
    return same(answer.result, source.result) ? undefined : 'the answers differ'
  }
  if (expected === undefined) return undefined
  return same(answer.result, expected) ? undefined : 'the answer is not the expected one'
}

function failureMessage(run: SmokeTestRun, input: unknown, answer: CallAnswer, expected: Expectation, problem: string): string {
  const where = `${run.destination.account.algoOwner}/${run.algorithm} at ${run.destinationCommit} on ${run.destination.account.cluster.label}`
  const expectedText =
    run.test.kind === 'sample-input' ? `the source version answered ${showAnswer(expected as CallAnswer)}` : `expected ${trim(expected)}`
  return `smoke test failed for ${where}: ${problem}. Input ${trim(input)}; ${expectedText}; the destination build answered ${showAnswer(answer)}. Nothing was published: fix the source (or the test case) and promote again.`
}

function showAnswer(answer: CallAnswer): string {
  return answer.ok ? trim(answer.result) : `the error ${trim(answer.error)}`
}

function trim(value: unknown): string {
  const text = JSON.stringify(value) ?? 'undefined'
  return text.length > SHOWN_CHARS ? `${text.slice(0, SHOWN_CHARS)}… (${text.length} characters)` : text
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b))
}

/** Key order does not make two JSON answers different. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical)
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map(key => [key, canonical((value as Record<string, unknown>)[key])])
    )
  }
  return value
}
