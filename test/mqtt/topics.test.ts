import { describe, expect, it } from 'vitest';
import { MqttError, TopicMappingError } from '../../src/mqtt/errors.js';
import { ReasonCode } from '../../src/mqtt/reason-codes.js';
import { filterMatches, parseFilter, topicToUri, uriToTopic } from '../../src/mqtt/topics.js';

describe('MQTT ↔ WAMP topic mapping', () => {
  it('maps topic names level by level', () => {
    expect(topicToUri('devices/porch/temperature')).toBe('devices.porch.temperature');
    expect(topicToUri('a')).toBe('a');
    expect(topicToUri('$SYS/x')).toBe('$SYS.x');
    expect(uriToTopic('devices.porch.temperature')).toBe('devices/porch/temperature');
  });

  it.each([
    ['', 'empty'],
    ['a//b', 'empty level'],
    ['/a', 'empty level'],
    ['a/', 'empty level'],
    ['a/b.c', "'.' inside a level"],
    ['a/+', 'wildcards'],
    ['a/#', 'wildcards'],
    ['a/\u0000', 'U+0000'],
  ])('refuses the topic name %j (%s) with 0x90, never rewriting it', (topic, why) => {
    expect(() => topicToUri(topic)).toThrow(TopicMappingError);
    try {
      topicToUri(topic);
    } catch (error) {
      expect((error as MqttError).reasonCode).toBe(ReasonCode.TOPIC_NAME_INVALID);
      expect((error as Error).message).toContain(why);
    }
  });

  it('has no MQTT form for WAMP topics with / + or # in a component', () => {
    expect(uriToTopic('a/b.c')).toBeUndefined();
    expect(uriToTopic('a+.b')).toBeUndefined();
  });

  it('maps filters onto one router subscription per filter (two for a/#: the parent level)', () => {
    expect(parseFilter('a/b/c').subscriptions).toEqual([{ uri: 'a.b.c', match: 'exact' }]);
    expect(parseFilter('a/+/c').subscriptions).toEqual([{ uri: 'a..c', match: 'wildcard' }]);
    expect(parseFilter('+').subscriptions).toEqual([{ uri: '', match: 'wildcard' }]);
    expect(parseFilter('a/b/#').subscriptions).toEqual([
      { uri: 'a.b.', match: 'prefix' },
      { uri: 'a.b', match: 'exact' },
    ]);
    expect(parseFilter('#').subscriptions).toEqual([{ uri: '', match: 'prefix' }]);
    expect(parseFilter('a/+/#').subscriptions).toEqual([{ uri: 'a.', match: 'prefix' }]);
    expect(parseFilter('a/+/c').check).toBe(false);
    expect(parseFilter('+/c').check).toBe(true);
    expect(parseFilter('a/+/#').check).toBe(true);
  });

  it.each(['', 'a//b', 'a/b.c', 'a/#/b', 'a/b#', 'a/b+', '#/a'])('refuses the filter %j with 0x8F', (filter) => {
    expect(() => parseFilter(filter)).toThrow(TopicMappingError);
    try {
      parseFilter(filter);
    } catch (error) {
      expect((error as MqttError).reasonCode).toBe(ReasonCode.TOPIC_FILTER_INVALID);
    }
  });

  it('refuses shared subscriptions with 0x9E', () => {
    try {
      parseFilter('$share/group/a');
      expect.unreachable();
    } catch (error) {
      expect((error as MqttError).reasonCode).toBe(ReasonCode.SHARED_SUBSCRIPTIONS_NOT_SUPPORTED);
    }
  });

  it('matches as MQTT does (section 4.7)', () => {
    const m = (filter: string, topic: string) => filterMatches(filter.split('/'), topic);
    expect(m('a/b/#', 'a/b')).toBe(true);
    expect(m('a/b/#', 'a/b/c/d')).toBe(true);
    expect(m('a/b/#', 'a/bc')).toBe(false);
    expect(m('a/+/#', 'a/x')).toBe(true);
    expect(m('a/+/#', 'a')).toBe(false);
    expect(m('+/+', 'a/b')).toBe(true);
    expect(m('+/+', 'a/b/c')).toBe(false);
    expect(m('#', '$SYS/x')).toBe(false);
    expect(m('+/x', '$SYS/x')).toBe(false);
    expect(m('$SYS/#', '$SYS/x')).toBe(true);
    expect(m('#', 'wamp/session/on_join')).toBe(false);
    expect(m('wamp/#', 'wamp/session/on_join')).toBe(true);
  });
});
