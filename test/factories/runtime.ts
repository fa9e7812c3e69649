import { RecordedCall } from '../fakes/fake-http-server';

/** The message an `http` runtime call asks the agent to answer (the last one of its history). */
export function lastUserText(call: RecordedCall): string {
  const msgs = (call.body as { messages: { role: string; content: string }[] }).messages;
  return msgs[msgs.length - 1].content;
}
