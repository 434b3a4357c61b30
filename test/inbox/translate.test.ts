/**
 * translateObanRow against every row of jobs-reference §7's table, with the args exactly as the
 * owner writes them; unknown worker strings and malformed args give an error naming the problem.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { translateObanRow, resetTokenKey, resetTokenNeeded, targetOfEnv, type TranslateContext, type Translated } from '../../src/inbox/translate.ts';
import { inboxJobId } from '../../src/inbox/job-id.ts';

const FRONT = 'https://trades.example.test';
const user = '4b1f6c1e-7a43-4c2f-9d1e-2f0a9c6f1a11';
const recipient = '7d2e9b14-3c55-4e8a-b0f1-6a9d2c4e8b22';
const trade = 'c3a1f2e4-5b6d-4e7f-8a9b-0c1d2e3f4a55';
const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
const context: TranslateContext = {
  rowTarget: 'production',
  frontendOrigins: { production: FRONT, staging: FRONT },
  resetTokens: new Map([[resetTokenKey('production', user), 'tok-123'], [resetTokenKey('staging', user), null]]),
};
const row = (worker: string, args: unknown, id = 7) => ({ id, worker, args });

/**
 * translateObanRow, with the envelope every payload carries checked and taken off, so the cases
 * below compare the job's own fields: `obanJob` must name the row (its target and id); the payload's
 * `traceContext` (the owner's, when valid) is handed back beside the payload for the cases to check.
 */
function translate(input: ReturnType<typeof row>, ctx: TranslateContext): (Translated & { traceContext?: unknown }) | { error: string } {
  const result = translateObanRow(input, ctx);
  if ('error' in result) return result;
  const { obanJob, traceContext, ...payload } = result.payload as Record<string, unknown>;
  assert.deepEqual(obanJob, { target: ctx.rowTarget, id: input.id }, 'the payload names its oban_jobs row');
  return { ...result, payload, ...(traceContext === undefined ? {} : { traceContext }) };
}

test('EmailWorker reset_password: email.send with the reset link built from the token and the frontend URL', () => {
  const args = { env: 'production', email_type: 'reset_password', data: user, user_id: user, trace_context: { traceparent } };
  assert.deepEqual(resetTokenNeeded(row('TradeMachine.Jobs.EmailWorker', args), 'production'), { target: 'production', userId: user });
  assert.deepEqual(translate(row('TradeMachine.Jobs.EmailWorker', args), context), {
    job: 'email.send',
    target: 'production',
    payload: { type: 'password_reset', target: 'production', userId: user, resetUrl: `${FRONT}/reset_password#token=tok-123` },
    traceContext: { traceparent },
  });
  // A user without a token: discarded, saying so.
  const staging = translate(row('TradeMachine.Jobs.EmailWorker', { ...args, env: 'staging' }), context);
  assert.ok('error' in staging && /has no passwordResetToken/.test(staging.error), JSON.stringify(staging));
});

test('EmailWorker registration_email, trade_request, trade_declined, trade_submit', () => {
  const base = { env: 'staging', user_id: user };
  assert.deepEqual(translate(row('TradeMachine.Jobs.EmailWorker', { ...base, email_type: 'registration_email', data: user }), context), {
    job: 'email.send',
    target: 'staging',
    payload: { type: 'registration', target: 'staging', userId: user, registrationUrl: `${FRONT}/register` },
  });
  const accept = `${FRONT}/trades/${trade}?action=accept&token=a`;
  const decline = `${FRONT}/trades/${trade}?action=decline&token=d`;
  assert.deepEqual(
    translate(row('TradeMachine.Jobs.EmailWorker', { ...base, email_type: 'trade_request', trade_id: trade, recipient_user_id: recipient, accept_url: accept, decline_url: decline }), context),
    { job: 'email.send', target: 'staging', payload: { type: 'trade_request', target: 'staging', tradeId: trade, recipientUserId: recipient, acceptUrl: accept, declineUrl: decline } },
  );
  const view = `${FRONT}/trades/${trade}?token=v`;
  assert.deepEqual(
    translate(row('TradeMachine.Jobs.EmailWorker', { ...base, email_type: 'trade_declined', trade_id: trade, recipient_user_id: recipient, is_creator: true, decline_url: view }), context),
    { job: 'email.send', target: 'staging', payload: { type: 'trade_declined', target: 'staging', tradeId: trade, recipientUserId: recipient, isCreator: true, tradeUrl: view } },
  );
  const submit = `${FRONT}/trades/${trade}?action=submit&token=s`;
  assert.deepEqual(
    translate(row('TradeMachine.Jobs.EmailWorker', { ...base, email_type: 'trade_submit', trade_id: trade, recipient_user_id: recipient, submit_url: submit }), context),
    { job: 'email.send', target: 'staging', payload: { type: 'trade_submit', target: 'staging', tradeId: trade, recipientUserId: recipient, submitUrl: submit, tradeUrl: submit } },
  );
});

test('DiscordWorker job types → discord.trade-announcement / discord.trade-dm by kind', () => {
  const base = { env: 'production', trade_id: trade, recipient_user_id: recipient, user_id: recipient };
  const settings = `${FRONT}/dashboard`;
  assert.deepEqual(translate(row('TradeMachine.Jobs.DiscordWorker', { env: 'production', job_type: 'trade_announcement', data: trade }), context), {
    job: 'discord.trade-announcement',
    target: 'production',
    payload: { target: 'production', tradeId: trade },
  });
  const accept = `${FRONT}/trade/${trade}/accept`;
  const decline = `${FRONT}/trade/${trade}/reject`;
  assert.deepEqual(
    translate(row('TradeMachine.Jobs.DiscordWorker', { ...base, job_type: 'trade_request_dm', accept_url: accept, decline_url: decline, notification_settings_url: settings }), context),
    { job: 'discord.trade-dm', target: 'production', payload: { target: 'production', tradeId: trade, recipientUserId: recipient, notificationSettingsUrl: settings, kind: 'request', acceptUrl: accept, declineUrl: decline } },
  );
  assert.deepEqual(
    translate(row('TradeMachine.Jobs.DiscordWorker', { ...base, job_type: 'trade_submit_dm', submit_url: `${FRONT}/trade/${trade}/submit` }), context),
    { job: 'discord.trade-dm', target: 'production', payload: { target: 'production', tradeId: trade, recipientUserId: recipient, kind: 'submit', submitUrl: `${FRONT}/trade/${trade}/submit` } },
  );
  assert.deepEqual(
    translate(row('TradeMachine.Jobs.DiscordWorker', { ...base, job_type: 'trade_declined_dm', is_creator: false }), context),
    { job: 'discord.trade-dm', target: 'production', payload: { target: 'production', tradeId: trade, recipientUserId: recipient, kind: 'declined', isCreator: false } },
  );
});

test('EmailWebhookWorker → email.status; the four syncs → scope both, whatever env (the row id in the envelope)', () => {
  assert.deepEqual(
    translate(row('TradeMachine.Jobs.EmailWebhookWorker', { env: 'staging', message_id: '<m1@x>', event: 'delivered', email: 'a@b.c', reason: null }), context),
    { job: 'email.status', target: 'staging', payload: { target: 'staging', messageId: '<m1@x>', event: 'delivered', provider: 'brevo' } },
  );
  const syncs = {
    'TradeMachine.Jobs.EspnTeamSync': 'espn.team-sync',
    'TradeMachine.Jobs.EspnMlbPlayersSync': 'espn.players-sync',
    'TradeMachine.Jobs.MinorsSync': 'sheets.minors-sync',
    'TradeMachine.Jobs.DraftPicksSync': 'sheets.draft-picks-sync',
  };
  for (const [worker, job] of Object.entries(syncs)) {
    assert.deepEqual(translate(row(worker, {}, 42), { ...context, rowTarget: 'staging' }), {
      job,
      target: 'staging',
      payload: { databaseScope: 'both' },
    });
  }
});

test('env → target: production; staging and development → staging; missing → the row\'s own target; else an error', () => {
  assert.equal(targetOfEnv('production', 'staging'), 'production');
  assert.equal(targetOfEnv('staging', 'production'), 'staging');
  assert.equal(targetOfEnv('development', 'production'), 'staging');
  assert.equal(targetOfEnv(undefined, 'staging'), 'staging');
  assert.equal(targetOfEnv(undefined, 'production'), 'production');
  const bad = translate(row('TradeMachine.Jobs.EmailWebhookWorker', { env: 'prod', message_id: 'm', event: 'opened' }), context);
  assert.deepEqual(bad, { error: 'TradeMachine.Jobs.EmailWebhookWorker: args.env must be production, staging or development (got "prod")' });
});

test('unknown worker strings and malformed args: an error naming the worker or the argument', () => {
  const unknown = translate(row('TradeMachine.Jobs.Nope', {}), context);
  assert.ok('error' in unknown && unknown.error.startsWith('unknown worker "TradeMachine.Jobs.Nope"'), JSON.stringify(unknown));
  const cases: [string, unknown, RegExp][] = [
    ['TradeMachine.Jobs.EmailWorker', { env: 'production', email_type: 'trade_request', trade_id: trade, recipient_user_id: recipient, accept_url: 'x' }, /args\.decline_url must be a non-empty string/],
    ['TradeMachine.Jobs.EmailWorker', { env: 'production', email_type: 'trade_request', trade_id: 'not-a-uuid', recipient_user_id: recipient, accept_url: `${FRONT}/a`, decline_url: `${FRONT}/d` }, /email\.send\.tradeId/],
    ['TradeMachine.Jobs.EmailWorker', { env: 'production', email_type: 'bogus' }, /args\.email_type "bogus" is not one of/],
    ['TradeMachine.Jobs.DiscordWorker', { env: 'production', job_type: 'trade_announcement' }, /args\.data must be a non-empty string/],
    ['TradeMachine.Jobs.DiscordWorker', { env: 'production', job_type: 'trade_declined_dm', trade_id: trade, recipient_user_id: recipient, is_creator: 'yes' }, /args\.is_creator must be true or false/],
    ['TradeMachine.Jobs.EmailWebhookWorker', { env: 'production', event: 'opened' }, /args\.message_id must be a non-empty string/],
    ['TradeMachine.Jobs.EmailWebhookWorker', [1, 2], /args must be a JSON object \(got an array\)/],
    ['TradeMachine.Jobs.EmailWorker', { env: 'production', email_type: 'reset_password', data: 'u1' }, /args\.data must be the user's id \(a UUID\)/],
  ];
  for (const [worker, args, expected] of cases) {
    const result = translate(row(worker, args), context);
    assert.ok('error' in result, `${worker} ${JSON.stringify(args)} must fail`);
    assert.match(result.error, expected);
    assert.ok(result.error.startsWith(worker), `the error names the worker: ${result.error}`);
  }
});

test('an invalid trace_context is dropped, not an error: the job starts a trace of its own', () => {
  for (const invalid of ['00-zz', '00-00000000000000000000000000000000-b7ad6b7169203331-01', '00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01', 42]) {
    const result = translate(row('TradeMachine.Jobs.EspnTeamSync', { trace_context: { traceparent: invalid } }), context);
    assert.ok(!('error' in result) && !('traceContext' in result), JSON.stringify(invalid));
  }
  // A tracestate past the envelope's limit is dropped; the traceparent still links the trace.
  const long = translate(row('TradeMachine.Jobs.EspnTeamSync', { trace_context: { traceparent, tracestate: 'k=' + 'v'.repeat(600) } }), context);
  assert.ok(!('error' in long));
  assert.deepEqual(long.traceContext, { traceparent });
});

test('the envelope: every translated payload names its row and carries the owner\'s trace, and the job\'s schema accepts it', () => {
  const result = translateObanRow(row('TradeMachine.Jobs.EspnMlbPlayersSync', { trace_context: { traceparent, tracestate: 'tm=1' } }, 1234), { ...context, rowTarget: 'staging' });
  assert.deepEqual(result, {
    job: 'espn.players-sync',
    target: 'staging',
    payload: { databaseScope: 'both', obanJob: { target: 'staging', id: 1234 }, traceContext: { traceparent, tracestate: 'tm=1' } },
  });
});

test('job ids: one per target and row, stable, UUID v5', () => {
  assert.equal(inboxJobId('production', 1), inboxJobId('production', 1));
  assert.notEqual(inboxJobId('production', 1), inboxJobId('staging', 1));
  assert.notEqual(inboxJobId('production', 1), inboxJobId('production', 2));
  assert.match(inboxJobId('staging', 99), /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
});
