/** One problem with one input, phrased so the user knows what to change. */
export interface InputProblem {
  readonly input: string
  readonly message: string
}

/** Raised before any network request when inputs are unusable; lists every problem at once. */
export class InputError extends Error {
  constructor(readonly problems: readonly InputProblem[]) {
    super(problems.map(problem => `Input '${problem.input}': ${problem.message}`).join('\n'))
    this.name = 'InputError'
  }
}
