import { describe, expect, it } from 'vitest';
import {
  parseMaybeJson,
  readBoolean,
  readInteger,
  readPath,
  readString,
  readStringField,
  toToken,
  uniqueStrings,
} from '../../../shared/util/read.ts';

describe('defensive readers', () => {
  it('reads strings from strings, numbers and {value, localizedValue} wrappers', () => {
    expect(readString('x')).toBe('x');
    expect(readString('')).toBeUndefined();
    expect(readString(3)).toBe('3');
    expect(readString({ value: 'ServiceHealth', localizedValue: 'Service Health' })).toBe('ServiceHealth');
    expect(readString({ localizedValue: 'Only localized' })).toBe('Only localized');
    expect(readString([1])).toBeUndefined();
  });

  it('looks keys up case-insensitively when asked', () => {
    expect(readStringField({ ResourceType: 'a' }, 'resourceType')).toBe('a');
    expect(readStringField({ resourceType: null, RESOURCETYPE: 'b' }, 'resourceType')).toBe('b');
  });

  it('reads booleans and integers carried as strings', () => {
    expect(readBoolean('false')).toBe(false);
    expect(readBoolean('True')).toBe(true);
    expect(readBoolean('yes')).toBeUndefined();
    expect(readInteger('10')).toBe(10);
    expect(readInteger('1.5')).toBeUndefined();
    expect(readInteger(2)).toBe(2);
  });

  it('parses JSON-encoded strings and leaves other values alone', () => {
    expect(parseMaybeJson('[{"ServiceName":"SQL"}]')).toEqual([{ ServiceName: 'SQL' }]);
    expect(parseMaybeJson('[not json')).toBe('[not json');
    expect(parseMaybeJson('plain')).toBe('plain');
    expect(parseMaybeJson([1])).toEqual([1]);
  });

  it('walks paths through any shape', () => {
    expect(readPath({ a: { b: 1 } }, 'a', 'b')).toBe(1);
    expect(readPath({ a: 'x' }, 'a', 'b')).toBeUndefined();
    expect(readPath(null, 'a')).toBeUndefined();
  });

  it('tokenizes enums and de-duplicates lists', () => {
    expect(toToken('Resource Health')).toBe('resourcehealth');
    expect(toToken('Activity Log - Administrative')).toBe('activitylogadministrative');
    expect(uniqueStrings([' West US', 'West US', '', undefined, 'East US'])).toEqual(['West US', 'East US']);
  });
});
