/** The inbox suite with staging on a server of its own (STAGING_DATABASE_URL): enqueues cannot share the claim's transaction there. */
import { inboxSuite } from './support/inbox-suite.ts';

inboxSuite('staging schema, separate database');
