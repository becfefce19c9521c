/**
 * Where a topic ends, so a reader knows when it has read everything that was there: Pulsar's
 * WebSocket API has no "has message available" (apache/pulsar#2687), so the end is asked of
 * the admin API (`GET …/lastMessageId`, allowed to any role that may consume) and compared
 * with the ids of the messages read.
 */
export interface TopicEnd {
  /** True when the topic held no message: nothing to wait for. */
  readonly empty: boolean;
  /** True when a message with this id is the last one, or later. */
  reached(messageId: string): boolean;
}

export interface Position {
  readonly ledgerId: number;
  readonly entryId: number;
}

export function topicEnd(last: Position): TopicEnd {
  return {
    empty: last.entryId < 0,
    reached: (messageId) => {
      const at = positionOf(messageId);
      if (at === undefined) return false;
      return at.ledgerId > last.ledgerId || (at.ledgerId === last.ledgerId && at.entryId >= last.entryId);
    },
  };
}

/**
 * Ledger and entry of a base64 MessageIdData (PulsarApi.proto: field 1 ledgerId, field 2
 * entryId, both varints; other fields skipped by wire type), or undefined if unreadable.
 */
export function positionOf(messageId: string): Position | undefined {
  const bytes = Buffer.from(messageId, 'base64');
  let offset = 0;
  const varint = (): number | undefined => {
    let value = 0;
    for (let scale = 1; offset < bytes.length && scale < 2 ** 63; scale *= 128) {
      const byte = bytes[offset++] ?? 0;
      value += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) return value;
    }
    return undefined;
  };
  let ledgerId: number | undefined;
  let entryId: number | undefined;
  while (offset < bytes.length) {
    const tag = varint();
    if (tag === undefined) return undefined;
    const field = Math.floor(tag / 8);
    const wire = tag % 8;
    if (wire === 0) {
      const value = varint();
      if (value === undefined) return undefined;
      if (field === 1) ledgerId = value;
      if (field === 2) entryId = value;
    } else if (wire === 2) {
      const length = varint();
      if (length === undefined) return undefined;
      offset += length;
    } else {
      return undefined; // no fixed-width fields in MessageIdData
    }
  }
  return ledgerId === undefined || entryId === undefined ? undefined : { ledgerId, entryId };
}
