/**
 * Valid action inputs for a promotion from "dev" to "prod" (owner `team` on
 * both), for unit tests of input parsing; each test adds `algorithms` and what
 * it varies.
 */
export const VALID_PROMOTION_INPUTS: Readonly<Record<string, string>> = {
  'source-cluster': 'dev.algo.example.com',
  'source-api-key': 'simSOURCEKEY',
  'source-api-key-owner': 'alice',
  'source-algo-owner': 'team',
  'dest-cluster': 'prod.algo.example.com',
  'dest-api-key': 'simDESTKEY',
  'dest-api-key-owner': 'deployer',
  'dest-algo-owner': 'team'
}
