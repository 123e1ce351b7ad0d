/**
 * What the OpenAPI document says of each operation beyond its types (issue 21): a summary, Chinese then English,
 * and examples that succeed as they stand — `test/openapi-examples.e2e-spec.ts` sends every one of them to a running
 * app. One table, applied by src/openapi/document.ts; a route missing here fails the document's test, naming it.
 *
 * Examples follow the service's standards: money in fen, dates of the Asia/Shanghai calendar, ID numbers with valid
 * check characters (src/common/id-number.ts) in real regions (修武县 410821, 城关镇 410821100, 东关村 410821100201).
 * Path parameters are placeholders in the document (the test reads real ids from the resources created before).
 */
export interface OperationDoc {
  summary: string;
  /** The request body: JSON, or the text of a CSV route. */
  body?: unknown;
  /** Query parameters (their example values). */
  query?: Record<string, string>;
}

/** A dibao application: the applicant and the child whose schooling is a rigid expenditure (memberId m2). */
export const APPLICATION_EXAMPLE = {
  regionCode: '410821100201',
  channel: 'self',
  requestType: 'household',
  area: 'rural',
  members: [
    { id: 'm1', name: '张三', idNumber: '410821199003071238', age: 36, relation: 'applicant', seriousIllness: true, inSchool: false, employed: false },
    { id: 'm2', name: '张小明', idNumber: '410821201506011253', age: 11, relation: 'child', seriousIllness: false, inSchool: true, employed: false },
  ],
  incomes: [{ memberId: 'm1', category: 'wages', monthlyFen: 30000 }],
  expenditures: [{ memberId: 'm2', category: 'schooling', monthlyFen: 20000 }],
  assets: { financialFen: 100000 },
};

/** The household's money as a periodic review finds it (members m1, m2 of the case). */
const REVIEW_EXAMPLE = {
  incomes: [{ memberId: 'm1', category: 'wages', monthlyFen: 30000 }],
  expenditures: [],
  assets: { financialFen: 100000 },
  reviewNotes: '入户复核：家庭情况无变化',
};

const ASSESSMENT_EXAMPLE = {
  region: '410821100',
  date: '2026-09-14',
  area: 'rural',
  members: [
    { id: 'm1', idNumber: '410821198001011237', age: 46, relation: 'applicant', seriousIllness: false, inSchool: false, employed: true },
    { id: 'm2', idNumber: '410821201506011253', age: 11, relation: 'child', disability: { grade: 1, type: 'physical' }, seriousIllness: false, inSchool: true, employed: false },
  ],
  incomes: [{ memberId: 'm1', category: 'wages', monthlyFen: 50000 }],
  expenditures: [{ memberId: 'm2', category: 'illness', monthlyFen: 20000 }],
  assets: { financialFen: 100000 },
};

/** A made-up example: the shape of the State Council's notice (the real 2027 notice was not available here). */
const CALENDAR_NOTICE_EXAMPLE = {
  title: '国务院办公厅关于2027年部分节假日安排的通知',
  number: '国办发明电〔2026〕0号',
  date: '2026-11-10',
  holidays: [
    { name: "元旦 New Year's Day", from: '2027-01-01', to: '2027-01-03' },
    { name: '春节 Spring Festival', from: '2027-02-05', to: '2027-02-11' },
    { name: '清明节 Qingming Festival', from: '2027-04-03', to: '2027-04-05' },
    { name: '劳动节 Labour Day', from: '2027-05-01', to: '2027-05-05' },
    { name: '端午节 Dragon Boat Festival', from: '2027-06-09', to: '2027-06-11' },
    { name: '中秋节 Mid-Autumn Festival', from: '2027-09-15', to: '2027-09-17' },
    { name: '国庆节 National Day', from: '2027-10-01', to: '2027-10-07' },
  ],
  workdays: [{ date: '2027-02-20', for: '春节 Spring Festival' }],
};

const REGISTRY_ENTRY_EXAMPLE = {
  staffName: '王经办',
  staffIdNumber: '410821198501011903',
  post: 'township-caseworker',
  regionCode: '410821100',
  relativeName: '王弟',
  relativeIdNumber: '410821199009091918',
  relation: 'sibling',
  validFrom: '2026-01-01',
};

export const BANK_RESULTS_EXAMPLE = 'line_id,result,message\n1,paid,\n2,failed,账户已销户\n3,returned,户名不符';
export const DEATH_RECORDS_EXAMPLE = 'id_number,name,died_on,source\n410821195001011233,张三,2026-07-03,public-security';
export const REGISTRY_CSV_EXAMPLE =
  'staff_name,staff_id_number,post,region_code,relative_name,relative_id_number,relation,valid_from,valid_to\n李四,410821197001012016,township-caseworker,410821100,李五,410821197501012020,sibling,2026-01-01,';

export const OPERATIONS: Record<string, OperationDoc> = {
  'GET /health': { summary: '健康检查 Health of the database and the engine' },
  'POST /api/v1/health-checks': { summary: '运行引擎自检流程 Run the engine health-check process', body: { reason: '部署后自检 after deployment' } },
  'GET /api/v1/audit-events': { summary: '审计记录（分页；按时间、操作人、操作、对象查询） The audit trail: paged, by date range, actor, action and subject' },
  'GET /api/v1/regions': { summary: '下级行政区划 Child regions of a county or township', query: { parent: '410821' } },
  'POST /api/v1/regions': { summary: '新增村（居）或乡镇 Add a village or township', body: { code: '410821100299', name: '新村村民委员会' } },
  'GET /api/v1/regions/{code}': { summary: '行政区划及其上级 A region with its chain of names' },
  'GET /api/v1/sla/orphans': { summary: '未能启动流程的业务 Subjects whose procedure never started' },
  'GET /api/v1/policy-profiles': { summary: '政策配置列表 Policy profiles' },
  'GET /api/v1/policy-profiles/in-force': { summary: '某地某日生效的政策 The profile version in force for a region and date', query: { region: '410821100201', date: '2026-09-14' } },
  'GET /api/v1/policy-profiles/{id}': { summary: '政策配置及其版本 A policy profile with its versions' },
  'GET /api/v1/calendar/working-days': { summary: '两日之间的工作日 Working days between two dates', query: { from: '2026-09-14', to: '2026-10-14' } },
  'GET /api/v1/calendar/working-days/after': { summary: '若干工作日后的日期 The date n working days after a date', query: { date: '2026-09-14', days: '10' } },
  'POST /api/v1/assessments': { summary: '家庭收入核算（试算）Assess a household (dry run, nothing stored)', body: ASSESSMENT_EXAMPLE },
  'GET /api/v1/calendar/years': { summary: '节假日历各年来源 Each year of the calendar with its source' },
  'PUT /api/v1/calendar/years/{year}': { summary: '载入国务院节假日安排 Load a year\'s official holiday notice', body: CALENDAR_NOTICE_EXAMPLE },
  'POST /api/v1/dibao/applications': { summary: '提交低保申请 Submit a dibao application', body: APPLICATION_EXAMPLE },
  'GET /api/v1/dibao/cases': { summary: '低保案件列表（分页、排序、按编号/姓名/身份证号查询） Dibao cases: paged, sorted, searched by case number, name or ID number' },
  'GET /api/v1/dibao/cases/{id}': { summary: '低保案件详情 Read a dibao case' },
  'POST /api/v1/dibao/cases/{id}/materials': { summary: '补充申请材料 Supply missing materials', body: { materials: ['户口簿复印件', '残疾证复印件'] } },
  'POST /api/v1/dibao/cases/{id}/objections': { summary: '公示期异议 Lodge an objection during the public notice', body: { text: '该户有一辆营运货车未申报', lodgedBy: '村民（匿名）' } },
  'POST /api/v1/dibao/cases/{id}/extension': { summary: '延长办理期限 Extend the procedure deadline once', body: { reason: '需跨省核对外出务工收入' } },
  'POST /api/v1/dibao/cases/{id}/reviews': { summary: '定期复核 Periodic review of an enrolled household', body: REVIEW_EXAMPLE },
  'GET /api/v1/dibao/cases/{id}/payments': { summary: '低保金发放记录 A beneficiary\'s payments' },
  'POST /api/v1/temporary-aid/requests': {
    summary: '提交临时救助申请 Submit a temporary-aid request',
    body: { regionCode: '410821100201', channel: 'self', area: 'rural', applicantName: '马成', applicantIdNumber: '410821198001011237', householdSize: 4, description: '昨夜房屋失火，衣物口粮尽毁' },
  },
  'GET /api/v1/temporary-aid/requests': { summary: '临时救助申请列表 List temporary-aid requests' },
  'GET /api/v1/temporary-aid/requests/{id}': { summary: '临时救助申请详情 Read a temporary-aid request' },
  'POST /api/v1/temporary-aid/requests/{id}/paperwork': {
    summary: '先行救助补办手续 File the paperwork of a rescue-first payment',
    body: { registrationNumber: 'DJ-2026-0117', reasons: '火灾致基本生活困难，先行救助', amountFen: 60000, signatures: ['经办人 王芳', '乡镇负责人 李强', '受助人 马成'] },
  },
  'GET /api/v1/reserve-funds': { summary: '乡镇备用金列表 Township reserve funds' },
  'GET /api/v1/reserve-funds/{township}': { summary: '备用金余额与明细 A reserve fund\'s balance and ledger' },
  'POST /api/v1/reserve-funds/{township}/advances': { summary: '拨付备用金 Advance a reserve fund', body: { amountFen: 500000, note: '2026年第四季度备用金' } },
  'POST /api/v1/reserve-funds/{township}/replenishments': { summary: '补足备用金 Replenish a reserve fund', body: { amountFen: 60000, note: '补足先行救助支出' } },
  'GET /api/v1/payment-cycles': { summary: '发放周期列表 Payment cycles' },
  // A past month with a profile in force: it runs on the examples test's date and in the demo's.
  'POST /api/v1/payment-cycles': { summary: '手动运行本县月度发放周期 Run (or resume) a county\'s monthly payment cycle by hand', query: { county: '410821', month: '2026-10' } },
  'GET /api/v1/training/clock': { summary: '系统当前时间 The system\'s "now" (service and engine), and whether it can be moved' },
  'PUT /api/v1/training/clock': { summary: '培训环境：拨动整个系统的时钟 Training install: move the whole system\'s clock (engine timers and service "now")', body: { at: '2026-12-25T08:00:00+08:00' } },
  'GET /api/v1/payment-cycles/{id}': { summary: '发放周期详情 A payment cycle: calendar, status, totals' },
  'GET /api/v1/payment-cycles/{id}/bank-file': { summary: '下载银行代发文件 Download the bank file (CSV)' },
  'POST /api/v1/payment-cycles/{id}/bank-results': { summary: '导入银行发放结果 Import the bank\'s results (CSV)', body: BANK_RESULTS_EXAMPLE },
  'POST /api/v1/death-records/import': { summary: '导入死亡名单 Import death records (CSV)', body: DEATH_RECORDS_EXAMPLE },
  'POST /api/v1/death-records': { summary: '登记一条死亡记录 Record one death', body: { idNumber: '410821195001011233', name: '张三', diedOn: '2026-07-03', source: 'public-security' } },
  'GET /api/v1/sla/deadlines': { summary: '法定时限列表（分页、排序） Statutory deadlines of the region: paged, sorted, by status, type and due range' },
  'GET /api/v1/sla/summary': { summary: '时限汇总（按下一级辖区） Deadlines counted per region one level below, by type; days to decision' },
  'GET /api/v1/sla/incidents': { summary: '流程故障列表（分页，最早在前） Open engine incidents of the region: paged, oldest first by default' },
  'POST /api/v1/sla/incidents/{incidentKey}/retry': { summary: '重试流程故障 Retry an incident' },
  'GET /api/v1/sla/cases/{subjectType}/{subjectId}/audit': { summary: '案件审计轨迹 A subject\'s audit trail' },
  'GET /api/v1/tasks': { summary: '我的待办 Tasks of the caller', query: { view: 'open' } },
  'GET /api/v1/tasks/{key}': { summary: '待办详情（含表单）A task with its form and variables' },
  'POST /api/v1/tasks/{key}/claim': { summary: '认领待办 Claim a task' },
  'POST /api/v1/tasks/{key}/unclaim': { summary: '退回待办 Give a task back' },
  'POST /api/v1/tasks/{key}/assignment': { summary: '改派待办 Reassign a task', body: { assignee: 'caseworker-zhao' } },
  'POST /api/v1/tasks/{key}/complete': { summary: '办结待办 Complete a task with its form\'s values', body: { variables: { materialsComplete: false, missingMaterials: '缺少残疾证复印件' } } },
  'GET /api/v1/process-instances/{processInstanceKey}/diagram': { summary: '流程图与进度 A process instance\'s diagram and progress' },
  'GET /api/v1/workbench/config': { summary: '工作台配置 Workbench configuration' },
  'GET /api/v1/workbench/dev-users': { summary: '开发用户列表 Development users' },
  'POST /api/v1/workbench/dev-token': { summary: '签发开发令牌 Mint a development token', body: { sub: 'demo-township-caseworker-410821100' } },
  'GET /api/v1/relatives-registry': { summary: '近亲属备案列表 Relatives registry' },
  'POST /api/v1/relatives-registry': { summary: '备案一名近亲属 Register one relative', body: REGISTRY_ENTRY_EXAMPLE },
  'POST /api/v1/relatives-registry/import': { summary: '导入近亲属备案 Import the relatives registry (CSV)', body: REGISTRY_CSV_EXAMPLE },
  'GET /api/v1/relatives-registry/{id}': { summary: '近亲属备案详情 One registry entry' },
  'POST /api/v1/relatives-registry/{id}/end': { summary: '终止备案 End a registry entry', body: { validTo: '2026-09-30' } },
  'GET /api/v1/sampling/batches': { summary: '抽查批次列表（分页，最近期在前） County sampling batches: paged, newest period first by default' },
  'POST /api/v1/sampling/batches': { summary: '手动抽取抽查批次 Draw a sampling batch by hand', query: { county: '410821', period: '2026-08' } },
  'GET /api/v1/sampling/batches/{id}': { summary: '抽查批次详情 A sampling batch' },
  'POST /api/v1/sampling/batches/{id}/verify': { summary: '复核抽样结果 Verify a batch\'s selection' },
};
