import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig, requiredVariables, seasonFor } from '../src/config.ts';

const base = { DATABASE_URL: 'postgres://worker@db:5432/trademachine' };

test('defaults make a development config from DATABASE_URL alone', () => {
  const config = loadConfig(base, new Date('2026-03-01T00:00:00Z'));
  assert.equal(config.deployEnv, 'development');
  assert.equal(config.cronEnabled, false);
  assert.equal(config.email.provider, 'dev-mailbox');
  assert.equal(config.espn.seasonOverride, undefined);
  assert.equal(seasonFor(config.espn, new Date('2027-01-01T00:00:00Z')), 2027, 'the season is the run\'s UTC year, not the boot\'s');
  assert.equal(seasonFor(loadConfig({ ...base, ESPN_SEASON: '2025' }).espn, new Date('2027-01-01T00:00:00Z')), 2025, 'ESPN_SEASON overrides');
  assert.equal(config.espn.syncOwnership, false);
  assert.equal(config.espn.playersPagePauseMs, 1000);
  assert.equal(config.http.port, 4100);
  assert.deepEqual(
    config.targets.map((target) => [target.name, target.isProduction, target.databaseUrl, target.schema, target.frontendOrigin]),
    [
      ['production', false, base.DATABASE_URL, 'public', 'http://localhost:3000'],
      ['staging', false, base.DATABASE_URL, 'staging', 'http://localhost:3000'],
    ],
    'staging is the staging schema of the production database by default, as the owner deploys it',
  );
  assert.ok(Object.isFrozen(config) && Object.isFrozen(config.email.brevo), 'config is frozen all the way down');
});

test('every bad variable is reported at once, each named with what was wrong', () => {
  assert.throws(
    () => loadConfig({ DATABASE_URL: 'mysql://x', HTTP_PORT: '99999', ESPN_LEAGUE_ID: 'abc', CRON_ENABLED: 'sometimes', ESPN_SWID: 'not-a-guid' }),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.deepEqual(error.problems, [
        'DATABASE_URL must be a postgres:// URL (got (hidden))',
        'CRON_ENABLED must be true or false (got "sometimes")',
        'HTTP_PORT must be a port number (got "99999")',
        'ESPN_LEAGUE_ID must be a positive integer (got "abc")',
        'ESPN_SWID must be a GUID in braces, like {XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX} (got (hidden))',
      ]);
      return true;
    },
  );
});

test('a missing required variable says so', () => {
  assert.throws(() => loadConfig({}), { name: 'ConfigError', message: 'DATABASE_URL is required' });
  assert.deepEqual(requiredVariables, ['DATABASE_URL']);
});

test('empty values count as unset, so "FOO=" in an env file falls back to the default', () => {
  const config = loadConfig({ ...base, ESPN_LEAGUE_ID: '', HTTP_PORT: '' });
  assert.equal(config.espn.leagueId, undefined);
  assert.equal(config.http.port, 4100);
});

test('providers need their keys, and real email from a non-production deployment needs a redirect', () => {
  assert.throws(() => loadConfig({ ...base, EMAIL_PROVIDER: 'brevo' }), (error: ConfigError) => {
    assert.deepEqual(error.problems, [
      'BREVO_API_KEY is required when EMAIL_PROVIDER=brevo',
      'EMAIL_REDIRECT_ADDRESS is required when real email can go to a non-production target',
    ]);
    return true;
  });
  assert.throws(() => loadConfig({ ...base, DEPLOY_ENV: 'production' }), /EMAIL_PROVIDER must be brevo or mailgun when DEPLOY_ENV=production/);
  const mailgun = { ...base, DEPLOY_ENV: 'production', EMAIL_PROVIDER: 'mailgun', MAILGUN_API_KEY: 'k', MAILGUN_DOMAIN: 'mg.example.com' };
  // Production serves staging too by default, whose email must go to the redirect (the previous STAGING_EMAIL).
  assert.throws(() => loadConfig(mailgun), { message: 'EMAIL_REDIRECT_ADDRESS is required when real email can go to a non-production target' });
  const production = loadConfig({ ...mailgun, EMAIL_REDIRECT_ADDRESS: 'staging-mail@example.com' });
  assert.deepEqual(production.targets.map((target) => [target.name, target.isProduction]), [['production', true], ['staging', false]]);
  assert.deepEqual(loadConfig({ ...mailgun, STAGING_ENABLED: 'false' }).targets.map((target) => [target.name, target.isProduction]), [['production', true]]);
});

test('staging: its own server when STAGING_DATABASE_URL is set, its own schema and web app, or none at all', () => {
  const config = loadConfig({ ...base, STAGING_DATABASE_URL: 'postgres://worker@db:5432/staging', STAGING_SCHEMA: 'public', STAGING_FRONTEND_URL: 'https://staging.trades.example.com/app' });
  assert.deepEqual(
    config.targets.map((target) => [target.name, target.isProduction, target.databaseUrl, target.databaseUrlVariable, target.schema, target.frontendOrigin]),
    [
      ['production', false, base.DATABASE_URL, 'DATABASE_URL', 'public', 'http://localhost:3000'],
      ['staging', false, 'postgres://worker@db:5432/staging', 'STAGING_DATABASE_URL', 'public', 'https://staging.trades.example.com'],
    ],
  );
  assert.deepEqual(loadConfig({ ...base, STAGING_ENABLED: 'false' }).targets.map((target) => target.name), ['production']);
  assert.deepEqual(loadConfig({ ...base, OWNER_SCHEMA: 'prod', STAGING_SCHEMA: 'stg' }).targets.map((target) => target.schema), ['prod', 'stg']);
  assert.throws(() => loadConfig({ ...base, STAGING_SCHEMA: 'public' }), (error: ConfigError) => {
    assert.deepEqual(error.problems, [
      'STAGING_SCHEMA must differ from OWNER_SCHEMA when staging shares the production database (both "public"); set STAGING_ENABLED=false if there is no staging',
    ]);
    return true;
  });
  assert.throws(() => loadConfig({ ...base, STAGING_ENABLED: 'false', STAGING_DATABASE_URL: 'postgres://worker@db:5432/staging' }), {
    message: 'STAGING_DATABASE_URL is set but STAGING_ENABLED=false: unset one of them',
  });
  assert.throws(() => loadConfig({ ...base, STAGING_SCHEMA: 'staging; drop table team' }), { message: 'STAGING_SCHEMA must be a SQL identifier (got "staging; drop table team")' });
});

test('ESPN cookies come in pairs, and secrets never appear in the error', () => {
  assert.throws(() => loadConfig({ ...base, ESPN_S2: 'secret-cookie-value' }), (error: ConfigError) => {
    assert.deepEqual(error.problems, ['ESPN_S2 and ESPN_SWID must be set together (private leagues need both cookies)']);
    assert.doesNotMatch(error.message, /secret-cookie-value/);
    return true;
  });
});

test('every config error reads the same way: "<VARIABLE> must … (got …)", for every kind of variable', () => {
  const bad: Record<string, string> = {
    DEPLOY_ENV: 'prod',
    LOG_LEVEL: 'loud',
    LOG_FORMAT: 'xml',
    SCHEMA_CHECK: 'maybe',
    EMAIL_PROVIDER: 'pigeon',
    CRON_ENABLED: 'sometimes',
    HTTP_PORT: '70000',
    DATABASE_POOL_MAX: '0',
    DATABASE_WAIT_MS: '-1',
    SHUTDOWN_TIMEOUT_MS: '10',
    MAX_PAYLOAD_BYTES: '1.5',
    QUEUE_HEARTBEAT_SECONDS: '5',
    QUEUE_MONITOR_INTERVAL_SECONDS: 'soon',
    QUEUE_SCHEMA: 'Bad-Name',
    ESPN_BASE_URL: 'ftp://espn',
    EMAIL_FROM_ADDRESS: 'nobody',
  };
  let problems: readonly string[] = [];
  try {
    loadConfig({ DATABASE_URL: 'postgres://u@h/db', ...bad });
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    problems = error.problems;
  }
  assert.equal(problems.length, Object.keys(bad).length, problems.join('\n'));
  for (const [variable, value] of Object.entries(bad)) {
    const line = problems.find((problem) => problem.startsWith(`${variable} `));
    assert.ok(line, `${variable} is reported`);
    assert.ok(line.startsWith(`${variable} must `) && line.endsWith(` (got ${JSON.stringify(value)})`), line);
    assert.doesNotMatch(line, /Invalid|Too (small|big)|expected/, line);
  }
  assert.ok(problems.includes('DEPLOY_ENV must be one of development, test, staging, production (got "prod")'));
});

test('the sheets: ids optional, gids, base URL and timeout defaulted', () => {
  const config = loadConfig(base);
  assert.deepEqual(config.sheets.minors, { sheetId: undefined, gid: '806978055' });
  assert.deepEqual(config.sheets.draftPicks, { sheetId: undefined, gid: '142978697' });
  assert.equal(config.sheets.baseUrl, 'https://docs.google.com');
  assert.equal(config.sheets.timeoutMs, 30_000);
  assert.deepEqual(config.sheets.draftSeasonThresholds, [
    { date: '2025-03-01', season: 2025 },
    { date: '2026-03-01', season: 2026 },
    { date: '2027-03-01', season: 2027 },
  ]);

  const set = loadConfig({
    ...base,
    MINOR_LEAGUE_SHEET_ID: '1AbC_d-9',
    MINOR_LEAGUE_SHEET_GID: '0',
    DRAFT_PICKS_SHEET_ID: '1XyZ',
    DRAFT_PICKS_SHEET_GID: '42',
    SHEETS_BASE_URL: 'http://127.0.0.1:9999/',
    SHEETS_TIMEOUT_MS: '500',
    DRAFT_PICKS_SEASON_THRESHOLDS: ' 2029-03-15=2029 , 2028-03-01=2028',
    SHEETS_EXPECTED_OWNERS: '10',
    MINORS_MIN_PER_OWNER: '0',
    MINORS_MAX_PER_OWNER: '30',
    MINORS_UNOWN_MAX_SHARE: '0.5',
    DRAFT_PICKS_MIN_SHARE: '1',
  });
  assert.deepEqual(set.sheets, {
    baseUrl: 'http://127.0.0.1:9999',
    timeoutMs: 500,
    minors: { sheetId: '1AbC_d-9', gid: '0' },
    draftPicks: { sheetId: '1XyZ', gid: '42' },
    draftSeasonThresholds: [
      { date: '2028-03-01', season: 2028 },
      { date: '2029-03-15', season: 2029 },
    ],
    guards: { expectedOwners: 10, minorsPerOwner: { min: 0, max: 30 }, minorsUnownMaxShare: 0.5, draftPicksMinShare: 1 },
  });
  assert.deepEqual(config.sheets.guards, { expectedOwners: 20, minorsPerOwner: { min: 1, max: 60 }, minorsUnownMaxShare: 0.25, draftPicksMinShare: 0.8 });
  assert.throws(() => loadConfig({ ...base, MINORS_UNOWN_MAX_SHARE: '1.5', DRAFT_PICKS_MIN_SHARE: 'most' }), (error: unknown) => {
    assert.ok(error instanceof ConfigError);
    assert.deepEqual(error.problems, [
      'MINORS_UNOWN_MAX_SHARE must be a number from 0 to 1 (got "1.5")',
      'DRAFT_PICKS_MIN_SHARE must be a number from 0 to 1 (got "most")',
    ]);
    return true;
  });
});

test('bad sheet variables are reported each in the usual "<VARIABLE> must … (got …)" form', () => {
  const bad: Record<string, string> = {
    MINOR_LEAGUE_SHEET_ID: 'has/slash',
    DRAFT_PICKS_SHEET_ID: 'spaces here',
    MINOR_LEAGUE_SHEET_GID: '12a',
    DRAFT_PICKS_SHEET_GID: '-1',
    SHEETS_BASE_URL: 'docs.google.com',
    SHEETS_TIMEOUT_MS: '0',
  };
  assert.throws(
    () => loadConfig({ ...base, ...bad }),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.problems.length, Object.keys(bad).length, error.problems.join('\n'));
      for (const [variable, value] of Object.entries(bad)) {
        const line = error.problems.find((problem) => problem.startsWith(`${variable} `));
        assert.ok(line, `${variable} is reported`);
        assert.ok(line.startsWith(`${variable} must `) && line.endsWith(` (got ${JSON.stringify(value)})`), line);
      }
      assert.ok(error.problems.includes('MINOR_LEAGUE_SHEET_GID must be a sheet tab\'s gid, digits only (the number after gid= in the tab\'s URL) (got "12a")'));
      return true;
    },
  );
});

test('DRAFT_PICKS_SEASON_THRESHOLDS: every bad pair is named, at start-up', () => {
  const problemsOf = (value: string): readonly string[] => {
    try {
      loadConfig({ ...base, DRAFT_PICKS_SEASON_THRESHOLDS: value });
    } catch (error) {
      assert.ok(error instanceof ConfigError);
      return error.problems;
    }
    assert.fail(`"${value}" was accepted`);
  };
  const got = (value: string) => ` (got ${JSON.stringify(value)})`;

  const badDate = '2025-02-30=2025,2026-03-01=2026';
  assert.deepEqual(problemsOf(badDate), [`DRAFT_PICKS_SEASON_THRESHOLDS must be comma-separated YYYY-MM-DD=YYYY pairs: "2025-02-30=2025" has no such date${got(badDate)}`]);

  const badYear = '2025-03-01=25';
  assert.deepEqual(problemsOf(badYear), [
    `DRAFT_PICKS_SEASON_THRESHOLDS must be comma-separated YYYY-MM-DD=YYYY pairs: "2025-03-01=25" has no four-digit year after =${got(badYear)}`,
  ]);

  const notAPair = '2025-03-01:2025';
  assert.deepEqual(problemsOf(notAPair), [`DRAFT_PICKS_SEASON_THRESHOLDS must be comma-separated YYYY-MM-DD=YYYY pairs: "2025-03-01:2025" is not one${got(notAPair)}`]);

  const duplicate = '2025-03-01=2025,2025-03-01=2026';
  assert.deepEqual(problemsOf(duplicate), [
    `DRAFT_PICKS_SEASON_THRESHOLDS must not repeat a date: "2025-03-01=2026" and "2025-03-01=2025"${got(duplicate)}`,
  ]);

  const backwards = '2025-03-01=2026,2026-03-01=2026';
  assert.deepEqual(problemsOf(backwards), [
    `DRAFT_PICKS_SEASON_THRESHOLDS must give later dates later seasons: "2026-03-01=2026" comes after "2025-03-01=2026"${got(backwards)}`,
  ]);

  const twoBad = '2025-13-01=2025,2026-03-01=20x6';
  assert.equal(problemsOf(twoBad).length, 2, 'each bad pair is its own problem');
  assert.ok(problemsOf(',').every((problem) => problem.includes('"" is not one')));
});

test('tracing: nothing exported without an endpoint; the generic endpoint gets /v1/traces, the traces endpoint is used as-is', () => {
  const plain = loadConfig(base).tracing;
  assert.deepEqual(plain, { serviceName: 'trademachine-worker', samplerRatio: 1, exporter: undefined });

  const generic = loadConfig({ ...base, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }).tracing;
  assert.deepEqual(generic.exporter, { url: 'http://collector:4318/v1/traces', protocol: 'http/protobuf', headers: {} });

  const both = loadConfig({
    ...base,
    OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/otlp',
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://traces.example/api/traces',
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=abc%3D%3D, X-Team = red',
    OTEL_SERVICE_NAME: 'tm-worker-staging',
    OTEL_TRACES_SAMPLER_ARG: '0.25',
  }).tracing;
  assert.deepEqual(both, {
    serviceName: 'tm-worker-staging',
    samplerRatio: 0.25,
    exporter: { url: 'https://traces.example/api/traces', protocol: 'http/json', headers: { 'x-api-key': 'abc==', 'x-team': 'red' } },
  });
  assert.equal(loadConfig({ ...base, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/otlp' }).tracing.exporter?.url, 'http://collector:4318/otlp/v1/traces');

  const none = loadConfig({ ...base, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_TRACES_EXPORTER: 'none' }).tracing;
  assert.equal(none.exporter, undefined, 'OTEL_TRACES_EXPORTER=none turns export off');
});

test('bad tracing variables are each named, and the OTLP headers (a secret) are never shown', () => {
  const secret = 'x-api-key=supersecretvalue,garbage';
  try {
    loadConfig({
      ...base,
      OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'ftp://traces',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
      OTEL_EXPORTER_OTLP_HEADERS: secret,
      OTEL_TRACES_EXPORTER: 'jaeger',
      OTEL_TRACES_SAMPLER_ARG: '1.5',
    });
    assert.fail('accepted');
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    const named = (variable: string) => error.problems.find((problem) => problem.startsWith(`${variable} `));
    assert.equal(named('OTEL_EXPORTER_OTLP_ENDPOINT'), 'OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s) URL (got "collector:4318")');
    assert.equal(named('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'), 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT must be an http(s) URL (got "ftp://traces")');
    assert.equal(named('OTEL_EXPORTER_OTLP_PROTOCOL'), 'OTEL_EXPORTER_OTLP_PROTOCOL must be one of http/protobuf, http/json (got "grpc")');
    assert.equal(
      named('OTEL_EXPORTER_OTLP_HEADERS'),
      'OTEL_EXPORTER_OTLP_HEADERS must be comma-separated key=value pairs (values URL-encoded): entry 2 has no header name before = (got (hidden))',
    );
    assert.equal(named('OTEL_TRACES_EXPORTER'), 'OTEL_TRACES_EXPORTER must be one of otlp, none (got "jaeger")');
    assert.equal(named('OTEL_TRACES_SAMPLER_ARG'), 'OTEL_TRACES_SAMPLER_ARG must be a number from 0 to 1 (got "1.5")');
    assert.ok(!error.message.includes('supersecretvalue'), 'the headers stay hidden');
  }
});
