/** The kinds of object an event is about (Docker's `Type`; sandboxes appear as containers). */
export type EventType = 'network' | 'container';

/** What happened (Docker's `Action`): networks create/connect/disconnect/destroy, sandboxes create/destroy. */
export type EventAction = 'create' | 'connect' | 'disconnect' | 'destroy' | 'remove';

/** One daemon event, as the EventBus keeps it; the API turns it into Docker's wire shape. */
export interface BerthEvent {
  readonly type: EventType;
  readonly action: EventAction;
  readonly actor: {
    /** The network's or sandbox's full id. */
    readonly id: string;
    /** Docker's attributes: `name`, `type` (driver) and, for connect/disconnect, `container`. */
    readonly attributes: Readonly<Record<string, string>>;
  };
  readonly scope: 'local' | 'global';
  /** Nanoseconds since the epoch. */
  readonly timeNano: bigint;
}

/** An event before the bus stamps its time. */
export type UnstampedEvent = Omit<BerthEvent, 'timeNano'>;
