import { settle, valueOf } from './settled.js'

/**
 * Answers to questions asked before the stage that needs them, by key: asked
 * once, taken by whoever needs them later (their failure then, not before:
 * a question asked early never goes unhandled), dropped when what they
 * describe changed.
 */
export class EarlyAnswers<T> {
  private readonly answers = new Map<string, Promise<PromiseSettledResult<T>>>()

  /** Asks now unless already asked; the answer waits until taken. */
  ask(key: string, question: () => Promise<T>): void {
    if (!this.answers.has(key)) this.answers.set(key, settle(question()))
  }

  /** The early answer when there is one, else `question` asked now. */
  async take(key: string, question: () => Promise<T>): Promise<T> {
    const early = this.answers.get(key)
    return early ? valueOf(await early) : question()
  }

  forget(key: string): void {
    this.answers.delete(key)
  }
}
