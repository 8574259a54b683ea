/** A failure kept as a value until someone asks for the answer, so a question asked early never goes unhandled. */
type Held<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown }

/**
 * Answers to questions asked before the stage that needs them, by key: asked
 * once, taken by whoever needs them later (their failure then, not before),
 * dropped when what they describe changed.
 */
export class EarlyAnswers<T> {
  private readonly answers = new Map<string, Promise<Held<T>>>()

  /** Asks now unless already asked; the answer waits until taken. */
  ask(key: string, question: () => Promise<T>): void {
    if (this.answers.has(key)) return
    this.answers.set(
      key,
      question().then(
        value => ({ ok: true, value }),
        (error: unknown) => ({ ok: false, error })
      )
    )
  }

  /** The early answer when there is one, else `question` asked now. */
  async take(key: string, question: () => Promise<T>): Promise<T> {
    const early = this.answers.get(key)
    if (!early) return question()
    const held = await early
    if (!held.ok) throw held.error
    return held.value
  }

  forget(key: string): void {
    this.answers.delete(key)
  }
}
