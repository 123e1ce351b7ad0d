import { idNumberCheckChar, isValidIdNumber, maskIdNumber, maskIdNumbersIn } from './id-number';

// Check characters computed by hand with the GB 11643 weights.
const VALID = '11010519491231002X';

describe('ID numbers (GB 11643)', () => {
  it('computes the MOD 11-2 check character', () => {
    expect(idNumberCheckChar('11010519491231002')).toBe('X');
    expect(idNumberCheckChar('44052418800101001')).toBe('4');
  });

  it('accepts valid numbers and refuses wrong check digits, dates and shapes', () => {
    expect(isValidIdNumber(VALID)).toBe(true);
    expect(isValidIdNumber('440524188001010014')).toBe(false); // the standard's own example, but born before 1900
    expect(isValidIdNumber('110105194912310021')).toBe(false); // wrong check character
    expect(isValidIdNumber('110105194902300027')).toBe(false); // 30 February
    expect(isValidIdNumber('11010519491231002x')).toBe(false); // lower-case x is not the standard form
    expect(isValidIdNumber('1101051949123100')).toBe(false);
  });

  it('masks all but the region and the last four characters', () => {
    expect(maskIdNumber(VALID)).toBe('110105********002X');
  });

  it('masks every ID number in free text, valid or not, and leaves other numbers alone', () => {
    const text = `applicant ${VALID} spouse 110105194912310021 key 2251799813685249 amount 123456`;
    expect(maskIdNumbersIn(text)).toBe('applicant 110105********002X spouse 110105********0021 key 2251799813685249 amount 123456');
  });

  describe('in URLs and query strings', () => {
    const masked = '110105********002X';
    it.each([
      ['quoted', `/api/v1/dibao/cases?idNumber="${VALID}"`, `/api/v1/dibao/cases?idNumber="${masked}"`],
      ['single-quoted', `?q='${VALID}'`, `?q='${masked}'`],
      ['percent-encoded quotes', `?q=%22${VALID}%22`, `?q=%22${masked}%22`],
      ['percent-encoded single quotes', `?q=%27${VALID}%27&x=1`, `?q=%27${masked}%27&x=1`],
      ['after a percent-encoded Chinese word (号 = %E5%8F%B7)', `?q=%E5%8F%B7${VALID}`, `?q=%E5%8F%B7${masked}`],
      ['followed by a letter', `?q=${VALID}abc`, `?q=${masked}abc`],
      ['preceded by a letter', `?q=id${VALID}`, `?q=id${masked}`],
      ['ending in X, followed by a digit', `?q=${VALID}5`, `?q=${masked}5`],
      ['lower-case x', `?q=${VALID.toLowerCase()}`, `?q=${masked.toLowerCase()}`],
      ['digits only, followed by a letter', `/people/110105194912310021b`, `/people/110105********0021b`],
      ['after an encoded space, before an encoded comma', `?q=a%20${VALID}%2C`, `?q=a%20${masked}%2C`],
    ])('masks one %s', (_, text, expected) => {
      expect(maskIdNumbersIn(text)).toBe(expected);
    });

    it('leaves longer numbers alone: engine keys of up to 19 digits, even with an ID-shaped run inside', () => {
      // A 19-digit key whose first or last 18 digits look like an ID number is a key, not an ID number.
      const keys = ['2251799813685249', '4503599627370497', '9223372036854775807', '1101051949123100211', '2110105194912310021'];
      for (const key of keys) {
        expect(maskIdNumbersIn(`/api/v1/tasks/${key}/claim`)).toBe(`/api/v1/tasks/${key}/claim`);
        expect(maskIdNumbersIn(`?processInstanceKey=%22${key}%22`)).toBe(`?processInstanceKey=%22${key}%22`);
      }
    });
  });
});
