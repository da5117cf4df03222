import { envFragments } from '@mna/shared';
import { z } from 'zod';

export const configSpec = {
  service: 'gateway',
  schema: z.object({
    ...envFragments.base(3000),
    ...envFragments.redis,
    ...envFragments.internalAuth,
    ...envFragments.services,
  }),
  productionRequires: [
    'INTERNAL_TOKEN_SECRET',
    'REDIS_URL',
    'SEARCH_SERVICE_URL',
    'AI_SERVICE_URL',
    'BILLING_SERVICE_URL',
  ],
} as const;

export type GatewayConfig = z.output<typeof configSpec.schema>;
