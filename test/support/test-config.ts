import { loadConfig, type Config } from '../../src/config.ts';

/** A Config for tests: the development defaults plus what the test says. */
export function testConfig(databaseUrl: string, overrides: Record<string, string> = {}): Config {
  return loadConfig({ DEPLOY_ENV: 'test', DATABASE_URL: databaseUrl, LOG_LEVEL: 'silent', ...overrides });
}
