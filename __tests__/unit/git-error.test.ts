/** Which push failures count as "the destination moved on" (rebuild and push again) and which do not. */
import { describe, expect, it } from 'vitest'
import { GitError } from '../../src/git/git-error.js'

const push = (stderr: string) => new GitError('push', 'prod ml_prod/hello', stderr, 1)
const SHA = 'a'.repeat(40)

describe('GitError.rejectedAsStale', () => {
  it.each([
    [
      `To http://h/git/o/a.git\n ! [rejected]        ${SHA} -> master (fetch first)\nerror: failed to push some refs to 'http://h/git/o/a.git'\nhint: Updates were rejected because the remote contains work that you do\nhint: not have locally.`
    ],
    [
      `To http://h/git/o/a.git\n ! [rejected]        ${SHA} -> master (non-fast-forward)\nerror: failed to push some refs to 'http://h/git/o/a.git'`
    ],
    ['hint: Updates were rejected because the tip of your current branch is behind\nhint: its remote counterpart.'],
    ['hint: Updates were rejected because a pushed branch tip is behind its remote\nhint: counterpart.']
  ])('a client-side refusal of a stale push: %s', stderr => {
    expect(push(stderr).rejectedAsStale).toBe(true)
  })

  it.each([
    [
      `To http://h/git/o/a.git\n ! [remote rejected] ${SHA} -> master (failed to update ref)\nerror: failed to push some refs to 'http://h/git/o/a.git'`
    ],
    [
      `remote: error: cannot lock ref 'refs/heads/master': Unable to create '/srv/a.git/refs/heads/master.lock': File exists.\n ! [remote rejected] ${SHA} -> master (failed to update ref)`
    ],
    [
      `remote: error: cannot lock ref 'refs/heads/master': Unable to create '/srv/a.git/refs/heads/master.lock': File exists.\n ! [remote rejected] ${SHA} -> master (atomic transaction failed)`
    ],
    [`remote: nope\n ! [remote rejected] ${SHA} -> master (pre-receive hook declined)`],
    [`remote: fatal: write error: No space left on device\n ! [remote rejected] ${SHA} -> master (unpacker error)`],
    ["fatal: unable to access 'http://h/': The requested URL returned error: 503"]
  ])('not a stale push, whatever a rebuild would do: %s', stderr => {
    expect(push(stderr).rejectedAsStale).toBe(false)
  })

  it.each([
    [
      `remote: error: cannot lock ref 'refs/heads/master': is at ${'b'.repeat(40)} but expected ${'c'.repeat(40)}\nTo http://h/git/o/a.git\n ! [remote rejected] ${SHA} -> master (failed to update ref)\nerror: failed to push some refs to 'http://h/git/o/a.git'`
    ],
    [
      `remote: error: cannot lock ref 'refs/heads/master': is at ${'b'.repeat(40)} but expected ${'c'.repeat(40)}\n ! [remote rejected] ${SHA} -> master (atomic transaction failed)\n ! [remote rejected] ${SHA} -> refs/algorithmia-promote/source/${SHA} (atomic transaction failed)`
    ],
    [
      `remote: error: cannot lock ref 'refs/heads/master': reference already exists\nTo http://h/git/o/a.git\n ! [remote rejected] ${SHA} -> master (failed to update ref)`
    ]
  ])('a push that lost the race inside the server (the branch changed under its lock) is stale: %s', stderr => {
    expect(push(stderr).rejectedAsStale).toBe(true)
  })
})
