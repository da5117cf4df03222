import { runMigrations } from '@mna/shared/kit';
import { prepareTemplateDatabase } from '@mna/testing';
import type { TestProject } from 'vitest/node';
import { migrations, SCHEMA } from '../src/db/migrations/index.js';

/** Migrates one template database per test run; each test file clones it. */
export default async function setup(project: TestProject) {
  const template = await prepareTemplateDatabase('search', (settings) =>
    runMigrations({ ...settings, schema: SCHEMA, migrations }),
  );
  project.provide('templateDatabase', template.name);
  return template.teardown;
}
