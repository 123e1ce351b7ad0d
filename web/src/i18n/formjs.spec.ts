import { formjsTranslate } from './formjs';

describe("form-js's own words", () => {
  it('are Chinese in zh, with their values, and English in en', () => {
    expect(formjsTranslate('zh')('Field is required.')).toBe('此项必填。');
    expect(formjsTranslate('zh')('Field must have minimum value of {value}.', { value: '0' })).toBe('不能小于 0。');
    expect(formjsTranslate('zh')('Some new template {x}', { x: 'a' })).toBe('Some new template a');
    expect(formjsTranslate('en')('Field must have minimum value of {value}.', { value: '0' })).toBe('Field must have minimum value of 0.');
  });
});
