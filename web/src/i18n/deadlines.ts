/**
 * The names of the statutory deadline types (src/deadlines, bpmn/ `deadlineType`), one for every page that shows a
 * deadline: the case page, the dashboard and its lists. test/workbench-deadline-types.spec.ts checks that every type
 * the service records has a name here.
 */
export default {
  zh: {
    'deadline.type.dibao.acceptance': '低保·受理',
    'deadline.type.dibao.investigation': '低保·入户调查',
    'deadline.type.dibao.procedure': '低保·审核确认时限',
    'deadline.type.dibao.refusal-notice': '低保·不予纳入告知',
    'deadline.type.dibao.follow-up': '低保·超期督办',
    'deadline.type.dibao.hearing': '低保·减发停发前听取意见',
    'deadline.type.temporary-aid.reply': '临时救助·答复',
    'deadline.type.temporary-aid.emergency-aid': '临时救助·先行救助',
    'deadline.type.temporary-aid.paperwork': '临时救助·补办手续',
    'deadline.type.temporary-aid.township-approval': '临时救助·乡镇审批',
    'deadline.type.temporary-aid.county-approval': '临时救助·县级审批',
    'deadline.type.temporary-aid.joint-meeting': '临时救助·联席会议一事一议',
    'deadline.type.payment.data': '发放·录入一卡通',
    'deadline.type.payment.funds': '发放·财政拨付',
    'deadline.type.payment.credited': '发放·银行到账',
    'deadline.type.payment.line-follow-up': '发放·失败退回跟进',
    'deadline.type.sampling.review': '县级抽查·复核',
  },
  en: {
    'deadline.type.dibao.acceptance': 'Dibao · acceptance',
    'deadline.type.dibao.investigation': 'Dibao · home investigation',
    'deadline.type.dibao.procedure': 'Dibao · time to decision',
    'deadline.type.dibao.refusal-notice': 'Dibao · refusal notice',
    'deadline.type.dibao.follow-up': 'Dibao · follow-up of an overdue case',
    'deadline.type.dibao.hearing': 'Dibao · hearing before a reduction',
    'deadline.type.temporary-aid.reply': 'Temporary aid · reply',
    'deadline.type.temporary-aid.emergency-aid': 'Temporary aid · rescue first',
    'deadline.type.temporary-aid.paperwork': 'Temporary aid · paperwork afterwards',
    'deadline.type.temporary-aid.township-approval': 'Temporary aid · township approval',
    'deadline.type.temporary-aid.county-approval': 'Temporary aid · county approval',
    'deadline.type.temporary-aid.joint-meeting': 'Temporary aid · joint meeting',
    'deadline.type.payment.data': 'Payment · data entered',
    'deadline.type.payment.funds': 'Payment · funds transferred',
    'deadline.type.payment.credited': 'Payment · accounts credited',
    'deadline.type.payment.line-follow-up': 'Payment · failed line follow-up',
    'deadline.type.sampling.review': 'County sampling · review',
  },
};
