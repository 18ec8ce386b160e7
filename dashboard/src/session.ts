/** The API key lives in sessionStorage (gone with the tab), never in the URL or localStorage. */
const KEY = 'runledger.apiKey';

export function savedApiKey(): string | undefined {
  return sessionStorage.getItem(KEY) ?? undefined;
}

export function saveApiKey(key: string): void {
  sessionStorage.setItem(KEY, key);
}

export function forgetApiKey(): void {
  sessionStorage.removeItem(KEY);
}
