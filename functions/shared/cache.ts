// A value fetched at most once per period per process; a failed fetch is not kept.
export function cachedFor<T>(periodMs: number, fetch: () => Promise<T>, clock: () => number = Date.now): () => Promise<T> {
  let kept: { value: Promise<T>; until: number } | undefined;
  return () => {
    const now = clock();
    if (kept && now < kept.until) return kept.value;
    const value = fetch();
    kept = { value, until: now + periodMs };
    value.catch(() => {
      if (kept?.value === value) kept = undefined;
    });
    return value;
  };
}
