import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { checkCited, type Cited, PARAMETER_NAMES } from './parameters';
import { type Profile, PolicyProfiles, PROFILES_DIR, SOURCES_DIR } from './policy-profiles';

/**
 * The shipped profile data (profiles/*.yaml) against its sources (sources/*.txt). The checks are plain functions
 * returning problems, so each is run on the real files (no problems) and on a broken copy (the problem is found).
 */

const SEED_FILE = /^\d{3}_[0-9a-f]{16}\.txt$/;
/**
 * The law's text is not in sources/: only the articles the seeds README lists may be cited, by gist; a rule no listed
 * article says is cited to the law by title (`社会救助法`).
 */
const LAW_ARTICLES = ['11', '18', '37', '44', '45', '48', '50', '62'];
const LAW_CITATION = /^社会救助法 §(\d+)$/;
const LAW_TITLE = '社会救助法';
/**
 * The family's remedies, also cited by gist: 行政复议法 (2023) 第二十条 (60 days), 第二十四条 (the county-level government
 * reviews a township's act); 行政诉讼法 第十八条 (the court where the deciding body sits), 第四十六条 (6 months).
 */
const REMEDY_ARTICLES = ['行政复议法 §20 §24', '行政诉讼法 §18 §46'];
const BASELINE = 'national';
/** The prefix every county code of a regional profile must start with: its prefecture or province. */
const JURISDICTION_PREFIX: Record<string, string> = { gannan: '6230', tongren: '6323', yunnan: '53', jiaozuo: '4108' };

type Files = Record<string, Profile>;

function readProfiles(dir = PROFILES_DIR): Files {
  return Object.fromEntries(
    readdirSync(dir)
      .filter((f) => f.endsWith('.yaml'))
      .sort()
      .map((f) => [f, parse(readFileSync(join(dir, f), 'utf8')) as Profile]),
  );
}

const sourceCache = new Map<string, string | undefined>();
function readSource(document: string): string | undefined {
  if (!sourceCache.has(document)) {
    try {
      sourceCache.set(document, readFileSync(join(SOURCES_DIR, document), 'utf8'));
    } catch {
      sourceCache.set(document, undefined);
    }
  }
  return sourceCache.get(document);
}

const clone = <T>(value: T): T => structuredClone(value);
const cited = (version: Profile['versions'][number]) => Object.entries(version.parameters ?? {}) as [string, Cited<unknown>][];

/** Every parameter valid per PARAMETER_CHECKS, with a source and, when provisional, a reason. */
function parameterProblems(file: string, profile: Profile): string[] {
  return profile.versions.flatMap((version) => cited(version).flatMap(([name, value]) => checkCited(name, value).map((p) => `${file} ${version.id}: ${p}`)));
}

/** The baseline sets every parameter in every version, has no parent and no counties. */
function baselineProblems(files: Files): string[] {
  const entry = Object.entries(files).find(([, p]) => p.id === BASELINE);
  if (!entry) return [`no ${BASELINE} profile`];
  const [file, national] = entry;
  const problems: string[] = [];
  if (national.extends !== undefined) problems.push(`${file}: the baseline extends nothing`);
  if (!Array.isArray(national.regions) || national.regions.length) problems.push(`${file}: the baseline has regions: [] (it is the fallback)`);
  for (const version of national.versions) {
    const missing = PARAMETER_NAMES.filter((name) => !(name in (version.parameters ?? {})));
    if (missing.length) problems.push(`${file} ${version.id}: missing ${missing.join(', ')}`);
  }
  return problems;
}

/**
 * Sources: a seed citation quotes its file verbatim; a law citation names a listed article and, as the law text is
 * not at hand, its value is provisional; a regional profile cites only its own notice (what it does not fix is
 * inherited, never copied).
 */
function sourceProblems(file: string, profile: Profile, read = readSource): string[] {
  const problems: string[] = [];
  for (const version of profile.versions) {
    const at = `${file} ${version.id}`;
    if (SEED_FILE.test(version.document) && read(version.document) === undefined) problems.push(`${at}: document ${version.document} is not in sources/`);
    for (const [name, { source, provisional }] of cited(version)) {
      const document = source?.document ?? '';
      if (SEED_FILE.test(document)) {
        const text = read(document);
        if (text === undefined) problems.push(`${at}: ${name}: ${document} is not in sources/`);
        else if (!text.includes(source.passage)) problems.push(`${at}: ${name}: passage not verbatim in ${document}: ${source.passage}`);
      } else {
        const article = LAW_CITATION.exec(document)?.[1];
        if (document !== LAW_TITLE && !REMEDY_ARTICLES.includes(document) && (!article || !LAW_ARTICLES.includes(article))) problems.push(`${at}: ${name}: "${document}" is neither a seed file nor a listed article (社会救助法 §${LAW_ARTICLES.join('/§')})`);
        if (!provisional) problems.push(`${at}: ${name}: cited to the law by gist only, so the value must be provisional`);
      }
      if (profile.id !== BASELINE && document !== version.document) problems.push(`${at}: ${name}: a regional profile cites its own notice (${version.document}), not ${document}`);
    }
  }
  return problems;
}

/** Version ids unique across all profiles (a decision stores one); dates ISO and ascending; none before the baseline. */
function versionProblems(files: Files): string[] {
  const problems: string[] = [];
  const seen = new Map<string, string>();
  const baselineStart = Object.values(files).find((p) => p.id === BASELINE)?.versions[0]?.effectiveFrom ?? '';
  for (const [file, profile] of Object.entries(files)) {
    profile.versions.forEach((version, i) => {
      if (seen.has(version.id)) problems.push(`${file}: version id ${version.id} is also in ${seen.get(version.id)}`);
      seen.set(version.id, file);
      if (typeof version.effectiveFrom !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(version.effectiveFrom) || Number.isNaN(Date.parse(version.effectiveFrom)))
        problems.push(`${file} ${version.id}: effectiveFrom ${JSON.stringify(version.effectiveFrom)} is not a quoted ISO date`);
      if (i > 0 && !(version.effectiveFrom > profile.versions[i - 1]!.effectiveFrom)) problems.push(`${file} ${version.id}: effectiveFrom not after the previous version's`);
      if (version.effectiveFrom < baselineStart) problems.push(`${file} ${version.id}: starts ${version.effectiveFrom}, before the national baseline (${baselineStart}) it inherits from`);
    });
  }
  return problems;
}

/** County codes: 6 digits, within the jurisdiction, in one profile only. */
function regionProblems(files: Files): string[] {
  const problems: string[] = [];
  const owner = new Map<string, string>();
  for (const [file, profile] of Object.entries(files)) {
    const prefix = JURISDICTION_PREFIX[profile.id];
    if (profile.id !== BASELINE && !prefix) problems.push(`${file}: no jurisdiction prefix known for ${profile.id} (add it to this test)`);
    for (const region of profile.regions ?? []) {
      if (typeof region !== 'string' || !/^\d{6}$/.test(region)) problems.push(`${file}: ${JSON.stringify(region)} is not a quoted 6-digit county code`);
      else if (prefix && !region.startsWith(prefix)) problems.push(`${file}: ${region} is outside ${profile.id} (${prefix}…)`);
      if (owner.has(region)) problems.push(`${file}: county ${region} is also in ${owner.get(region)}`);
      owner.set(region, file);
    }
  }
  return problems;
}

const files = readProfiles();
const FILES = ['gannan.yaml', 'jiaozuo.yaml', 'national.yaml', 'tongren.yaml', 'yunnan.yaml'];

describe('policy profile data', () => {
  it('ships the five profiles and the five seed notices', () => {
    expect(Object.keys(files)).toEqual(FILES);
    expect(Object.fromEntries(Object.entries(files).map(([f, p]) => [f, p.id]))).toEqual({ 'gannan.yaml': 'gannan', 'jiaozuo.yaml': 'jiaozuo', 'national.yaml': 'national', 'tongren.yaml': 'tongren', 'yunnan.yaml': 'yunnan' });
    const seeds = readdirSync(SOURCES_DIR).filter((f) => SEED_FILE.test(f)).sort();
    expect(seeds).toEqual(['000_23ba0740f7eaeaa3.txt', '001_f3cd0093bf4edb6a.txt', '002_0858b8812067e8ef.txt', '003_ea92d853b2b37869.txt', '004_ab48a1bc071c0f38.txt']);
    const readme = readFileSync(join(SOURCES_DIR, 'README.md'), 'utf8');
    for (const seed of seeds) expect(readme).toContain(seed);
    expect(readme).toContain('《中华人民共和国社会救助法》');
  });

  describe.each(FILES)('%s', (file) => {
    it('has every parameter valid and cited', () => {
      expect(parameterProblems(file, files[file]!)).toEqual([]);
    });

    it('quotes its seeds verbatim and cites the law only by listed article, as provisional', () => {
      expect(sourceProblems(file, files[file]!)).toEqual([]);
    });
  });

  it('has a baseline that sets every parameter in every version', () => {
    expect(baselineProblems(files)).toEqual([]);
  });

  it('has unique version ids and ascending effective dates, none before the baseline', () => {
    expect(versionProblems(files)).toEqual([]);
  });

  it('puts each county in one profile, within its jurisdiction', () => {
    expect(regionProblems(files)).toEqual([]);
  });

  it('loads with the service loader, every version resolving against the baseline', () => {
    const profiles = PolicyProfiles.load();
    for (const profile of profiles.list()) {
      for (const version of profile.versions) {
        const resolved = profiles.byVersionId(version.id);
        expect(Object.keys(resolved.parameters).sort()).toEqual([...PARAMETER_NAMES].sort());
      }
    }
    expect(profiles.profileFor('410802001').id).toBe('jiaozuo');
    expect(profiles.profileFor('530102').id).toBe('yunnan');
    expect(profiles.profileFor('632301').id).toBe('tongren');
    expect(profiles.profileFor('623001').id).toBe('gannan');
    expect(profiles.profileFor('110101').id).toBe('national');
    const jiaozuo = profiles.inForce('jiaozuo', '2026-11-23');
    expect(jiaozuo.parameters.sampling).toMatchObject({ inherited: false, value: { ratioPercent: 30, relativesRatioPercent: 60 } });
    expect(jiaozuo.parameters.noticeDays).toMatchObject({ inherited: true, value: 7 });
  });

  // The numbers the notices fix, so an edit that changes one has to change this table too.
  it.each([
    ['tongren', 'employmentCostDeduction', { basis: 'income', percent: 30, capFen: null }],
    ['tongren', 'gradualExitMonths', { min: 12, max: 12 }],
    ['tongren', 'basicPensionExcluded', true],
    ['tongren', 'lowIncomeMultiplePercent', 200],
    ['tongren', 'temporaryAidReplyHours', 12],
    ['tongren', 'emergencyAidHours', 24],
    ['yunnan', 'gradualExitMonths', { min: 6, max: 12 }],
    ['yunnan', 'extremePovertyMultiplePercent', 130],
    ['gannan', 'disabledAdultSupportExempt', true],
    ['gannan', 'unemployedAid', { monthsWithoutIncome: 3, multipleOfStandardPercent: 100 }],
    ['jiaozuo', 'sampling', { ratioPercent: 30, relativesRatioPercent: 60, period: 'monthly' }],
    ['jiaozuo', 'paymentCalendar', { dataByDay: 5, fundsByDay: 8, creditedByDay: 10, holidayDirection: 'previous' }],
    ['national', 'marginalMultiplePercent', 150],
    ['national', 'noticeDays', 7],
    ['national', 'procedureWorkingDays', 30],
    ['national', 'procedureExtendedWorkingDays', 45],
    ['national', 'unemployedAid', { monthsWithoutIncome: 3, multipleOfStandardPercent: 100 }],
    ['national', 'administrativeReview', { body: '{county}人民政府', days: 60 }],
    ['national', 'administrativeLitigation', { body: '{county}人民法院', months: 6 }],
  ])('%s sets %s to the value its source fixes', (id, name, value) => {
    const profile = Object.values(files).find((p) => p.id === id)!;
    expect((profile.versions.at(-1)!.parameters as Record<string, Cited<unknown>>)[name]?.value).toEqual(value);
  });

  describe('the checks find what they are for', () => {
    const withVersion = (file: string, change: (parameters: Record<string, Cited<unknown>>) => void): Files => {
      const copy = clone(files);
      change(copy[file]!.versions[0]!.parameters as Record<string, Cited<unknown>>);
      return copy;
    };

    it('a remedy body with a placeholder the notices do not fill', () => {
      const broken = withVersion('national.yaml', (p) => {
        p.administrativeReview!.value = { body: '{township}人民政府', days: 60 };
      });
      expect(parameterProblems('national.yaml', broken['national.yaml']!)).toEqual(['national.yaml national-2026: administrativeReview.value: body may hold no placeholder but {county}']);
    });

    it('a value out of range or without a source', () => {
      const broken = withVersion('tongren.yaml', (p) => {
        p.temporaryAidReplyHours!.value = 0;
        delete (p.emergencyAidHours as Partial<Cited<unknown>>).source;
      });
      expect(parameterProblems('tongren.yaml', broken['tongren.yaml']!)).toEqual([
        'tongren.yaml tongren-2021: temporaryAidReplyHours.value must be an integer from 1 to 240 (got 0)',
        'tongren.yaml tongren-2021: emergencyAidHours has no source (document and passage are required)',
      ]);
    });

    it('a passage that is not verbatim (a half-width comma for a full-width one), a missing seed, an unlisted article', () => {
      const broken = withVersion('jiaozuo.yaml', (p) => {
        p.sampling!.source.passage = p.sampling!.source.passage.replace('，', ',');
        p.paymentCalendar!.source.document = '005_0000000000000000.txt';
      });
      const problems = sourceProblems('jiaozuo.yaml', broken['jiaozuo.yaml']!);
      expect(problems.some((p) => p.startsWith('jiaozuo.yaml jiaozuo-2022-154: sampling: passage not verbatim in 004_ab48a1bc071c0f38.txt'))).toBe(true);
      expect(problems).toContain('jiaozuo.yaml jiaozuo-2022-154: paymentCalendar: 005_0000000000000000.txt is not in sources/');
      const law = withVersion('national.yaml', (p) => {
        p.noticeDays!.source.document = '社会救助法 §99';
        delete p.procedureWorkingDays!.provisional;
      });
      expect(sourceProblems('national.yaml', law['national.yaml']!)).toEqual([
        'national.yaml national-2026: noticeDays: "社会救助法 §99" is neither a seed file nor a listed article (社会救助法 §11/§18/§37/§44/§45/§48/§50/§62)',
        'national.yaml national-2026: procedureWorkingDays: cited to the law by gist only, so the value must be provisional',
      ]);
    });

    it('a regional profile copying a baseline value instead of citing its notice', () => {
      const broken = withVersion('yunnan.yaml', (p) => {
        p.noticeDays = clone(files['national.yaml']!.versions[0]!.parameters.noticeDays!);
      });
      expect(sourceProblems('yunnan.yaml', broken['yunnan.yaml']!)).toContain(
        'yunnan.yaml yunnan-2022-0628: noticeDays: a regional profile cites its own notice (003_ea92d853b2b37869.txt), not 社会救助法 §45',
      );
    });

    it('a baseline missing a parameter', () => {
      const broken = withVersion('national.yaml', (p) => delete p.sampling);
      expect(baselineProblems(broken)).toEqual(['national.yaml national-2026: missing sampling']);
    });

    it('a duplicate version id, versions out of order, a version before the baseline', () => {
      const broken = clone(files);
      const gannan = broken['gannan.yaml']!;
      gannan.versions.push({ ...clone(gannan.versions[0]!), id: 'jiaozuo-2022-154', effectiveFrom: '2026-01-01' });
      expect(versionProblems(broken)).toEqual([
        "gannan.yaml jiaozuo-2022-154: effectiveFrom not after the previous version's",
        'gannan.yaml jiaozuo-2022-154: starts 2026-01-01, before the national baseline (2026-07-01) it inherits from',
        'jiaozuo.yaml: version id jiaozuo-2022-154 is also in gannan.yaml',
      ]);
    });

    it('a county in two profiles, outside its jurisdiction, or not a quoted code', () => {
      const broken = clone(files);
      broken['gannan.yaml']!.regions.push('410802', 623028 as unknown as string);
      expect(regionProblems(broken)).toEqual([
        'gannan.yaml: 410802 is outside gannan (6230…)',
        'gannan.yaml: 623028 is not a quoted 6-digit county code',
        'jiaozuo.yaml: county 410802 is also in gannan.yaml',
      ]);
    });
  });
});
