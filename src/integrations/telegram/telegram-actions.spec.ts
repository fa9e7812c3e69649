import { inlineKeyboard, withOutcome } from './telegram-actions';

describe('Telegram buttons', () => {
  it('short labels share a row, long ones get their own; callback_data is the token', () => {
    const kb = inlineKeyboard({ buttons: [{ token: 'a.0', label: 'Yes' }, { token: 'a.1', label: 'No' }, { token: 'a.2', label: 'A much longer label than twenty' }] });
    expect(kb.inline_keyboard).toEqual([
      [{ text: 'Yes', callback_data: 'a.0' }, { text: 'No', callback_data: 'a.1' }],
      [{ text: 'A much longer label than twenty', callback_data: 'a.2' }],
    ]);
    expect(() => inlineKeyboard({ buttons: [{ token: 'x'.repeat(65), label: 'X' }] })).toThrow(/64 bytes/);
  });

  it('redraws the last part with the outcome (escaped), or gives up when it would not fit', () => {
    expect(withOutcome('Pick **one**', 'Ada <x> chose “Yes”')).toBe('Pick <b>one</b>\n\n<i>Ada &lt;x&gt; chose “Yes”</i>');
    expect(withOutcome('word '.repeat(819).trim(), 'x'.repeat(100))).toBeUndefined();
  });
});
