import { catalogues } from './catalogues';

describe('message catalogues', () => {
  it.each(Object.entries(catalogues))('%s: zh and en have the same keys, none empty', (_, catalogue) => {
    const zh = Object.keys(catalogue.zh).sort();
    const en = Object.keys(catalogue.en).sort();
    expect(en).toEqual(zh);
    for (const text of [...Object.values(catalogue.zh), ...Object.values(catalogue.en)]) expect((text as string).trim()).not.toBe('');
  });

  it('no key is in two catalogues', () => {
    const seen = new Map<string, string>();
    for (const [name, catalogue] of Object.entries(catalogues)) {
      for (const key of Object.keys(catalogue.zh)) {
        expect(seen.get(key) ?? name).toBe(name);
        seen.set(key, name);
      }
    }
  });
});
