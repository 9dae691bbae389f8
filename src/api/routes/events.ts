import { BerthError } from '../../errors/index.js';
import { EVENT_FILTER_KEYS, matchesEventFilters, parseEventTime } from '../../events/index.js';
import type { BerthEvent, EventSource } from '../../events/index.js';
import { parseFilters } from '../filters.js';
import { eventJsonLine } from '../wire/event-wire.js';
import type { RouteContext } from './route-context.js';

function timeParameter(query: URLSearchParams, key: 'since' | 'until', now: bigint): bigint | undefined {
  const text = query.get(key);
  if (text === null || text === '') return undefined;
  const parsed = parseEventTime(text, now);
  if (parsed === undefined) throw new BerthError('BAD_REQUEST', `invalid ${key} time: ${text}`, { object: key });
  return parsed;
}

const MAX_TIMER_MS = 2_147_483_647;

function nanosToMs(nanos: bigint): number {
  return Number(nanos / 1_000_000n);
}

/**
 * `GET /events?since=&until=&filters=`: Docker's event stream, one JSON object per line,
 * flushed as each event happens. Buffered events from `since` come first; with `until` in the
 * past the stream ends after them, in the future it ends at `until`; otherwise it runs until
 * the client goes away (moby api/server/router/system/system_routes.go getEvents).
 */
export async function streamEvents({ events, query, response }: RouteContext): Promise<void> {
  if (events === undefined) throw new BerthError('NOT_IMPLEMENTED', 'this daemon publishes no events', { object: 'events' });
  const source: EventSource = events;
  const now = source.now();
  const since = timeParameter(query, 'since', now);
  const until = timeParameter(query, 'until', now);
  if (since !== undefined && until !== undefined && until < since) {
    throw new BerthError('BAD_REQUEST', `\`since\` time (${query.get('since') ?? ''}) cannot be after \`until\` time (${query.get('until') ?? ''})`, { object: 'until' });
  }
  const filters = parseFilters(query.get('filters'), EVENT_FILTER_KEYS);
  const send = (event: BerthEvent): void => {
    if (matchesEventFilters(event, filters)) response.write(eventJsonLine(event));
  };
  response.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache' });
  response.flushHeaders();
  const buffered = since === undefined && until === undefined ? [] : source.history({ ...(since === undefined ? {} : { since }), ...(until === undefined ? {} : { until }) });
  for (const event of buffered) send(event);
  if (until !== undefined && until <= now) {
    response.end();
    return;
  }
  await new Promise<void>((resolve) => {
    const finish = (): void => {
      unsubscribe();
      clearTimeout(timer);
      resolve();
    };
    const unsubscribe = source.subscribe((event) => {
      if (until === undefined || event.timeNano <= until) send(event);
    });
    let timer: NodeJS.Timeout | undefined;
    const arm = (deadline: bigint): void => {
      // setTimeout holds at most ~24.8 days; a later `until` re-arms.
      timer = setTimeout(() => {
        if (source.now() < deadline) return arm(deadline);
        finish();
        response.end();
      }, Math.min(MAX_TIMER_MS, Math.max(0, nanosToMs(deadline - source.now()))));
    };
    if (until !== undefined) arm(until);
    response.once('close', finish);
  });
}
