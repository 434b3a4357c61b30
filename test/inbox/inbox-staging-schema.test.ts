/** The inbox suite with staging where the owner keeps it by default: the `staging` schema of production's database. */
import { inboxSuite } from './support/inbox-suite.ts';

inboxSuite('staging schema, same database');
