import type { AlgorithmObjects } from './algorithm-objects.js'
import { isRecordedHead, promotionRecordRef } from './code-sync.js'
import type { DestinationState } from './destination.js'
import type { DestinationAddress, DestinationLookups } from './destination-lookups.js'

/** A destination as the stages before the code sync know it. */
export interface CodeChangeTarget extends DestinationAddress {
  readonly destinationState: DestinationState
  readonly objects: AlgorithmObjects
}

/**
 * Whether the code sync will push (or, in a dry run, would push) to this
 * destination. It will not when the destination's head is the commit its
 * promotion record names for this source commit — the rule the code sync
 * decides "unchanged" by, read from the same one ref listing, no objects.
 * A destination whose refs cannot be listed counts as changing: the code
 * sync then reports why. Stages that read the promoted code before it is
 * synced (data references, algorithm calls) read it only where it changes,
 * so an unchanged re-run moves no source object.
 */
export async function codeWillChange(target: CodeChangeTarget, destinations: DestinationLookups): Promise<boolean> {
  if (target.destinationState !== 'exists') return true
  try {
    const probe = await target.objects.probe()
    const listed = await destinations.refsOf(target)
    const head = await probe.remoteHead(target.remote, promotionRecordRef(target.objects.sourceCommit), listed)
    return !isRecordedHead(head)
  } catch {
    return true
  }
}
