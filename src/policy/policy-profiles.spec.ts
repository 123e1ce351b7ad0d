import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { citedParameters } from '../../test/support/policy';
import { PolicyError, PolicyProfiles } from './policy-profiles';

const SEED = '004_ab48a1bc071c0f38.txt';
const QUOTE = '对乡镇（街道）审核确认（含申请未通过）的救助对象按照不低于30%的比例进行抽查';

/** A folder of profile files (and one source document) for a test. */
function profilesDir(files: Record<string, unknown>): { dir: string; sources: string } {
  const dir = mkdtempSync(join(tmpdir(), 'profiles-'));
  const sources = mkdtempSync(join(tmpdir(), 'sources-'));
  writeFileSync(join(sources, SEED), `……县（市、区）民政局要加强监督指导，${QUOTE}，……`);
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), typeof content === 'string' ? content : stringify(content));
  return { dir, sources };
}

const national = (parameters: Record<string, unknown> = citedParameters(), versions?: unknown[]) => ({
  id: 'national',
  name: '全国 National baseline',
  regions: [],
  versions: versions ?? [{ id: 'national-2026', effectiveFrom: '2026-07-01', document: '社会救助法', parameters }],
});

const jiaozuo = (parameters: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  id: 'jiaozuo',
  name: '焦作市 Jiaozuo',
  extends: 'national',
  regions: ['410802', '410821'],
  versions: [{ id: 'jiaozuo-2022-154', effectiveFrom: '2026-07-01', document: SEED, parameters }],
  ...extra,
});

const sampling = { value: { ratioPercent: 30, relativesRatioPercent: 60, period: 'monthly' }, source: { document: SEED, passage: QUOTE } };

function load(files: Record<string, unknown>): PolicyProfiles {
  const { dir, sources } = profilesDir(files);
  return PolicyProfiles.load(dir, sources);
}

function loadError(files: Record<string, unknown>): string {
  try {
    load(files);
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyError);
    return (error as Error).message;
  }
  throw new Error('expected the profiles to be refused');
}

describe('policy profiles', () => {
  it('inherits what a regional profile does not set from the baseline in force, and says so', () => {
    const profiles = load({ 'national.yaml': national(), 'jiaozuo.yaml': jiaozuo({ sampling }) });
    const resolved = profiles.inForce('jiaozuo', '2026-08-01');
    expect(resolved).toMatchObject({ profileId: 'jiaozuo', versionId: 'jiaozuo-2022-154', baselineVersionId: 'national-2026' });
    expect(resolved.parameters.sampling).toMatchObject({ inherited: false, source: { document: SEED, passage: QUOTE } });
    expect(resolved.parameters.noticeDays).toMatchObject({ value: 7, inherited: true, source: { document: '社会救助法 §18' } });
  });

  it('decides by the version in force on the date, and refuses a date before the first version', () => {
    const versions = [
      { id: 'national-2026', effectiveFrom: '2026-07-01', document: 'law', parameters: citedParameters() },
      { id: 'national-2027', effectiveFrom: '2027-01-01', document: 'law', parameters: citedParameters({ noticeDays: 5 }) },
    ];
    const profiles = load({ 'national.yaml': national(undefined, versions), 'jiaozuo.yaml': jiaozuo({ sampling }) });
    expect(profiles.inForce('national', '2026-12-31').versionId).toBe('national-2026');
    expect(profiles.inForce('national', '2027-01-01').parameters.noticeDays.value).toBe(5);
    // A regional version inherits from the baseline version in force on the same date.
    expect(profiles.inForce('jiaozuo', '2027-02-01').parameters.noticeDays).toMatchObject({ value: 5, inherited: true });
    expect(profiles.byVersionId('national-2026').parameters.noticeDays.value).toBe(7);
    expect(() => profiles.inForce('national', '2026-06-30')).toThrow('no version in force on 2026-06-30');
  });

  it.each([
    ['410802', 'jiaozuo'],
    ['410802001', 'jiaozuo'],
    ['410821100201', 'jiaozuo'],
    ['410803', 'national'],
    ['110105', 'national'],
  ])('maps region %s to profile %s', (region, profileId) => {
    const profiles = load({ 'national.yaml': national(), 'jiaozuo.yaml': jiaozuo({ sampling }) });
    expect(profiles.profileFor(region).id).toBe(profileId);
  });

  it('refuses a baseline that misses a parameter, naming it', () => {
    const { noticeDays: _, ...parameters } = citedParameters();
    expect(loadError({ 'national.yaml': national(parameters) })).toContain('national.yaml: version national-2026: the baseline must set every parameter; missing: noticeDays');
  });

  it('refuses a value out of range, naming the parameter and the range', () => {
    const message = loadError({ 'national.yaml': national(), 'jiaozuo.yaml': jiaozuo({ sampling: { ...sampling, value: { ...sampling.value, ratioPercent: 130 } } }) });
    expect(message).toContain('jiaozuo.yaml: version jiaozuo-2022-154: sampling.value.ratioPercent must be an integer from 0 to 100 (got 130)');
  });

  it('refuses band amounts that fall as the gap grows', () => {
    const benefit = { method: 'bands' as const, bands: [{ upToGapFen: 10_000, amountPerMemberFen: 20_000 }, { upToGapFen: 20_000, amountPerMemberFen: 15_000 }], roundTo: 'fen' as const, rounding: 'down' as const, minimumFen: 0 };
    expect(loadError({ 'national.yaml': national(citedParameters({ benefit })) })).toContain('benefit.value: band amounts must not fall as the gap grows');
  });

  it('refuses a parameter without a source', () => {
    const message = loadError({ 'national.yaml': national(), 'jiaozuo.yaml': jiaozuo({ noticeDays: { value: 5 } }) });
    expect(message).toContain('noticeDays has no source (document and passage are required)');
  });

  it('refuses a seed citation that does not quote the seed verbatim', () => {
    const message = loadError({ 'national.yaml': national(), 'jiaozuo.yaml': jiaozuo({ sampling: { ...sampling, source: { document: SEED, passage: '抽查比例不低于30%' } } }) });
    expect(message).toContain(`sampling: the passage "抽查比例不低于30%" is not found verbatim in ${SEED}`);
  });

  it('refuses unknown parameters, a county in two profiles and versions out of order', () => {
    const message = loadError({
      'national.yaml': national(),
      'jiaozuo.yaml': jiaozuo({ samplingRate: sampling }),
      'other.yaml': { ...jiaozuo({}), id: 'other', versions: [
        { id: 'b', effectiveFrom: '2026-08-01', document: SEED, parameters: {} },
        { id: 'a', effectiveFrom: '2026-07-01', document: SEED, parameters: {} },
      ] },
    });
    expect(message).toContain('samplingRate is not a known parameter');
    expect(message).toContain('county 410802 is in both jiaozuo and other');
    expect(message).toContain('version a: versions must be in ascending order of effectiveFrom');
  });

  it('lists every problem at once, file by file', () => {
    const message = loadError({ 'national.yaml': national(citedParameters({ noticeDays: 0 })), 'broken.yaml': 'id: [' });
    expect(message).toMatch(/^Invalid policy profiles:\n- broken\.yaml: not valid YAML/);
    expect(message).toContain('national.yaml: version national-2026: noticeDays.value must be an integer from 1 to 30 (got 0)');
  });
});
