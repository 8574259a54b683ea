// Errors carry the exact HTTP status and JSON body the real API would send, so
// service code can throw them and both the HTTP layer and the in-process API
// surface the same information.

export const ErrorCode = {
  algorithmNotFound: 1000,
  algorithmNameTaken: 1002,
  versionAlreadyPublished: 1007,
  buildNotFound: 1010,
  buildLogsNotFound: 1011,
  notAuthorized: 2001,
  notAuthenticated: 2002,
  malformedJson: 2013,
  invalidRequest: 2015,
  userNotFound: 3000,
  usernameTaken: 3003,
  emailTaken: 3004,
  missingRequiredFields: 3005,
  organizationNotFound: 3100,
  organizationExists: 3101,
  organizationTypeNotFound: 3108,
  unknownLanguage: 4001,
  internal: 5001,
  invalidMarker: 5002,
  invalidLimit: 5003,
  validation: 6001
} as const

export type ErrorBody = { error: { code: number; message: string } } | { error: string }

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorBody
  ) {
    super(typeof body.error === 'string' ? body.error : body.error.message)
    this.name = 'ApiError'
  }
}

export function apiError(status: number, code: number, message: string): ApiError {
  return new ApiError(status, { error: { code, message } })
}

/**
 * The spec's Error object (code 1000, AlgorithmNotFound). The public docs show a
 * bare string `{"error":"No such algorithm"}`; the action reads both (its unit tests cover the string).
 */
export function noSuchAlgorithm(): ApiError {
  return apiError(404, ErrorCode.algorithmNotFound, 'No such algorithm')
}

export function notAuthenticated(): ApiError {
  return apiError(401, ErrorCode.notAuthenticated, 'Unknown or invalid API key')
}

export function notAuthorized(): ApiError {
  return apiError(403, ErrorCode.notAuthorized, 'Caller is not authorized to perform the operation')
}

export function validationError(message: string): ApiError {
  return apiError(400, ErrorCode.validation, message)
}

export function invalidRequest(message: string, status = 400): ApiError {
  return apiError(status, ErrorCode.invalidRequest, message)
}
