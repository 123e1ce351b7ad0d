import { ApiProperty } from '@nestjs/swagger';

/** A statutory step of a payment cycle: its day after moving off holidays and weekends, and the instant it ends. */
export class CycleDeadlineView {
  @ApiProperty({ format: 'date', example: '2026-10-08', description: 'The day, Asia/Shanghai calendar' }) date!: string;
  @ApiProperty({ format: 'date-time', example: '2026-10-08T15:59:59.999Z', description: 'The end of that day in Asia/Shanghai, as a UTC instant' }) dueAt!: string;
}

export class CycleCalendarView {
  @ApiProperty({ example: '2026-10' }) month!: string;
  @ApiProperty({ type: CycleDeadlineView, description: 'Civil affairs has entered the payroll (by the 5th)' }) dataBy!: CycleDeadlineView;
  @ApiProperty({ type: CycleDeadlineView, description: 'Finance has transferred the funds (by the 8th)' }) fundsBy!: CycleDeadlineView;
  @ApiProperty({ type: CycleDeadlineView, description: 'The bank has credited the accounts (by the 10th)' }) creditedBy!: CycleDeadlineView;
}

/** A county's monthly payment cycle (src/payments/payroll.service.ts's PaymentCycle). */
export class PaymentCycleView {
  @ApiProperty({ format: 'uuid', example: '8f41ed0e-9c65-4ca2-8929-36bc6570a395' }) id!: string;
  @ApiProperty({ example: '410821' }) countyCode!: string;
  @ApiProperty({ example: '2026-10', description: 'The month paid, YYYY-MM' }) month!: string;
  @ApiProperty({ example: 'jiaozuo-2022-154' }) profileVersionId!: string;
  @ApiProperty({ type: CycleCalendarView }) calendar!: CycleCalendarView;
  @ApiProperty({ example: 'payroll-generated', description: 'open, payroll-generated, data-entered, funds-transferred, bank-issued, reconciled' }) status!: string;
  @ApiProperty({ type: 'integer', nullable: true, example: 120, description: 'null until the payroll is generated' }) lineCount!: number | null;
  @ApiProperty({ type: 'integer', nullable: true, example: 7200000, description: 'fen; null until the payroll is generated' }) totalFen!: number | null;
  @ApiProperty({ type: 'integer', nullable: true, example: 2, description: 'Of the lines, those paying an earlier month (补发)' }) arrearsLineCount!: number | null;
  @ApiProperty({ type: 'integer', nullable: true, example: 120000, description: 'fen' }) arrearsTotalFen!: number | null;
  @ApiProperty({ type: 'integer', example: 0, description: 'Lines the bank reported failed' }) failedLines!: number;
  @ApiProperty({ type: 'integer', example: 0, description: 'Lines the bank reported returned' }) returnedLines!: number;
  @ApiProperty({ type: 'integer', example: 0, description: 'County follow-ups of failed or returned lines not decided yet' }) openFollowUps!: number;
  @ApiProperty({ type: String, nullable: true, example: '2251799813685354', description: 'null until its process starts' }) processInstanceKey!: string | null;
}

/** One payroll line of a beneficiary: a month's payment, or a new attempt of it. */
export class PaymentHistoryLine {
  @ApiProperty({ example: '2026-10', description: 'The month paid for, YYYY-MM' }) benefitMonth!: string;
  @ApiProperty({ type: 'integer', example: 1, description: 'A failed line is issued again as the next attempt' }) attempt!: number;
  @ApiProperty({ type: 'integer', example: 98000, description: 'fen' }) amountFen!: number;
  @ApiProperty({ example: 'benefit', description: 'benefit, arrears or temporary-aid-instalment' }) kind!: string;
  @ApiProperty({ example: 'paid', description: 'issued, paid, failed or returned' }) status!: string;
  @ApiProperty({ example: '张三' }) payeeName!: string;
  @ApiProperty({ example: '410821********1238', description: 'Masked' }) payeeIdNumber!: string;
  @ApiProperty({ example: '410821' }) countyCode!: string;
  @ApiProperty({ format: 'uuid' }) cycleId!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When the bank settled it' }) settledAt!: string | null;
  @ApiProperty({ type: String, nullable: true, example: '账户已销户', description: "The bank's message on a failed or returned line" }) bankMessage!: string | null;
}
