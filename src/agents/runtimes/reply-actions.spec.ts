import { checkReplyActions, describeAction, MAX_ACTIONS, MAX_LABEL_CHARS } from './reply-actions';
import { RuntimeError } from './runtime.types';

const check = (actions: unknown, approval?: unknown) => checkReplyActions(actions, approval, 'bad');
const failure = (actions: unknown, approval?: unknown): string => {
  try {
    check(actions, approval);
  } catch (e) {
    expect(e).toBeInstanceOf(RuntimeError);
    expect((e as RuntimeError).code).toBe('BAD_RESPONSE');
    expect((e as RuntimeError).transient).toBe(false);
    return (e as RuntimeError).message;
  }
  throw new Error('expected a RuntimeError');
};

describe('checkReplyActions', () => {
  it('absent or empty actions are none; approval without actions is refused', () => {
    expect(check(undefined)).toEqual({});
    expect(check(null)).toEqual({});
    expect(check([])).toEqual({});
    expect(failure(undefined, { expiresInS: 5 })).toMatch(/`approval` needs `actions`/);
  });

  it('keeps id, label, style and value; caps count and label length', () => {
    const many = Array.from({ length: MAX_ACTIONS + 5 }, (_, i) => ({ id: `a${i}`, label: `Option ${i}` }));
    expect(check(many).actions).toHaveLength(MAX_ACTIONS);
    const long = check([{ id: 'x', label: 'L'.repeat(200), style: 'danger', value: 'v' }]).actions![0];
    expect([...long.label]).toHaveLength(MAX_LABEL_CHARS);
    expect(long.label.endsWith('…')).toBe(true);
    expect(long).toMatchObject({ id: 'x', style: 'danger', value: 'v' });
  });

  it('names the field of a malformed entry', () => {
    expect(failure({})).toMatch(/must be a list/);
    expect(failure([{ label: 'A' }])).toMatch(/actions\[0\]\.id/);
    expect(failure([{ id: 'has space', label: 'A' }])).toMatch(/actions\[0\]\.id/);
    expect(failure([{ id: 'a', label: '  ' }])).toMatch(/actions\[0\]\.label/);
    expect(failure([{ id: 'a', label: 'A' }, { id: 'a', label: 'B' }])).toMatch(/actions\[1\]\.id "a" is used twice/);
    expect(failure([{ id: 'a', label: 'A', style: 'green' }])).toMatch(/actions\[0\]\.style/);
    expect(failure([{ id: 'a', label: 'A', value: 5 }])).toMatch(/actions\[0\]\.value/);
  });

  it('approval: approvers as strings (numbers accepted, deduplicated), expiresInS bounded, default a day', () => {
    const a = [{ id: 'ok', label: 'OK' }];
    expect(check(a, { approvers: [123, '123', 'U1'] }).approval).toEqual({ approvers: ['123', 'U1'], expiresInS: 86400 });
    expect(check(a, { expiresInS: 1 }).approval).toEqual({ expiresInS: 1 });
    expect(failure(a, { expiresInS: 0 })).toMatch(/approval\.expiresInS/);
    expect(failure(a, { expiresInS: 1.5 })).toMatch(/approval\.expiresInS/);
    expect(failure(a, { approvers: [] })).toMatch(/approval\.approvers/);
    expect(failure(a, { approvers: [{}] })).toMatch(/approval\.approvers/);
    expect(failure(a, 'yes')).toMatch(/`approval` must be an object/);
  });
});

describe('describeAction', () => {
  it('says who clicked what', () => {
    expect(describeAction({ actionId: 'approve', label: 'Approve', value: 'd-1', user: { id: '1', name: 'Grace' }, approval: { approvalId: 'x', decision: 'approve' } })).toBe(
      '[Grace clicked "Approve" (action "approve", value "d-1") — this decides the approval]',
    );
    expect(describeAction({ actionId: 'no', label: 'No', value: null, user: { id: 'U1', username: 'ada' } })).toBe('[@ada clicked "No" (action "no")]');
  });
});
