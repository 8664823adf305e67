/**
 * The fake Bot Framework connector for tests. It lives in tools/ (bench code does not import
 * test/, and bench/teams-fanout drives the same fake with its limits on).
 */
export * from '../../tools/fakeConnector.js';
