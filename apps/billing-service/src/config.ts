import { envFragments } from '@mna/shared';
import { z } from 'zod';

export const configSpec = {
  service: 'billing-service',
  schema: z.object({
    ...envFragments.base(3003),
    ...envFragments.database,
    ...envFragments.redis,
    ...envFragments.internalAuth,
  }),
  productionRequires: ['INTERNAL_TOKEN_SECRET', 'DATABASE_URL', 'MIGRATION_DATABASE_URL', 'REDIS_URL'],
} as const;

export type BillingConfig = z.output<typeof configSpec.schema>;
