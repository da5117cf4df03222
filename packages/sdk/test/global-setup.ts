import { runMigrations } from '@mna/shared/kit';
import { prepareTemplateDatabase } from '@mna/testing';
import type { TestProject } from 'vitest/node';
import * as billing from '../../../apps/billing-service/src/db/migrations/index.js';
import * as search from '../../../apps/search-service/src/db/migrations/index.js';

/** One template with the search and billing schemas; each service's harness clones it. */
export default async function setup(project: TestProject) {
  const template = await prepareTemplateDatabase('sdk', async (settings) => {
    await runMigrations({ ...settings, schema: search.SCHEMA, migrations: search.migrations });
    await runMigrations({ ...settings, schema: billing.SCHEMA, migrations: billing.migrations });
  });
  project.provide('templateDatabase', template.name);
  return template.teardown;
}
