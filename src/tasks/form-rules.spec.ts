import { checkSubmission, inputFields, MAX_TEXT_LENGTH, type FormSchema } from './form-rules';

const form: FormSchema = {
  components: [
    { type: 'text', text: '# Township review' } as never,
    { type: 'textfield', key: 'summary', label: 'Summary', validate: { required: true } },
    { type: 'select', key: 'proposal', label: 'Proposal', values: [{ label: 'Approve', value: 'approve' }, { label: 'Refuse', value: 'refuse' }], validate: { required: true } },
    { type: 'textarea', key: 'refusalReasons', label: 'Reasons', validate: { required: true }, conditional: { hide: '=proposal != "refuse"' } },
    { type: 'number', key: 'householdSize', label: 'Household size', decimalDigits: 0, validate: { min: 1, max: 50 } },
    { type: 'checkbox', key: 'homeVisited', label: 'Home visited', validate: { required: true } },
    {
      type: 'group',
      label: 'Visit',
      components: [
        { type: 'datetime', subtype: 'date', key: 'visitDate', label: 'Visit date' },
        { type: 'radio', key: 'visitedBy', label: 'Visited by', valuesKey: 'visitors' },
        { type: 'checklist', key: 'documents', label: 'Documents', values: [{ value: 'hukou' }, { value: 'id-card' }] },
      ],
    },
    { type: 'textfield', key: 'benefitFen', label: 'Benefit', readonly: true },
    { type: 'button', key: 'submit', label: 'Submit' } as never,
  ],
};

const valid = { summary: '  Household of three, no income  ', proposal: 'approve', homeVisited: true };
const fields = (result: ReturnType<typeof checkSubmission>) => result.problems.map((p) => p.field);

describe('form rules: which fields a form has', () => {
  it('lists the input fields, through groups, and nothing else', () => {
    expect(inputFields(form.components).map((f) => f.key)).toEqual([
      'summary', 'proposal', 'refusalReasons', 'householdSize', 'homeVisited', 'visitDate', 'visitedBy', 'documents', 'benefitFen',
    ]);
  });

  it('takes a group or dynamic list with a path as one field, carrying the conditions around it', () => {
    const fieldsOf = inputFields([
      { type: 'group', label: 'Outer', conditional: { hide: '=a' }, components: [{ type: 'dynamiclist', path: 'members', components: [{ type: 'textfield', key: 'name' }] }] },
    ]);
    expect(fieldsOf).toEqual([expect.objectContaining({ key: 'members', hiddenIf: ['=a'] })]);
  });
});

describe('form rules: checking a submission', () => {
  it('accepts a valid submission and trims text', () => {
    const result = checkSubmission(form, valid);
    expect(result.problems).toEqual([]);
    expect(result.variables).toEqual({ summary: 'Household of three, no income', proposal: 'approve', homeVisited: true });
  });

  it('names each missing required field, a blank text counting as missing', () => {
    const result = checkSubmission(form, { summary: '   ', homeVisited: true });
    expect(result.problems).toEqual([
      { field: 'variables.summary', message: '“Summary”为必填项 / Summary (summary) is required' },
      { field: 'variables.proposal', message: '“Proposal”为必填项 / Proposal (proposal) is required' },
    ]);
  });

  it('wants a required checkbox checked', () => {
    expect(checkSubmission(form, { ...valid, homeVisited: false }).problems).toEqual([
      { field: 'variables.homeVisited', message: '“Home visited”须勾选 / Home visited (homeVisited) must be checked' },
    ]);
  });

  it('refuses a key the form does not have', () => {
    expect(checkSubmission(form, { ...valid, approvedBy: 'me' }).problems).toEqual([
      { field: 'variables.approvedBy', message: '表单中没有字段“approvedBy” / unknown field "approvedBy": the form of this task has no such field' },
    ]);
  });

  it('refuses a value of a read-only field, and a form-less task takes no values', () => {
    expect(fields(checkSubmission(form, { ...valid, benefitFen: '99999' }))).toEqual(['variables.benefitFen']);
    expect(checkSubmission(null, {})).toEqual({ variables: {}, problems: [] });
    expect(fields(checkSubmission(null, { anything: 1 }))).toEqual(['variables.anything']);
  });

  it('requires a field hidden by a condition only while it shows', () => {
    expect(checkSubmission(form, valid).problems).toEqual([]);
    expect(fields(checkSubmission(form, { ...valid, proposal: 'refuse' }))).toEqual(['variables.refusalReasons']);
    expect(checkSubmission(form, { ...valid, proposal: 'refuse', refusalReasons: 'Income above the standard' }).problems).toEqual([]);
  });

  it('checks the values of choices against their options', () => {
    const bad = checkSubmission(form, { ...valid, proposal: 'maybe', documents: ['hukou', 'passport'] });
    expect(bad.problems).toEqual([
      { field: 'variables.proposal', message: '“Proposal”须为以下之一：Approve、Refuse / Proposal (proposal) must be one of: approve (Approve), refuse (Refuse)' },
      { field: 'variables.documents', message: '“Documents”须为以下之一：hukou、id-card / Documents (documents) must be one of: hukou, id-card' },
    ]);
    expect(fields(checkSubmission(form, { ...valid, documents: 'hukou' }))).toEqual(['variables.documents']);
  });

  it('reads options named by valuesKey from the process variables', () => {
    const context = { visitors: [{ label: 'Li', value: 'li' }, { label: 'Wang', value: 'wang' }] };
    expect(checkSubmission(form, { ...valid, visitedBy: 'wang' }, context).problems).toEqual([]);
    expect(fields(checkSubmission(form, { ...valid, visitedBy: 'zhao' }, context))).toEqual(['variables.visitedBy']);
  });

  it('checks types: number, checkbox, text, date', () => {
    const result = checkSubmission(form, { summary: 42, proposal: 'approve', homeVisited: 'yes', householdSize: '3', visitDate: '2025-02-30' });
    expect(result.problems).toEqual([
      { field: 'variables.summary', message: '“Summary”须为文字 / Summary (summary) must be text' },
      { field: 'variables.householdSize', message: '“Household size”须为数字 / Household size (householdSize) must be a number' },
      { field: 'variables.homeVisited', message: '“Home visited”须为是或否 / Home visited (homeVisited) must be true or false' },
      { field: 'variables.visitDate', message: '“Visit date”须为日期（年-月-日） / Visit date (visitDate) must be a date (YYYY-MM-DD)' },
    ]);
    expect(checkSubmission(form, { ...valid, householdSize: 3, visitDate: '2025-02-28' }).problems).toEqual([]);
  });

  it('applies the min / max of a number and caps text length', () => {
    expect(fields(checkSubmission(form, { ...valid, householdSize: 0 }))).toEqual(['variables.householdSize']);
    expect(checkSubmission(form, { ...valid, householdSize: 2.5 }).problems).toEqual([{ field: 'variables.householdSize', message: '“Household size”须为整数 / Household size (householdSize) must be a whole number' }]);
    const long = checkSubmission(form, { ...valid, summary: 'x'.repeat(MAX_TEXT_LENGTH + 1) });
    expect(long.problems).toEqual([{ field: 'variables.summary', message: `“Summary”不能超过${MAX_TEXT_LENGTH}个字 / Summary (summary) must be at most ${MAX_TEXT_LENGTH} characters` }]);
  });

  it('evaluates a min / max given as a FEEL expression on the instance and the submission, and counts decimals', () => {
    const amount: FormSchema = { components: [{ type: 'number', key: 'yuan', label: 'Amount', decimalDigits: 2, validate: { min: 0.01, max: '=currentFen / 100 - 0.01' } }] };
    const context = { currentFen: 50_000 };
    expect(checkSubmission(amount, { yuan: 499.99 }, context).problems).toEqual([]);
    expect(checkSubmission(amount, { yuan: 500 }, context).problems).toEqual([{ field: 'variables.yuan', message: '“Amount”不能大于499.99 / Amount (yuan) must be at most 499.99' }]);
    expect(checkSubmission(amount, { yuan: 0 }, context).problems).toEqual([{ field: 'variables.yuan', message: '“Amount”不能小于0.01 / Amount (yuan) must be at least 0.01' }]);
    expect(checkSubmission(amount, { yuan: 150.1 }, context).problems).toEqual([]);
    expect(checkSubmission(amount, { yuan: 1.005 }, context).problems).toEqual([{ field: 'variables.yuan', message: '“Amount”最多2位小数 / Amount (yuan) must have at most 2 decimal digits' }]);
    // Without the variable the expression is null: no bound.
    expect(checkSubmission(amount, { yuan: 900 }, {}).problems).toEqual([]);
  });

  it('passes an optional field sent empty through as sent', () => {
    expect(checkSubmission(form, { ...valid, householdSize: null }).variables).toEqual({ ...valid, summary: valid.summary.trim(), householdSize: null });
  });
});

describe('form rules: the items of a dynamic list', () => {
  const list: FormSchema = {
    components: [
      {
        type: 'dynamiclist',
        path: 'verifiedIncomes',
        components: [
          { type: 'select', key: 'memberId', label: 'Member', valuesKey: 'memberOptions', validate: { required: true } },
          { type: 'number', key: 'monthlyYuan', label: 'Yuan', decimalDigits: 2, validate: { required: true, min: 0 } },
        ],
      },
    ],
  };
  const context = { memberOptions: [{ label: 'm1', value: 'm1' }] };

  it("checks every item against the list's fields and names the item in the problem", () => {
    const result = checkSubmission(list, { verifiedIncomes: [{ memberId: 'm1', monthlyYuan: 12.5 }, { memberId: 'm9', monthlyYuan: 1.234 }, { memberId: 'm1' }] }, context);
    expect(fields(result)).toEqual(['variables.verifiedIncomes[1].memberId', 'variables.verifiedIncomes[1].monthlyYuan', 'variables.verifiedIncomes[2].monthlyYuan']);
  });

  it('refuses an item that is no object and keeps the valid items as checked', () => {
    expect(fields(checkSubmission(list, { verifiedIncomes: ['m1'] }, context))).toEqual(['variables.verifiedIncomes[0]']);
    expect(checkSubmission(list, { verifiedIncomes: [{ memberId: 'm1', monthlyYuan: 3 }] }, context)).toEqual({ variables: { verifiedIncomes: [{ memberId: 'm1', monthlyYuan: 3 }] }, problems: [] });
  });
});

describe('form rules: messages a caseworker reads', () => {
  it('names the field by the Chinese half of its bilingual label, Chinese first', () => {
    const form = { components: [{ type: 'number', key: 'verifiedIncome', label: '核实月收入（元） Verified monthly income', validate: { required: true, min: 0 } }] };
    expect(checkSubmission(form, { verifiedIncome: -1 }).problems).toEqual([
      { field: 'variables.verifiedIncome', message: '“核实月收入（元）”不能小于0 / 核实月收入（元） Verified monthly income (verifiedIncome) must be at least 0' },
    ]);
    expect(checkSubmission(form, {}).problems[0]!.message).toBe('“核实月收入（元）”为必填项 / 核实月收入（元） Verified monthly income (verifiedIncome) is required');
  });
});
