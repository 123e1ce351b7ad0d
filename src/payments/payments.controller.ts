import { UuidParam } from '../common/params';
import { IsText } from '../common/text';
import { IsCalendarDate } from '../common/calendar-date';
import { Body, Controller, Get, HttpCode, HttpStatus, Inject, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiProduces, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Length, Matches } from 'class-validator';
import { IsIdNumber } from '../common/id-number';
import { shanghaiDate } from '../policy/shanghai-date';
import { DEATH_RECORD_COLUMNS, DeathRecordsService } from './death-records.service';
import { DibaoService } from '../dibao/dibao.service';
import type { Request, Response } from 'express';
import * as iconv from 'iconv-lite';
import type { Writable } from 'stream';
import { AppConfig } from '../config/app-config';
import { ApiCsvBody, readCsvRecords } from '../common/csv-intake';
import { InvalidRequestException } from '../common/problem';
import { CurrentPrincipal, Principal, RegionScoped, Roles } from '../auth/principal';
import { regionCovers, regionPrefix } from '../auth/region';
import { Role } from '../auth/roles';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock';
import { DomainError } from '../common/domain-error';
import { RegionQueryDto } from '../sla/sla.controller';
import { CAMUNDA_CLIENT, CamundaClient } from '../workflow/camunda-client';
import { publishOnce } from '../workflow/engine-calls';
import { ManualCycles } from './manual-cycles';
import { PaymentCycleView, PaymentHistoryLine } from './payments.views';
import { BANK_RESULT_COLUMNS, BANK_RESULT_REQUIRED, type PaymentCycle, PayrollService } from './payroll.service';

/** Published when a cycle's last line is settled; buffered until the cycle's process waits for it. */
export const BANK_RECONCILED_MESSAGE = 'payments.bank-reconciled';
const RECONCILED_TTL_MS = 35 * 24 * 3600 * 1000;

/** Download encodings of the bank file: UTF-8 (Excel on Chinese Windows needs its BOM) or GBK for banks that ask. */
const BANK_FILE_ENCODINGS = ['utf-8', 'gbk'] as const;
export class BankFileQueryDto {
  @ApiPropertyOptional({ enum: ['true', 'false'], description: 'UTF-8 with a byte-order mark (Excel on Chinese Windows needs it); default true', example: 'true' })
  @IsOptional()
  @IsIn(['true', 'false'], { message: 'bom must be true or false' })
  bom?: 'true' | 'false';

  @ApiPropertyOptional({ enum: BANK_FILE_ENCODINGS, default: 'utf-8', description: '文件编码 The encoding: UTF-8, or GBK for banks that ask', example: 'utf-8' })
  @IsOptional()
  @IsIn(BANK_FILE_ENCODINGS, { message: `encoding must be one of ${BANK_FILE_ENCODINGS.join(', ')}` })
  encoding?: (typeof BANK_FILE_ENCODINGS)[number];
}

/** Which county-month to run by hand (POST /payment-cycles). */
export class RunCycleQueryDto {
  @ApiProperty({ description: '县级区划代码（6位，须为区划库中的县）/ 6-digit county code known to the region registry; your own county', example: '410821' })
  @Matches(/^\d{6}$/, { message: 'county must be a 6-digit county code' })
  county!: string;

  @ApiProperty({ description: '发放月份 YYYY-MM，最晚为下个月 / the month to pay, YYYY-MM, at most next month (Asia/Shanghai)', example: '2026-10' })
  @Matches(/^(19|20|21)\d{2}-(0[1-9]|1[0-2])$/, { message: 'month must be a month YYYY-MM' })
  month!: string;
}

const PAYMENT_ROLES = [Role.CountyCivilAffairs, Role.CountyFinance, Role.Bank, Role.Supervisor];

/** Monthly payment cycles (PROCEDURES.md §4): the calendar and progress, the bank file, the bank's results. */
@ApiTags('payments')
@ApiBearerAuth()
@Controller('payment-cycles')
@Roles(...PAYMENT_ROLES)
export class PaymentsController {
  constructor(
    private readonly payroll: PayrollService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    @Inject(CAMUNDA_CLIENT) private readonly camunda: CamundaClient,
    private readonly config: AppConfig,
    private readonly manual: ManualCycles,
  ) {}

  /**
   * Starts or resumes the county-month's cycle through the model the 25th's timer starts: 201 with the cycle it
   * created, 200 with the one that existed (started again only if its instance was cancelled). Audited.
   */
  @Post()
  @Roles(Role.CountyCivilAffairs)
  @RegionScoped('county')
  @ApiCreatedResponse({ type: PaymentCycleView, description: '周期已创建并启动 The cycle was created and started (Location: /api/v1/payment-cycles/{id})' })
  @ApiOkResponse({ type: PaymentCycleView, description: '周期已存在（必要时已恢复运行）The cycle existed (resumed if its instance had been cancelled)' })
  async run(@Query() query: RunCycleQueryDto, @CurrentPrincipal() principal: Principal, @Res({ passthrough: true }) res: Response): Promise<PaymentCycle> {
    const { cycle, created } = await this.manual.run(query.county, query.month, principal);
    res.status(created ? HttpStatus.CREATED : HttpStatus.OK);
    if (created) res.setHeader('Location', `/api/v1/payment-cycles/${cycle.id}`);
    return cycle;
  }

  @Get()
  @RegionScoped('region')
  @ApiOkResponse({ type: [PaymentCycleView] })
  list(@Query() query: RegionQueryDto, @CurrentPrincipal() principal: Principal) {
    return this.payroll.cycles(regionPrefix(query.region ?? principal.regionCode));
  }

  /** One cycle with its calendar (deadlines moved off holidays), status and checked totals. */
  @Get(':id')
  @ApiOkResponse({ type: PaymentCycleView })
  async one(@UuidParam() id: string, @CurrentPrincipal() principal: Principal) {
    return this.visible(id, principal);
  }

  /** The bank file (CSV, streamed): every line of the cycle still to pay, with the payee's full ID number. */
  @Get(':id/bank-file')
  @Roles(Role.CountyFinance, Role.Bank)
  @ApiProduces('text/csv')
  @ApiOkResponse({
    description: '银行代发文件 / The bank file: UTF-8 with a BOM by default (bom=false without; encoding=gbk for GBK)',
    content: { 'text/csv': { schema: { type: 'string' }, example: 'line_id,county_code,benefit_month,attempt,payee_name,payee_id_number,amount_fen,kind,fund\n1,410821,2026-10,1,张三,410821199003071238,78000,benefit,' } },
  })
  async bankFile(@UuidParam() id: string, @Query() query: BankFileQueryDto, @CurrentPrincipal() principal: Principal, @Res() res: Response): Promise<void> {
    const encoding = query.encoding ?? 'utf-8';
    const bom = query.bom !== 'false';
    if (encoding === 'gbk' && query.bom === 'true') throw new InvalidRequestException([{ field: 'bom', message: 'a GBK file has no BOM' }]);
    const cycle = await this.visible(id, principal);
    const totals = await this.payroll.checkedTotals(cycle.id);
    await this.audit.record({ actor: { id: principal.id, roles: principal.roles }, regionCode: cycle.countyCode, action: 'payments.bank-file-issued', subjectType: 'payment-cycle', subjectId: cycle.id, details: totals });
    res.setHeader('Content-Type', `text/csv; charset=${encoding}`);
    const filename = `payroll-${cycle.countyCode}-${cycle.month}${encoding === 'gbk' ? '-gbk' : ''}.csv`;
    res.setHeader('Content-Disposition', `attachment; filename="${filename}"; filename*=UTF-8''${filename}`);
    res.setHeader('X-Payroll-Lines', String(totals.lineCount));
    res.setHeader('X-Payroll-Total-Fen', String(totals.totalFen));
    if (encoding === 'gbk') {
      // Re-encoded as it streams: the file is never held whole. The database sends UTF-8 bytes; the GBK encoder
      // takes text, so they are decoded first (the decoder keeps a character split across two chunks whole).
      const decoder = iconv.decodeStream('utf8');
      decoder.pipe(iconv.encodeStream('gbk')).pipe(res);
      await this.payroll.writeBankFile(cycle.id, decoder as unknown as Writable);
    } else {
      if (bom) res.write('\uFEFF');
      await this.payroll.writeBankFile(cycle.id, res);
    }
  }

  /** The bank's results, all or nothing, with a per-row report; answers the reconciliation. */
  @Post(':id/bank-results')
  // 200: the results update the cycle's lines (read at GET /payment-cycles/{id}); nothing new is addressable.
  @HttpCode(200)
  @Roles(Role.Bank, Role.CountyFinance)
  @ApiCsvBody()
  @ApiOkResponse({ description: 'The reconciliation: lines still issued, paid, failed, returned', schema: { type: 'object', required: ['issued', 'paid', 'failed', 'returned'], properties: { issued: { type: 'integer' }, paid: { type: 'integer' }, failed: { type: 'integer' }, returned: { type: 'integer' } }, example: { issued: 0, paid: 1, failed: 1, returned: 1 } } })
  async bankResults(@UuidParam() id: string, @Req() req: Request, @CurrentPrincipal() principal: Principal) {
    const cycle = await this.visible(id, principal);
    const records = readCsvRecords(req, 'BANK_RESULTS_LIMIT_BYTES', this.config.BANK_RESULTS_LIMIT_BYTES, BANK_RESULT_REQUIRED, BANK_RESULT_COLUMNS);
    // The results and their audit entry commit together; the message that moves the cycle on follows the commit.
    const reconciliation = await this.payroll.importResults(cycle.id, records, this.clock.now(), async (result, manager) => {
      await this.audit.record({ actor: { id: principal.id, roles: principal.roles }, regionCode: cycle.countyCode, action: 'payments.bank-results-imported', subjectType: 'payment-cycle', subjectId: cycle.id, details: { ...result } }, manager);
    });
    if (reconciliation.issued === 0 && cycle.processInstanceKey) {
      await publishOnce(this.camunda, { name: BANK_RECONCILED_MESSAGE, correlationKey: cycle.id, messageId: `${cycle.id}:reconciled`, timeToLiveMs: RECONCILED_TTL_MS, variables: { ...reconciliation } });
    }
    return reconciliation;
  }

  private async visible(id: string, principal: Principal): Promise<PaymentCycle> {
    const cycle = await this.payroll.cycle(id);
    if (!cycle || !regionCovers(principal.regionCode, cycle.countyCode)) throw new DomainError('cycle-not-found', `no payment cycle ${id}`, 404);
    return cycle;
  }
}

/** Death records added, and those already known (the same person recorded before). */
const IMPORTED_SCHEMA = { type: 'object', required: ['imported', 'known'], properties: { imported: { type: 'integer' }, known: { type: 'integer' } }, example: { imported: 1, known: 0 } };

export class DeathRecordDto {
  @ApiProperty({ example: '410821195001011233' })
  @IsIdNumber()
  idNumber!: string;

  @ApiProperty({ example: '张三' })
  @IsText(50)
  name!: string;

  @ApiProperty({ example: '2026-07-03' })
  @IsCalendarDate()
  diedOn!: string;

  @ApiProperty({ enum: ['public-security', 'health', 'civil-affairs'] })
  @IsIn(['public-security', 'health', 'civil-affairs'], { message: 'source must be one of public-security, health, civil-affairs' })
  source!: string;
}

/** A beneficiary's payments, month by month (what was paid, failed and re-issued, or returned). */
@ApiTags('payments')
@ApiBearerAuth()
@Controller('dibao/cases')
export class PaymentHistoryController {
  constructor(
    private readonly payroll: PayrollService,
    private readonly cases: DibaoService,
  ) {}

  @Get(':id/payments')
  @Roles(Role.TownshipCaseworker, Role.TownshipLeader, Role.CountyCivilAffairs, Role.CountyFinance, Role.Supervisor, Role.Integrator)
  @ApiOkResponse({ type: [PaymentHistoryLine], description: 'Newest month first, then newest attempt' })
  async history(@UuidParam() id: string, @CurrentPrincipal() principal: Principal) {
    const c = await this.cases.visibleCase(id, principal);
    return this.payroll.history(c.id);
  }
}

/** Death records for the monthly comparison (seed 004): by CSV file (all or nothing, per-row report) or one at a time. */
@ApiTags('payments')
@ApiBearerAuth()
@Controller('death-records')
@Roles(Role.CountyCivilAffairs)
export class DeathRecordsController {
  constructor(
    private readonly records: DeathRecordsService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  // 200 here and below: records join the comparison list, which has no route to read them back; the answer is the count.
  @Post('import')
  @HttpCode(200)
  @ApiCsvBody()
  @ApiOkResponse({ schema: IMPORTED_SCHEMA })
  async import(@Req() req: Request, @CurrentPrincipal() principal: Principal) {
    const records = readCsvRecords(req, 'DEATH_RECORDS_LIMIT_BYTES', this.config.DEATH_RECORDS_LIMIT_BYTES, DEATH_RECORD_COLUMNS);
    const now = this.clock.now();
    return this.records.importCsv(records, { actorId: principal.id, regionCode: principal.regionCode }, now, shanghaiDate(now), (result, manager) =>
      this.audit.record({ actor: { id: principal.id, roles: principal.roles }, regionCode: principal.regionCode, action: 'death-records.imported', subjectType: 'death-records', subjectId: principal.regionCode, details: result }, manager),
    );
  }

  @Post()
  @HttpCode(200)
  @ApiOkResponse({ schema: IMPORTED_SCHEMA })
  async create(@Body() body: DeathRecordDto, @CurrentPrincipal() principal: Principal) {
    const now = this.clock.now();
    const result = await this.records.create(body, { actorId: principal.id, regionCode: principal.regionCode }, now, shanghaiDate(now));
    await this.audit.record({ actor: { id: principal.id, roles: principal.roles }, regionCode: principal.regionCode, action: 'death-records.created', subjectType: 'death-records', subjectId: principal.regionCode, details: result });
    return result;
  }
}
