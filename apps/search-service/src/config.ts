import { envFragments } from '@mna/shared';
import { z } from 'zod';

export const configSpec = {
  service: 'search-service',
  schema: z.object({
    ...envFragments.base(3001),
    ...envFragments.database,
    ...envFragments.redis,
    ...envFragments.internalAuth,
  }),
  productionRequires: ['INTERNAL_TOKEN_SECRET', 'DATABASE_URL', 'MIGRATION_DATABASE_URL', 'REDIS_URL'],
} as const;

export type SearchConfig = z.output<typeof configSpec.schema>;
