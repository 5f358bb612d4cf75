/**
 * @module apiserver/printers/event
 * The Event printer for core/v1 and events.k8s.io/v1 Events (kube-apiserver
 * stores both as one internal type and prints them alike): LAST SEEN, TYPE,
 * REASON, OBJECT ("kind/name", kind lower-cased), MESSAGE; wide SUBOBJECT,
 * SOURCE ("component, host"), FIRST SEEN, COUNT, NAME. Port of printEvent.
 */
import type { Event as CoreEvent, EventSeries as CoreSeries, ObjectReference } from 'kubernetes-types/core/v1.js';
import type { Event as EventsEvent } from 'kubernetes-types/events/v1.js';
import { NAME_COLUMN, col } from './columns.js';
import { DOC } from './descriptions.js';
import { translateTimestampSince } from './duration.js';
import { asKube, int } from './format.js';
import type { Cell, PrintedRow, Printer, PrintOptions } from './types.js';

/** The fields of the internal Event the printer reads. */
interface EventView {
  readonly name: string;
  readonly involvedObject: Partial<ObjectReference>;
  readonly firstTimestamp?: string;
  readonly lastTimestamp?: string;
  readonly eventTime?: string;
  readonly series?: Partial<CoreSeries>;
  readonly count?: number;
  readonly type: string;
  readonly reason: string;
  readonly message: string;
  readonly sourceComponent: string;
  readonly sourceHost: string;
  readonly reportingController: string;
  readonly reportingInstance: string;
}

function fromCore(obj: unknown): EventView {
  const e = asKube<CoreEvent>(obj);
  return {
    name: e.metadata?.name ?? '',
    involvedObject: e.involvedObject ?? {},
    firstTimestamp: e.firstTimestamp,
    lastTimestamp: e.lastTimestamp,
    eventTime: e.eventTime,
    series: e.series,
    count: e.count,
    type: e.type ?? '',
    reason: e.reason ?? '',
    message: e.message ?? '',
    sourceComponent: e.source?.component ?? '',
    sourceHost: e.source?.host ?? '',
    reportingController: e.reportingComponent ?? '',
    reportingInstance: e.reportingInstance ?? '',
  };
}

/** events.k8s.io/v1 -> internal field mapping (regarding, note, deprecated*). */
function fromEvents(obj: unknown): EventView {
  const e = asKube<EventsEvent>(obj);
  return {
    name: e.metadata?.name ?? '',
    involvedObject: e.regarding ?? {},
    firstTimestamp: e.deprecatedFirstTimestamp,
    lastTimestamp: e.deprecatedLastTimestamp,
    eventTime: e.eventTime,
    series: e.series,
    count: e.deprecatedCount,
    type: e.type ?? '',
    reason: e.reason ?? '',
    message: e.note ?? '',
    sourceComponent: e.deprecatedSource?.component ?? '',
    sourceHost: e.deprecatedSource?.host ?? '',
    reportingController: e.reportingController ?? '',
    reportingInstance: e.reportingInstance ?? '',
  };
}

/** `formatEventSource`: "component, instance" (reportingController/Instance as fallbacks). */
function formatSource(e: EventView): string {
  const component = e.sourceComponent || e.reportingController;
  const instance = e.sourceHost || e.reportingInstance;
  return instance === '' ? component : `${component}, ${instance}`;
}

function printEvent(e: EventView, now: Date, options: PrintOptions): PrintedRow {
  let first = translateTimestampSince(e.firstTimestamp, now);
  if (first === '<unknown>') first = translateTimestampSince(e.eventTime, now);
  let last = translateTimestampSince(e.lastTimestamp, now);
  if (last === '<unknown>') last = first;
  let count = int(e.count);
  if (e.series) {
    last = translateTimestampSince(e.series.lastObservedTime, now);
    count = int(e.series.count);
  } else if (count === 0) {
    // Singleton events don't have a count set in the new API.
    count = 1;
  }
  const kind = (e.involvedObject.kind ?? '').toLowerCase();
  const target = e.involvedObject.name ? `${kind}/${e.involvedObject.name}` : kind;
  const message = e.message.trim();
  const cells: Cell[] = options.wide
    ? [last, e.type, e.reason, target, e.involvedObject.fieldPath ?? '', formatSource(e), message, first, count, e.name]
    : [last, e.type, e.reason, target, message];
  return { cells };
}

const EVENT_COLUMNS = [
  col('Last Seen', 'string', DOC.eventLastTimestamp),
  col('Type', 'string', DOC.eventType),
  col('Reason', 'string', DOC.eventReason),
  col('Object', 'string', DOC.eventInvolvedObject),
  col('Subobject', 'string', DOC.objectReferenceFieldPath, 1),
  col('Source', 'string', DOC.eventSource, 1),
  col('Message', 'string', DOC.eventMessage),
  col('First Seen', 'string', DOC.eventFirstTimestamp, 1),
  col('Count', 'string', DOC.eventCount, 1),
  { ...NAME_COLUMN, priority: 1 },
];

export const coreEventPrinter: Printer = {
  columns: EVENT_COLUMNS,
  print: (obj, now, options) => printEvent(fromCore(obj), now, options),
};

export const eventsEventPrinter: Printer = {
  columns: EVENT_COLUMNS,
  print: (obj, now, options) => printEvent(fromEvents(obj), now, options),
};
