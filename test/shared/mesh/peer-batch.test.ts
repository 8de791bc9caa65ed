import { describe, expect, it } from 'vitest';
import { parsePeerBatch } from '../../../shared/mesh/parse-peer-batch.ts';
import { createPeerBatch, readBatchSender } from '../../../shared/mesh/peer-batch.ts';
import { buildProbeEvent, minute } from '../../helpers/engine-events.ts';

const RECEIVED = { receivedAt: new Date(minute(2)), evidence: null };
const events = [
  buildProbeEvent({
    targetId: 'edge',
    vantageId: 'azure-westeurope',
    roundId: 'r1',
    outcome: 'down',
    at: minute(1),
  }),
  buildProbeEvent({
    targetId: 'mail',
    vantageId: 'azure-westeurope',
    roundId: 'r1',
    outcome: 'up',
    at: minute(1),
  }),
];

describe('the peer batch', () => {
  it('round-trips through JSON with the sender, hops 1 and the same event ids', () => {
    const batch = createPeerBatch({
      from: 'azure-westeurope',
      sentAt: new Date(minute(1)),
      roundId: 'r1',
      events,
    });
    const wire: unknown = JSON.parse(JSON.stringify(batch));
    expect(readBatchSender(wire)).toBe('azure-westeurope');
    const parsed = parsePeerBatch(wire, RECEIVED);
    expect(parsed.from).toBe('azure-westeurope');
    expect(parsed.sentAt).toBe(minute(1));
    // Deterministic ids from the update key: a batch received twice dedupes in the engine.
    expect(parsed.events.map((event) => event.id)).toEqual(events.map((event) => event.id));
    expect(parsed.events.map((event) => event.data.outcome)).toEqual(['down', 'up']);
  });

  it.each([
    [{ kind: 'other' }, 'peer-batch: field kind must be crosswatch.peer-batch'],
    [{ from: '' }, 'field from is missing'],
    [{ hops: 2 }, 'field hops must be 1 (results are never forwarded)'],
    [{ sentAt: 'yesterday' }, 'field sentAt is missing or not an ISO 8601 time'],
    [{ events: {} }, 'field events must be a list'],
    [
      { events: [{ type: 'io.crosswatch.provider.incident' }] },
      'field events[0].type must be io.crosswatch.probe.result',
    ],
  ])('refuses %j naming the field', (change, message) => {
    const batch = {
      ...createPeerBatch({ from: 'aws', sentAt: new Date(minute(1)), roundId: null, events }),
      ...change,
    };
    expect(() => parsePeerBatch(JSON.parse(JSON.stringify(batch)), RECEIVED)).toThrow(message);
  });

  it('validates every result inside (a bad outcome is named by its position)', () => {
    const wire = JSON.parse(
      JSON.stringify(createPeerBatch({ from: 'aws', sentAt: new Date(minute(1)), roundId: 'r1', events })),
    );
    wire.events[1].data.outcome = 'sideways';
    expect(() => parsePeerBatch(wire, RECEIVED)).toThrow('results[1].data.outcome must be one of');
  });

  it('is not a batch when it has no sender', () => {
    expect(readBatchSender({ kind: 'crosswatch.peer-batch' })).toBeNull();
    expect(readBatchSender([1, 2])).toBeNull();
  });
});
