import { describe, expect, it } from 'vitest';
import { parseJsonBody } from '#functions/http/json-body.ts';
import { MAX_JSON_DEPTH } from '#shared/contract/limits.ts';
import { InvalidRequestError } from '#shared/errors.ts';
import { makeProxyEvent } from '#local/proxy-event.ts';

/** The body as API Gateway hands it to Lambda: the parser is the same in Lambda and behind the local gateway. */
const withBody = (body: string) => makeProxyEvent({ method: 'POST', resource: '/v1/events', path: '/v1/events', headers: { 'Content-Type': 'application/json' }, body });
const nested = (levels: number, open = '{"a":', close = '}') => `${open.repeat(levels)}1${close.repeat(levels)}`;

function refusal(body: string): InvalidRequestError {
  try {
    parseJsonBody(withBody(body));
  } catch (error: unknown) {
    if (error instanceof InvalidRequestError) return error;
    throw error;
  }
  throw new Error('expected the body to be refused');
}

describe('parseJsonBody nesting depth', () => {
  it(`accepts a body nested exactly ${MAX_JSON_DEPTH} levels`, () => {
    expect(parseJsonBody(withBody(nested(MAX_JSON_DEPTH)))).toBeTypeOf('object');
  });

  it(`refuses one level more with "nested too deeply" and the path`, () => {
    const error = refusal(nested(MAX_JSON_DEPTH + 1));
    expect(error.code).toBe('invalid_request');
    expect(error.message).toMatch(/nested too deeply at a\.a\.a/);
    expect(error.details).toEqual([{ path: 'a.a.a.a.a.a.a.a...', message: expect.stringMatching(/at most 512 levels/) }]);
  });

  it('refuses 100,000 levels of arrays without running out of stack', () => {
    const error = refusal(nested(100_000, '[', ']'));
    expect(error.message).toMatch(/nested too deeply at \[0\]\[0\]/);
  });

  it('names the array element and key where the nesting goes too deep', () => {
    const body = `{"events": [{"ok": 1}, {"payload": ${nested(MAX_JSON_DEPTH, '{"k\\"ey":')}}]}`;
    expect(refusal(body).details).toEqual([{ path: 'events[1].payload.k"ey.k"ey.k"ey.k"ey.k"ey...', message: expect.any(String) }]);
  });

  it('does not count brackets inside strings', () => {
    const body = JSON.stringify({ events: [{ text: '{['.repeat(5_000) }] });
    expect(parseJsonBody(withBody(body))).toEqual({ events: [{ text: '{['.repeat(5_000) }] });
  });
});
