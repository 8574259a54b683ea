// Public entry point of the Algorithmia cluster emulator: one call starts a
// real HTTP server emulating one cluster (REST API under /v1, hosted data under
// /v1/connector/data and /v1/data, git under /git).
export { startCluster } from './cluster.js'
export { ContractCheck, SPEC_RELATIVE_PATH, specContractCheck, type ContractExchange } from './contract.js'
export type {
  Algorithm,
  AlgorithmDetails,
  AlgorithmSettings,
  AlgorithmVersionInfo,
  Build,
  BuildControls,
  BuildStatus,
  ClusterOptions,
  ClusterVariants,
  CommitOptions,
  Compilation,
  CreateAlgorithmBody,
  DataControls,
  DataFaultController,
  DataFaultRule,
  DataFile,
  EmulatedCluster,
  Environment,
  EnvironmentControls,
  EnvironmentLanguage,
  NewEnvironment,
  NewSecret,
  PublishDetails,
  SecretResult,
  FaultController,
  FaultRule,
  LogEntry,
  OrgFields,
  OrgSnapshot,
  RequestRecord,
  UserFields,
  Version,
  VersionType
} from './types.js'
export { ApiError } from './errors.js'
export type { HistoryVersion } from './history.js'
