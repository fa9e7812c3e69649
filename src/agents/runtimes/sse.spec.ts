import { HttpRuntimeStreamState, OpenAiStreamState } from './runtime-streams';
import { SseReader } from './sse';

const read = (pieces: string[]): string[] => {
  const events: string[] = [];
  const r = new SseReader((d) => events.push(d));
  for (const p of pieces) r.feed(p);
  r.end();
  return events;
};

describe('SseReader', () => {
  it('joins data lines, skips comments and other fields, and accepts LF, CR and CRLF split anywhere', () => {
    expect(read(['data: a\n\n', ': keep-alive\n', 'event: x\nid: 1\ndata: b\ndata:c\n\n'])).toEqual(['a', 'b\nc']);
    expect(read(['data: one\r', '\n\r', '\ndata: two\r\r'])).toEqual(['one', 'two']);
    expect(read(['da', 'ta: {"x"', ':1}', '\n', '\n'])).toEqual(['{"x":1}']);
  });

  it('a last event without its blank line still counts; empty events do not', () => {
    expect(read(['\n\n', 'data: last'])).toEqual(['last']);
  });
});

describe('stream states', () => {
  const chunk = (content: string, finish: string | null = null): string => JSON.stringify({ choices: [{ index: 0, delta: { content }, finish_reason: finish }] });

  it('OpenAI: deltas build the text, the sink sees it grow, [DONE] completes it', () => {
    const seen: string[] = [];
    const s = new OpenAiStreamState((t) => seen.push(t));
    for (const d of [chunk(''), chunk('Hel'), chunk('lo'), chunk('', 'stop'), '[DONE]', chunk('late')]) s.onData(d);
    expect(s.outcome()).toMatchObject({ complete: true, text: 'Hello' });
    expect(seen).toEqual(['Hel', 'Hello']);
  });

  it('OpenAI: an error event is kept (cleaned), a finish_reason without [DONE] is complete', () => {
    const e = new OpenAiStreamState();
    e.onData(JSON.stringify({ error: { message: 'overloaded\nnow' } }));
    expect(e.outcome().error).toBe('overloaded now');
    const f = new OpenAiStreamState();
    f.onData(chunk('x', 'length'));
    expect(f.outcome()).toMatchObject({ complete: true, text: 'x' });
  });

  it('http: {"delta"} pieces, then {"done":true,"text"} replaces them and brings memories', () => {
    const s = new HttpRuntimeStreamState(undefined, (m) => (Array.isArray(m) ? (m as never[]) : []));
    s.onData('{"delta":"Hi "}');
    s.onData('{"delta":"there"}');
    expect(s.outcome()).toMatchObject({ complete: false, text: 'Hi there' });
    s.onData('{"done":true,"text":"Hi there!","memories":[{"type":"fact","content":"c"}]}');
    expect(s.outcome()).toMatchObject({ complete: true, text: 'Hi there!', memories: [{ type: 'fact', content: 'c' }] });
    const e = new HttpRuntimeStreamState(undefined, () => []);
    e.onData('{"error":"quota exceeded"}');
    expect(e.outcome().error).toBe('quota exceeded');
  });
});
