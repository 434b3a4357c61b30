import type { z } from 'zod';
import type { JobDefinition } from './define-job.ts';
import { teamSync } from './espn/team-sync.ts';
import { playersSync } from './espn/players-sync.ts';
import { sendEmail } from './email/send-email.ts';
import { minorsSync } from './sheets/minors-sync.ts';
import { draftPicksSync } from './sheets/draft-picks-sync.ts';
import { emailStatus } from './email/email-status.ts';
import { tradeAnnouncement } from './discord/trade-announcement.ts';
import { tradeDm } from './discord/trade-dm.ts';

/** The registry: every job the worker runs. Adding a job is one module and one line here. */
export const jobs = [teamSync, playersSync, minorsSync, draftPicksSync, sendEmail, emailStatus, tradeAnnouncement, tradeDm] as const satisfies readonly JobDefinition<z.ZodType, unknown>[];


/** The definition of that name, or an error that lists the names there are. */
export function findJob(name: string): JobDefinition<z.ZodType, unknown> {
  const definition = jobs.find((job) => job.name === name);
  if (!definition) throw new Error(`unknown job "${name}"; jobs: ${jobs.map((job) => job.name).join(', ')}`);
  return definition;
}
