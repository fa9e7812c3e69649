import { actionsBlock, parseSlackInteraction, SlackBlockActions, slackInteractionDedupeKey, slackInteractionOrderingKey } from './slack-interaction';

const click = (over: Partial<SlackBlockActions> = {}): SlackBlockActions => ({
  type: 'block_actions',
  trigger_id: 'trg1',
  user: { id: 'U1', username: 'ada', name: 'ada' },
  channel: { id: 'C1' },
  container: { type: 'message', message_ts: '1700000000.000200', channel_id: 'C1', thread_ts: '1700000000.000100' },
  actions: [{ action_id: 'tok', block_id: 'sb_actions', value: 'tok', type: 'button' }],
  ...over,
});

describe('Slack block_actions', () => {
  it('orders a click with its thread, a DM, or the channel message', () => {
    expect(slackInteractionOrderingKey(click())).toBe('C1:1700000000.000100');
    expect(slackInteractionOrderingKey(click({ channel: { id: 'D1' }, container: { message_ts: '1.2', channel_id: 'D1' } }))).toBe('D1:dm');
    expect(slackInteractionOrderingKey(click({ container: { message_ts: '1.2', channel_id: 'C1' } }))).toBe('C1:1.2');
    expect(slackInteractionDedupeKey(click())).toBe('act:trg1');
  });

  it('parses a click on our block; other blocks and malformed ids are ignored', () => {
    expect(parseSlackInteraction(click(), 'conn')).toMatchObject({
      kind: 'action',
      click: { token: 'tok', chatId: 'C1', messageId: '1700000000.000200', user: { id: 'U1', username: 'ada' }, context: { channel: 'C1', threadTs: '1700000000.000100' } },
    });
    expect(parseSlackInteraction(click({ actions: [{ block_id: 'theirs', value: 'x' }] }), 'conn')).toEqual({ kind: 'ignored', reason: 'a click on a block that is not ours' });
    expect(parseSlackInteraction(click({ user: { id: 'U 1' } }), 'conn')).toMatchObject({ kind: 'ignored', reason: 'invalid user' });
    expect(parseSlackInteraction(click({ actions: [] }), 'conn')).toMatchObject({ kind: 'ignored' });
  });

  it('renders buttons with the token as value and action_id', () => {
    expect(actionsBlock({ buttons: [{ token: 't.0', label: 'Yes', style: 'primary' }] })).toEqual({
      type: 'actions',
      block_id: 'sb_actions',
      elements: [{ type: 'button', action_id: 't.0', text: { type: 'plain_text', text: 'Yes', emoji: true }, value: 't.0', style: 'primary' }],
    });
  });
});
