import { isRegionCode, regionCovers, regionPrefix } from './region';

describe('region scope', () => {
  it('recognises county, township and village codes only', () => {
    expect(['410821', '410821100', '410821100201'].every(isRegionCode)).toBe(true);
    expect(['41082', '4108211001', 'abcdef', ''].some(isRegionCode)).toBe(false);
  });

  it('derives the prefix of province, city and county codes', () => {
    expect(regionPrefix('410000')).toBe('41');
    expect(regionPrefix('410800')).toBe('4108');
    expect(regionPrefix('410821')).toBe('410821');
    expect(regionPrefix('410821100')).toBe('410821100');
  });

  it('lets a region see itself and what lies under it, nothing beside it', () => {
    expect(regionCovers('410821', '410821')).toBe(true);
    expect(regionCovers('410821', '410821100201')).toBe(true);
    expect(regionCovers('410800', '410821100')).toBe(true);
    expect(regionCovers('410821100', '410821101')).toBe(false);
    expect(regionCovers('410821100', '410821')).toBe(false);
    expect(regionCovers('410821', '410822100')).toBe(false);
  });
});
