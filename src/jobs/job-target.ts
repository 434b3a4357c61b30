import { UnknownTargetError, type Target } from '../db/targets.ts';
import type { JobContext } from './define-job.ts';
import { PermanentJobError } from './outcomes.ts';

/** The target a payload names; one that is not configured can never succeed, so it is permanent. */
export function targetNamed(ctx: JobContext, name: Target['name']): Target {
  try {
    return ctx.targets.get(name);
  } catch (error) {
    if (error instanceof UnknownTargetError) throw new PermanentJobError('TARGET_NOT_CONFIGURED', error.message, { cause: error });
    throw error;
  }
}
