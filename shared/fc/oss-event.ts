/**
 * FC 3.0 OSS trigger event. `eventName` has no `oss:` prefix in the event (the trigger configuration writes
 * `oss:ObjectCreated:PutObject`). `events` is an array: every element must be handled. Delivery is
 * asynchronous and can repeat, so handlers must be idempotent.
 */
import { z } from 'zod';

const ossRecordSchema = z
  .object({
    eventName: z.string().regex(/^ObjectCreated:/, 'must be an ObjectCreated:* event'),
    eventSource: z.literal('acs:oss'),
    eventTime: z.string().optional(),
    region: z.string().min(1),
    oss: z
      .object({
        bucket: z.object({ name: z.string().min(1) }).loose(),
        object: z
          .object({
            key: z.string().min(1),
            eTag: z.string().optional(),
            size: z.number().int().nonnegative().optional(),
          })
          .loose(),
      })
      .loose(),
  })
  .loose();
type OssRecord = z.infer<typeof ossRecordSchema>;

/** The envelope only; parse records one by one (parseOssRecords) so one bad record names itself. */
export const ossEventSchema = z.object({ events: z.array(z.unknown()).min(1) });

type OssRecordResult =
  | { index: number; ok: true; record: OssRecord }
  | { index: number; ok: false; path: string; message: string };

/**
 * Validates each record separately; issue paths are prefixed with the record index (`events.2.oss...`).
 * Keys are returned exactly as the event carries them (no decoding here).
 */
export function parseOssRecords(event: z.infer<typeof ossEventSchema>): OssRecordResult[] {
  return event.events.map((raw, index) => {
    const parsed = ossRecordSchema.safeParse(raw);
    if (parsed.success) return { index, ok: true as const, record: parsed.data };
    const issue = parsed.error.issues[0]!;
    const path = ['events', index, ...issue.path].map(String).join('.');
    return { index, ok: false as const, path, message: issue.message };
  });
}

/** What an ObjectCreated record says about one object; the rest of the record is fixed. */
export interface ObjectCreated {
  bucket: string;
  region: string;
  key: string;
  eTag?: string;
  size?: number;
  eventTimeIso: string;
  /** Default `ObjectCreated:PutObject`. */
  eventName?: string;
}

/**
 * One OSS trigger record shaped as FC delivers it (test/fixtures/events/oss/put-object.json, less the fields
 * no handler reads). The one builder: the rerun's fan-out, the local bucket watcher and the tests use it.
 */
export const objectCreatedRecord = (o: ObjectCreated) => ({
  eventName: o.eventName ?? 'ObjectCreated:PutObject',
  eventSource: 'acs:oss' as const,
  eventTime: o.eventTimeIso,
  eventVersion: '1.0',
  region: o.region,
  oss: {
    bucket: { name: o.bucket },
    object: {
      key: o.key,
      ...(o.eTag === undefined ? {} : { eTag: o.eTag }),
      ...(o.size === undefined ? {} : { size: o.size }),
    },
    ossSchemaVersion: '1.0',
  },
});

/** An OSS trigger event holding one record per object. */
export const objectCreatedEvent = (objects: readonly ObjectCreated[]) => ({
  events: objects.map(objectCreatedRecord),
});
