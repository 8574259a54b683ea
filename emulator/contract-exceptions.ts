// The one list of places where the contract check (contract.ts) does not hold
// the emulator to the official spec, each with its reason. An entry belongs here
// only where the spec contradicts itself, its own examples or the official
// clients, or where the spec leaves a status out that a server must send.

export interface ContractException {
  /** operationIds of the spec, or '*' for every operation. */
  operations: readonly string[] | '*'
  where: 'request' | 'response'
  /** Only answers with this status. */
  status?: number
  /** Matches the problem text the check reports. */
  problem: RegExp
  reason: string
}

/** Routes the emulator serves that the spec does not describe at all. */
export const PATHS_OUTSIDE_THE_SPEC: readonly { pattern: RegExp; reason: string }[] = [
  {
    pattern: /^\/v1\/algorithm-environments\//,
    reason: "Environments are in Algorithmia's public docs and clients, not in the 1.5.1 spec."
  },
  {
    pattern: /^\/git\//,
    reason: "Git smart HTTP is git's protocol, not the management API."
  }
]

export const CONTRACT_EXCEPTIONS: readonly ContractException[] = [
  {
    operations: ['createOrganization', 'getOrganization', 'listOrganizations', 'updateOrganization'],
    where: 'response',
    problem: /\/org_contact_name must match pattern/,
    reason: "org_contact_name's pattern allows no spaces, yet the spec's own example is a person's name with a space."
  },
  {
    operations: ['createOrganization', 'updateOrganization'],
    where: 'request',
    problem: /\/org_contact_name must match pattern/,
    reason: "org_contact_name's pattern allows no spaces, yet the spec's own example is a person's name with a space."
  },
  {
    operations: ['callAlgorithm', 'callAlgorithmById'],
    where: 'request',
    problem: /\/path\/algoCallableVersion must match pattern/,
    reason:
      "algoCallableVersion's pattern refuses a git hash and any major version above 9, yet its own description gives a hash as an example."
  },
  {
    operations: ['callAlgorithm', 'callAlgorithmById'],
    where: 'request',
    problem: /\/requestBody must be string/,
    reason: 'An application/json input is any JSON text; the spec types the parsed body as a string (the text before parsing).'
  },
  {
    operations: ['callAlgorithm', 'callAlgorithmById'],
    where: 'response',
    problem: /must match exactly one schema in oneOf/,
    reason:
      'AlgorithmInvocationResult is oneOf the asynchronous and the synchronous result, but the synchronous one requires no field, so an asynchronous answer matches both.'
  },
  {
    operations: ['callAlgorithm', 'callAlgorithmById'],
    where: 'response',
    status: 200,
    problem: /\/ must be object/,
    reason:
      "output=raw answers the result without the JSON wrapper, as the spec's own parameter says; the 200 schema describes only the wrapped answer."
  },
  {
    operations: ['listMembers'],
    where: 'request',
    problem: /^\/query must NOT have additional properties/,
    reason: 'listMembers answers a PagedResultList (with marker and next_link) but declares no limit or marker parameter to page it with.'
  },
  {
    operations: ['createUser', 'createOrganization'],
    where: 'request',
    problem: /\/requestBody must have required property '(resource_type|id|self_link)'/,
    reason:
      'User and Organization list read-only fields (resource_type, id, self_link) as required; OpenAPI 3.0 says a required readOnly property does not apply to requests, which the validator does not know.'
  },
  {
    operations: ['createAlgorithmSecret'],
    where: 'request',
    problem: /must have required property '(id|secretKey)'/,
    reason: "The spec requires 'id' (which the server assigns) and 'secretKey' (its property is named secret_key) in a create request."
  },
  {
    operations: ['getUser', 'getOrganization', 'listAlgorithmsForUser'],
    where: 'response',
    status: 404,
    problem: /status 404 is not one the spec lists/,
    reason: 'The spec lists only 409 for a missing user or organization; servers may answer 404, and the action takes both as missing.'
  },
  {
    operations: '*',
    where: 'response',
    problem: /status (400|401|403|404|500) is not one the spec lists/,
    reason:
      'Many operations list only some of the error statuses every route can answer (no key: 401, no access: 403, refused body: 400, missing: 404); the body is still checked against the Error schema elsewhere.'
  }
]

/**
 * Requests of the action itself that the spec does not allow. Not the spec's
 * fault: each is a defect to fix where it is named, listed here so that it is
 * seen rather than hidden, and removed with its fix.
 */
export const KNOWN_ACTION_DEPARTURES: readonly ContractException[] = []
