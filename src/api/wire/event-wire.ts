import type { BerthEvent } from '../../events/index.js';

/**
 * One event as Docker's `events.Message` JSON (api/types/events), with `time` and `timeNano`
 * written as exact integers (nanoseconds do not fit a double). Container events also carry
 * the deprecated `status`/`id`/`from` fields, as Docker still sends them at API 1.44.
 */
export function eventJsonLine(event: BerthEvent): string {
  const legacy = event.type === 'container' ? { status: event.action, id: event.actor.id, from: event.actor.attributes['image'] ?? '' } : {};
  const head = JSON.stringify({ ...legacy, Type: event.type, Action: event.action, Actor: { ID: event.actor.id, Attributes: event.actor.attributes }, scope: event.scope });
  const seconds = event.timeNano / 1_000_000_000n;
  return `${head.slice(0, -1)},"time":${seconds.toString()},"timeNano":${event.timeNano.toString()}}\n`;
}
