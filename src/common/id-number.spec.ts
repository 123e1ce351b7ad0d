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
});
