import { ApiProperty, type ApiPropertyOptions } from '@nestjs/swagger';

// The package exports no SchemaObject type: reached through the decorator's options.
type SchemaObject = Exclude<NonNullable<ApiPropertyOptions['additionalProperties']>, boolean>;

/** One cited parameter: its value (a number of fen or percent, a flag, a table), where it comes from, and a caveat. */
const CITED_PARAMETER = {
  type: 'object',
  required: ['value', 'source'],
  properties: {
    value: { description: 'The value: fen, percent, days, a flag or a table, by parameter' },
    source: {
      type: 'object',
      required: ['document', 'passage'],
      properties: {
        document: { type: 'string', example: '社会救助法 §18', description: "A seed file name, or a law's articles" },
        passage: { type: 'string', description: "The passage quoted exactly, or the article's gist" },
      },
    },
    provisional: { type: 'string', description: 'Set when the cited documents do not fix the value: it must be confirmed locally' },
  },
};

const RESOLVED_PARAMETER: SchemaObject = {
  ...CITED_PARAMETER,
  required: [...CITED_PARAMETER.required, 'inherited'],
  properties: { ...CITED_PARAMETER.properties, inherited: { type: 'boolean', description: 'Taken from the baseline, not set by this profile' } },
};

export class ProfileVersionSummary {
  @ApiProperty({ example: 'jiaozuo-2022-154' }) id!: string;
  @ApiProperty({ format: 'date', example: '2026-07-01' }) effectiveFrom!: string;
  @ApiProperty({ example: '004_ab48a1bc071c0f38.txt', description: 'The document it enacts' }) document!: string;
}

export class ProfileVersionView extends ProfileVersionSummary {
  @ApiProperty({ type: 'object', additionalProperties: CITED_PARAMETER, description: 'The parameters this version sets, by name (the rest are inherited)' })
  parameters!: Record<string, unknown>;
}

/** A profile as the list answers it: its versions without their parameters. */
export class PolicyProfileItem {
  @ApiProperty({ example: 'jiaozuo' }) id!: string;
  @ApiProperty({ example: '焦作市 Jiaozuo (Henan)' }) name!: string;
  @ApiProperty({ type: String, nullable: true, example: 'national', description: 'The profile it inherits from; null for the national baseline' }) extends!: string | null;
  @ApiProperty({ type: [String], example: ['410821', '410822'], description: 'The counties it governs' }) regions!: string[];
  @ApiProperty({ type: [ProfileVersionSummary] }) versions!: ProfileVersionSummary[];
}

export class PolicyProfileView {
  @ApiProperty({ example: 'jiaozuo' }) id!: string;
  @ApiProperty({ example: '焦作市 Jiaozuo (Henan)' }) name!: string;
  @ApiProperty({ required: false, example: 'national', description: 'Left out for the national baseline' }) extends?: string;
  @ApiProperty({ type: [String], example: ['410821', '410822'] }) regions!: string[];
  @ApiProperty({ type: [ProfileVersionView] }) versions!: ProfileVersionView[];
}

/** The version in force for a region on a date, inherited parameters filled in and marked. */
export class ResolvedProfileView {
  @ApiProperty({ example: 'jiaozuo' }) profileId!: string;
  @ApiProperty({ example: '焦作市 Jiaozuo (Henan)' }) profileName!: string;
  @ApiProperty({ example: 'jiaozuo-2022-154' }) versionId!: string;
  @ApiProperty({ format: 'date', example: '2026-07-01' }) effectiveFrom!: string;
  @ApiProperty({ example: 'national-2026', description: 'The baseline version inherited values come from' }) baselineVersionId!: string;
  @ApiProperty({ type: 'object', additionalProperties: RESOLVED_PARAMETER, description: 'Every parameter, by name' }) parameters!: Record<string, unknown>;
}
