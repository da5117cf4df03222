import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ClerkKeyPair, generateClerkKeyPair } from '@mna/shared';
import { exportPKCS8, importPKCS8 } from 'jose';

/** `<repo root>/.dev/clerk-dev-keys.json` (gitignored): found by walking up to pnpm-workspace.yaml. */
export function defaultDevKeyFile(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return join(dir, '.dev', 'clerk-dev-keys.json');
    const parent = dirname(dir);
    if (parent === dir) return join(process.cwd(), '.dev', 'clerk-dev-keys.json');
    dir = parent;
  }
}

type StoredKeys = { kid: string; privateKeyPem: string; publicKeyPem: string };

async function fromStored(stored: StoredKeys): Promise<ClerkKeyPair> {
  return {
    kid: stored.kid,
    publicKeyPem: stored.publicKeyPem,
    privateKey: await importPKCS8(stored.privateKeyPem, 'RS256', { extractable: true }),
  };
}

/**
 * The development key pair: read from `file`, or created (RSA-2048) and written there with mode 0600.
 * The running gateway and `pnpm token` share it, so tokens minted by the command verify at the gateway.
 */
export async function loadOrCreateDevKeys(file: string): Promise<ClerkKeyPair & { created: boolean }> {
  if (existsSync(file)) {
    return { ...(await fromStored(JSON.parse(readFileSync(file, 'utf8')) as StoredKeys)), created: false };
  }
  const keys = await generateClerkKeyPair();
  const stored: StoredKeys = {
    kid: keys.kid,
    privateKeyPem: await exportPKCS8(keys.privateKey),
    publicKeyPem: keys.publicKeyPem,
  };
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  try {
    // `wx`: if another process created the file meanwhile, use its pair so both agree.
    writeFileSync(file, JSON.stringify(stored, null, 2), { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return loadOrCreateDevKeys(file);
  }
  return { ...keys, created: true };
}

/** Issuer of development tokens and the matching publishable key Clerk's SDK requires. */
export const DEV_FRONTEND_API = 'clerk.mna.localhost';
export const DEV_ISSUER = `https://${DEV_FRONTEND_API}`;
export const devPublishableKey = (): string =>
  `pk_test_${Buffer.from(`${DEV_FRONTEND_API}$`).toString('base64').replace(/=+$/, '')}`;

/** Claim a development token may carry to choose its tenant's plan; ignored whenever Clerk is configured. */
export const DEV_PLAN_CLAIM = 'mna_dev_plan';
