import { loadConfigOrExit } from '@mna/shared';
import { roleOf, runMigrations } from '@mna/shared/kit';
import { configSpec } from '../config.js';
import { migrations, SCHEMA } from './migrations/index.js';

const config = loadConfigOrExit(configSpec, process.env);
const results = await runMigrations({
  ownerUrl: config.MIGRATION_DATABASE_URL,
  appRole: roleOf(config.DATABASE_URL),
  schema: SCHEMA,
  migrations,
});
const applied = results.filter((r) => r.status === 'Success').map((r) => r.migrationName);
console.log(`search-service: ${applied.length ? `applied ${applied.join(', ')}` : 'schema up to date'}`);
