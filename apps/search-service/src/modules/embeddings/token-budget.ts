/**
 * A tokens-per-minute budget shared by every request of one worker process: a token bucket that
 * refills continuously. A request larger than the whole budget waits for a full bucket.
 */
export function createTokenBudget(tokensPerMinute: number, now: () => number = Date.now) {
  const perMs = tokensPerMinute / 60_000;
  let available = tokensPerMinute;
  let last = now();
  let queue = Promise.resolve();

  const refill = () => {
    const t = now();
    available = Math.min(tokensPerMinute, available + (t - last) * perMs);
    last = t;
  };

  /** Resolves once `tokens` may be spent; callers are served in order. */
  function acquire(tokens: number): Promise<void> {
    const need = Math.min(tokens, tokensPerMinute);
    const turn = queue.then(async () => {
      refill();
      while (available < need) {
        await new Promise((r) => setTimeout(r, Math.ceil((need - available) / perMs)));
        refill();
      }
      available -= need;
    });
    queue = turn.catch(() => {});
    return turn;
  }

  return { acquire };
}
