export type { BerthEvent, EventAction, EventType, UnstampedEvent } from './berth-event.js';
export { EventBus } from './event-bus.js';
export type { EventBusOptions, EventListener, EventSource } from './event-bus.js';
export { EventedController } from './evented-controller.js';
export type { EventSink } from './evented-controller.js';
export { EVENT_FILTER_KEYS, matchesEventFilters } from './event-filter.js';
export type { EventFilters } from './event-filter.js';
export { parseEventTime } from './event-time.js';
