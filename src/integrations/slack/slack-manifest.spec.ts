import { slackSetup } from './slack-manifest';

describe('slackSetup', () => {
  const url = 'https://sb.example.com/webhooks/slack/0b9d5c3e-0000-4000-8000-000000000000';

  it('http mode: the manifest names the Request URL and the slash command URL; Socket Mode off', () => {
    const s = slackSetup(url, 'Helpdesk');
    expect(s.mode).toBe('http');
    expect(s.manifest).toMatchObject({
      features: { slash_commands: [{ command: '/agent', url: `${url}/commands` }] },
      settings: { event_subscriptions: { request_url: url }, socket_mode_enabled: false },
    });
  });

  it('socket mode: Socket Mode and interactivity on, and no URL anywhere in the manifest', () => {
    const s = slackSetup(url, 'Helpdesk', 'socket');
    expect(s.mode).toBe('socket');
    expect(s.manifest).toMatchObject({ settings: { socket_mode_enabled: true, interactivity: { is_enabled: true }, event_subscriptions: { bot_events: ['app_mention', 'message.im'] } } });
    expect(JSON.stringify(s.manifest)).not.toContain('https://');
  });
});
