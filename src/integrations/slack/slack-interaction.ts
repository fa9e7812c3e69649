import { createHash } from 'node:crypto';
import type { OutgoingActions, ParsedEvent } from '../../connections/platform-connector';

/** The parts of an interactivity payload (`block_actions`) we read: https://api.slack.com/reference/interaction-payloads/block-actions */
export interface SlackBlockActions {
  type: 'block_actions';
  trigger_id?: string;
  user?: { id?: string; username?: string; name?: string };
  channel?: { id?: string };
  container?: { type?: string; message_ts?: string; channel_id?: string; thread_ts?: string; is_ephemeral?: boolean };
  message?: { ts?: string; thread_ts?: string };
  actions?: { action_id?: string; block_id?: string; value?: string; type?: string; action_ts?: string }[];
}

/** The block_id of our buttons: clicks on other blocks are not ours. */
export const ACTIONS_BLOCK_ID = 'sb_actions';

const SLACK_ID = /^[A-Za-z0-9_-]{1,64}$/;
const SLACK_TS = /^\d{1,12}(\.\d{1,9})?$/;

const channelOf = (p: SlackBlockActions): string | undefined => p.channel?.id ?? p.container?.channel_id;
const messageTsOf = (p: SlackBlockActions): string | undefined => p.container?.message_ts ?? p.message?.ts;
const threadTsOf = (p: SlackBlockActions): string | undefined => p.container?.thread_ts ?? p.message?.thread_ts;

/** Slack does not retry interactivity requests; the trigger id names one click (a content hash when absent). */
export function slackInteractionDedupeKey(p: SlackBlockActions): string {
  if (typeof p.trigger_id === 'string' && p.trigger_id) return `act:${p.trigger_id}`;
  return `act-body:${createHash('sha256').update(JSON.stringify(p) ?? '').digest('hex')}`;
}

/**
 * The conversation a click belongs to, by the same rules as slackOrderingKey: a thread (channel + thread ts), a DM
 * (channel ids starting with D), or the channel message the buttons are on.
 */
export function slackInteractionOrderingKey(p: SlackBlockActions): string {
  const channel = channelOf(p);
  if (!channel) return 'no-channel';
  const thread = threadTsOf(p);
  if (thread) return `${channel}:${thread}`;
  return channel.startsWith('D') ? `${channel}:dm` : `${channel}:${messageTsOf(p) ?? ''}`;
}

/** A click on one of our buttons → an action for the pipeline; anything else is ignored with a reason. */
export function parseSlackInteraction(p: SlackBlockActions, connectionId: string): ParsedEvent {
  const action = p.actions?.[0];
  if (!action) return { kind: 'ignored', reason: 'block_actions without an action' };
  if (action.block_id !== ACTIONS_BLOCK_ID) return { kind: 'ignored', reason: 'a click on a block that is not ours' };
  const channel = channelOf(p);
  const userId = p.user?.id;
  const ts = messageTsOf(p);
  if (!channel || !SLACK_ID.test(channel)) return { kind: 'ignored', reason: 'invalid channel' };
  if (!userId || !SLACK_ID.test(userId)) return { kind: 'ignored', reason: 'invalid user' };
  if (ts !== undefined && !SLACK_TS.test(ts)) return { kind: 'ignored', reason: 'invalid message ts' };
  const thread = threadTsOf(p);
  return {
    kind: 'action',
    click: {
      connectionId,
      token: typeof action.value === 'string' ? action.value : '',
      chatId: channel,
      ...(ts ? { messageId: ts } : {}),
      user: { id: userId, ...(p.user?.name ? { name: p.user.name } : {}), ...(p.user?.username ? { username: p.user.username } : {}) },
      context: { channel, ...(thread && SLACK_TS.test(thread) ? { threadTs: thread } : {}), replyContext: { channelType: channel.startsWith('D') ? 'im' : 'channel' } },
    },
  };
}

/** Our buttons as a Block Kit `actions` block: each button's value (and action_id) is the opaque token. */
export function actionsBlock(actions: OutgoingActions): { type: string; [key: string]: unknown } {
  return {
    type: 'actions',
    block_id: ACTIONS_BLOCK_ID,
    elements: actions.buttons.slice(0, 25).map((b) => ({
      type: 'button',
      action_id: b.token,
      text: { type: 'plain_text', text: b.label, emoji: true },
      value: b.token,
      ...(b.style ? { style: b.style } : {}),
    })),
  };
}

/** The outcome line under a redrawn message (mrkdwn escapes & < >). */
export function outcomeBlock(outcome: string): { type: string; [key: string]: unknown } {
  return { type: 'context', elements: [{ type: 'mrkdwn', text: outcome.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;') }] };
}
