import { FORM_SUBMISSION, submissionOf, valuesNotVisible } from './task-listeners';

describe('the values a client declares on a task (task listeners)', () => {
  it('are those of this task only: a declaration left by an earlier task of the case is not taken for this one', () => {
    expect(submissionOf({ [FORM_SUBMISSION]: { userTaskKey: '7', values: { decision: 'approve' } } }, '7')).toEqual({ decision: 'approve' });
    expect(submissionOf({ [FORM_SUBMISSION]: { userTaskKey: '6', values: { decision: 'approve' } } }, '7')).toBeUndefined();
  });

  it('are an object of values; anything else counts as nothing declared', () => {
    expect(submissionOf({}, '7')).toBeUndefined();
    expect(submissionOf({ [FORM_SUBMISSION]: { userTaskKey: '7', values: ['approve'] } }, '7')).toBeUndefined();
    expect(submissionOf({ [FORM_SUBMISSION]: 'approve' }, '7')).toBeUndefined();
  });

  it('when missing, the denial says why (Camunda 8.8) and where to do the step instead, in Chinese first', () => {
    expect(valuesNotVisible('42')).toMatch(/^兜底无法核对.*\/tasks\/42.* \/ Doudi cannot check .*camunda\/camunda#24101.*formSubmission/);
  });
});
