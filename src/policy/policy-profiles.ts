import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { DomainError } from '../common/domain-error';
import { shanghaiDate } from './shanghai-date';
import { checkCited, type Cited, type ParameterName, PARAMETER_NAMES, type PolicyParameters, type Source } from './parameters';

/**
 * Policy profiles: the parameters of a jurisdiction as data (`profiles/*.yaml`), each cited to its source, versioned
 * by effective date. A regional profile sets what its notice fixes and inherits the rest from the national
 * baseline in force at the same date. Loading validates everything and fails with every problem listed.
 */

export const PROFILES_DIR = join(__dirname, 'profiles');
export const SOURCES_DIR = join(__dirname, 'sources');
const BASELINE = 'national';
/** Seed notices are quoted verbatim; law articles are cited by gist. */
const SEED_FILE = /^\d{3}_[0-9a-f]{16}\.txt$/;

export interface ProfileVersion {
  id: string;
  effectiveFrom: string;
  document: string;
  parameters: Partial<{ [K in ParameterName]: Cited<PolicyParameters[K]> }>;
}

export interface Profile {
  id: string;
  name: string;
  extends?: string;
  regions: string[];
  versions: ProfileVersion[];
}

export type ResolvedParameter<K extends ParameterName> = Cited<PolicyParameters[K]> & { inherited: boolean };

/** The parameters a case is decided by: one version of one profile, inherited values filled in and marked. */
export interface ResolvedProfile {
  profileId: string;
  profileName: string;
  versionId: string;
  effectiveFrom: string;
  /** The baseline version inherited values come from. */
  baselineVersionId: string;
  parameters: { [K in ParameterName]: ResolvedParameter<K> };
}

export class PolicyError extends Error {
  override name = 'PolicyError';
}

export class PolicyProfiles {
  private constructor(private readonly profiles: Map<string, Profile>) {}

  /** Reads and validates every profile; a problem anywhere stops start-up with all problems named. */
  static load(dir = PROFILES_DIR, sourcesDir = SOURCES_DIR): PolicyProfiles {
    const problems: string[] = [];
    const profiles = new Map<string, Profile>();
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()) {
      let profile: Profile;
      try {
        profile = parse(readFileSync(join(dir, file), 'utf8')) as Profile;
      } catch (error) {
        problems.push(`${file}: not valid YAML: ${(error as Error).message}`);
        continue;
      }
      problems.push(...checkProfile(profile, sourcesDir).map((p) => `${file}: ${p}`));
      if (profile?.id) profiles.set(profile.id, profile);
    }
    if (!profiles.has(BASELINE)) problems.push(`no "${BASELINE}" baseline profile in ${dir}`);
    problems.push(...checkRegions([...profiles.values()]));
    if (problems.length) throw new PolicyError(`Invalid policy profiles:\n- ${problems.join('\n- ')}`);
    return new PolicyProfiles(profiles);
  }

  list(): Profile[] {
    return [...this.profiles.values()];
  }

  get(id: string): Profile | undefined {
    return this.profiles.get(id);
  }

  /** The profile of a region: by its county (the first 6 digits of a county, township or village code), else the baseline. */
  profileFor(regionCode: string): Profile {
    const county = regionCode.slice(0, 6);
    return this.list().find((p) => p.regions.includes(county)) ?? this.profiles.get(BASELINE)!;
  }

  /** The version of a profile in force on a date (YYYY-MM-DD, Asia/Shanghai), inherited values resolved. */
  inForce(profileId: string, date: string): ResolvedProfile {
    const profile = this.profiles.get(profileId);
    if (!profile) throw new PolicyError(`no policy profile "${profileId}"`);
    const version = versionAt(profile, date);
    if (!version) throw new PolicyError(`profile "${profileId}" has no version in force on ${date} (its first takes effect ${profile.versions[0]?.effectiveFrom})`);
    return this.resolve(profile, version, date);
  }

  /** The version in force for a region at an instant (on its Asia/Shanghai date). */
  inForceAt(regionCode: string, at: Date): ResolvedProfile {
    return this.inForce(this.profileFor(regionCode).id, shanghaiDate(at));
  }

  /** As `inForceAt`, for a request: no version in force is a 422 the caller can read, and nothing is written. */
  inForceForRequest(regionCode: string, at: Date): ResolvedProfile {
    try {
      return this.inForceAt(regionCode, at);
    } catch (error) {
      if (error instanceof PolicyError) throw new DomainError('no-profile-in-force', error.message, 422);
      throw error;
    }
  }

  /** The stored version a case was decided by. */
  byVersionId(versionId: string): ResolvedProfile {
    for (const profile of this.profiles.values()) {
      const version = profile.versions.find((v) => v.id === versionId);
      if (version) return this.resolve(profile, version, version.effectiveFrom);
    }
    throw new PolicyError(`no policy profile version "${versionId}"`);
  }

  private resolve(profile: Profile, version: ProfileVersion, date: string): ResolvedProfile {
    const baseline = this.profiles.get(BASELINE)!;
    const baselineVersion = profile.id === BASELINE ? version : versionAt(baseline, date);
    if (!baselineVersion) throw new PolicyError(`the national baseline has no version in force on ${date}`);
    const parameters = Object.fromEntries(
      PARAMETER_NAMES.map((name) => {
        const own = version.parameters[name];
        return [name, own ? { ...own, inherited: false } : { ...baselineVersion.parameters[name]!, inherited: true }];
      }),
    ) as ResolvedProfile['parameters'];
    return {
      profileId: profile.id,
      profileName: profile.name,
      versionId: version.id,
      effectiveFrom: version.effectiveFrom,
      baselineVersionId: baselineVersion.id,
      parameters,
    };
  }
}

function versionAt(profile: Profile, date: string): ProfileVersion | undefined {
  return profile.versions.filter((v) => v.effectiveFrom <= date).at(-1);
}

function checkProfile(profile: Profile, sourcesDir: string): string[] {
  if (!profile || typeof profile !== 'object') return ['must be a mapping with id, name, regions and versions'];
  const problems: string[] = [];
  if (typeof profile.id !== 'string' || !/^[a-z][a-z0-9-]*$/.test(profile.id)) problems.push('id must be a lower-case name');
  if (typeof profile.name !== 'string' || !profile.name.trim()) problems.push('name is missing');
  const isBaseline = profile.id === BASELINE;
  if (!isBaseline && profile.extends !== BASELINE) problems.push(`extends must be "${BASELINE}"`);
  if (!Array.isArray(profile.regions) || profile.regions.some((r) => !/^\d{6}$/.test(String(r)))) problems.push('regions must be a list of 6-digit county codes');
  if (!Array.isArray(profile.versions) || profile.versions.length === 0) return [...problems, 'versions must list at least one version'];
  profile.versions.forEach((version, i) => {
    const at = `version ${version?.id ?? i}`;
    if (typeof version.id !== 'string' || !version.id) problems.push(`${at}: id is missing`);
    if (typeof version.effectiveFrom !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(version.effectiveFrom)) problems.push(`${at}: effectiveFrom must be a date YYYY-MM-DD (quoted)`);
    if (i > 0 && version.effectiveFrom <= profile.versions[i - 1]!.effectiveFrom) problems.push(`${at}: versions must be in ascending order of effectiveFrom`);
    const parameters = (version.parameters ?? {}) as Record<string, unknown>;
    for (const [name, cited] of Object.entries(parameters)) {
      problems.push(...checkCited(name, cited).map((p) => `${at}: ${p}`));
      const source = (cited as Cited<unknown>)?.source;
      if (source?.document && SEED_FILE.test(source.document)) problems.push(...checkQuote(source, sourcesDir).map((p) => `${at}: ${name}: ${p}`));
    }
    if (isBaseline) {
      const missing = PARAMETER_NAMES.filter((name) => !(name in parameters));
      if (missing.length) problems.push(`${at}: the baseline must set every parameter; missing: ${missing.join(', ')}`);
    }
  });
  return problems;
}

const quotes = new Map<string, string>();

/** A seed citation must quote its file exactly, so an official can find the passage. */
function checkQuote(source: Source, sourcesDir: string): string[] {
  const path = join(sourcesDir, source.document);
  let text = quotes.get(path);
  if (text === undefined) {
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      return [`source document ${source.document} is not in ${sourcesDir}`];
    }
    quotes.set(path, text);
  }
  return text.includes(source.passage) ? [] : [`the passage "${source.passage}" is not found verbatim in ${source.document}`];
}

function checkRegions(profiles: Profile[]): string[] {
  const owner = new Map<string, string>();
  const problems: string[] = [];
  for (const profile of profiles) {
    for (const region of profile.regions ?? []) {
      const other = owner.get(region);
      if (other) problems.push(`county ${region} is in both ${other} and ${profile.id}`);
      owner.set(region, profile.id);
    }
  }
  return problems;
}
